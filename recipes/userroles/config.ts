import { assertKnownKeys, assertPlainObject, optionalBoolean } from "../../lib/validate";
import type { TypeInput, TypeNormalisedInput } from "./types";

/** Validates UserRoles.init's config and fills in the defaults. */
export function normaliseConfig(input: TypeInput | undefined): TypeNormalisedInput {
  const raw: unknown = input ?? {};
  assertPlainObject("UserRoles.init", raw);
  assertKnownKeys("UserRoles.init", raw, [
    "skipAddingRolesToAccessToken",
    "skipAddingPermissionsToAccessToken",
    "override",
  ]);
  return {
    skipAddingRolesToAccessToken: optionalBoolean(
      "UserRoles.init.skipAddingRolesToAccessToken",
      raw.skipAddingRolesToAccessToken,
      false,
    ),
    skipAddingPermissionsToAccessToken: optionalBoolean(
      "UserRoles.init.skipAddingPermissionsToAccessToken",
      raw.skipAddingPermissionsToAccessToken,
      false,
    ),
  };
}
