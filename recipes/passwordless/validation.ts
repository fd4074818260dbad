import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { MAX_EMAIL_LENGTH, emailProblem, normaliseEmail } from "../../lib/email/address";

export { normaliseEmail };

/** The longest phone number E.164 allows, with its "+". */
export const MAX_PHONE_LENGTH = 16;

/** The default email check: one @, no spaces or controls, a dot in the domain, at most 254 characters. */
export function defaultValidateEmail(email: string): string | undefined {
  const value = email.trim();
  if (value.length > MAX_EMAIL_LENGTH) return `Email must be at most ${MAX_EMAIL_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
  if (!/^[^\s@\u0000-\u001f]+@[^\s@\u0000-\u001f]+\.[^\s@\u0000-\u001f.]{2,}$/.test(value)) return "Email is invalid";
  return undefined;
}

/**
 * The default phone check: libphonenumber-js's full metadata says the number is valid (a real range of a real
 * country plan, not just digits); numbers must be international (+ and country code), since the server cannot know
 * which country a user meant.
 */
export function defaultValidatePhoneNumber(phoneNumber: string): string | undefined {
  return normalisePhoneNumber(phoneNumber) === undefined ? "Phone number is invalid" : undefined;
}

/** The number in E.164 ("+14155552671"), one spelling per number; undefined when it is not a valid number. */
export function normalisePhoneNumber(phoneNumber: string): string | undefined {
  if (phoneNumber.length > 64) return undefined;
  const parsed = parsePhoneNumberFromString(phoneNumber.trim());
  return parsed !== undefined && parsed.isValid() ? parsed.number : undefined;
}

/**
 * The stored form of a phone number whatever the validator (an app's may accept more): E.164 when the library can
 * parse it, else the trimmed input; undefined when no row could hold it.
 */
export function storablePhoneNumber(phoneNumber: string): string | undefined {
  const parsed = parsePhoneNumberFromString(phoneNumber.trim());
  const value = parsed?.number ?? phoneNumber.trim();
  return value.length === 0 || value.length > MAX_PHONE_LENGTH || !/^\+?[0-9]+$/.test(value) ? undefined : value;
}

/** The stored form of an email, or undefined when no row could hold it (too long, invisible characters, no "@"). */
export function storableEmail(email: string): string | undefined {
  return emailProblem(email) === undefined ? normaliseEmail(email) : undefined;
}
