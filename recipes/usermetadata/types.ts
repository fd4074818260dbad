import type { OverrideInput } from "../../lib/override";
import type { JSONObject, UserContext } from "../../lib/types";

/** The argument of `UserMetadata.init()`. */
export interface TypeInput {
  /** The largest metadata object kept per user, in bytes of JSON (UTF-8); default 65536 (64 KB). */
  maxMetadataBytes?: number;
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** TypeInput with its defaults filled in. */
export interface TypeNormalisedInput {
  maxMetadataBytes: number;
}

/** The overridable functions, SuperTokens' names and results. Metadata belongs to the user, in every tenant. */
export interface RecipeInterface {
  /** The user's metadata (`{}` when none was stored). */
  getUserMetadata(input: { userId: string; userContext: UserContext }): Promise<{ status: "OK"; metadata: JSONObject }>;
  /**
   * Merges the update into the user's metadata, one level deep (a `null` value deletes the key), and returns the
   * result. Concurrent updates of one user are applied one after the other, so none is lost.
   */
  updateUserMetadata(input: {
    userId: string;
    metadataUpdate: JSONObject;
    userContext: UserContext;
  }): Promise<{ status: "OK"; metadata: JSONObject }>;
  /** Deletes the user's metadata. */
  clearUserMetadata(input: { userId: string; userContext: UserContext }): Promise<{ status: "OK" }>;
}

/** What each API is given (the recipe serves no route, as in SuperTokens). */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  config: TypeNormalisedInput;
}

/** The overridable HTTP APIs: none; metadata is read and written from the backend. */
export type APIInterface = Record<string, never>;
