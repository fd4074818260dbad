import { configError } from "../../lib/error";
import { normaliseSessionFeature } from "../../lib/sessionFeature";
import { assertKnownKeys, assertPlainObject } from "../../lib/validate";
import { validateProviders } from "./providers/config";
import type { TypeInput, TypeNormalisedInput } from "./types";

/** Validates ThirdParty.init's config (every provider, once) and fills in the defaults. */
export function normaliseConfig(input: TypeInput | undefined, label = "ThirdParty.init"): TypeNormalisedInput {
  const raw: unknown = input;
  if (raw === undefined) throw configError(label, "needs signInAndUpFeature.providers");
  assertPlainObject(label, raw);
  assertKnownKeys(label, raw, ["signInAndUpFeature", "sessionFeature", "override"]);
  const feature = raw.signInAndUpFeature;
  assertPlainObject(`${label}.signInAndUpFeature`, feature);
  assertKnownKeys(`${label}.signInAndUpFeature`, feature, ["providers"]);
  return {
    // ThirdPartyEmailPassword may run with email/password alone.
    providers: label !== "ThirdParty.init" && feature.providers === undefined ? [] : validateProviders(`${label}.signInAndUpFeature.providers`, feature.providers),
    sessionFeature: normaliseSessionFeature(`${label}.sessionFeature`, raw.sessionFeature),
  };
}
