import { provide, type Provision } from "../../lib/capabilities";
import { assertValidatorList } from "../../lib/claims";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { LatchkeyError } from "../../lib/error";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import {
  type SessionClaimSource,
  SessionClaimSources,
  SessionInventories,
  Sessions,
  type SessionService,
  TenantDataOwners,
  UserDataOwners,
} from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import { AccessTokenCodec } from "./accessToken";
import { makeAPIImplementation } from "./api/implementation";
import { buildCreateNewSessionInput } from "./createSessionInput";
import { SessionError } from "./error";
import { handleJWKS } from "./api/jwks";
import { handleRefresh } from "./api/refresh";
import { handleSignOut } from "./api/signout";
import { normaliseConfig } from "./config";
import { sessionMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import type { SessionHelpers } from "./sessionContainer";
import { createNewSessionOnResponse, getSessionFromRequest } from "./sessionRequest";
import { SigningKeyStore } from "./signingKeys";
import { SessionStore } from "./store";
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
  readonly store: SessionStore;
  private contributed: ReturnType<SessionClaimSource["getSessionClaims"]> | undefined;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(context.appInfo, input);
    this.keys = new SigningKeyStore(
      context.database,
      this.config.signingKeyIntervalMs,
      this.config.accessTokenValidityMs,
      this.config.signingAlgorithm,
    );
    this.codec = new AccessTokenCodec(this.keys, this.config.verifiedTokenCacheSize);
    this.store = new SessionStore(context.database);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "Session.init.override.functions",
      () => makeRecipeImplementation(this.store, this.config, this.codec, () => this),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "Session.init.override.apis",
      () => makeAPIImplementation(this.keys),
      input?.override?.apis,
      {
        allowDisabled: true,
      },
    );
  }

  /** The claims and validators the other recipes add to every session (asked once, after init, of SessionClaimSources). */
  getContributedClaims(): ReturnType<SessionClaimSource["getSessionClaims"]> {
    if (this.contributed === undefined) {
      const all = this.context.capabilities.all(SessionClaimSources).map((source) => source.getSessionClaims());
      this.contributed = {
        claims: all.flatMap((c) => c.claims),
        validators: assertValidatorList(
          "SessionClaimSources validators",
          all.flatMap((c) => c.validators),
        ),
      };
    }
    return this.contributed;
  }

  /** Sessions for the other recipes (through the same overridable path as the public functions), and deleteUser's part. */
  override provides(): Provision[] {
    const sessions: SessionService = {
      createNewSession: ({ req, res, userId, jwtPayload, accessTokenPayload, sessionData, tenantId, userContext }) =>
        createNewSessionOnResponse(
          this.recipeInterfaceImpl,
          this.config,
          req,
          res,
          buildCreateNewSessionInput({
            userId,
            payload: accessTokenPayload ?? jwtPayload ?? {},
            sessionData: sessionData ?? {},
            tenantId,
            userContext,
          }),
        ),
      getSession: ({ req, res, options, userContext }) =>
        getSessionFromRequest(
          this.recipeInterfaceImpl,
          this.config,
          () => this.getContributedClaims(),
          req,
          res,
          options,
          userContext,
        ),
      revokeAllSessionsForUser: ({ userId, tenantId, userContext }) =>
        this.recipeInterfaceImpl.revokeAllSessionsForUser({ userId, tenantId, userContext }),
    };
    return [
      provide(Sessions, sessions),
      provide(SessionInventories, {
        listSessionsOfUser: async ({ userId, userContext }) => {
          const impl = this.recipeInterfaceImpl;
          const handles = await impl.getAllSessionHandlesForUser({ userId, userContext });
          const infos = await Promise.all(
            handles.map((sessionHandle) => impl.getSessionInformation({ sessionHandle, userContext })),
          );
          return infos
            .flatMap((i) => (i === undefined ? [] : [i]))
            .map(({ sessionHandle, tenantId, timeCreated, expiry }) => ({
              sessionHandle,
              tenantId,
              timeCreated,
              expiry,
            }))
            .sort((a, b) => a.timeCreated - b.timeCreated);
        },
        revokeSession: (input) => this.recipeInterfaceImpl.revokeSession(input),
      }),
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => this.store.deleteUserSessionsIn(trx, userId) }),
      // A deleted tenant's sessions end: refreshes fail at once, access tokens work until they expire (or at once
      // with enableBlacklisting), as after revokeSession.
      provide(TenantDataOwners, {
        deleteTenantData: async ({ tenantId }) => {
          await this.store.deleteSessionsOfTenant(tenantId);
        },
      }),
    ];
  }

  /** The initialised session recipe, or a clear error. */
  static getInstanceOrThrow(): SessionRecipe {
    return Latchkey.getRecipeOrThrow(SessionRecipe);
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    return dispatchRoute(
      ROUTES,
      apiId,
      this.apiImpl,
      { recipeImplementation: this.recipeInterfaceImpl, config: this.config, req, res },
      userContext,
    );
  }

  override async handleError(error: LatchkeyError, req: BaseRequest, res: BaseResponse): Promise<boolean> {
    const err = SessionError.from(error);
    // A protected claim in a payload is the app's bug: the core's default answer (500) stands.
    if (err === undefined || err.type === "PROTECTED_CLAIM_IN_PAYLOAD") return false;
    const handlers = this.config.errorHandlers;
    const status = this.config.sessionExpiredStatusCode;
    switch (err.type) {
      case "UNAUTHORISED":
        if (err.payload.clearTokens) clearTokens(res, this.config);
        await handlers.onUnauthorised?.(err.message, req, res);
        return this.sendDefault(res, status, { message: "unauthorised" });
      case "TRY_REFRESH_TOKEN":
        await handlers.onTryRefreshToken?.(err.message, req, res);
        return this.sendDefault(res, status, { message: "try refresh token" });
      case "TOKEN_THEFT_DETECTED":
        clearTokens(res, this.config);
        await handlers.onTokenTheftDetected?.(err.payload.sessionHandle, err.payload.userId, req, res);
        return this.sendDefault(res, status, { message: "token theft detected" });
      case "INVALID_CLAIMS": {
        const { claimValidationErrors } = err.payload;
        await handlers.onInvalidClaim?.(claimValidationErrors, req, res);
        return this.sendDefault(res, this.config.invalidClaimStatusCode, {
          message: "invalid claim",
          claimValidationErrors,
        });
      }
    }
  }

  override getAllCORSHeaders(): string[] {
    return ["anti-csrf", "authorization", "st-auth-mode"];
  }

  override getMigrations(): RecipeMigration[] {
    return sessionMigrations;
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
