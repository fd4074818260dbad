// The input of the overridable createNewSession, as the public functions build it. Overrides written for the seeds
// set `input.jwtPayload`; overrides written for today's SuperTokens set `input.accessTokenPayload`. Both must work,
// also when an override passes on a spread copy (where the alias is a plain property again).
import type { JSONObject, UserContext } from "../../lib/types";
import type { CreateNewSessionInput } from "./types";

// The payload objects the public functions put in an input: in a spread copy where the two names differ, the one
// that is not among these is the override's.
const supplied = new WeakSet<object>();

/** An input whose `accessTokenPayload` is a getter/setter alias of `jwtPayload`. */
export function buildCreateNewSessionInput(fields: {
  userId: string;
  payload: JSONObject;
  sessionData: JSONObject;
  tenantId: string;
  userContext: UserContext;
}): CreateNewSessionInput {
  if (typeof fields.payload === "object" && fields.payload !== null) supplied.add(fields.payload);
  const input: CreateNewSessionInput = {
    userId: fields.userId,
    jwtPayload: fields.payload,
    sessionData: fields.sessionData,
    tenantId: fields.tenantId,
    userContext: fields.userContext,
  };
  Object.defineProperty(input, "accessTokenPayload", {
    get: () => input.jwtPayload,
    set: (value: JSONObject) => {
      input.jwtPayload = value;
    },
    enumerable: true,
    configurable: true,
  });
  return input;
}

/**
 * The payload an input means. The two names agree on an input built above; on a copy where they differ, the one an
 * override set wins (the other is still the object originally supplied); when both are new, accessTokenPayload.
 */
export function payloadOf(input: Pick<CreateNewSessionInput, "jwtPayload" | "accessTokenPayload">): unknown {
  const { jwtPayload, accessTokenPayload } = input;
  if (accessTokenPayload === undefined || accessTokenPayload === jwtPayload) return jwtPayload;
  if (jwtPayload === undefined || jwtPayload === null) return accessTokenPayload;
  const jwtIsOriginal = typeof jwtPayload === "object" && supplied.has(jwtPayload);
  const accessIsOriginal =
    typeof accessTokenPayload === "object" && accessTokenPayload !== null && supplied.has(accessTokenPayload);
  if (accessIsOriginal && !jwtIsOriginal) return jwtPayload;
  return accessTokenPayload;
}
