import { configError } from "../../lib/error";
import { assertKnownKeys, assertPlainObject, optionalInteger } from "../../lib/validate";
import type { TOTPAlgorithm } from "./otp";
import { SecretBox, secretEncryptionKeys } from "../../lib/secretBox";

import type { TypeInput, TypeNormalisedInput } from "./types";

// The HKDF info of TOTP secrets' key: fixed, or stored secrets would no longer open.
const TOTP_SECRET_PURPOSE = "latchkey totp secret v1";
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
    "revokeOtherSessionsOnDeviceVerified",
    "override",
  ]);
  const config = raw as unknown as TypeInput;
  const issuer = config.issuer ?? appName;
  if (typeof issuer !== "string" || issuer === "" || issuer.length > 100 || issuer.includes(":"))
    throw configError("TOTP.init.issuer", "must be 1 to 100 characters without a colon");
  const algorithm = config.algorithm ?? "SHA1";
  if (!ALGORITHMS.includes(algorithm)) throw configError("TOTP.init.algorithm", 'must be "SHA1", "SHA256" or "SHA512"');
  const revokeOthers = config.revokeOtherSessionsOnDeviceVerified ?? true;
  if (typeof revokeOthers !== "boolean")
    throw configError("TOTP.init.revokeOtherSessionsOnDeviceVerified", "must be a boolean");
  return {
    issuer,
    revokeOtherSessionsOnDeviceVerified: revokeOthers,
    algorithm,
    defaultSkew: optionalInteger("TOTP.init.defaultSkew", config.defaultSkew, 1, 0, 10),
    defaultPeriod: optionalInteger("TOTP.init.defaultPeriod", config.defaultPeriod, 30, 1, 600),
    digits: optionalInteger("TOTP.init.digits", config.digits, 6, 6, 8),
    maxAttempts: optionalInteger("TOTP.init.maxAttempts", config.maxAttempts, 5, 1, 1000),
    lockoutMs: optionalInteger("TOTP.init.lockoutSeconds", config.lockoutSeconds, 900, 1, 7 * 24 * 3600) * 1000,
    secretBox: new SecretBox(
      secretEncryptionKeys("TOTP.init.secretEncryptionKey", config.secretEncryptionKey),
      TOTP_SECRET_PURPOSE,
    ),
  };
}
