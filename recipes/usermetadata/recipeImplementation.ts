import { isStorableText } from "../../lib/db/text";
import type { JSONObject, JSONValue } from "../../lib/types";
import { UserMetadataError } from "./error";
import type { UserMetadataStore } from "./store";
import type { RecipeInterface, TypeNormalisedInput } from "./types";

const USER_ID_RULE = "must be a non-empty string of at most 128 characters, valid Unicode without NUL";
const MAX_DEPTH = 64;

// As in SuperTokens, metadata may be kept for any user id (no recipe needs to know the user): only its form is checked.
function userIdOf(value: unknown): string {
  if (typeof value !== "string" || value === "" || value.length > 128 || !isStorableText(value)) {
    throw UserMetadataError.badInput("userId", USER_ID_RULE);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

// What JSON keeps as it is: no functions, undefined inside arrays, NaN, Infinity, dates or class instances that
// JSON.stringify would turn into something else, so what is read back is what was written.
function isJSON(value: unknown, depth: number): value is JSONValue {
  if (depth > MAX_DEPTH) return false;
  if (value === null || typeof value === "boolean") return true;
  if (typeof value === "string") return isStorableText(value);
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((entry) => isJSON(entry, depth + 1));
  if (!isPlainObject(value)) return false;
  return Object.entries(value).every(([key, entry]) => isStorableText(key) && isJSON(entry, depth + 1));
}

function updateOf(value: unknown): JSONObject {
  if (!isPlainObject(value) || !isJSON(value, 0)) {
    throw UserMetadataError.badInput(
      "metadataUpdate",
      `must be a plain JSON object (strings, finite numbers, booleans, null, arrays and objects, at most ${MAX_DEPTH} deep)`,
    );
  }
  return value;
}

/** The update merged one level deep into the metadata: a `null` value deletes its key. */
export function mergeMetadata(current: JSONObject, update: JSONObject): JSONObject {
  const next: JSONObject = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The original implementation of the usermetadata recipe's functions. */
export function makeRecipeImplementation(store: UserMetadataStore, config: TypeNormalisedInput): RecipeInterface {
  return {
    async getUserMetadata({ userId }) {
      return { status: "OK", metadata: (await store.read(userIdOf(userId))) ?? {} };
    },
    async updateUserMetadata({ userId, metadataUpdate }) {
      const id = userIdOf(userId);
      const update = updateOf(metadataUpdate);
      const metadata = await store.update(
        id,
        (current) => {
          const next = mergeMetadata(current, update);
          const size = Buffer.byteLength(JSON.stringify(next), "utf8");
          if (size > config.maxMetadataBytes) throw UserMetadataError.tooLarge(size, config.maxMetadataBytes);
          return next;
        },
        Date.now(),
      );
      return { status: "OK", metadata };
    },
    async clearUserMetadata({ userId }) {
      await store.clear(userIdOf(userId));
      return { status: "OK" };
    },
  };
}
