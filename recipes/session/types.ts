import type { JsonWebKey } from "node:crypto";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { OverrideInput } from "../../lib/override";
import type { VerifySessionOptions } from "../../lib/seams";
import type { JSONObject, UserContext } from "../../lib/types";
import type { ClaimValidationError } from "./error";
import type { SessionContainer } from "./sessionContainer";

export type { VerifySessionOptions };

/** Where tokens travel: cookies (browsers) or headers (mobile apps, or by the SDK's choice). */
export type TokenTransferMethod = "header" | "cookie";

/** The JWS algorithms Latchkey can sign access tokens with. */
export type SigningAlgorithm = "RS256" | "ES256";

/** How requests in cookie mode prove they are not cross-site forgeries. */
export type AntiCsrfMode = "VIA_TOKEN" | "VIA_CUSTOM_HEADER" | "NONE";

/** Callbacks run when a session error is answered; each may send its own response, otherwise the default is sent. */
export interface ErrorHandlers {
  onUnauthorised?: (message: string, req: BaseRequest, res: BaseResponse) => Promise<void> | void;
  onTryRefreshToken?: (message: string, req: BaseRequest, res: BaseResponse) => Promise<void> | void;
  /** Called after the session was revoked: alert the user, log, etc. */
  onTokenTheftDetected?: (
    sessionHandle: string,
    userId: string,
    req: BaseRequest,
    res: BaseResponse,
  ) => Promise<void> | void;
  onInvalidClaim?: (
    validationErrors: ClaimValidationError[],
    req: BaseRequest,
    res: BaseResponse,
  ) => Promise<void> | void;
}

/** The argument of `Session.init()`; every option is optional. */
export interface TypeInput {
  /** Seconds an access token is valid; default 3600. */
  accessTokenValidity?: number;
  /** Seconds a session lives without a refresh; default 100 days. Each refresh extends it. */
  refreshTokenValidity?: number;
  /** Default: true when apiDomain uses https. */
  cookieSecure?: boolean;
  /** Default: "lax" when the API and the website are on the same site, else "none". */
  cookieSameSite?: "lax" | "strict" | "none";
  cookieDomain?: string;
  /** Status of UNAUTHORISED, TRY_REFRESH_TOKEN and TOKEN_THEFT_DETECTED answers; default 401. */
  sessionExpiredStatusCode?: number;
  /** Status of INVALID_CLAIMS answers; default 403. */
  invalidClaimStatusCode?: number;
  /** Default: VIA_CUSTOM_HEADER when cookieSameSite is "none", else NONE. */
  antiCsrf?: AntiCsrfMode;
  /** Which transfer method a request may use; default: either one for reading, the `st-auth-mode` header for new sessions. */
  getTokenTransferMethod?: (input: {
    req: BaseRequest;
    forCreateNewSession: boolean;
    userContext: UserContext;
  }) => TokenTransferMethod | "any";
  /** Check the database on every getSession so a revoked session stops at once; default false. */
  enableBlacklisting?: boolean;
  /**
   * How many verified access tokens to remember so a token seen again skips its signature check (expiry, key,
   * anti-CSRF, blacklisting and claims are still checked on every request); default 4096, 0 turns it off.
   */
  verifiedTokenCacheSize?: number;
  /** Hours between signing key rotations; default 168 (a week). */
  accessTokenSigningKeyUpdateInterval?: number;
  /** How access tokens are signed: "RS256" (default, what SuperTokens uses) or "ES256" (far faster to sign). */
  accessTokenSigningAlgorithm?: SigningAlgorithm;
  errorHandlers?: ErrorHandlers;
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** TypeInput after validation, with every default filled in. */
export interface TypeNormalisedInput {
  accessTokenValidityMs: number;
  refreshTokenValidityMs: number;
  cookieSecure: boolean;
  cookieSameSite: "lax" | "strict" | "none";
  cookieDomain: string | undefined;
  sessionExpiredStatusCode: number;
  invalidClaimStatusCode: number;
  antiCsrf: AntiCsrfMode;
  getTokenTransferMethod: NonNullable<TypeInput["getTokenTransferMethod"]>;
  enableBlacklisting: boolean;
  verifiedTokenCacheSize: number;
  signingKeyIntervalMs: number;
  signingAlgorithm: SigningAlgorithm;
  errorHandlers: ErrorHandlers;
  refreshTokenPath: string;
  /** The access tokens' `iss` claim: apiDomain + apiBasePath, as supertokens-node writes it. */
  issuer: string;
}

/** What the database knows about a session. */
export interface SessionInformation {
  sessionHandle: string;
  userId: string;
  /** The tenant the session was created in. */
  tenantId: string;
  sessionData: JSONObject;
  jwtPayload: JSONObject;
  /** The same object as `jwtPayload`, under today's SuperTokens name. */
  accessTokenPayload: JSONObject;
  /** Milliseconds since the epoch. */
  timeCreated: number;
  /** When the session ends unless refreshed, in milliseconds since the epoch. */
  expiry: number;
}

/**
 * The input of the overridable createNewSession. `accessTokenPayload` (today's SuperTokens name) and `jwtPayload`
 * (the seeds' name) are one value: on the input the public functions build, setting either sets both.
 */
export interface CreateNewSessionInput {
  userId: string;
  jwtPayload: JSONObject;
  accessTokenPayload?: JSONObject;
  sessionData: JSONObject;
  tenantId: string;
  userContext: UserContext;
}

/** The session recipe's overridable functions; each takes one input object with `userContext`. */
export interface RecipeInterface {
  /** Creates a session (its row and tokens); the request layer writes the tokens to a response. */
  createNewSession(input: CreateNewSessionInput): Promise<SessionContainer>;
  /** Verifies an access token (no database call unless blacklisting is on or the token is fresh from a refresh). */
  getSession(input: {
    accessToken: string | undefined;
    antiCsrfToken: string | undefined;
    options: { antiCsrfCheck: boolean; sessionRequired: boolean };
    userContext: UserContext;
  }): Promise<SessionContainer | undefined>;
  /** Rotates the refresh token; reuse of a replaced one is TOKEN_THEFT_DETECTED. */
  refreshSession(input: {
    refreshToken: string;
    antiCsrfToken: string | undefined;
    disableAntiCsrf: boolean;
    userContext: UserContext;
  }): Promise<SessionContainer>;
  /** Deletes the session; false when there was none. */
  revokeSession(input: { sessionHandle: string; userContext: UserContext }): Promise<boolean>;
  /** Deletes every session of the user (in `tenantId`, or in every tenant when it is undefined); returns their handles. */
  revokeAllSessionsForUser(input: { userId: string; tenantId?: string; userContext: UserContext }): Promise<string[]>;
  /** Handles of the user's live sessions (in `tenantId`, or in every tenant when it is undefined). */
  getAllSessionHandlesForUser(input: {
    userId: string;
    tenantId?: string;
    userContext: UserContext;
  }): Promise<string[]>;
  /** Deletes these sessions; returns the handles that existed. */
  revokeMultipleSessions(input: { sessionHandles: string[]; userContext: UserContext }): Promise<string[]>;
  /** The session's private data; UNAUTHORISED when the session does not exist. */
  getSessionData(input: { sessionHandle: string; userContext: UserContext }): Promise<JSONObject>;
  /** Replaces the session's private data; UNAUTHORISED when the session does not exist. */
  updateSessionData(input: {
    sessionHandle: string;
    newSessionData: JSONObject;
    userContext: UserContext;
  }): Promise<void>;
  /** The session's access token payload as stored; UNAUTHORISED when the session does not exist. */
  getJWTPayload(input: { sessionHandle: string; userContext: UserContext }): Promise<JSONObject>;
  /** Replaces the stored payload: access tokens issued from now on carry it. UNAUTHORISED when there is no session. */
  updateJWTPayload(input: {
    sessionHandle: string;
    newJWTPayload: JSONObject;
    userContext: UserContext;
  }): Promise<void>;
  /** Everything the database knows about the session, or undefined. */
  getSessionInformation(input: {
    sessionHandle: string;
    userContext: UserContext;
  }): Promise<SessionInformation | undefined>;
}

/** What every session API handler is given. */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  config: TypeNormalisedInput;
  req: BaseRequest;
  res: BaseResponse;
}

/** The session recipe's HTTP APIs; set one to undefined to disable its route. */
export interface APIInterface {
  refreshPOST: undefined | ((input: { options: APIOptions; userContext: UserContext }) => Promise<SessionContainer>);
  signOutPOST:
    | undefined
    | ((input: {
        session: SessionContainer | undefined;
        options: APIOptions;
        userContext: UserContext;
      }) => Promise<{ status: "OK" }>);
  jwksGET: undefined | ((input: { options: APIOptions; userContext: UserContext }) => Promise<{ keys: JsonWebKey[] }>);
}
