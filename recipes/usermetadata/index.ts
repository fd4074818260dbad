import type { RecipeListFunction } from "../../lib/recipeModule";
import type { JSONObject, UserContext } from "../../lib/types";
import { UserMetadataError } from "./error";
import { UserMetadataRecipe } from "./recipe";
import type { RecipeInterface, TypeInput } from "./types";

export { UserMetadataError as Error };
export type { APIInterface, APIOptions, RecipeInterface, TypeInput } from "./types";
export type { UserMetadataErrorPayloads, UserMetadataErrorType, UserMetadataErrorUnion } from "./error";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return UserMetadataRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/**
 * Adds the usermetadata recipe to `Latchkey.init`'s recipe list.
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [Session.init(), UserMetadata.init({ maxMetadataBytes: 16_384 })] });
 * ```
 */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new UserMetadataRecipe(context, config);
}

/**
 * The user's metadata (`{}` when none was stored).
 *
 * @example
 * ```ts
 * const { metadata } = await UserMetadata.getUserMetadata(session.getUserId());
 * console.log(metadata.theme ?? "light");
 * ```
 */
export function getUserMetadata(userId: string, userContext: UserContext = {}): Result<"getUserMetadata"> {
  return impl().getUserMetadata({ userId, userContext });
}

/**
 * Merges the update into the user's metadata one level deep (`null` deletes a key) and returns the result.
 *
 * @example
 * ```ts
 * const { metadata } = await UserMetadata.updateUserMetadata(userId, { theme: "dark", beta: null }); // null deletes
 * ```
 */
export function updateUserMetadata(
  userId: string,
  metadataUpdate: JSONObject,
  userContext: UserContext = {},
): Result<"updateUserMetadata"> {
  return impl().updateUserMetadata({ userId, metadataUpdate, userContext });
}

/**
 * Deletes the user's metadata.
 *
 * @example
 * ```ts
 * await UserMetadata.clearUserMetadata(userId);
 * ```
 */
export function clearUserMetadata(userId: string, userContext: UserContext = {}): Result<"clearUserMetadata"> {
  return impl().clearUserMetadata({ userId, userContext });
}

const UserMetadata = { init, getUserMetadata, updateUserMetadata, clearUserMetadata, Error: UserMetadataError };

export default UserMetadata;
