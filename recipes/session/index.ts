import type { JsonWebKey } from "node:crypto";
import type { ServerResponse } from "node:http";
import { LatchkeyError } from "../../lib/error";
import type { ExpressLikeRequest } from "../../lib/framework/express/request";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { toBaseRequest, toBaseResponse } from "../../lib/framework/wrap";
import type { RecipeListFunction } from "../../lib/recipeModule";
import type { JSONObject, JSONValue, UserContext } from "../../lib/types";
import { BooleanClaim, PrimitiveArrayClaim, PrimitiveClaim, SessionClaim } from "../../lib/claims";
import { SessionRecipe } from "./recipe";
import { replaceUserKeys, type SessionContainer } from "./sessionContainer";
import { assertGlobalClaims, type GetSessionOptions, getSessionFromRequest, refreshSessionFromRequest } from "./sessionRequest";
import type { SessionInformation, TypeInput, VerifySessionOptions } from "./types";

export type { SessionContainer };
export { BooleanClaim, PrimitiveArrayClaim, PrimitiveClaim, SessionClaim };
export type { ClaimValidationResult, FetchValue, SessionClaimProvider, SessionClaimValidator } from "../../lib/claims";
export type {
  AntiCsrfMode, APIInterface, APIOptions, ErrorHandlers, RecipeInterface, SessionInformation, SigningAlgorithm, TokenTransferMethod, TypeInput,
  VerifySessionOptions,
} from "./types";

/** A request as the session functions accept it: express's, node's, or Latchkey's own. */
export type AnyRequest = BaseRequest | ExpressLikeRequest;
/** A response as the session functions accept it: express's, node's, or Latchkey's own. */
export type AnyResponse = BaseResponse | ServerResponse;

function impl() {
  return SessionRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/** Adds the session recipe to `Latchkey.init`'s recipe list. */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new SessionRecipe(context, config);
}

/** Creates a session for the user and writes its tokens to the response. */
export function createNewSession(
  req: AnyRequest,
  res: AnyResponse,
  userId: string,
  jwtPayload: JSONObject = {},
  sessionData: JSONObject = {},
  userContext: UserContext = {},
): Promise<SessionContainer> {
  return impl().createNewSession({ req: toBaseRequest(req), res: toBaseResponse(res), userId, jwtPayload, sessionData, userContext });
}

/** Creates a session without a request or response: take the tokens with getAllSessionTokensDangerously(). */
export function createNewSessionWithoutRequestResponse(
  userId: string,
  jwtPayload: JSONObject = {},
  sessionData: JSONObject = {},
  userContext: UserContext = {},
): Promise<SessionContainer> {
  return impl().createNewSession({ userId, jwtPayload, sessionData, userContext });
}

/** Verifies the request's session; with `sessionRequired: false` a request without one gives undefined. */
export function getSession(req: AnyRequest, res: AnyResponse, options: VerifySessionOptions & { sessionRequired: false }, userContext?: UserContext): Promise<SessionContainer | undefined>;
/** Verifies the request's session; `options` true/false turns the anti-CSRF check on/off (as in the seeds). */
export function getSession(req: AnyRequest, res: AnyResponse, options?: boolean | VerifySessionOptions, userContext?: UserContext): Promise<SessionContainer>;
/** Verifies an access token without a request (the seeds' form): `getSession(accessToken, antiCsrfToken)`. */
export function getSession(accessToken: string, antiCsrfToken?: string): Promise<SessionContainer>;
export async function getSession(
  reqOrToken: AnyRequest | string,
  resOrAntiCsrf?: AnyResponse | string,
  options?: GetSessionOptions,
  userContext: UserContext = {},
): Promise<SessionContainer | undefined> {
  if (typeof reqOrToken === "string") {
    return getSessionWithoutRequestResponse(reqOrToken, typeof resOrAntiCsrf === "string" ? resOrAntiCsrf : undefined);
  }
  if (resOrAntiCsrf === undefined || typeof resOrAntiCsrf === "string") {
    throw new LatchkeyError("BAD_INPUT_ERROR", "getSession(req, res, options) needs the response too");
  }
  const recipe = SessionRecipe.getInstanceOrThrow();
  return getSessionFromRequest(
    recipe.recipeInterfaceImpl,
    recipe.config,
    () => recipe.getContributedClaims(),
    toBaseRequest(reqOrToken),
    toBaseResponse(resOrAntiCsrf),
    options,
    userContext,
  );
}

/** Verifies an access token you carried yourself; no database call unless blacklisting is on. */
export async function getSessionWithoutRequestResponse(
  accessToken: string,
  antiCsrfToken?: string,
  options: VerifySessionOptions = {},
  userContext: UserContext = {},
): Promise<SessionContainer> {
  const recipe = SessionRecipe.getInstanceOrThrow();
  const session = await recipe.recipeInterfaceImpl.getSession({
    accessToken,
    antiCsrfToken,
    options: { antiCsrfCheck: options.antiCsrfCheck ?? true, sessionRequired: true },
    userContext,
  });
  if (session === undefined) throw new LatchkeyError("UNAUTHORISED", "Session does not exist", { fromRecipe: "session" });
  // The same claim checks as a request gets; a refreshed claim is in session.getAllSessionTokensDangerously().
  await assertGlobalClaims(session, recipe.getContributedClaims().validators, options, userContext);
  return session;
}

/** Rotates the request's refresh token and writes the new tokens to the response. */
export function refreshSession(req: AnyRequest, res: AnyResponse, userContext: UserContext = {}): Promise<SessionContainer> {
  const recipe = SessionRecipe.getInstanceOrThrow();
  return refreshSessionFromRequest(recipe.recipeInterfaceImpl, recipe.config, toBaseRequest(req), toBaseResponse(res), userContext);
}

/** Rotates a refresh token you carried yourself. */
export function refreshSessionWithoutRequestResponse(
  refreshToken: string,
  antiCsrfToken?: string,
  disableAntiCsrf = false,
  userContext: UserContext = {},
): Promise<SessionContainer> {
  return impl().refreshSession({ refreshToken, antiCsrfToken, disableAntiCsrf, userContext });
}

/** Deletes a session; false when there was none. */
export function revokeSession(sessionHandle: string, userContext: UserContext = {}): Promise<boolean> {
  return impl().revokeSession({ sessionHandle, userContext });
}

/** Deletes every session of the user; returns their handles. */
export function revokeAllSessionsForUser(userId: string, userContext: UserContext = {}): Promise<string[]> {
  return impl().revokeAllSessionsForUser({ userId, userContext });
}

/** Deletes these sessions; returns the handles that existed. */
export function revokeMultipleSessions(sessionHandles: string[], userContext: UserContext = {}): Promise<string[]> {
  return impl().revokeMultipleSessions({ sessionHandles, userContext });
}

/** Handles of the user's live sessions. */
export function getAllSessionHandlesForUser(userId: string, userContext: UserContext = {}): Promise<string[]> {
  return impl().getAllSessionHandlesForUser({ userId, userContext });
}

/** The session's private data (one query); UNAUTHORISED if the session does not exist. */
export function getSessionData(sessionHandle: string, userContext: UserContext = {}): Promise<JSONObject> {
  return impl().getSessionData({ sessionHandle, userContext });
}

/** Replaces the session's private data (one query; last write wins). */
export function updateSessionData(sessionHandle: string, newSessionData: JSONObject, userContext: UserContext = {}): Promise<void> {
  return impl().updateSessionData({ sessionHandle, newSessionData, userContext });
}

/** The session's stored access token payload (one query). */
export function getJWTPayload(sessionHandle: string, userContext: UserContext = {}): Promise<JSONObject> {
  return impl().getJWTPayload({ sessionHandle, userContext });
}

/** Replaces the stored payload (recipe-managed claims are kept); access tokens from the next refresh carry it. */
export async function updateJWTPayload(sessionHandle: string, newJWTPayload: JSONObject, userContext: UserContext = {}): Promise<void> {
  const { claims } = SessionRecipe.getInstanceOrThrow().getContributedClaims();
  const current = claims.length === 0 ? {} : await impl().getJWTPayload({ sessionHandle, userContext });
  return impl().updateJWTPayload({ sessionHandle, newJWTPayload: replaceUserKeys(current, newJWTPayload, claims), userContext });
}

/** Everything the database knows about a session, or undefined. */
export function getSessionInformation(sessionHandle: string, userContext: UserContext = {}): Promise<SessionInformation | undefined> {
  return impl().getSessionInformation({ sessionHandle, userContext });
}

/** The claim's value stored for a session (one query), or undefined. */
export async function getClaimValue<T extends JSONValue>(sessionHandle: string, claim: SessionClaim<T>, userContext: UserContext = {}): Promise<T | undefined> {
  return claim.getValueFromPayload(await impl().getJWTPayload({ sessionHandle, userContext }));
}

/** Sets the claim's value for a session; access tokens issued from its next refresh carry it. */
export async function setClaimValue<T extends JSONValue>(sessionHandle: string, claim: SessionClaim<T>, value: T, userContext: UserContext = {}): Promise<void> {
  const payload = await impl().getJWTPayload({ sessionHandle, userContext });
  await impl().updateJWTPayload({ sessionHandle, newJWTPayload: claim.addToPayload(payload, value), userContext });
}

/** Removes the claim from a session's stored payload. */
export async function removeClaim<T extends JSONValue>(sessionHandle: string, claim: SessionClaim<T>, userContext: UserContext = {}): Promise<void> {
  const payload = await impl().getJWTPayload({ sessionHandle, userContext });
  await impl().updateJWTPayload({ sessionHandle, newJWTPayload: claim.removeFromPayload(payload), userContext });
}

/** The public keys that verify access tokens, as a JWKS. */
export function getJWKS(): Promise<{ keys: JsonWebKey[] }> {
  return SessionRecipe.getInstanceOrThrow().keys.getJWKS();
}

/** The error class of everything Latchkey raises (the seeds read `Session.Error`). */
export const Error = LatchkeyError;

const Session = {
  init,
  createNewSession,
  createNewSessionWithoutRequestResponse,
  getSession,
  getSessionWithoutRequestResponse,
  refreshSession,
  refreshSessionWithoutRequestResponse,
  revokeSession,
  revokeAllSessionsForUser,
  revokeMultipleSessions,
  getAllSessionHandlesForUser,
  getSessionData,
  updateSessionData,
  getJWTPayload,
  updateJWTPayload,
  getSessionInformation,
  getJWKS,
  getClaimValue,
  setClaimValue,
  removeClaim,
  Error: LatchkeyError,
};

export default Session;
