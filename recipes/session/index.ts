import type { JsonWebKey } from "node:crypto";
import type { ServerResponse } from "node:http";
import { LatchkeyError, rethrowWithErrorHandlerHint } from "../../lib/error";
import type { ExpressLikeRequest } from "../../lib/framework/express/request";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { toBaseRequest, toBaseResponse } from "../../lib/framework/wrap";
import type { RecipeListFunction } from "../../lib/recipeModule";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import type { JSONObject, JSONValue, UserContext } from "../../lib/types";
import { BooleanClaim, PrimitiveArrayClaim, PrimitiveClaim, SessionClaim } from "../../lib/claims";
import { buildCreateNewSessionInput } from "./createSessionInput";
import { SessionError } from "./error";
import { SessionRecipe } from "./recipe";
import { mergePayload, replaceUserKeys, type SessionContainer } from "./sessionContainer";
import {
  assertGlobalClaims,
  createNewSessionOnResponse,
  type GetSessionOptions,
  getSessionFromRequest,
  refreshSessionFromRequest,
} from "./sessionRequest";
import type { SessionInformation, TypeInput, VerifySessionOptions } from "./types";

export type { SessionContainer };
export { BooleanClaim, PrimitiveArrayClaim, PrimitiveClaim, SessionClaim };
export type { ClaimValidationResult, FetchValue, SessionClaimProvider, SessionClaimValidator } from "../../lib/claims";
export type { AnySessionError, ClaimValidationError, SessionErrorPayloads, SessionErrorType } from "./error";
export type {
  AntiCsrfMode,
  APIInterface,
  APIOptions,
  CreateNewSessionInput,
  ErrorHandlers,
  RecipeInterface,
  SessionInformation,
  SigningAlgorithm,
  TokenTransferMethod,
  TypeInput,
  VerifySessionOptions,
} from "./types";

/** A request as the session functions accept it: express's, node's, or Latchkey's own. */
export type AnyRequest = BaseRequest | ExpressLikeRequest;
/** A response as the session functions accept it: express's, node's, or Latchkey's own. */
export type AnyResponse = BaseResponse | ServerResponse;

function impl() {
  return SessionRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/**
 * Adds the session recipe to `Latchkey.init`'s recipe list.
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [Session.init({ cookieSameSite: "lax" })] });
 * ```
 */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new SessionRecipe(context, config);
}

/**
 * Creates a session for the user and writes its tokens to the response (the seeds' form; tenant "public").
 *
 * @example
 * ```ts
 * app.post("/login", async (req, res) => {
 *   // ... check the user's credentials ...
 *   await Session.createNewSession(req, res, userId, { role: "admin" }, { cart: [] });
 *   res.json({ ok: true });
 * });
 * ```
 */
export function createNewSession(
  req: AnyRequest,
  res: AnyResponse,
  userId: string,
  jwtPayload?: JSONObject,
  sessionData?: JSONObject,
  userContext?: UserContext,
): Promise<SessionContainer>;
/** Creates a session in a tenant and writes its tokens to the response (today's SuperTokens form). */
export function createNewSession(
  req: AnyRequest,
  res: AnyResponse,
  tenantId: string,
  userId: string,
  accessTokenPayload?: JSONObject,
  sessionData?: JSONObject,
  userContext?: UserContext,
): Promise<SessionContainer>;
export function createNewSession(
  req: AnyRequest,
  res: AnyResponse,
  ...args: SeedsCreateArgs | TenantCreateArgs
): Promise<SessionContainer> {
  const input = isTenantForm(args)
    ? {
        tenantId: args[0],
        userId: args[1],
        payload: args[2] ?? {},
        sessionData: args[3] ?? {},
        userContext: args[4] ?? {},
      }
    : {
        tenantId: DEFAULT_TENANT_ID,
        userId: args[0],
        payload: args[1] ?? {},
        sessionData: args[2] ?? {},
        userContext: args[3] ?? {},
      };
  const recipe = SessionRecipe.getInstanceOrThrow();
  return createNewSessionOnResponse(
    recipe.recipeInterfaceImpl,
    recipe.config,
    toBaseRequest(req),
    toBaseResponse(res),
    buildCreateNewSessionInput(input),
  );
}

type SeedsCreateArgs = [userId: string, jwtPayload?: JSONObject, sessionData?: JSONObject, userContext?: UserContext];
type TenantCreateArgs = [
  tenantId: string,
  userId: string,
  accessTokenPayload?: JSONObject,
  sessionData?: JSONObject,
  userContext?: UserContext,
];

// The 4th argument of createNewSession tells the forms apart: a string is SuperTokens' userId after the tenantId.
function isTenantForm(args: SeedsCreateArgs | TenantCreateArgs): args is TenantCreateArgs {
  return typeof args[1] === "string";
}

/**
 * Creates a session without a request or response: take the tokens with getAllSessionTokensDangerously().
 *
 * @example
 * ```ts
 * const session = await Session.createNewSessionWithoutRequestResponse(userId, { role: "admin" });
 * const { accessToken, refreshToken } = session.getAllSessionTokensDangerously(); // send them your own way
 * ```
 */
export function createNewSessionWithoutRequestResponse(
  userId: string,
  jwtPayload: JSONObject = {},
  sessionData: JSONObject = {},
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<SessionContainer> {
  return impl().createNewSession(
    buildCreateNewSessionInput({ userId, payload: jwtPayload, sessionData, tenantId, userContext }),
  );
}

// The app states its payload's type (getSession<MyPayload>); the token carries whatever JSON object it put there.
function typed<P extends JSONObject>(session: SessionContainer): SessionContainer<P> {
  return session as unknown as SessionContainer<P>;
}

/**
 * Verifies the request's session; with `sessionRequired: false` a request without one gives undefined.
 *
 * @example
 * ```ts
 * app.get("/me", async (req, res, next) => {
 *   try {
 *     const session = await Session.getSession(req, res, { sessionRequired: false });
 *     res.json({ userId: session?.getUserId() });
 *   } catch (err) {
 *     next(err); // with app.use(errorHandler()) after the routes, a refused session is a 401
 *   }
 * });
 * ```
 */
export function getSession<P extends JSONObject = JSONObject>(
  req: AnyRequest,
  res: AnyResponse,
  options: VerifySessionOptions & { sessionRequired: false },
  userContext?: UserContext,
): Promise<SessionContainer<P> | undefined>;
/** Verifies the request's session; `options` true/false turns the anti-CSRF check on/off (as in the seeds). */
export function getSession<P extends JSONObject = JSONObject>(
  req: AnyRequest,
  res: AnyResponse,
  options?: boolean | VerifySessionOptions,
  userContext?: UserContext,
): Promise<SessionContainer<P>>;
/** Verifies an access token without a request (the seeds' form): `getSession(accessToken, antiCsrfToken)`. */
export function getSession<P extends JSONObject = JSONObject>(
  accessToken: string,
  antiCsrfToken?: string,
): Promise<SessionContainer<P>>;
export async function getSession<P extends JSONObject = JSONObject>(
  reqOrToken: AnyRequest | string,
  resOrAntiCsrf?: AnyResponse | string,
  options?: GetSessionOptions,
  userContext: UserContext = {},
): Promise<SessionContainer<P> | undefined> {
  if (typeof reqOrToken === "string") {
    return getSessionWithoutRequestResponse<P>(
      reqOrToken,
      typeof resOrAntiCsrf === "string" ? resOrAntiCsrf : undefined,
    );
  }
  if (resOrAntiCsrf === undefined || typeof resOrAntiCsrf === "string") {
    throw new LatchkeyError("BAD_INPUT_ERROR", "getSession(req, res, options) needs the response too");
  }
  const recipe = SessionRecipe.getInstanceOrThrow();
  const session = await getSessionFromRequest(
    recipe.recipeInterfaceImpl,
    recipe.config,
    () => recipe.getContributedClaims(),
    toBaseRequest(reqOrToken),
    toBaseResponse(resOrAntiCsrf),
    options,
    userContext,
  ).catch(rethrowWithErrorHandlerHint);
  return session === undefined ? undefined : typed<P>(session);
}

/**
 * Verifies an access token you carried yourself; no database call unless blacklisting is on.
 *
 * @example
 * ```ts
 * const session = await Session.getSessionWithoutRequestResponse(accessToken); // throws Session.Error when refused
 * console.log(session.getUserId(), session.getAccessTokenPayload());
 * ```
 */
export async function getSessionWithoutRequestResponse<P extends JSONObject = JSONObject>(
  accessToken: string,
  antiCsrfToken?: string,
  options: VerifySessionOptions = {},
  userContext: UserContext = {},
): Promise<SessionContainer<P>> {
  const recipe = SessionRecipe.getInstanceOrThrow();
  const session = await recipe.recipeInterfaceImpl.getSession({
    accessToken,
    antiCsrfToken,
    options: { antiCsrfCheck: options.antiCsrfCheck ?? true, sessionRequired: true },
    userContext,
  });
  if (session === undefined) throw new SessionError("UNAUTHORISED", "Session does not exist", { clearTokens: true });
  // The same claim checks as a request gets; a refreshed claim is in session.getAllSessionTokensDangerously().
  const checking = assertGlobalClaims(session, recipe.getContributedClaims().validators, options, userContext);
  if (checking !== undefined) await checking;
  return typed<P>(session);
}

/**
 * Rotates the request's refresh token and writes the new tokens to the response.
 *
 * @example
 * ```ts
 * app.post("/my-refresh", async (req, res, next) => {
 *   try { await Session.refreshSession(req, res); res.json({ ok: true }); } catch (err) { next(err); }
 * }); // middleware() already serves POST /auth/session/refresh
 * ```
 */
export function refreshSession(
  req: AnyRequest,
  res: AnyResponse,
  userContext: UserContext = {},
): Promise<SessionContainer> {
  const recipe = SessionRecipe.getInstanceOrThrow();
  return refreshSessionFromRequest(
    recipe.recipeInterfaceImpl,
    recipe.config,
    toBaseRequest(req),
    toBaseResponse(res),
    userContext,
  ).catch(rethrowWithErrorHandlerHint);
}

/**
 * Rotates a refresh token you carried yourself.
 *
 * @example
 * ```ts
 * const session = await Session.refreshSessionWithoutRequestResponse(refreshToken);
 * const tokens = session.getAllSessionTokensDangerously(); // the new access and refresh tokens
 * ```
 */
export function refreshSessionWithoutRequestResponse(
  refreshToken: string,
  antiCsrfToken?: string,
  disableAntiCsrf = false,
  userContext: UserContext = {},
): Promise<SessionContainer> {
  return impl().refreshSession({ refreshToken, antiCsrfToken, disableAntiCsrf, userContext });
}

/**
 * Deletes a session; false when there was none.
 *
 * @example
 * ```ts
 * const existed = await Session.revokeSession(sessionHandle);
 * ```
 */
export function revokeSession(sessionHandle: string, userContext: UserContext = {}): Promise<boolean> {
  return impl().revokeSession({ sessionHandle, userContext });
}

/**
 * Deletes every session of the user (in `tenantId`, or in every tenant when it is left out); returns their handles.
 *
 * @example
 * ```ts
 * const revoked = await Session.revokeAllSessionsForUser(userId); // e.g. after a password change
 * ```
 */
export function revokeAllSessionsForUser(
  userId: string,
  userContext: UserContext = {},
  tenantId?: string,
): Promise<string[]> {
  return impl().revokeAllSessionsForUser({ userId, tenantId, userContext });
}

/**
 * Deletes these sessions; returns the handles that existed.
 *
 * @example
 * ```ts
 * // Sign the user out everywhere but here.
 * const handles = await Session.getAllSessionHandlesForUser(session.getUserId());
 * await Session.revokeMultipleSessions(handles.filter((h) => h !== session.getHandle()));
 * ```
 */
export function revokeMultipleSessions(sessionHandles: string[], userContext: UserContext = {}): Promise<string[]> {
  return impl().revokeMultipleSessions({ sessionHandles, userContext });
}

/**
 * Handles of the user's live sessions (in `tenantId`, or in every tenant when it is left out).
 *
 * @example
 * ```ts
 * for (const handle of await Session.getAllSessionHandlesForUser(userId)) {
 *   const info = await Session.getSessionInformation(handle);
 *   console.log(handle, info && new Date(info.timeCreated));
 * }
 * ```
 */
export function getAllSessionHandlesForUser(
  userId: string,
  userContext: UserContext = {},
  tenantId?: string,
): Promise<string[]> {
  return impl().getAllSessionHandlesForUser({ userId, tenantId, userContext });
}

/**
 * The session's private data (one query); UNAUTHORISED if the session does not exist.
 *
 * @example
 * ```ts
 * const data = await Session.getSessionData(session.getHandle());
 * ```
 */
export function getSessionData(sessionHandle: string, userContext: UserContext = {}): Promise<JSONObject> {
  return impl().getSessionData({ sessionHandle, userContext });
}

/**
 * Replaces the session's private data (one query; last write wins).
 *
 * @example
 * ```ts
 * await Session.updateSessionData(session.getHandle(), { cart: ["sku-1"] });
 * ```
 */
export function updateSessionData(
  sessionHandle: string,
  newSessionData: JSONObject,
  userContext: UserContext = {},
): Promise<void> {
  return impl().updateSessionData({ sessionHandle, newSessionData, userContext });
}

/**
 * The session's stored access token payload (one query).
 *
 * @example
 * ```ts
 * const payload = await Session.getJWTPayload(sessionHandle); // the stored payload, e.g. { role: "admin" }
 * ```
 */
export function getJWTPayload(sessionHandle: string, userContext: UserContext = {}): Promise<JSONObject> {
  return impl().getJWTPayload({ sessionHandle, userContext });
}

/**
 * Replaces the stored payload (recipe-managed claims are kept); access tokens from the next refresh carry it.
 *
 * @example
 * ```ts
 * await Session.updateJWTPayload(sessionHandle, { role: "admin" }); // in access tokens from the next refresh
 * ```
 */
export async function updateJWTPayload(
  sessionHandle: string,
  newJWTPayload: JSONObject,
  userContext: UserContext = {},
): Promise<void> {
  const { claims } = SessionRecipe.getInstanceOrThrow().getContributedClaims();
  const current = claims.length === 0 ? {} : await impl().getJWTPayload({ sessionHandle, userContext });
  return impl().updateJWTPayload({
    sessionHandle,
    newJWTPayload: replaceUserKeys(current, newJWTPayload, claims),
    userContext,
  });
}

/**
 * Merges into the stored payload (a key set to null is removed; recipe-managed claims are kept); from the next refresh on.
 *
 * @example
 * ```ts
 * await Session.mergeIntoAccessTokenPayload(sessionHandle, { plan: "pro", trialEnds: null }); // null removes the key
 * ```
 */
export async function mergeIntoAccessTokenPayload(
  sessionHandle: string,
  accessTokenPayloadUpdate: JSONObject,
  userContext: UserContext = {},
): Promise<void> {
  const current = await impl().getJWTPayload({ sessionHandle, userContext });
  const { claims } = SessionRecipe.getInstanceOrThrow().getContributedClaims();
  return impl().updateJWTPayload({
    sessionHandle,
    newJWTPayload: replaceUserKeys(current, mergePayload(current, accessTokenPayloadUpdate), claims),
    userContext,
  });
}

/**
 * Everything the database knows about a session, or undefined.
 *
 * @example
 * ```ts
 * const info = await Session.getSessionInformation(sessionHandle);
 * if (info !== undefined) console.log(info.userId, info.tenantId, new Date(info.expiry));
 * ```
 */
export function getSessionInformation(
  sessionHandle: string,
  userContext: UserContext = {},
): Promise<SessionInformation | undefined> {
  return impl().getSessionInformation({ sessionHandle, userContext });
}

/**
 * The claim's value stored for a session (one query), or undefined.
 *
 * @example
 * ```ts
 * const verified = await Session.getClaimValue(sessionHandle, EmailVerificationClaim); // true, false or undefined
 * ```
 */
export async function getClaimValue<T extends JSONValue>(
  sessionHandle: string,
  claim: SessionClaim<T>,
  userContext: UserContext = {},
): Promise<T | undefined> {
  return claim.getValueFromPayload(await impl().getJWTPayload({ sessionHandle, userContext }));
}

/**
 * Sets the claim's value for a session; access tokens issued from its next refresh carry it.
 *
 * @example
 * ```ts
 * await Session.setClaimValue(sessionHandle, EmailVerificationClaim, true);
 * ```
 */
export async function setClaimValue<T extends JSONValue>(
  sessionHandle: string,
  claim: SessionClaim<T>,
  value: T,
  userContext: UserContext = {},
): Promise<void> {
  const payload = await impl().getJWTPayload({ sessionHandle, userContext });
  await impl().updateJWTPayload({ sessionHandle, newJWTPayload: claim.addToPayload(payload, value), userContext });
}

/**
 * Removes the claim from a session's stored payload.
 *
 * @example
 * ```ts
 * await Session.removeClaim(sessionHandle, UserRoleClaim); // fetched again at the next check that needs it
 * ```
 */
export async function removeClaim<T extends JSONValue>(
  sessionHandle: string,
  claim: SessionClaim<T>,
  userContext: UserContext = {},
): Promise<void> {
  const payload = await impl().getJWTPayload({ sessionHandle, userContext });
  await impl().updateJWTPayload({ sessionHandle, newJWTPayload: claim.removeFromPayload(payload), userContext });
}

/**
 * The public keys that verify access tokens, as a JWKS.
 *
 * @example
 * ```ts
 * app.get("/.well-known/jwks.json", async (_req, res) => {
 *   res.json(await Session.getJWKS()); // for services that verify access tokens themselves
 * });
 * ```
 */
export function getJWKS(): Promise<{ keys: JsonWebKey[] }> {
  return SessionRecipe.getInstanceOrThrow().keys.getJWKS();
}

/** The session recipe's error class (the seeds read `Session.Error.UNAUTHORISED`); isErrorFromAuth is true for every Latchkey error. */
export const Error = SessionError;

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
  mergeIntoAccessTokenPayload,
  getSessionInformation,
  getJWKS,
  getClaimValue,
  setClaimValue,
  removeClaim,
  Error: SessionError,
};

export default Session;
