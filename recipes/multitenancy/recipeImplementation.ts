import type { Capabilities } from "../../lib/capabilities";
import type { SecretBox } from "../../lib/secretBox";
import {
  DEFAULT_TENANT_ID,
  RoleAdministrations,
  Sessions,
  TenantDataOwners,
  TenantMemberships,
  ThirdPartyProviders,
} from "../../lib/seams";
import type { JSONObject, JSONValue } from "../../lib/types";
import { MultitenancyError } from "./error";
import type { MultitenancyStore, TenantRow } from "./store";
import { tenantIdProblem } from "./tenantIds";
import type { ProviderConfigSummary, RecipeInterface, TenantConfig, TenantConfigInput } from "./types";

const MAX_FACTORS = 32;
const FACTOR_ID = /^[A-Za-z0-9_-]{1,64}$/;
const THIRD_PARTY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_PROVIDER_CONFIG_BYTES = 32 * 1024;

/** What the implementation needs besides its store. */
export interface ImplementationDeps {
  store: MultitenancyStore;
  /** Undefined when no secretEncryptionKey is configured: provider configs cannot be stored then. */
  secretBox: SecretBox | undefined;
  capabilities: Capabilities;
  /** The first segments of every route of the recipe list: tenant ids they would shadow. */
  routeSegments: () => ReadonlySet<string>;
}

/** The row a sealed provider config is bound to: a ciphertext moved to another tenant or provider does not open. */
export const sealContext = (tenantId: string, thirdPartyId: string): string => `${tenantId}\u0000${thirdPartyId}`;

/** The original implementation of the multitenancy recipe's functions. */
export function makeRecipeImplementation(deps: ImplementationDeps): RecipeInterface {
  const { store, capabilities } = deps;

  // An existing tenant's id: anything else names no tenant (the lookup is skipped for ids no row could hold).
  const checkExistingId = (tenantId: unknown): tenantId is string =>
    tenantId === DEFAULT_TENANT_ID || tenantIdProblem(tenantId, new Set()) === undefined;

  const summaries = async (tenantId: string): Promise<ProviderConfigSummary[]> =>
    (await openProviders(deps, tenantId)).map(summarise);

  const toConfig = async (row: TenantRow): Promise<TenantConfig> => ({
    tenantId: row.tenantId,
    ...(row.firstFactors === undefined ? {} : { firstFactors: row.firstFactors }),
    ...(row.requiredSecondaryFactors === undefined ? {} : { requiredSecondaryFactors: row.requiredSecondaryFactors }),
    thirdParty: { providers: await summaries(row.tenantId) },
  });

  const publicRow = (row: TenantRow | undefined): TenantRow =>
    row ?? { tenantId: DEFAULT_TENANT_ID, firstFactors: undefined, requiredSecondaryFactors: undefined };

  const assertTenantExists = async (tenantId: string): Promise<void> => {
    if (tenantId === DEFAULT_TENANT_ID) return;
    if (!checkExistingId(tenantId) || (await store.findTenant(tenantId)) === undefined)
      throw MultitenancyError.tenantNotFound(tenantId);
  };

  return {
    getTenantId: ({ tenantIdFromFrontend }) => Promise.resolve(tenantIdFromFrontend),

    async createOrUpdateTenant({ tenantId, config }) {
      const problem = tenantIdProblem(tenantId, deps.routeSegments());
      if (problem !== undefined) throw MultitenancyError.badInput("tenantId", problem);
      const change = checkTenantConfig(config);
      return { status: "OK", createdNew: await store.upsertTenant(tenantId, change) };
    },

    async deleteTenant({ tenantId, userContext }) {
      if (tenantId === DEFAULT_TENANT_ID)
        throw MultitenancyError.badInput("tenantId", "public cannot be deleted: it always exists");
      if (!checkExistingId(tenantId)) return { status: "OK", didExist: false };
      const didExist = await store.deleteTenant(tenantId);
      // After the row is gone: no new sign-in can start in the tenant, then the sessions it had end.
      for (const owner of capabilities.all(TenantDataOwners)) await owner.deleteTenantData({ tenantId, userContext });
      return { status: "OK", didExist };
    },

    async getTenant({ tenantId }) {
      if (!checkExistingId(tenantId)) return undefined;
      const row = await store.findTenant(tenantId);
      if (row === undefined && tenantId !== DEFAULT_TENANT_ID) return undefined;
      return { status: "OK", ...(await toConfig(publicRow(row))) };
    },

    async listAllTenants() {
      const rows = await store.allTenants();
      const all = rows.some((r) => r.tenantId === DEFAULT_TENANT_ID) ? rows : [publicRow(undefined), ...rows];
      const ordered = [
        ...all.filter((r) => r.tenantId === DEFAULT_TENANT_ID),
        ...all.filter((r) => r.tenantId !== DEFAULT_TENANT_ID),
      ];
      return { status: "OK", tenants: await Promise.all(ordered.map(toConfig)) };
    },

    async createOrUpdateThirdPartyConfig({ tenantId, config, skipValidation }) {
      if (typeof config !== "object" || config === null || Array.isArray(config))
        throw MultitenancyError.badInput("config", "must be a provider config object with a thirdPartyId");
      const thirdPartyId = config.thirdPartyId;
      if (typeof thirdPartyId !== "string" || !THIRD_PARTY_ID.test(thirdPartyId))
        throw MultitenancyError.badInput("config.thirdPartyId", "must be 1 to 64 letters, digits, - or _");
      const text = jsonText(config);
      if (Buffer.byteLength(text) > MAX_PROVIDER_CONFIG_BYTES)
        throw MultitenancyError.badInput("config", `must be at most ${MAX_PROVIDER_CONFIG_BYTES} bytes as JSON`);
      if (deps.secretBox === undefined)
        throw MultitenancyError.badInput(
          "config",
          "cannot be stored: set Multitenancy.init({ secretEncryptionKey }) so provider secrets are encrypted at rest",
        );
      await assertTenantExists(tenantId);
      if (skipValidation !== true)
        capabilities.optional(ThirdPartyProviders)?.validateProviderConfig({ ...config, thirdPartyId });
      const sealed = deps.secretBox.seal(Buffer.from(text), sealContext(tenantId, thirdPartyId));
      return { status: "OK", createdNew: await store.upsertProvider(tenantId, thirdPartyId, sealed) };
    },

    async deleteThirdPartyConfig({ tenantId, thirdPartyId }) {
      await assertTenantExists(tenantId);
      if (typeof thirdPartyId !== "string" || !THIRD_PARTY_ID.test(thirdPartyId))
        return { status: "OK", didConfigExist: false };
      return { status: "OK", didConfigExist: await store.deleteProvider(tenantId, thirdPartyId) };
    },

    async associateUserToTenant({ tenantId, recipeUserId, userContext }) {
      await assertTenantExists(tenantId);
      if (typeof recipeUserId !== "string" || recipeUserId === "" || recipeUserId.length > 128)
        return { status: "UNKNOWN_USER_ID_ERROR" };
      // The login recipe that owns the user adds them: its unique indexes refuse an email, phone number or provider
      // identity another member of the tenant holds, so of two racing associations that clash exactly one wins.
      for (const owner of capabilities.all(TenantMemberships)) {
        const outcome = await owner.addUserToTenant({ tenantId, recipeUserId, userContext });
        if (outcome === undefined) continue;
        if (outcome === "OK" || outcome === "ALREADY_MEMBER")
          return { status: "OK", wasAlreadyAssociated: outcome === "ALREADY_MEMBER" };
        return { status: outcome };
      }
      return { status: "UNKNOWN_USER_ID_ERROR" };
    },

    async disassociateUserFromTenant({ tenantId, recipeUserId, userContext }) {
      await assertTenantExists(tenantId);
      if (typeof recipeUserId !== "string" || recipeUserId === "" || recipeUserId.length > 128)
        return { status: "OK", wasAssociated: false };
      let wasAssociated = false;
      for (const owner of capabilities.all(TenantMemberships))
        if (await owner.removeUserFromTenant({ tenantId, recipeUserId, userContext })) wasAssociated = true;
      // As SuperTokens' core: the user's sessions and roles in that tenant (only there) end with the membership.
      await capabilities.optional(Sessions)?.revokeAllSessionsForUser({ userId: recipeUserId, tenantId, userContext });
      const roles = capabilities.optional(RoleAdministrations);
      if (roles !== undefined)
        for (const role of await roles.getRolesForUser({ userId: recipeUserId, tenantId, userContext }))
          await roles.removeRoleFromUser({ userId: recipeUserId, role, tenantId, userContext });
      return { status: "OK", wasAssociated };
    },
  };
}

/** The tenant's stored provider configs, opened; a config no configured key opens is left out (and never shown). */
export async function openProviders(
  deps: Pick<ImplementationDeps, "store" | "secretBox">,
  tenantId: string,
): Promise<(JSONObject & { thirdPartyId: string })[]> {
  const rows = await deps.store.providersOf(tenantId);
  const opened: (JSONObject & { thirdPartyId: string })[] = [];
  for (const row of rows) {
    const plain = deps.secretBox?.open(row.sealed, sealContext(tenantId, row.thirdPartyId));
    if (plain === undefined) continue;
    opened.push({ ...(JSON.parse(plain.toString("utf8")) as JSONObject), thirdPartyId: row.thirdPartyId });
  }
  return opened;
}

// What getTenant may show of a provider: everything but the clients' secrets and extra (key) settings.
function summarise(config: JSONObject & { thirdPartyId: string }): ProviderConfigSummary {
  const clients = Array.isArray(config.clients) ? config.clients : [];
  return {
    ...config,
    clients: clients.map((client: JSONValue) => {
      if (typeof client !== "object" || client === null || Array.isArray(client)) return {};
      const { clientSecret: _secret, additionalConfig: _extra, ...shown } = client;
      return shown;
    }),
  };
}

// A JavaScript caller may pass what JSON cannot hold (a BigInt, a cycle): its input, so a BAD_INPUT_ERROR, not a 500.
function jsonText(config: JSONObject): string {
  try {
    return JSON.stringify(config);
  } catch {
    throw MultitenancyError.badInput("config", "must be serialisable as JSON (no BigInt values, no cycles)");
  }
}

function checkTenantConfig(config: TenantConfigInput | undefined): TenantConfigInput {
  if (config === undefined) return {};
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw MultitenancyError.badInput("config", "must be { firstFactors?, requiredSecondaryFactors? }");
  const known = ["firstFactors", "requiredSecondaryFactors"];
  const unknown = Object.keys(config).find((k) => !known.includes(k));
  if (unknown !== undefined) throw MultitenancyError.badInput(`config.${unknown}`, "is not a tenant setting");
  return {
    firstFactors: checkFactors("config.firstFactors", config.firstFactors),
    requiredSecondaryFactors: checkFactors("config.requiredSecondaryFactors", config.requiredSecondaryFactors),
  };
}

function checkFactors(field: string, value: unknown): string[] | null | undefined {
  if (value === undefined || value === null) return value;
  if (
    !Array.isArray(value) ||
    value.length > MAX_FACTORS ||
    !value.every((f) => typeof f === "string" && FACTOR_ID.test(f))
  )
    throw MultitenancyError.badInput(field, `must be null or a list of at most ${MAX_FACTORS} factor ids`);
  return [...new Set(value as string[])];
}
