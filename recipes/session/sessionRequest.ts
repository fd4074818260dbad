import { LatchkeyError } from "../../lib/error";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { UserContext } from "../../lib/types";
import { unauthorised } from "./error";
import type { SessionContainer } from "./sessionContainer";
import { readAccessToken, readAntiCsrfHeader, readRefreshToken } from "./transfer";
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

// Cookies first, as SuperTokens does: an app's own Authorization header (an API key, say) must not shadow the
// session cookie, and a cookie-borne token always gets the anti-CSRF check.
const METHODS: readonly TokenTransferMethod[] = ["cookie", "header"];

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
  await assertGlobalClaims(session, claims().validators, opts, userContext);
  return session;
}

/** Checks the validators every recipe asks for (or the route's replacement list) against the session. */
export async function assertGlobalClaims(
  session: SessionContainer,
  globalValidators: SessionClaimValidator[],
  options: VerifySessionOptions,
  userContext: UserContext,
): Promise<void> {
  const validators =
    options.overrideGlobalClaimValidators === undefined
      ? globalValidators
      : await options.overrideGlobalClaimValidators(globalValidators, session, userContext);
  if (validators.length > 0) await session.assertClaims(validators, userContext);
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
    throw unauthorised("Refresh token not found: is the refresh token sent to this route?", false);
  }
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
