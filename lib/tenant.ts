import { isStorableText } from "./db/text";
import { DEFAULT_TENANT_ID } from "./seams";
import type { UserContext } from "./types";

/** Why a tenantId was refused; every recipe gives the same BAD_INPUT_ERROR message. */
export const TENANT_ID_RULE = "tenantId must be a non-empty string of at most 64 characters, valid Unicode without NUL";

/**
 * True for a tenant id every recipe's `tenant_id` column (64 characters) can store and find again byte for byte.
 * Anything else would be a database error (too long; NUL on PostgreSQL) or two tenants stored as one (a lone
 * surrogate becomes U+FFFD), so it is refused before a query.
 */
export function isTenantId(value: unknown): value is string {
  return typeof value === "string" && value !== "" && value.length <= 64 && isStorableText(value);
}

/**
 * The tenant id segment a route may start with (`{apiBasePath}/<tenantId>/signin`): SuperTokens' pattern, letters,
 * digits and hyphens. A segment outside it is never a tenant, so the path is matched as it is.
 */
export const TENANT_PATH_SEGMENT = /^[a-zA-Z0-9-]{1,64}$/;

// The tenant a request was routed to, kept in its userContext by the core for the recipe's handlers.
const REQUEST_TENANT_KEY = "latchkey.requestTenantId";

/** Records the tenant the core resolved for this request (from its path, or the app's getTenantId override). */
export function setRequestTenantId(userContext: UserContext, tenantId: string): void {
  userContext[REQUEST_TENANT_KEY] = tenantId;
}

/** The tenant this request was routed to; `public` when none was resolved (an app without multitenancy). */
export function requestTenantId(userContext: UserContext): string {
  const value = userContext[REQUEST_TENANT_KEY];
  return typeof value === "string" ? value : DEFAULT_TENANT_ID;
}
