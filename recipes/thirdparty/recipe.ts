import { provide, type Capability, type Provision } from "../../lib/capabilities";
import type { RecipeMigration } from "../../lib/db/migrations";
import { withMemberTenants } from "../../lib/db/tenantMembers";
import { isStorableText } from "../../lib/db/text";
import { emailProblem, normaliseEmail } from "../../lib/email/address";
import type { LatchkeyError } from "../../lib/error";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import {
  FactorIds,
  LoginMethods,
  type LoginMethodRecord,
  MultiFactorAuthServices,
  Sessions,
  TenantDataOwners,
  TenantMemberships,
  Tenants,
  ThirdPartyProviders,
  UserDataOwners,
  UserListings,
} from "../../lib/seams";
import { resolveProviderConfig } from "./providers/config";
import { providersOfTenant, validateStoredProviderConfig } from "./providers/tenantProviders";
import type { UserContext } from "../../lib/types";
import { userForResponse } from "../../lib/users";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { normaliseConfig } from "./config";
import { providerErrorAnswer } from "./error";
import { thirdPartyMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import { makeStore, type StoredUser, type ThirdPartyStore } from "./store";
import type { APIInterface, APIOptions, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";

const PASSWORDLESS_FACTORS: readonly string[] = [
  FactorIds.OTP_EMAIL,
  FactorIds.OTP_PHONE,
  FactorIds.LINK_EMAIL,
  FactorIds.LINK_PHONE,
];

/** The thirdparty routes. */
const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "get", path: "/authorisationurl", id: "authorisationUrlGET", handler: handlers.authorisationUrl },
  { method: "post", path: "/signinup", id: "signInUpPOST", handler: handlers.signInUp },
  { method: "get", path: "/loginmethods", id: "loginMethodsGET", handler: handlers.loginMethods },
];
// Without providers there is nothing to sign in with: only the question "which login methods?" is answered.
const ROUTES_WITHOUT_PROVIDERS = ROUTES.filter((r) => r.id === "loginMethodsGET");

/** SuperTokens' login method of a third-party user. */
function loginMethodOf(user: StoredUser): LoginMethodRecord {
  return {
    recipeId: ThirdPartyRecipe.RECIPE_ID,
    recipeUserId: user.userId,
    tenantIds: [user.tenantId],
    email: user.email,
    thirdParty: { id: user.thirdPartyId, userId: user.thirdPartyUserId },
    verified: user.emailVerified,
    timeJoined: user.timeJoined,
  };
}

/** The thirdparty recipe instance: config, implementations, routes, tables. */
export class ThirdPartyRecipe extends RecipeModule {
  static readonly RECIPE_ID = "thirdparty";
  readonly recipeId: string = ThirdPartyRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  private readonly store: ThirdPartyStore;
  private readonly routes: RecipeRoute<APIInterface, APIOptions>[];

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    this.store = makeStore(context.database);
    this.routes = this.config.providers.length === 0 ? ROUTES_WITHOUT_PROVIDERS : ROUTES;
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "ThirdParty.init.override.functions",
      () => makeRecipeImplementation(this.store, this.config, context.capabilities),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "ThirdParty.init.override.apis",
      () => makeAPIImplementation(context.capabilities),
      input?.override?.apis,
      {
        allowDisabled: true,
      },
    );
  }

  /** The initialised thirdparty recipe, or a clear error. */
  static getInstanceOrThrow(): ThirdPartyRecipe {
    return Latchkey.getRecipeOrThrow(ThirdPartyRecipe);
  }

  override requires(): Capability<unknown>[] {
    return [Sessions];
  }

  override provides(): Provision[] {
    const store = this.store;
    // Every tenant the user belongs to (the one they signed up in and those they were added to).
    const withTenants = async (user: StoredUser): Promise<LoginMethodRecord> => ({
      ...loginMethodOf(user),
      tenantIds: await store.tenantsOfUser(user.userId),
    });
    return [
      provide(LoginMethods, {
        factorIds: [FactorIds.THIRDPARTY],
        // Read from the store: a login method reports what is stored (the provider's email_verified included).
        getLoginMethod: async ({ userId }) => {
          const user = isStorableText(userId) ? await store.findUserById(userId) : undefined;
          return user === undefined ? undefined : withTenants(user);
        },
        getLoginMethodsByEmail: async ({ email, tenantId }) => {
          if (emailProblem(email) !== undefined || !isStorableText(tenantId)) return [];
          return Promise.all((await store.findUsersByEmail(tenantId, normaliseEmail(email))).map(withTenants));
        },
      }),
      provide(TenantMemberships, {
        addUserToTenant: async ({ tenantId, recipeUserId }) => {
          const outcome = isStorableText(recipeUserId) ? await store.addToTenant(tenantId, recipeUserId) : undefined;
          if (outcome === undefined) return undefined;
          return outcome.status === "CLASH" ? "THIRD_PARTY_USER_ALREADY_EXISTS_ERROR" : outcome.status;
        },
        removeUserFromTenant: ({ tenantId, recipeUserId }) =>
          isStorableText(recipeUserId) ? store.removeFromTenant(tenantId, recipeUserId) : Promise.resolve(false),
      }),
      provide(TenantDataOwners, { deleteTenantData: ({ tenantId }) => store.removeTenant(tenantId) }),
      provide(UserListings, {
        recipeId: ThirdPartyRecipe.RECIPE_ID,
        listLoginMethods: async (input) =>
          withMemberTenants((await store.listUsers(input)).map(loginMethodOf), store.tenantsOfUsers),
        countUsers: ({ tenantId }) => store.countUsers(tenantId),
      }),
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => store.deleteUser(trx, userId) }),
      provide(ThirdPartyProviders, {
        validateProviderConfig: (config) => validateStoredProviderConfig(this.config.providers, config),
        listProviders: async ({ tenantId, clientType, userContext }) => {
          const tenants = this.context.capabilities.optional(Tenants);
          const inputs = await providersOfTenant(this.config.providers, tenants, tenantId, userContext);
          return inputs.flatMap((p) => {
            // As SuperTokens: a provider without a client of this clientType is left out of the list.
            const resolved = resolveProviderConfig(p, clientType ?? p.config.clients[0]?.clientType);
            return resolved === undefined ? [] : [{ id: p.config.thirdPartyId, name: resolved.name }];
          });
        },
      }),
    ];
  }

  override firstFactorsOf(apiId: string): Promise<readonly string[]> {
    return Promise.resolve(apiId === "signInUpPOST" || apiId === "authorisationUrlGET" ? [FactorIds.THIRDPARTY] : []);
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(this.currentRoutes(), this.apiImpl);
  }

  // With multitenancy, tenants may have providers of their own (so the sign-in routes are served even without static
  // ones) and the multitenancy recipe answers /loginmethods per tenant.
  private currentRoutes(): RecipeRoute<APIInterface, APIOptions>[] {
    if (this.context.capabilities.optional(Tenants) === undefined) return this.routes;
    return ROUTES.filter((r) => r.id !== "loginMethodsGET");
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    // Asked at request time: the capability registry answers only once the whole recipe list is built.
    const emailPasswordEnabled = this.context.capabilities
      .all(LoginMethods)
      .some((m) => m.factorIds.includes(FactorIds.EMAILPASSWORD));
    const options: APIOptions = {
      recipeImplementation: this.recipeInterfaceImpl,
      config: this.config,
      emailPasswordEnabled,
      configuredFirstFactors: this.context.capabilities.optional(MultiFactorAuthServices)?.firstFactors,
      passwordlessFactors: this.context.capabilities
        .all(LoginMethods)
        .flatMap((m) => m.factorIds)
        .filter((f) => PASSWORDLESS_FACTORS.includes(f)),
      userForResponse: (user, tenantId, context) =>
        userForResponse(
          this.context.capabilities,
          {
            recipeId: ThirdPartyRecipe.RECIPE_ID,
            recipeUserId: user.id,
            tenantIds: [tenantId],
            email: user.email,
            thirdParty: user.thirdParty,
            timeJoined: user.timeJoined,
          },
          context,
        ),
      req,
      res,
    };
    return dispatchRoute(this.currentRoutes(), apiId, this.apiImpl, options, userContext);
  }

  override handleError(err: LatchkeyError, _req: BaseRequest, res: BaseResponse): Promise<boolean> {
    const answer = providerErrorAnswer(err);
    if (answer === undefined) return Promise.resolve(false);
    res.sendJSON(answer);
    return Promise.resolve(true);
  }

  override getMigrations(): RecipeMigration[] {
    return thirdPartyMigrations;
  }
}
