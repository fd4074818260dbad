import { createSMTPSender, normaliseSMTPSettings } from "../../lib/email/smtp";
import { configError } from "../../lib/error";
import { assertKnownKeys, assertPlainObject, optionalFunction, optionalInteger } from "../../lib/validate";
import type { ActionLimits } from "../../lib/rateLimit/limiter";
import type { TypeInput, TypeNormalisedInput } from "./types";

/** Validates EmailVerification.init's config and fills in the defaults. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const raw: unknown = input;
  assertPlainObject("EmailVerification.init", raw);
  assertKnownKeys("EmailVerification.init", raw, [
    "mode",
    "emailVerifyTokenValidity",
    "emailDelivery",
    "rateLimit",
    "override",
  ]);
  const config = raw as unknown as TypeInput;
  if (config.mode !== "REQUIRED" && config.mode !== "OPTIONAL")
    throw configError("EmailVerification.init.mode", 'must be "REQUIRED" or "OPTIONAL"');
  const delivery: unknown = config.emailDelivery ?? {};
  assertPlainObject("EmailVerification.init.emailDelivery", delivery);
  assertKnownKeys("EmailVerification.init.emailDelivery", delivery, ["smtpSettings", "override"]);
  return {
    mode: config.mode,
    tokenValidityMs:
      optionalInteger(
        "EmailVerification.init.emailVerifyTokenValidity",
        config.emailVerifyTokenValidity,
        24 * 60,
        1,
        30 * 24 * 60,
      ) * 60_000,
    smtpSender:
      delivery.smtpSettings === undefined
        ? undefined
        : createSMTPSender(
            normaliseSMTPSettings("EmailVerification.init.emailDelivery.smtpSettings", delivery.smtpSettings),
          ),
    emailDeliveryOverride: optionalFunction("EmailVerification.init.emailDelivery.override", delivery.override),
    rateLimit: normaliseRateLimit(config.rateLimit),
  };
}

const OFF: ActionLimits = { perEmail: undefined, perIp: undefined, perUser: undefined };

function normaliseRateLimit(input: unknown): ActionLimits {
  const field = "EmailVerification.init.rateLimit";
  if (input === false) return OFF;
  const raw = input ?? {};
  assertPlainObject(field, raw);
  assertKnownKeys(field, raw, ["perUser", "perEmail", "windowSeconds"]);
  const windowMs = optionalInteger(`${field}.windowSeconds`, raw.windowSeconds, 3600, 1, 7 * 24 * 3600) * 1000;
  // A user asks again now and then; an address gets at most a handful, however many accounts claim it.
  const limit = (name: "perUser" | "perEmail", fallback: number) =>
    raw[name] === false
      ? undefined
      : { max: optionalInteger(`${field}.${name}`, raw[name], fallback, 1, 1_000_000), windowMs };
  return { perUser: limit("perUser", 5), perEmail: limit("perEmail", 10), perIp: undefined };
}
