import { configError } from "../../lib/error";
import { normaliseSessionFeature } from "../../lib/sessionFeature";
import { assertKnownKeys, assertPlainObject } from "../../lib/validate";
import { validateProviders } from "./providers/config";
import type { TypeInput, TypeNormalisedInput } from "./types";

const LABEL = "ThirdParty.init";

/** Validates ThirdParty.init's config (every provider, once) and fills in the defaults. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const raw: unknown = input;
  if (raw === undefined) throw configError(LABEL, "needs signInAndUpFeature.providers");
  assertPlainObject(LABEL, raw);
  assertKnownKeys(LABEL, raw, ["signInAndUpFeature", "sessionFeature", "override"]);
  const feature = raw.signInAndUpFeature;
  assertPlainObject(`${LABEL}.signInAndUpFeature`, feature);
  assertKnownKeys(`${LABEL}.signInAndUpFeature`, feature, ["providers"]);
  return {
    providers: validateProviders(`${LABEL}.signInAndUpFeature.providers`, feature.providers),
    sessionFeature: normaliseSessionFeature(`${LABEL}.sessionFeature`, raw.sessionFeature),
  };
}
