import { LatchkeyError } from "./error";
import type { JSONObject } from "./types";
import { assertKnownKeys, assertPlainObject, optionalFunction } from "./validate";

/** Whether a login created the user ("signup") or found them ("signin"). */
export type SignInUpAction = "signin" | "signup";

/**
 * The seeds' `sessionFeature` hooks of a login recipe: what they return becomes the new session's jwtPayload and
 * sessionData, passed through the Session recipe's (possibly overridden) createNewSession.
 */
export interface SessionFeature<User, Context> {
  setJwtPayload?: (user: User, context: Context, action: SignInUpAction) => Promise<JSONObject> | JSONObject;
  setSessionData?: (user: User, context: Context, action: SignInUpAction) => Promise<JSONObject> | JSONObject;
}

/** A validated sessionFeature: both hooks present (the defaults return `{}`). */
export interface NormalisedSessionFeature<User, Context> {
  setJwtPayload: (user: User, context: Context, action: SignInUpAction) => Promise<JSONObject> | JSONObject;
  setSessionData: (user: User, context: Context, action: SignInUpAction) => Promise<JSONObject> | JSONObject;
}

const empty = (): JSONObject => ({});

/** Validates a recipe's `sessionFeature` option and fills in the defaults. */
export function normaliseSessionFeature<User, Context>(
  label: string,
  input: unknown,
): NormalisedSessionFeature<User, Context> {
  if (input === undefined) return { setJwtPayload: empty, setSessionData: empty };
  assertPlainObject(label, input);
  assertKnownKeys(label, input, ["setJwtPayload", "setSessionData"]);
  type Hook = NormalisedSessionFeature<User, Context>["setJwtPayload"];
  return {
    setJwtPayload: optionalFunction<Hook>(`${label}.setJwtPayload`, input.setJwtPayload) ?? empty,
    setSessionData: optionalFunction<Hook>(`${label}.setSessionData`, input.setSessionData) ?? empty,
  };
}

/** Runs both hooks for one login; a hook that returns something other than an object is the app's bug. */
export async function sessionValues<User, Context>(
  feature: NormalisedSessionFeature<User, Context>,
  user: User,
  context: Context,
  action: SignInUpAction,
): Promise<{ jwtPayload: JSONObject; sessionData: JSONObject }> {
  const jwtPayload = await feature.setJwtPayload(user, context, action);
  const sessionData = await feature.setSessionData(user, context, action);
  for (const [name, value] of [
    ["setJwtPayload", jwtPayload],
    ["setSessionData", sessionData],
  ] as const) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new LatchkeyError("GENERAL_ERROR", `sessionFeature.${name} must return a JSON object`);
    }
  }
  return { jwtPayload, sessionData };
}
