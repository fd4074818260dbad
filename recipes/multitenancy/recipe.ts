import { type Provision, provide } from "../../lib/capabilities";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { LatchkeyError } from "../../lib/error";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import {
  LoginMethods,
  MultiFactorAuthServices,
  SessionClaimSources,
  type TenantService,
  Tenants,
  ThirdPartyProviders,
  UserDataOwners,
} from "../../lib/seams";
import type { SessionClaim } from "../../lib/claims";
import type { JSONValue, UserContext } from "../../lib/types";
import { TenantIdClaim } from "./claim";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { normaliseConfig, type TypeNormalisedInput } from "./config";
import { multitenancyMigrations } from "./migrations";
import { makeRecipeImplementation, openProviders } from "./recipeImplementation";
import { makeMultitenancyStore, type MultitenancyStore } from "./store";
import type { APIInterface, APIOptions, RecipeInterface, TypeInput } from "./types";

const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "get", path: "/loginmethods", id: "loginMethodsGET", handler: handlers.loginMethods },
];

/** The multitenancy recipe instance: tenants in its tables, the request's tenant, and GET /loginmethods per tenant. */
export class MultitenancyRecipe extends RecipeModule {
  static readonly RECIPE_ID = "multitenancy";
  readonly recipeId = MultitenancyRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  private readonly store: MultitenancyStore;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    this.store = makeMultitenancyStore(context.database);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "Multitenancy.init.override.functions",
      () =>
        makeRecipeImplementation({
          store: this.store,
          secretBox: this.config.secretBox,
          capabilities: context.capabilities,
          routeSegments: () => routeSegments(Latchkey.getInstanceOrThrow().recipes),
        }),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "Multitenancy.init.override.apis",
      () => makeAPIImplementation(),
      input?.override?.apis,
      { allowDisabled: true },
    );
  }

  /** The initialised multitenancy recipe, or a clear error. */
  static getInstanceOrThrow(): MultitenancyRecipe {
    return Latchkey.getRecipeOrThrow(MultitenancyRecipe);
  }

  override provides(): Provision[] {
    const impl = this.recipeInterfaceImpl;
    const tenants: TenantService = {
      getTenantId: ({ tenantIdFromFrontend, req, userContext }) =>
        impl.getTenantId({ tenantIdFromFrontend, req, userContext }),
      getTenantLoginConfig: async ({ tenantId, userContext }) => {
        const tenant = await impl.getTenant({ tenantId, userContext });
        if (tenant === undefined) return undefined;
        return {
          tenantId: tenant.tenantId,
          ...(tenant.firstFactors === undefined ? {} : { firstFactors: tenant.firstFactors }),
          ...(tenant.requiredSecondaryFactors === undefined
            ? {}
            : { requiredSecondaryFactors: tenant.requiredSecondaryFactors }),
        };
      },
      getThirdPartyProviderConfigs: ({ tenantId }) =>
        openProviders({ store: this.store, secretBox: this.config.secretBox }, tenantId),
    };
    return [
      provide(Tenants, tenants),
      provide(SessionClaimSources, {
        getSessionClaims: () => ({ claims: [TenantIdClaim as SessionClaim<JSONValue>], validators: [] }),
      }),
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => this.store.deleteUserData(trx, userId) }),
    ];
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const capabilities = this.context.capabilities;
    const options: APIOptions = {
      recipeImplementation: this.recipeInterfaceImpl,
      allAvailableFirstFactors: [...new Set(capabilities.all(LoginMethods).flatMap((m) => m.factorIds))],
      defaultFirstFactors: capabilities.optional(MultiFactorAuthServices)?.firstFactors,
      providers: capabilities.optional(ThirdPartyProviders),
      req,
      res,
    };
    return dispatchRoute(ROUTES, apiId, this.apiImpl, options, userContext);
  }

  override handleError(err: LatchkeyError, _req: BaseRequest, res: BaseResponse): Promise<boolean> {
    if (err.type !== "TENANT_NOT_FOUND_ERROR") return Promise.resolve(false);
    // SuperTokens fails such a request with a generic error; a client's unknown tenant is its input, so a 400.
    res.setStatus(400);
    res.sendJSON({ status: "TENANT_NOT_FOUND_ERROR", message: "Tenant not found" });
    return Promise.resolve(true);
  }

  override getMigrations(): RecipeMigration[] {
    return multitenancyMigrations;
  }
}

// The first segment of every route: a tenant of that name would make `/auth/<name>/...` ambiguous.
function routeSegments(recipes: readonly RecipeModule[]): ReadonlySet<string> {
  return new Set(recipes.flatMap((r) => r.getAPIsHandled().map((api) => api.path.split("/")[1] ?? "")));
}
