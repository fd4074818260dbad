import { createSMTPSender, normaliseSMTPSettings } from "../../lib/email/smtp";
import { configError } from "../../lib/error";
import { normaliseSessionFeature } from "../../lib/sessionFeature";
import {
  assertKnownKeys,
  assertPlainObject,
  optionalBoolean,
  optionalFunction,
  optionalInteger,
} from "../../lib/validate";
import type { ActionLimits } from "../../lib/rateLimit/limiter";
import type { FormField, NormalisedRateLimit, TypeInput, TypeNormalisedInput } from "./types";
import { signUpFields } from "./validation";

/** The options EmailPassword.init takes. */
const EMAIL_PASSWORD_KEYS = [
  "sessionFeature",
  "signUpFeature",
  "bcryptCost",
  "revokeSessionsOnPasswordReset",
  "passwordResetTokenValidity",
  "emailDelivery",
  "rateLimit",
  "override",
];

/** Validates EmailPassword.init's config and fills in the defaults. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const label = "EmailPassword.init";
  const raw: unknown = input ?? {};
  assertPlainObject(label, raw);
  assertKnownKeys(label, raw, EMAIL_PASSWORD_KEYS);
  const config = raw as TypeInput;
  const delivery: unknown = config.emailDelivery ?? {};
  assertPlainObject(`${label}.emailDelivery`, delivery);
  assertKnownKeys(`${label}.emailDelivery`, delivery, ["smtpSettings", "override"]);
  return {
    signUpFormFields: signUpFields(normaliseFormFields(config.signUpFeature, label)),
    // 4 is bcrypt's minimum; above 15 a sign-in takes seconds.
    bcryptCost: optionalInteger(`${label}.bcryptCost`, config.bcryptCost, 10, 4, 15),
    revokeSessionsOnPasswordReset: optionalBoolean(
      `${label}.revokeSessionsOnPasswordReset`,
      config.revokeSessionsOnPasswordReset,
      false,
    ),
    passwordResetTokenValidityMs:
      optionalInteger(`${label}.passwordResetTokenValidity`, config.passwordResetTokenValidity, 60, 1, 7 * 24 * 60) *
      60_000,
    smtpSender:
      delivery.smtpSettings === undefined
        ? undefined
        : createSMTPSender(normaliseSMTPSettings(`${label}.emailDelivery.smtpSettings`, delivery.smtpSettings)),
    emailDeliveryOverride: optionalFunction(`${label}.emailDelivery.override`, delivery.override),
    sessionFeature: normaliseSessionFeature(`${label}.sessionFeature`, config.sessionFeature),
    rateLimit: normaliseRateLimit(config.rateLimit),
  };
}

function normaliseFormFields(feature: unknown, label: string): FormField[] | undefined {
  if (feature === undefined) return undefined;
  assertPlainObject(`${label}.signUpFeature`, feature);
  assertKnownKeys(`${label}.signUpFeature`, feature, ["formFields"]);
  if (feature.formFields === undefined) return undefined;
  if (!Array.isArray(feature.formFields)) throw configError(`${label}.signUpFeature.formFields`, "must be an array");
  const ids = new Set<string>();
  return feature.formFields.map((field: unknown, i) => {
    const where = `${label}.signUpFeature.formFields[${i}]`;
    assertPlainObject(where, field);
    assertKnownKeys(where, field, ["id", "validate", "optional"]);
    if (typeof field.id !== "string" || field.id === "") throw configError(`${where}.id`, "must be a non-empty string");
    if (ids.has(field.id)) throw configError(`${where}.id`, `"${field.id}" is listed twice`);
    ids.add(field.id);
    optionalFunction(`${where}.validate`, field.validate);
    const optional = optionalBoolean(`${where}.optional`, field.optional, false);
    if (optional && (field.id === "email" || field.id === "password"))
      throw configError(`${where}.optional`, `${field.id} cannot be optional`);
    return field as unknown as FormField;
  });
}

const OFF: ActionLimits = { perEmail: undefined, perIp: undefined };

function normaliseRateLimit(input: unknown): NormalisedRateLimit {
  if (input === false) return { signIn: OFF, passwordReset: OFF, trustedProxies: 0 };
  const raw = input ?? {};
  assertPlainObject("EmailPassword.init.rateLimit", raw);
  assertKnownKeys("EmailPassword.init.rateLimit", raw, ["signIn", "passwordReset", "trustForwardedFor"]);
  const trust = raw.trustForwardedFor;
  const trustedProxies =
    trust === true
      ? 1
      : trust === false || trust === undefined
        ? 0
        : optionalInteger("EmailPassword.init.rateLimit.trustForwardedFor", trust, 0, 0, 10);
  return {
    // Per address is looser than per email: many people can share one address (an office, a mobile carrier).
    signIn: normaliseRule("EmailPassword.init.rateLimit.signIn", raw.signIn, {
      perEmail: 10,
      perIp: 100,
      windowSeconds: 15 * 60,
    }),
    passwordReset: normaliseRule("EmailPassword.init.rateLimit.passwordReset", raw.passwordReset, {
      perEmail: 5,
      perIp: 30,
      windowSeconds: 3600,
    }),
    trustedProxies,
  };
}

function normaliseRule(
  field: string,
  input: unknown,
  defaults: { perEmail: number; perIp: number; windowSeconds: number },
): ActionLimits {
  if (input === false) return OFF;
  const raw = input ?? {};
  assertPlainObject(field, raw);
  assertKnownKeys(field, raw, ["perEmail", "perIp", "windowSeconds"]);
  const windowMs =
    optionalInteger(`${field}.windowSeconds`, raw.windowSeconds, defaults.windowSeconds, 1, 7 * 24 * 3600) * 1000;
  const limit = (name: "perEmail" | "perIp") =>
    raw[name] === false
      ? undefined
      : { max: optionalInteger(`${field}.${name}`, raw[name], defaults[name], 1, 1_000_000), windowMs };
  return { perEmail: limit("perEmail"), perIp: limit("perIp") };
}
