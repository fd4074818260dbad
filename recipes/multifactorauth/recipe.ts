import type { Capability, Provision } from "../../lib/capabilities";
import { provide } from "../../lib/capabilities";
import type { SessionClaimProvider } from "../../lib/claims";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import {
  type MultiFactorAuthService,
  MultiFactorAuthServices,
  type SessionContainerInterface,
  SessionClaimSources,
  Sessions,
  UserDataOwners,
} from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import { findUser } from "../../lib/users";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { attachClaimComputer, MultiFactorAuthClaim } from "./claim";
import { normaliseConfig } from "./config";
import { multiFactorAuthMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import { SessionMFAState } from "./sessionState";
import { makeMultiFactorAuthStore, type MultiFactorAuthStore } from "./store";
import type { APIInterface, APIOptions, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";

// PUT is what the SDK sends (FDI); GET answers the same for tools and people reading the route by hand.
const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "put", path: "/mfa/info", id: "resyncSessionAndFetchMFAInfoPUT", handler: handlers.mfaInfo },
  { method: "get", path: "/mfa/info", id: "resyncSessionAndFetchMFAInfoPUT", handler: handlers.mfaInfo },
];

/** The MultiFactorAuth recipe instance: what a session must complete, and the `st-mfa` claim that says if it has. */
export class MultiFactorAuthRecipe extends RecipeModule implements SessionClaimProvider {
  static readonly RECIPE_ID = "multifactorauth";
  readonly recipeId = MultiFactorAuthRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  readonly claim = MultiFactorAuthClaim;
  readonly state: SessionMFAState;
  private readonly store: MultiFactorAuthStore;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    this.store = makeMultiFactorAuthStore(context.database);
    this.state = new SessionMFAState(context.capabilities, this.config, this.claim, () => this.recipeInterfaceImpl);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "MultiFactorAuth.init.override.functions",
      () =>
        makeRecipeImplementation(this.store, {
          claim: this.claim,
          factorsSetUpByRecipes: (userId, tenantId, userContext) =>
            this.state.factorsSetUpByRecipes(userId, tenantId, userContext),
          refreshSessionMFA: (refresh) => this.state.refresh(refresh),
        }),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "MultiFactorAuth.init.override.apis",
      () => makeAPIImplementation(),
      input?.override?.apis,
      { allowDisabled: true },
    );
    attachClaimComputer(this.state);
  }

  /** The initialised MultiFactorAuth recipe, or a clear error. */
  static getInstanceOrThrow(): MultiFactorAuthRecipe {
    return Latchkey.getRecipeOrThrow(MultiFactorAuthRecipe);
  }

  override requires(): Capability<unknown>[] {
    return [Sessions];
  }

  override provides(): Provision[] {
    const service: MultiFactorAuthService = {
      firstFactors: this.config.firstFactors,
      assertAllowedToSetupFactor: ({ session, factorId, userContext }) =>
        this.assertAllowedToSetupFactor(session, factorId, userContext),
      markFactorAsCompleteInSession: (input) => this.recipeInterfaceImpl.markFactorAsCompleteInSession(input),
      assertMFACompleted: ({ session, userContext }) =>
        session.assertClaims([this.claim.validators.hasCompletedMFARequirementsForAuth()], userContext),
    };
    return [
      provide(MultiFactorAuthServices, service),
      provide(SessionClaimSources, { getSessionClaims: () => this.getSessionClaims() }),
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => this.store.deleteUserData(trx, userId) }),
    ];
  }

  /** `st-mfa` on every new session, and its "requirements met" validator on every verifySession by default. */
  getSessionClaims(): ReturnType<SessionClaimProvider["getSessionClaims"]> {
    return { claims: [this.claim], validators: [this.claim.validators.hasCompletedMFARequirementsForAuth()] };
  }

  /**
   * Throws INVALID_CLAIMS unless the session may set up `factorId` now (SuperTokens'
   * assertAllowedToSetupFactorElseThrowInvalidClaimError with the session's current requirements).
   */
  async assertAllowedToSetupFactor(
    session: SessionContainerInterface,
    factorId: string,
    userContext: UserContext,
  ): Promise<void> {
    const info = await this.state.refresh({ session, userContext });
    const setUp = await this.recipeInterfaceImpl.getFactorsSetupForUser({
      userId: session.getUserId(),
      tenantId: session.getTenantId(),
      userContext,
    });
    await this.recipeInterfaceImpl.assertAllowedToSetupFactorElseThrowInvalidClaimError({
      session,
      factorId,
      mfaRequirementsForAuth: Promise.resolve(info.mfaRequirementsForAuth),
      factorsSetUpForUser: Promise.resolve(setUp),
      userContext,
    });
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const { capabilities } = this.context;
    const options: APIOptions = {
      recipeImplementation: this.recipeInterfaceImpl,
      config: this.config,
      // Asked at request time: the capability registry answers only once every recipe of the list is built.
      sessions: capabilities.required(Sessions),
      availableSecondaryFactors: () => this.state.availableSecondaryFactors(),
      getUser: (userId, ctx) => findUser(capabilities, userId, ctx),
      refreshSessionMFA: (session, ctx) => this.state.refresh({ session, userContext: ctx }),
      req,
      res,
    };
    return dispatchRoute(ROUTES, apiId, this.apiImpl, options, userContext);
  }

  override getMigrations(): RecipeMigration[] {
    return multiFactorAuthMigrations;
  }
}
