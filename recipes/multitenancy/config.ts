import { SecretBox, secretEncryptionKeys } from "../../lib/secretBox";
import { assertKnownKeys, assertPlainObject } from "../../lib/validate";
import type { TypeInput } from "./types";

// The HKDF info of the key that seals tenants' provider configs: fixed, or stored configs would no longer open.
const PROVIDER_CONFIG_PURPOSE = "latchkey multitenancy provider config v1";

/** Multitenancy.init's config, checked once. */
export interface TypeNormalisedInput {
  secretBox: SecretBox | undefined;
}

/** Validates Multitenancy.init's config; errors name the field. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const config = input ?? {};
  assertPlainObject("Multitenancy.init", config);
  assertKnownKeys("Multitenancy.init", config as Record<string, unknown>, ["secretEncryptionKey", "override"]);
  return {
    secretBox:
      config.secretEncryptionKey === undefined
        ? undefined
        : new SecretBox(
            secretEncryptionKeys("Multitenancy.init.secretEncryptionKey", config.secretEncryptionKey),
            PROVIDER_CONFIG_PURPOSE,
          ),
  };
}
