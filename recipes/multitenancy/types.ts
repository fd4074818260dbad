import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { ThirdPartyProviderCatalog } from "../../lib/seams";
import type { JSONObject, UserContext } from "../../lib/types";

/** A tenant's third-party provider as getTenant shows it: never its client secrets or private keys. */
export type ProviderConfigSummary = JSONObject & { thirdPartyId: string };

/** A tenant as getTenant and listAllTenants return it (SuperTokens' shape, without core config). */
export interface TenantConfig {
  tenantId: string;
  /** Undefined: not configured, every first factor the recipes in the list offer is allowed. */
  firstFactors?: string[];
  /** Undefined: not configured (MultiFactorAuth requires nothing more of this tenant's users). */
  requiredSecondaryFactors?: string[];
  thirdParty: { providers: ProviderConfigSummary[] };
}

/** The lists createOrUpdateTenant changes: undefined leaves one as it is, null resets it to "not configured". */
export interface TenantConfigInput {
  firstFactors?: string[] | null;
  requiredSecondaryFactors?: string[] | null;
}

/** Why a user could not be added to a tenant (SuperTokens' statuses). */
export type AssociateRefusal =
  | { status: "UNKNOWN_USER_ID_ERROR" }
  | { status: "EMAIL_ALREADY_EXISTS_ERROR" }
  | { status: "PHONE_NUMBER_ALREADY_EXISTS_ERROR" }
  | { status: "THIRD_PARTY_USER_ALREADY_EXISTS_ERROR" };

/** Multitenancy.init's config. */
export interface TypeInput {
  /**
   * Keys (32+ characters each, kept outside the database) that encrypt tenants' third-party provider configs at rest;
   * the first encrypts, all decrypt (rotation). Required before createOrUpdateThirdPartyConfig can store a provider.
   */
  secretEncryptionKey?: string | string[];
  override?: {
    functions?: (originalImplementation: RecipeInterface) => RecipeInterface;
    apis?: (originalImplementation: APIInterface) => APIInterface;
  };
}

/**
 * The multitenancy recipe's functions (override point 2). `getTenantId` decides which tenant a request is for:
 * override it to map a subdomain or a header to a tenant.
 */
export interface RecipeInterface {
  /** The tenant of a request; by default the path's tenant segment (`public` for plain paths). */
  getTenantId(input: { tenantIdFromFrontend: string; req?: BaseRequest; userContext: UserContext }): Promise<string>;
  /** Creates the tenant or changes its factor lists; `createdNew` says which. */
  createOrUpdateTenant(input: {
    tenantId: string;
    config?: TenantConfigInput;
    userContext: UserContext;
  }): Promise<{ status: "OK"; createdNew: boolean }>;
  /** Deletes the tenant, its providers and user associations, and ends its sessions; `public` cannot be deleted. */
  deleteTenant(input: { tenantId: string; userContext: UserContext }): Promise<{ status: "OK"; didExist: boolean }>;
  /** The tenant, or undefined when it does not exist (`public` always does). */
  getTenant(input: {
    tenantId: string;
    userContext: UserContext;
  }): Promise<({ status: "OK" } & TenantConfig) | undefined>;
  /** Every tenant, `public` first. */
  listAllTenants(input: { userContext: UserContext }): Promise<{ status: "OK"; tenants: TenantConfig[] }>;
  /** Stores the tenant's own config of one provider (sealed at rest); `createdNew` when it had none for it. */
  createOrUpdateThirdPartyConfig(input: {
    tenantId: string;
    config: JSONObject;
    skipValidation?: boolean;
    userContext: UserContext;
  }): Promise<{ status: "OK"; createdNew: boolean }>;
  /** Removes the tenant's own config of one provider. */
  deleteThirdPartyConfig(input: {
    tenantId: string;
    thirdPartyId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; didConfigExist: boolean }>;
  /** Makes the user a member of the tenant: they sign in there as the same user (SuperTokens' statuses on a clash). */
  associateUserToTenant(input: {
    tenantId: string;
    recipeUserId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; wasAlreadyAssociated: boolean } | AssociateRefusal>;
  /** Removes the user from the tenant (sign-in there stops); their sessions and roles in that tenant end. */
  disassociateUserFromTenant(input: {
    tenantId: string;
    recipeUserId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; wasAssociated: boolean }>;
}

/** What GET /loginmethods answers (what supertokens-web-js's multitenancy recipe reads). */
export interface LoginMethodsResponse {
  status: "OK";
  emailPassword: { enabled: boolean };
  thirdParty: { enabled: boolean; providers: { id: string; name?: string }[] };
  passwordless: { enabled: boolean };
  firstFactors: string[];
}

/** What the multitenancy API handler is given. */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  /** Every first factor the recipes in the list offer. */
  allAvailableFirstFactors: string[];
  /** The first factors of a tenant without its own list: `MultiFactorAuth.init({ firstFactors })`, if set. */
  defaultFirstFactors: readonly string[] | undefined;
  /** ThirdParty's providers per tenant, when ThirdParty is in the list. */
  providers: ThirdPartyProviderCatalog | undefined;
  req: BaseRequest;
  res: BaseResponse;
}

/** The multitenancy recipe's API (override point 1); set it to undefined to disable GET /loginmethods. */
export interface APIInterface {
  loginMethodsGET:
    | undefined
    | ((input: {
        tenantId: string;
        clientType?: string;
        options: APIOptions;
        userContext: UserContext;
      }) => Promise<LoginMethodsResponse>);
}
