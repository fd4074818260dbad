import { createSMTPSender, normaliseSMTPSettings } from "../../lib/email/smtp";
import { configError } from "../../lib/error";
import { assertKnownKeys, assertPlainObject, optionalFunction, optionalInteger } from "../../lib/validate";
import type { TypeInput, TypeNormalisedInput } from "./types";

/** Validates EmailVerification.init's config and fills in the defaults. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const raw: unknown = input;
  assertPlainObject("EmailVerification.init", raw);
  assertKnownKeys("EmailVerification.init", raw, ["mode", "emailVerifyTokenValidity", "emailDelivery", "override"]);
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
  };
}
