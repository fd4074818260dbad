import type { Knex } from "knex";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { LatchkeyError } from "../../lib/error";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import type { UserContext } from "../../lib/types";
import { AccessTokenCodec } from "./accessToken";
import type { SessionClaimProvider } from "../../lib/claims";
import { makeAPIImplementation } from "./api/implementation";
import { handleJWKS } from "./api/jwks";
import { handleRefresh } from "./api/refresh";
import { handleSignOut } from "./api/signout";
import { normaliseConfig } from "./config";
import { sessionMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import type { SessionHelpers } from "./sessionContainer";
import { SigningKeyStore } from "./signingKeys";
import { clearTokens } from "./transfer";
import type { APIInterface, APIOptions, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";

const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "post", path: "/session/refresh", id: "refreshPOST", handler: handleRefresh },
  { method: "post", path: "/signout", id: "signOutPOST", handler: handleSignOut },
  { method: "get", path: "/jwt/jwks.json", id: "jwksGET", handler: handleJWKS },
];

/** The session recipe instance: config, keys, implementations, routes and error answers. */
export class SessionRecipe extends RecipeModule implements SessionHelpers {
  static readonly RECIPE_ID = "session";
  readonly recipeId = SessionRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly keys: SigningKeyStore;
  readonly codec: AccessTokenCodec;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  private contributed: ReturnType<SessionClaimProvider["getSessionClaims"]> | undefined;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(context.appInfo, input);
    this.keys = new SigningKeyStore(context.database, this.config.signingKeyIntervalMs, this.config.accessTokenValidityMs, this.config.signingAlgorithm);
    this.codec = new AccessTokenCodec(this.keys);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "Session.init.override.functions",
      () => makeRecipeImplementation(context.database, this.config, this.codec, () => this),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>("Session.init.override.apis", () => makeAPIImplementation(this.keys), input?.override?.apis, {
      allowDisabled: true,
    });
  }

  /** The claims and validators the other recipes in the list add to every session (gathered once, after init). */
  getContributedClaims(): ReturnType<SessionClaimProvider["getSessionClaims"]> {
    if (this.contributed === undefined) {
      const providers = Latchkey.getInstanceOrThrow().recipes.filter(
        (r): r is RecipeModule & SessionClaimProvider => typeof (r as Partial<SessionClaimProvider>).getSessionClaims === "function",
      );
      const all = providers.map((p) => p.getSessionClaims());
      this.contributed = { claims: all.flatMap((c) => c.claims), validators: all.flatMap((c) => c.validators) };
    }
    return this.contributed;
  }

  /** The initialised session recipe, or a clear error. */
  static getInstanceOrThrow(): SessionRecipe {
    return Latchkey.getRecipeOrThrow(SessionRecipe);
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    return dispatchRoute(ROUTES, apiId, this.apiImpl, { recipeImplementation: this.recipeInterfaceImpl, config: this.config, req, res }, userContext);
  }

  override async handleError(err: LatchkeyError, req: BaseRequest, res: BaseResponse): Promise<boolean> {
    const handlers = this.config.errorHandlers;
    const status = this.config.sessionExpiredStatusCode;
    switch (err.type) {
      case "UNAUTHORISED": {
        if ((err.payload as { clearTokens?: boolean } | undefined)?.clearTokens !== false) clearTokens(res, this.config);
        await handlers.onUnauthorised?.(err.message, req, res);
        return this.sendDefault(res, status, { message: "unauthorised" });
      }
      case "TRY_REFRESH_TOKEN":
        await handlers.onTryRefreshToken?.(err.message, req, res);
        return this.sendDefault(res, status, { message: "try refresh token" });
      case "TOKEN_THEFT_DETECTED": {
        clearTokens(res, this.config);
        const { sessionHandle, userId } = err.payload as { sessionHandle: string; userId: string };
        await handlers.onTokenTheftDetected?.(sessionHandle, userId, req, res);
        return this.sendDefault(res, status, { message: "token theft detected" });
      }
      case "INVALID_CLAIMS": {
        const claimValidationErrors = (err.payload as { id: string; reason?: unknown }[] | undefined) ?? [];
        await handlers.onInvalidClaim?.(claimValidationErrors, req, res);
        return this.sendDefault(res, this.config.invalidClaimStatusCode, { message: "invalid claim", claimValidationErrors });
      }
      default:
        return false;
    }
  }

  override getAllCORSHeaders(): string[] {
    return ["anti-csrf", "authorization", "st-auth-mode"];
  }

  override getMigrations(): RecipeMigration[] {
    return sessionMigrations;
  }

  override async deleteUserData(userId: string, trx: Knex.Transaction): Promise<void> {
    await trx(this.context.database.table("sessions")).where({ user_id: userId }).del();
  }

  // A configured handler may have answered already; otherwise the default answer goes out.
  private sendDefault(res: BaseResponse, status: number, body: unknown): boolean {
    if (!res.isSent()) {
      res.setStatus(status);
      res.sendJSON(body);
    }
    return true;
  }
}
