import { PrimitiveClaim } from "../../lib/claims";

/**
 * The session's tenant as a claim, so an API of one tenant can refuse another tenant's session with a validator:
 * `verifySession({ overrideGlobalClaimValidators: (v) => [...v, TenantIdClaim.validators.hasValue("acme")] })`.
 * Its value is always fetched from the session's own (signed, protected) `tId`, never from the request.
 */
export const TenantIdClaim = new PrimitiveClaim<string>("lk-tid", (_userId, _userContext, tenantId) => tenantId);
