import { configError } from "../../lib/error";
import { assertKnownKeys, assertPlainObject, optionalInteger } from "../../lib/validate";
import type { TOTPAlgorithm } from "./otp";
import { SecretBox } from "./secretBox";
import type { TypeInput, TypeNormalisedInput } from "./types";

const ALGORITHMS: readonly TOTPAlgorithm[] = ["SHA1", "SHA256", "SHA512"];

/** Validates TOTP.init's config and fills in the defaults; `appName` is the default issuer. */
export function normaliseConfig(input: TypeInput | undefined, appName: string): TypeNormalisedInput {
  const raw: unknown = input;
  assertPlainObject("TOTP.init", raw);
  assertKnownKeys("TOTP.init", raw, [
    "secretEncryptionKey",
    "issuer",
    "defaultSkew",
    "defaultPeriod",
    "digits",
    "algorithm",
    "maxAttempts",
    "lockoutSeconds",
    "override",
  ]);
  const config = raw as unknown as TypeInput;
  const issuer = config.issuer ?? appName;
  if (typeof issuer !== "string" || issuer === "" || issuer.length > 100 || issuer.includes(":"))
    throw configError("TOTP.init.issuer", "must be 1 to 100 characters without a colon");
  const algorithm = config.algorithm ?? "SHA1";
  if (!ALGORITHMS.includes(algorithm)) throw configError("TOTP.init.algorithm", 'must be "SHA1", "SHA256" or "SHA512"');
  return {
    issuer,
    algorithm,
    defaultSkew: optionalInteger("TOTP.init.defaultSkew", config.defaultSkew, 1, 0, 10),
    defaultPeriod: optionalInteger("TOTP.init.defaultPeriod", config.defaultPeriod, 30, 1, 600),
    digits: optionalInteger("TOTP.init.digits", config.digits, 6, 6, 8),
    maxAttempts: optionalInteger("TOTP.init.maxAttempts", config.maxAttempts, 5, 1, 1000),
    lockoutMs: optionalInteger("TOTP.init.lockoutSeconds", config.lockoutSeconds, 900, 1, 7 * 24 * 3600) * 1000,
    secretBox: new SecretBox(encryptionKeys(config.secretEncryptionKey)),
  };
}

function encryptionKeys(value: unknown): string[] {
  const field = "TOTP.init.secretEncryptionKey";
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (value === undefined)
    throw configError(field, "is required: a secret of at least 32 characters kept outside the database");
  if (list.length === 0 || !list.every((k) => typeof k === "string" && k.length >= 32))
    throw configError(field, "must be a string (or a list of strings) of at least 32 characters");
  return list as string[];
}
