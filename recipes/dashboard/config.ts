import { configError } from "../../lib/error";
import { sha256 } from "../../lib/secrets";
import { assertKnownKeys, assertPlainObject } from "../../lib/validate";
import type { TypeInput, TypeNormalisedInput } from "./types";

/** The shortest key accepted: a shorter one could be guessed. */
export const MIN_KEY_LENGTH = 16;

/** Validates Dashboard.init's config; keeps only digests of the keys. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const raw: unknown = input ?? {};
  assertPlainObject("Dashboard.init", raw);
  assertKnownKeys("Dashboard.init", raw, ["apiKey", "readOnlyApiKey", "override"]);
  const keys: TypeNormalisedInput["keys"] = [];
  for (const [field, readOnly] of [
    ["apiKey", false],
    ["readOnlyApiKey", true],
  ] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    // The message never repeats the value: it is a secret.
    if (typeof value !== "string" || value.length < MIN_KEY_LENGTH || value.length > 512 || /\s/.test(value)) {
      throw configError(`Dashboard.init.${field}`, `must be a string of ${MIN_KEY_LENGTH} to 512 non-space characters`);
    }
    keys.push({ digest: sha256(value), readOnly });
  }
  if (keys.length === 0) throw configError("Dashboard.init", "needs apiKey and/or readOnlyApiKey");
  if (keys.length === 2 && keys[0]?.digest === keys[1]?.digest) {
    throw configError("Dashboard.init.readOnlyApiKey", "must differ from apiKey");
  }
  return { keys };
}
