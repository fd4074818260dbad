import { MAX_EMAIL_LENGTH } from "../../lib/email/address";
import type { UserContext } from "../../lib/types";
import type { FieldErrorResponse, FormField, FormFieldInput } from "./types";

/** bcrypt reads at most 72 bytes: a longer password would be silently cut, so it is refused instead. */
export const MAX_PASSWORD_BYTES = 72;
export { normaliseEmail } from "../../lib/email/address";

/** The default email check: one @, no spaces, a dot in the domain, at most 254 characters. */
export function defaultEmailValidator(value: unknown): string | undefined {
  if (typeof value !== "string") return "Email must be a string";
  const email = value.trim();
  if (email.length > MAX_EMAIL_LENGTH) return `Email must be at most ${MAX_EMAIL_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
  if (!/^[^\s@\u0000-\u001f]+@[^\s@\u0000-\u001f]+\.[^\s@\u0000-\u001f.]{2,}$/.test(email)) return "Email is invalid";
  return undefined;
}

/** The default password check: 8+ characters with a letter and a digit, at most 72 bytes. */
export function defaultPasswordValidator(value: unknown): string | undefined {
  if (typeof value !== "string") return "Password must be a string";
  if (value.length < 8) return "Password must contain at least 8 characters, including a number";
  if (Buffer.byteLength(value, "utf8") > MAX_PASSWORD_BYTES)
    return `Password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  if (!/\p{L}/u.test(value)) return "Password must contain at least one alphabet";
  if (!/[0-9]/.test(value)) return "Password must contain at least one number";
  return undefined;
}

/**
 * The form's fields, email and password first. A configured email or password field replaces the default
 * validator (as in SuperTokens) but can never make them optional; hardLimits() still applies after it.
 */
export function signUpFields(configured: FormField[] | undefined): FormField[] {
  const byId = new Map<string, FormField>([
    ["email", { id: "email", validate: defaultEmailValidator }],
    ["password", { id: "password", validate: defaultPasswordValidator }],
  ]);
  for (const field of configured ?? []) {
    const base = byId.get(field.id);
    if (base !== undefined && (field.id === "email" || field.id === "password")) {
      byId.set(field.id, { id: field.id, validate: field.validate ?? base.validate });
    } else {
      byId.set(field.id, field);
    }
  }
  return [...byId.values()];
}

/** What the recipe itself needs whatever the validators say: strings, a bounded email, a password bcrypt reads whole. */
export function hardLimits(field: "email" | "password", value: unknown): string | undefined {
  if (typeof value !== "string") return `${field === "email" ? "Email" : "Password"} must be a string`;
  // An unpaired surrogate reaches UTF-8 (bcrypt, the database) as U+FFFD, so two different ones would collide.
  if (UNPAIRED_SURROGATE.test(value)) return `${field === "email" ? "Email" : "Password"} must be valid Unicode text`;
  if (field === "email") {
    // PostgreSQL text cannot hold NUL: such an email could never be stored, and looking it up would fail the query.
    return value.trim().length > MAX_EMAIL_LENGTH || !value.includes("@") || value.includes("\u0000")
      ? "Email is invalid"
      : undefined;
  }
  return Buffer.byteLength(value, "utf8") > MAX_PASSWORD_BYTES
    ? `Password must be at most ${MAX_PASSWORD_BYTES} bytes`
    : undefined;
}

const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** Checks the submitted fields against the form: unknown, duplicate or missing fields are FIELD_ERRORs. */
export async function validateFormFields(
  fields: FormField[],
  input: FormFieldInput[],
  userContext: UserContext,
): Promise<FieldErrorResponse | undefined> {
  const errors: { id: string; error: string }[] = [];
  const seen = new Set<string>();
  for (const { id } of input) {
    if (seen.has(id)) errors.push({ id, error: "Field is sent more than once" });
    seen.add(id);
    if (!fields.some((f) => f.id === id)) errors.push({ id, error: "Field is not part of this form" });
  }
  for (const field of fields) {
    const submitted = input.find((f) => f.id === field.id);
    const empty = submitted === undefined || submitted.value === "" || submitted.value === null;
    if (empty) {
      if (field.optional !== true) errors.push({ id: field.id, error: "Field is not optional" });
      continue;
    }
    const error =
      (field.id === "email" || field.id === "password" ? hardLimits(field.id, submitted.value) : undefined) ??
      (await field.validate?.(submitted.value, userContext));
    if (error !== undefined) errors.push({ id: field.id, error });
  }
  return errors.length === 0 ? undefined : { status: "FIELD_ERROR", formFields: errors };
}
