import type { BaseRequest, BaseResponse, CookieOptions } from "../../lib/framework/request";
import type { JSONObject } from "../../lib/types";
import type { TokenTransferMethod, TypeNormalisedInput } from "./types";

// Names the SuperTokens frontend SDKs use, so they work unchanged.
const ACCESS_COOKIE = "sAccessToken";
const REFRESH_COOKIE = "sRefreshToken";
const ACCESS_HEADER = "st-access-token";
const REFRESH_HEADER = "st-refresh-token";
const FRONT_TOKEN_HEADER = "front-token";
const ANTI_CSRF_HEADER = "anti-csrf";
// The access token cookie outlives the token: the JWT's exp decides, and the SDK needs the cookie to know a
// session exists and should be refreshed.
const HUNDRED_YEARS_MS = 100 * 365 * 24 * 3600 * 1000;

/** Tokens to write to a response. */
export interface TokensToSend {
  accessToken: string;
  frontToken: string;
  refreshToken?: { value: string; expiry: number };
  antiCsrfToken?: string;
}

/** The front-token header value: base64 of { uid, ate (access token expiry, ms), up (the user's payload) }. */
export function buildFrontToken(userId: string, accessTokenExpiryMs: number, userPayload: JSONObject): string {
  return Buffer.from(JSON.stringify({ uid: userId, ate: accessTokenExpiryMs, up: userPayload })).toString("base64");
}

/**
 * The access token a request carries in the given way, if any. A bearer value that is not shaped like a JWT is
 * someone else's (an API key): it is ignored rather than answered with "try refresh token" forever.
 */
export function readAccessToken(req: BaseRequest, method: TokenTransferMethod): string | undefined {
  if (method === "cookie") return nonEmpty(req.getCookie(ACCESS_COOKIE));
  const token = bearer(req);
  return token !== undefined && token.split(".").length === 3 ? token : undefined;
}

/** The refresh token a request to the refresh route carries in the given way, if any. */
export function readRefreshToken(req: BaseRequest, method: TokenTransferMethod): string | undefined {
  return method === "cookie" ? nonEmpty(req.getCookie(REFRESH_COOKIE)) : bearer(req);
}

/** The anti-csrf request header. */
export function readAntiCsrfHeader(req: BaseRequest): string | undefined {
  return nonEmpty(req.getHeader(ANTI_CSRF_HEADER));
}

/** Writes tokens to the response in the given transfer method. */
export function sendTokens(
  res: BaseResponse,
  config: TypeNormalisedInput,
  method: TokenTransferMethod,
  tokens: TokensToSend,
): void {
  setFrontToken(res, tokens.frontToken);
  setToken(res, config, method, "access", tokens.accessToken, Date.now() + HUNDRED_YEARS_MS);
  if (tokens.refreshToken !== undefined)
    setToken(res, config, method, "refresh", tokens.refreshToken.value, tokens.refreshToken.expiry);
  if (tokens.antiCsrfToken !== undefined && method === "cookie") {
    res.setHeader(ANTI_CSRF_HEADER, tokens.antiCsrfToken);
    exposeHeader(res, ANTI_CSRF_HEADER);
  }
}

/** Removes the session's tokens from the client, in both transfer methods (the client may hold either). */
export function clearTokens(res: BaseResponse, config: TypeNormalisedInput): void {
  for (const method of ["cookie", "header"] as const) {
    setToken(res, config, method, "access", "", 0);
    setToken(res, config, method, "refresh", "", 0);
  }
  setFrontToken(res, "remove");
}

function setToken(
  res: BaseResponse,
  config: TypeNormalisedInput,
  method: TokenTransferMethod,
  kind: "access" | "refresh",
  value: string,
  expires: number,
): void {
  if (method === "header") {
    const name = kind === "access" ? ACCESS_HEADER : REFRESH_HEADER;
    res.setHeader(name, value);
    exposeHeader(res, name);
    return;
  }
  const options: CookieOptions = {
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: config.cookieSameSite,
    path: kind === "access" ? "/" : config.refreshTokenPath,
    expires,
    ...(config.cookieDomain !== undefined ? { domain: config.cookieDomain } : {}),
  };
  res.setCookie(kind === "access" ? ACCESS_COOKIE : REFRESH_COOKIE, value, options);
}

function setFrontToken(res: BaseResponse, value: string): void {
  res.setHeader(FRONT_TOKEN_HEADER, value);
  exposeHeader(res, FRONT_TOKEN_HEADER);
}

function exposeHeader(res: BaseResponse, name: string): void {
  res.setHeader("Access-Control-Expose-Headers", name, true);
}

function bearer(req: BaseRequest): string | undefined {
  const value = req.getHeader("authorization");
  if (value === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
