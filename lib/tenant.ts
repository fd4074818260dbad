import { isStorableText } from "./db/text";

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
