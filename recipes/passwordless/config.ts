import { createSMTPSender, normaliseSMTPSettings } from "../../lib/email/smtp";
import { configError } from "../../lib/error";
import type { ActionLimits } from "../../lib/rateLimit/limiter";
import { assertKnownKeys, assertPlainObject, optionalFunction, optionalInteger } from "../../lib/validate";
import type {
  ContactMethod,
  FlowType,
  NormalisedRateLimit,
  SmsDeliveryInterface,
  TypeInput,
  TypeNormalisedInput,
} from "./types";
import { defaultValidateEmail, defaultValidatePhoneNumber } from "./validation";

const KEYS = [
  "contactMethod",
  "flowType",
  "validateEmailAddress",
  "validatePhoneNumber",
  "getCustomUserInputCode",
  "codeLifetime",
  "maximumCodeInputAttempts",
  "emailDelivery",
  "smsDelivery",
  "rateLimit",
  "override",
];
const CONTACT_METHODS: readonly ContactMethod[] = ["EMAIL", "PHONE", "EMAIL_OR_PHONE"];
const FLOW_TYPES: readonly FlowType[] = ["USER_INPUT_CODE", "MAGIC_LINK", "USER_INPUT_CODE_AND_MAGIC_LINK"];

type Validator = (value: string, tenantId: string) => Promise<string | undefined> | string | undefined;

/** Validates Passwordless.init's config and fills in the defaults. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const label = "Passwordless.init";
  const raw: unknown = input;
  assertPlainObject(label, raw);
  assertKnownKeys(label, raw, KEYS);
  const config = raw as unknown as TypeInput;
  if (!CONTACT_METHODS.includes(config.contactMethod))
    throw configError(`${label}.contactMethod`, `must be one of ${CONTACT_METHODS.join(", ")}`);
  if (!FLOW_TYPES.includes(config.flowType))
    throw configError(`${label}.flowType`, `must be one of ${FLOW_TYPES.join(", ")}`);
  const emailDelivery: unknown = config.emailDelivery ?? {};
  assertPlainObject(`${label}.emailDelivery`, emailDelivery);
  assertKnownKeys(`${label}.emailDelivery`, emailDelivery, ["smtpSettings", "override"]);
  const smsDelivery: unknown = config.smsDelivery ?? {};
  assertPlainObject(`${label}.smsDelivery`, smsDelivery);
  assertKnownKeys(`${label}.smsDelivery`, smsDelivery, ["service", "override"]);
  const service = smsDelivery.service;
  if (
    service !== undefined &&
    (typeof service !== "object" ||
      service === null ||
      typeof (service as { sendSms?: unknown }).sendSms !== "function")
  )
    throw configError(`${label}.smsDelivery.service`, "must be an object with sendSms(input)");
  const validateEmail = optionalFunction<Validator>(`${label}.validateEmailAddress`, config.validateEmailAddress);
  const validatePhone = optionalFunction<Validator>(`${label}.validatePhoneNumber`, config.validatePhoneNumber);
  return {
    contactMethod: config.contactMethod,
    flowType: config.flowType,
    validateEmailAddress: async (email, tenantId) =>
      validateEmail === undefined ? defaultValidateEmail(email) : await validateEmail(email, tenantId),
    validatePhoneNumber: async (phone, tenantId) =>
      validatePhone === undefined ? defaultValidatePhoneNumber(phone) : await validatePhone(phone, tenantId),
    getCustomUserInputCode: optionalFunction(`${label}.getCustomUserInputCode`, config.getCustomUserInputCode),
    codeLifetimeMs: optionalInteger(`${label}.codeLifetime`, config.codeLifetime, 15, 1, 24 * 60) * 60_000,
    maximumCodeInputAttempts: optionalInteger(
      `${label}.maximumCodeInputAttempts`,
      config.maximumCodeInputAttempts,
      5,
      1,
      100,
    ),
    smtpSender:
      emailDelivery.smtpSettings === undefined
        ? undefined
        : createSMTPSender(normaliseSMTPSettings(`${label}.emailDelivery.smtpSettings`, emailDelivery.smtpSettings)),
    emailDeliveryOverride: optionalFunction(`${label}.emailDelivery.override`, emailDelivery.override),
    smsService: service as SmsDeliveryInterface | undefined,
    smsDeliveryOverride: optionalFunction(`${label}.smsDelivery.override`, smsDelivery.override),
    rateLimit: normaliseRateLimit(`${label}.rateLimit`, config.rateLimit),
  };
}

const OFF: ActionLimits = { perEmail: undefined, perIp: undefined };

function normaliseRateLimit(field: string, input: unknown): NormalisedRateLimit {
  if (input === false) return { createCode: OFF, consumeCode: OFF, trustedProxies: 0 };
  const raw = input ?? {};
  assertPlainObject(field, raw);
  assertKnownKeys(field, raw, ["createCode", "consumeCode", "trustForwardedFor"]);
  const trust = raw.trustForwardedFor;
  const trustedProxies =
    trust === true
      ? 1
      : trust === false || trust === undefined
        ? 0
        : optionalInteger(`${field}.trustForwardedFor`, trust, 0, 0, 10);
  return {
    // Each code is a message someone pays for and a person receives: a few resends an hour are plenty for one
    // address; an office or a carrier's NAT shares one client address, so that limit is looser.
    createCode: normaliseRule(`${field}.createCode`, raw.createCode, {
      perContact: 10,
      perIp: 50,
      windowSeconds: 3600,
    }),
    // The attempt limit per device already stops guessing; this only keeps one client from hammering the route.
    consumeCode: normaliseRule(`${field}.consumeCode`, raw.consumeCode, {
      perContact: false,
      perIp: 100,
      windowSeconds: 15 * 60,
    }),
    trustedProxies,
  };
}

function normaliseRule(
  field: string,
  input: unknown,
  defaults: { perContact: number | false; perIp: number; windowSeconds: number },
): ActionLimits {
  if (input === false) return OFF;
  const raw = input ?? {};
  assertPlainObject(field, raw);
  assertKnownKeys(field, raw, ["perContact", "perIp", "windowSeconds"]);
  const windowMs =
    optionalInteger(`${field}.windowSeconds`, raw.windowSeconds, defaults.windowSeconds, 1, 7 * 24 * 3600) * 1000;
  const limit = (name: "perContact" | "perIp") => {
    const value = raw[name] === undefined ? defaults[name] : raw[name];
    return value === false ? undefined : { max: optionalInteger(`${field}.${name}`, value, 1, 1, 1_000_000), windowMs };
  };
  return { perEmail: limit("perContact"), perIp: limit("perIp") };
}
