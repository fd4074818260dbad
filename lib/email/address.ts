/** The longest email address accepted anywhere (RFC 5321's path limit less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

// Characters that show as nothing or that a mail client would not keep: controls, format characters (zero-width
// space and joiners, bidi marks, BOM, soft hyphen), unassigned and private-use code points, separators (a space
// inside an address), lone surrogates, and the Hangul fillers that render blank.
const INVISIBLE = /[\p{C}\p{Z}\u115F\u1160\u3164\uFFA0]/u;

/**
 * One address, one spelling, as SuperTokens does: trimmed, Unicode NFC (composed and decomposed "Ä" are one
 * address), and lower-cased whole (mail providers treat the local part case-insensitively, so "Alice@" and "alice@"
 * are one person). Every recipe that takes or looks up an email goes through this.
 */
export function normaliseEmail(email: string): string {
  // NFC again after lower-casing: a few lower-case mappings (e.g. "İ") produce combining sequences.
  return email.trim().normalize("NFC").toLowerCase().normalize("NFC");
}

/**
 * Why `email` (as given or normalised) can never be an account's address, or undefined: no "@", longer than 254
 * characters once normalised, or holding invisible or control characters that would make a look-alike account.
 */
export function emailProblem(email: unknown): string | undefined {
  if (typeof email !== "string") return "Email must be a string";
  const normalised = normaliseEmail(email);
  if (normalised.length > MAX_EMAIL_LENGTH) return `Email must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (INVISIBLE.test(normalised)) return "Email must not contain invisible or control characters";
  if (!normalised.includes("@")) return "Email is invalid";
  return undefined;
}
