import { assertValidatorList } from "../../lib/claims";
import { configError, LatchkeyError } from "../../lib/error";
import { authDecision } from "../../lib/logger";
import type { SessionContainerInterface } from "../../lib/seams";
import { assertKnownKeys, assertPlainObject } from "../../lib/validate";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { UserContext } from "../../lib/types";
import { unauthorised } from "./error";
import type { SessionContainer } from "./sessionContainer";
import { hasDuplicateTokenCookie, readAccessToken, readAntiCsrfHeader, readRefreshToken } from "./transfer";
import type { SessionClaimValidator } from "../../lib/claims";
import type {
  CreateNewSessionInput,
  RecipeInterface,
  TokenTransferMethod,
  TypeNormalisedInput,
  VerifySessionOptions,
} from "./types";

/** getSession's options as the seeds pass them (a boolean: enableCsrfProtection) or as an object. */
export type GetSessionOptions = VerifySessionOptions | boolean | undefined;

// The Authorization header first, as supertokens-node does: a browser never sends it on its own, while a cookie can
// be planted from a sibling subdomain. A bearer value that is not a JWT (the app's own API key) is not a token of
// ours and does not shadow the cookie (readAccessToken skips it); a cookie-borne token always gets the anti-CSRF check.
const METHODS: readonly TokenTransferMethod[] = ["header", "cookie"];

const DUPLICATE_COOKIES =
  "The request carries the session cookie more than once (set from another subdomain, or an older cookieDomain); refused";

/** Finds the token of the given kind in the first transfer method the config allows that carries one. */
function findToken(
  req: BaseRequest,
  config: TypeNormalisedInput,
  userContext: UserContext,
  read: (req: BaseRequest, method: TokenTransferMethod) => string | undefined,
): { method: TokenTransferMethod; token: string } | undefined {
  const allowed = config.getTokenTransferMethod({ req, forCreateNewSession: false, userContext });
  for (const method of METHODS) {
    if (allowed !== "any" && allowed !== method) continue;
    const token = read(req, method);
    if (token !== undefined) return { method, token };
  }
  return undefined;
}

/** Cookies are sent by the browser on cross-site requests too; VIA_CUSTOM_HEADER asks for a header a form cannot set. */
function checkCustomHeader(req: BaseRequest, config: TypeNormalisedInput, method: TokenTransferMethod): void {
  if (method === "cookie" && config.antiCsrf === "VIA_CUSTOM_HEADER" && req.getHeader("rid") === undefined) {
    authDecision("unauthorised: anti-CSRF rid header missing on a cookie request");
    throw unauthorised("anti-csrf check failed: send the rid header with cookie-based requests", false);
  }
}

/** Verifies the session a request carries and binds it to the response (a renewed access token is written there). */
export async function getSessionFromRequest(
  impl: RecipeInterface,
  config: TypeNormalisedInput,
  claims: () => { validators: SessionClaimValidator[] },
  req: BaseRequest,
  res: BaseResponse,
  options: GetSessionOptions,
  userContext: UserContext,
): Promise<SessionContainer | undefined> {
  const opts = typeof options === "boolean" ? { antiCsrfCheck: options } : (options ?? {});
  if (typeof opts !== "object")
    throw new LatchkeyError("BAD_INPUT_ERROR", "getSession options must be a boolean or an object");
  const sessionRequired = opts.sessionRequired ?? true;
  const found = findToken(req, config, userContext, readAccessToken);
  if (found?.method === "cookie" && hasDuplicateTokenCookie(req, "access")) {
    // Neither of the two: an optional session is then no session, a required one a 401 (tokens kept, since
    // clearing ours would leave the planted cookie alone in the browser).
    if (!sessionRequired) return undefined;
    throw unauthorised(DUPLICATE_COOKIES, false);
  }
  // Header-borne tokens are never sent by a browser on its own, so they need no anti-CSRF check.
  let antiCsrfCheck = found?.method === "cookie" && (opts.antiCsrfCheck ?? req.getMethod() !== "get");
  if (found !== undefined && antiCsrfCheck) {
    checkCustomHeader(req, config, found.method);
    antiCsrfCheck = config.antiCsrf === "VIA_TOKEN";
  }
  const session = await impl.getSession({
    accessToken: found?.token,
    antiCsrfToken: readAntiCsrfHeader(req),
    options: { antiCsrfCheck, sessionRequired },
    userContext,
  });
  if (session === undefined || found === undefined) return session;
  session.attachToRequestResponse(req, res, found.method);
  const checking = assertGlobalClaims(session, claims().validators, opts, userContext);
  if (checking !== undefined) await checking;
  return session;
}

/**
 * Checks the validators every recipe asks for (or the route's replacement list) against the session. Returns
 * undefined when it finished without waiting (every value fresh, every validator synchronous: a request's usual
 * case, so the route pays no promise for its role check), else the promise of the rest.
 */
export function assertGlobalClaims(
  session: SessionContainer,
  globalValidators: readonly SessionClaimValidator[],
  options: VerifySessionOptions,
  userContext: UserContext,
): Promise<void> | undefined {
  const override = options.overrideGlobalClaimValidators;
  if (override === undefined) {
    return globalValidators.length === 0 ? undefined : session.checkClaims(globalValidators, userContext);
  }
  // A copy: an override that pushes onto its argument must not grow the recipes' own list.
  const chosen = override(globalValidators.slice(), session, userContext);
  return chosen instanceof Promise
    ? chosen.then((list) => checkChosen(session, list, userContext))
    : checkChosen(session, chosen, userContext);
}

function checkChosen(session: SessionContainer, chosen: unknown, userContext: UserContext): Promise<void> | undefined {
  const validators = assertValidatorList("verifySession options.overrideGlobalClaimValidators() result", chosen);
  return validators.length === 0 ? undefined : session.checkClaims(validators, userContext);
}

// A session for the start-up trial of overrideGlobalClaimValidators: reading it at all means the list depends on the
// session, so the trial stops and the list is checked per request instead.
const NO_SESSION_YET = Symbol("no session yet");
const probeSession = new Proxy({} as SessionContainerInterface, {
  get: () => {
    throw NO_SESSION_YET;
  },
});

/**
 * Checks verifySession()'s options when the middleware is made, so a mistake fails at start-up as INVALID_CONFIG
 * rather than once per request: the option types, and the validators overrideGlobalClaimValidators returns when it
 * returns them without looking at the session (the usual `(globals) => [...globals, X.validators.isTrue()]`).
 */
export function checkVerifySessionOptions(
  where: string,
  options: unknown,
  globalValidators: () => SessionClaimValidator[] | undefined,
): VerifySessionOptions | undefined {
  if (options === undefined) return undefined;
  assertPlainObject(where, options);
  assertKnownKeys(where, options, ["antiCsrfCheck", "sessionRequired", "overrideGlobalClaimValidators"]);
  for (const key of ["antiCsrfCheck", "sessionRequired"] as const)
    if (options[key] !== undefined && typeof options[key] !== "boolean")
      throw configError(`${where}.${key}`, "must be a boolean");
  const override = options.overrideGlobalClaimValidators;
  if (override === undefined) return options as VerifySessionOptions;
  if (typeof override !== "function")
    throw configError(
      `${where}.overrideGlobalClaimValidators`,
      "must be a function (globalValidators, session, userContext) => validators",
    );
  // The trial needs the real global validators (a function may index them); before init there are none to give.
  const globals = globalValidators();
  if (globals === undefined) return options as VerifySessionOptions;
  let trial: unknown;
  try {
    trial = (override as (...args: unknown[]) => unknown)([...globals], probeSession, {});
  } catch {
    // It needs the session (or fails on its own): the list it returns is checked on each request instead.
    return options as VerifySessionOptions;
  }
  if (trial instanceof Promise) {
    // Asynchronous: checked per request (its rejection here is the trial's, not the app's).
    trial.catch(() => undefined);
    return options as VerifySessionOptions;
  }
  assertValidatorList(`${where}.overrideGlobalClaimValidators() result`, trial);
  return options as VerifySessionOptions;
}

/** Rotates the refresh token the request carries and writes the new tokens to the response. */
export async function refreshSessionFromRequest(
  impl: RecipeInterface,
  config: TypeNormalisedInput,
  req: BaseRequest,
  res: BaseResponse,
  userContext: UserContext,
): Promise<SessionContainer> {
  const found = findToken(req, config, userContext, readRefreshToken);
  if (found === undefined) {
    // Not clearing: the refresh cookie may simply not have been sent to this path; clearing would log the user out.
    authDecision("unauthorised: refresh without a refresh token (is it sent to this path?)");
    throw unauthorised("Refresh token not found: is the refresh token sent to this route?", false);
  }
  // Either duplicate refuses the refresh: a second refresh cookie could rotate into the planter's session, and a
  // second access cookie would refuse every request after it, so refreshing would only loop.
  if (found.method === "cookie" && (hasDuplicateTokenCookie(req, "refresh") || hasDuplicateTokenCookie(req, "access")))
    throw unauthorised(DUPLICATE_COOKIES, false);
  checkCustomHeader(req, config, found.method);
  const session = await impl.refreshSession({
    refreshToken: found.token,
    antiCsrfToken: readAntiCsrfHeader(req),
    disableAntiCsrf: found.method === "header",
    userContext,
  });
  session.attachToRequestResponse(req, res, found.method);
  return session;
}

/**
 * Creates a session through the (overridable) createNewSession and writes its tokens to the response, in the
 * transfer method the config picks for new sessions (chosen first: a failing choice creates no session).
 */
export async function createNewSessionOnResponse(
  impl: RecipeInterface,
  config: TypeNormalisedInput,
  req: BaseRequest,
  res: BaseResponse,
  input: CreateNewSessionInput,
): Promise<SessionContainer> {
  const chosen = config.getTokenTransferMethod({ req, forCreateNewSession: true, userContext: input.userContext });
  // As SuperTokens does: without an st-auth-mode header, new sessions use headers.
  const method: TokenTransferMethod = chosen === "any" ? "header" : chosen;
  const session = await impl.createNewSession(input);
  session.attachToRequestResponse(req, res, method);
  return session;
}
