import type { RecipeListFunction } from "../../lib/recipeModule";
import type { JSONObject, UserContext } from "../../lib/types";
import { TenantIdClaim } from "./claim";
import { MultitenancyError } from "./error";
import { MultitenancyRecipe } from "./recipe";
import type { RecipeInterface, TenantConfigInput, TypeInput } from "./types";

export { MultitenancyError as Error };
export { TenantIdClaim };
export type {
  APIInterface,
  APIOptions,
  AssociateRefusal,
  LoginMethodsResponse,
  ProviderConfigSummary,
  RecipeInterface,
  TenantConfig,
  TenantConfigInput,
  TypeInput,
} from "./types";
export type { MultitenancyErrorPayloads, MultitenancyErrorType, MultitenancyErrorUnion } from "./error";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return MultitenancyRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/**
 * Adds the multitenancy recipe (tenants, per-tenant routes and login methods) to `Latchkey.init`'s recipe list.
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [Session.init(), EmailPassword.init(),
 *   Multitenancy.init({ secretEncryptionKey: process.env.LATCHKEY_PROVIDER_KEY })] }); // and /auth/{tenantId}/...
 * ```
 */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new MultitenancyRecipe(context, config);
}

/**
 * Creates the tenant, or changes its `firstFactors` / `requiredSecondaryFactors` (null resets one to the default).
 *
 * @example
 * ```ts
 * const { createdNew } = await Multitenancy.createOrUpdateTenant("acme", { firstFactors: ["emailpassword"] });
 * await Multitenancy.createOrUpdateTenant("acme", { firstFactors: null }); // back to every login method
 * ```
 */
export function createOrUpdateTenant(
  tenantId: string,
  config?: TenantConfigInput,
  userContext: UserContext = {},
): Result<"createOrUpdateTenant"> {
  return impl().createOrUpdateTenant({ tenantId, config, userContext });
}

/**
 * Deletes the tenant with its providers and user associations, and ends its sessions; users stay (see README).
 *
 * @example
 * ```ts
 * const { didExist } = await Multitenancy.deleteTenant("acme"); // its users stay: Latchkey.deleteUser removes them
 * ```
 */
export function deleteTenant(tenantId: string, userContext: UserContext = {}): Result<"deleteTenant"> {
  return impl().deleteTenant({ tenantId, userContext });
}

/**
 * The tenant's settings (providers without their secrets), or undefined when there is no such tenant.
 *
 * @example
 * ```ts
 * const tenant = await Multitenancy.getTenant("acme");
 * if (tenant === undefined) throw new Error("no such tenant");
 * console.log(tenant.firstFactors, tenant.thirdParty.providers.map((p) => p.thirdPartyId));
 * ```
 */
export function getTenant(tenantId: string, userContext: UserContext = {}): Result<"getTenant"> {
  return impl().getTenant({ tenantId, userContext });
}

/**
 * Every tenant, `public` first.
 *
 * @example
 * ```ts
 * const { tenants } = await Multitenancy.listAllTenants();
 * console.log(tenants.map((t) => t.tenantId)); // e.g. ["public", "acme"]
 * ```
 */
export function listAllTenants(userContext: UserContext = {}): Result<"listAllTenants"> {
  return impl().listAllTenants({ userContext });
}

/**
 * Stores the tenant's own config of a provider (encrypted at rest; needs `secretEncryptionKey`).
 *
 * @example
 * ```ts
 * await Multitenancy.createOrUpdateThirdPartyConfig("acme", {
 *   thirdPartyId: "google", clients: [{ clientId: "...", clientSecret: "..." }] }); // sealed under secretEncryptionKey
 * ```
 */
export function createOrUpdateThirdPartyConfig(
  tenantId: string,
  config: JSONObject,
  skipValidation?: boolean,
  userContext: UserContext = {},
): Result<"createOrUpdateThirdPartyConfig"> {
  return impl().createOrUpdateThirdPartyConfig({ tenantId, config, skipValidation, userContext });
}

/**
 * Removes the tenant's own config of a provider.
 *
 * @example
 * ```ts
 * const { didConfigExist } = await Multitenancy.deleteThirdPartyConfig("acme", "google");
 * ```
 */
export function deleteThirdPartyConfig(
  tenantId: string,
  thirdPartyId: string,
  userContext: UserContext = {},
): Result<"deleteThirdPartyConfig"> {
  return impl().deleteThirdPartyConfig({ tenantId, thirdPartyId, userContext });
}

/**
 * Makes the user a member of the tenant: they sign in there as the same user (SuperTokens' statuses on a clash).
 *
 * @example
 * ```ts
 * const result = await Multitenancy.associateUserToTenant("acme", userId);
 * if (result.status === "EMAIL_ALREADY_EXISTS_ERROR") throw new Error("acme has another user with this email");
 * ```
 */
export function associateUserToTenant(
  tenantId: string,
  recipeUserId: string,
  userContext: UserContext = {},
): Result<"associateUserToTenant"> {
  return impl().associateUserToTenant({ tenantId, recipeUserId, userContext });
}

/**
 * Removes the user from the tenant (sign-in there stops); their sessions and roles in that tenant end.
 *
 * @example
 * ```ts
 * const { wasAssociated } = await Multitenancy.disassociateUserFromTenant("acme", userId);
 * ```
 */
export function disassociateUserFromTenant(
  tenantId: string,
  recipeUserId: string,
  userContext: UserContext = {},
): Result<"disassociateUserFromTenant"> {
  return impl().disassociateUserFromTenant({ tenantId, recipeUserId, userContext });
}

export default {
  init,
  createOrUpdateTenant,
  deleteTenant,
  getTenant,
  listAllTenants,
  createOrUpdateThirdPartyConfig,
  deleteThirdPartyConfig,
  associateUserToTenant,
  disassociateUserFromTenant,
  TenantIdClaim,
  Error: MultitenancyError,
};
