import { configError } from "../../lib/error";
import { assertKnownKeys, assertPlainObject } from "../../lib/validate";
import { isFactorId } from "./factorId";
import type { TypeInput, TypeNormalisedInput } from "./types";

/** Validates MultiFactorAuth.init's config. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const raw: unknown = input ?? {};
  assertPlainObject("MultiFactorAuth.init", raw);
  assertKnownKeys("MultiFactorAuth.init", raw, ["firstFactors", "override"]);
  const { firstFactors } = raw as TypeInput;
  if (firstFactors === undefined) return { firstFactors: undefined };
  // SuperTokens' rule: left out, or a non-empty list (an empty one would let no session ever count as signed in).
  if (!Array.isArray(firstFactors) || firstFactors.length === 0 || !firstFactors.every(isFactorId))
    throw configError("MultiFactorAuth.init.firstFactors", "must be a non-empty array of factor ids, or left out");
  return { firstFactors: [...new Set(firstFactors)] };
}
