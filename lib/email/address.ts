/** The longest email address accepted anywhere (RFC 5321's path limit less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/** Trims the email and lower-cases its domain (the local part may be case-sensitive). */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf("@");
  return at < 0 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}
