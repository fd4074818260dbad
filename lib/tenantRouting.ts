import type { CapabilityRegistry } from "./capabilities";
import { LatchkeyError } from "./error";
import type { BaseRequest, BaseResponse } from "./framework/request";
import type { MatchedRoute } from "./router";
import {
  DEFAULT_TENANT_ID,
  FactorIds,
  LoginMethods,
  MultiFactorAuthServices,
  SecondFactors,
  Sessions,
  type TenantLoginConfig,
  Tenants,
} from "./seams";
import type { UserContext } from "./types";

const BUILT_IN_FACTORS: readonly string[] = Object.values(FactorIds);

/**
 * The tenant a routed request is for, or undefined when the route is not ours to serve. Without the multitenancy
 * recipe only `public` exists: a plain path, or one under `/public/`. With it, the recipe's (overridable) getTenantId
 * decides, an unknown tenant is refused (400 TENANT_NOT_FOUND_ERROR), and so is a sign-in with a login method the
 * tenant does not enable (401, as SuperTokens answers a first factor it does not allow), before the API runs. The
 * tenant's first factors default to MultiFactorAuth's `firstFactors`, which apply without multitenancy too.
 */
export async function resolveTenant(
  capabilities: CapabilityRegistry,
  route: MatchedRoute,
  req: BaseRequest,
  res: BaseResponse,
  userContext: UserContext,
): Promise<string | undefined> {
  const fromPath = route.tenantIdFromPath ?? DEFAULT_TENANT_ID;
  const tenants = capabilities.optional(Tenants);
  if (tenants === undefined && fromPath !== DEFAULT_TENANT_ID) return undefined;
  const tenantId =
    tenants === undefined ? fromPath : await tenants.getTenantId({ tenantIdFromFrontend: fromPath, req, userContext });
  const config = tenants === undefined ? { tenantId } : await tenants.getTenantLoginConfig({ tenantId, userContext });
  if (config === undefined)
    throw new LatchkeyError("TENANT_NOT_FOUND_ERROR", "Tenant not found", { payload: { tenantId } });
  if (tenants === undefined && capabilities.optional(MultiFactorAuthServices)?.firstFactors === undefined)
    return tenantId;
  const factors = await route.recipe.firstFactorsOf(route.api.id, req);
  if (factors.length === 0 || factors.some((f) => enabledFirstFactors(capabilities, config).includes(f)))
    return tenantId;
  // A signed-in user of this tenant may be completing a second factor with this method: MultiFactorAuth decides that,
  // not this. Without MultiFactorAuth a sign-in with a session is a plain sign-in, and a session of another tenant
  // never counts: either would let anyone with a session (public sign-up is open) use a method the tenant disabled.
  if (
    capabilities.optional(MultiFactorAuthServices) !== undefined &&
    (await isSecondFactorRequest(capabilities, factors, req)) &&
    (await sessionTenantId(capabilities, req, res, userContext)) === tenantId
  )
    return tenantId;
  throw new LatchkeyError("UNAUTHORISED", "The login method is not enabled for this tenant", {
    payload: { clearTokens: false },
  });
}

/** The tenant's first factors that can work: its list (or every one offered), less built-in ones no recipe offers. */
export function usableFirstFactors(configured: readonly string[] | undefined, available: readonly string[]): string[] {
  return (configured ?? available).filter((f) => available.includes(f) || !BUILT_IN_FACTORS.includes(f));
}

/**
 * The first factors configured for a tenant, as SuperTokens orders them: the tenant's own list, else
 * `MultiFactorAuth.init({ firstFactors })`, else undefined (every factor a recipe offers).
 */
export function configuredFirstFactors(
  capabilities: CapabilityRegistry,
  tenantFirstFactors: readonly string[] | undefined,
): readonly string[] | undefined {
  return tenantFirstFactors ?? capabilities.optional(MultiFactorAuthServices)?.firstFactors;
}

function enabledFirstFactors(capabilities: CapabilityRegistry, config: TenantLoginConfig): string[] {
  return usableFirstFactors(configuredFirstFactors(capabilities, config.firstFactors), [
    ...new Set(capabilities.all(LoginMethods).flatMap((m) => m.factorIds)),
  ]);
}

/**
 * True when the request asks to complete a second factor for the session's user (the SDK's
 * `shouldTryLinkingWithSessionUser: true`) on a route whose factor a recipe offers as a second factor; any other
 * request with a session is a sign-in or sign-up like one without.
 */
async function isSecondFactorRequest(
  capabilities: CapabilityRegistry,
  factors: readonly string[],
  req: BaseRequest,
): Promise<boolean> {
  const secondFactors = capabilities.all(SecondFactors).flatMap((p) => p.factorIds);
  if (!factors.some((f) => secondFactors.includes(f))) return false;
  try {
    return (await req.getJSONBody()).shouldTryLinkingWithSessionUser === true;
  } catch {
    // A body that is not JSON is no second-factor request; the API answers it as it answers bad input.
    return false;
  }
}

async function sessionTenantId(
  capabilities: CapabilityRegistry,
  req: BaseRequest,
  res: BaseResponse,
  userContext: UserContext,
): Promise<string | undefined> {
  const sessions = capabilities.optional(Sessions);
  if (sessions === undefined) return undefined;
  try {
    const session = await sessions.getSession({
      req,
      res,
      options: { sessionRequired: false, antiCsrfCheck: false, overrideGlobalClaimValidators: () => [] },
      userContext,
    });
    return session?.getTenantId();
  } catch {
    // An expired or invalid session is no session here: the sign-in is refused as for anyone.
    return undefined;
  }
}
