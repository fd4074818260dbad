import { assertKnownKeys, assertPlainObject, optionalInteger } from "../../lib/validate";
import type { TypeInput, TypeNormalisedInput } from "./types";

/** The largest limit accepted: what a MySQL MEDIUMTEXT column holds, less room to spare. */
export const MAX_METADATA_BYTES_LIMIT = 16 * 1024 * 1024 - 1024;

/** Validates UserMetadata.init's config and fills in the defaults. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const raw: unknown = input ?? {};
  assertPlainObject("UserMetadata.init", raw);
  assertKnownKeys("UserMetadata.init", raw, ["maxMetadataBytes", "override"]);
  return {
    maxMetadataBytes: optionalInteger(
      "UserMetadata.init.maxMetadataBytes",
      raw.maxMetadataBytes,
      64 * 1024,
      2,
      MAX_METADATA_BYTES_LIMIT,
    ),
  };
}
