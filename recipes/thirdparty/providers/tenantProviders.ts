import { badInput, LatchkeyError } from "../../../lib/error";
import { DEFAULT_TENANT_ID, type TenantProviderConfig, type TenantService } from "../../../lib/seams";
import type { UserContext } from "../../../lib/types";
import type { ProviderClientConfig, ProviderConfig, ProviderInput } from "../types";
import { validateProviders } from "./config";

/**
 * The providers of a tenant, as SuperTokens merges them: when the tenant has providers of its own (stored by the
 * multitenancy recipe), exactly those, each laid over the static provider of the same id (its fields win, its clients
 * replace the static clients of the same clientType; the static override applies); otherwise the static providers,
 * which a tenant other than `public` gets only when marked `includeInNonPublicTenantsByDefault`.
 */
export async function providersOfTenant(
  staticProviders: readonly ProviderInput[],
  tenants: TenantService | undefined,
  tenantId: string,
  userContext: UserContext,
): Promise<ProviderInput[]> {
  const stored = tenants === undefined ? [] : await tenants.getThirdPartyProviderConfigs({ tenantId, userContext });
  if (stored.length === 0)
    return staticProviders.filter(
      (p) => tenantId === DEFAULT_TENANT_ID || p.includeInNonPublicTenantsByDefault === true,
    );
  const merged = stored.map((config) => {
    const base = staticProviders.find((p) => p.config.thirdPartyId === config.thirdPartyId);
    return {
      config: base === undefined ? config : mergeProviderConfig(base.config, config),
      ...(base?.override === undefined ? {} : { override: base.override }),
    };
  });
  try {
    return validateProviders(`tenant ${tenantId} providers`, merged);
  } catch (err) {
    // Stored configs were checked when stored; one that no longer validates is the operator's to fix, not the user's.
    if (LatchkeyError.isErrorFromAuth(err))
      throw new LatchkeyError("GENERAL_ERROR", `A stored provider config of a tenant is invalid: ${err.message}`);
    throw err;
  }
}

/** A stored provider config over the static one of the same id. */
function mergeProviderConfig(base: ProviderConfig, stored: TenantProviderConfig): ProviderConfig {
  const own = stored as unknown as ProviderConfig;
  const clients: ProviderClientConfig[] = [...base.clients];
  for (const client of Array.isArray(own.clients) ? own.clients : []) {
    const at = clients.findIndex((c) => c.clientType === client.clientType);
    if (at === -1) clients.push(client);
    else clients[at] = client;
  }
  return { ...base, ...own, clients };
}

/**
 * Checks one provider config before it is stored, as it will be used: laid over the static provider of the same id.
 * A BAD_INPUT_ERROR naming the field when it is unusable.
 */
export function validateStoredProviderConfig(
  staticProviders: readonly ProviderInput[],
  config: TenantProviderConfig,
): void {
  const base = staticProviders.find((p) => p.config.thirdPartyId === config.thirdPartyId);
  try {
    validateProviders("config", [{ config: base === undefined ? config : mergeProviderConfig(base.config, config) }]);
  } catch (err) {
    if (LatchkeyError.isErrorFromAuth(err)) throw badInput(err.message.replace(/^config\[0\]\.config/, "config"));
    throw err;
  }
}
