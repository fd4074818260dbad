import type { JsonWebKey } from "node:crypto";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { OverrideInput } from "../../lib/override";
import type { JSONObject, UserContext } from "../../lib/types";
import type { SessionClaimValidator } from "../../lib/claims";
import type { SessionContainer } from "./sessionContainer";

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
  onTokenTheftDetected?: (sessionHandle: string, userId: string, req: BaseRequest, res: BaseResponse) => Promise<void> | void;
  onInvalidClaim?: (validationErrors: { id: string; reason?: unknown }[], req: BaseRequest, res: BaseResponse) => Promise<void> | void;
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
  getTokenTransferMethod?: (input: { req: BaseRequest; forCreateNewSession: boolean; userContext: UserContext }) => TokenTransferMethod | "any";
  /** Check the database on every getSession so a revoked session stops at once; default false. */
  enableBlacklisting?: boolean;
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
  signingKeyIntervalMs: number;
  signingAlgorithm: SigningAlgorithm;
  errorHandlers: ErrorHandlers;
  refreshTokenPath: string;
}

/** What the database knows about a session. */
export interface SessionInformation {
  sessionHandle: string;
  userId: string;
  sessionData: JSONObject;
  jwtPayload: JSONObject;
  /** Milliseconds since the epoch. */
  timeCreated: number;
  /** When the session ends unless refreshed, in milliseconds since the epoch. */
  expiry: number;
}

/** Options of getSession: `antiCsrfCheck` defaults to true except for GET; `sessionRequired` to true. */
export interface VerifySessionOptions {
  antiCsrfCheck?: boolean;
  sessionRequired?: boolean;
  /** Replaces the claim validators every recipe asks for (e.g. add a role check, or drop email verification). */
  overrideGlobalClaimValidators?: (
    globalValidators: SessionClaimValidator[],
    session: SessionContainer,
    userContext: UserContext,
  ) => Promise<SessionClaimValidator[]> | SessionClaimValidator[];
}

/** The session recipe's overridable functions; each takes one input object with `userContext`. */
export interface RecipeInterface {
  /** Creates a session; with `res`, its tokens are written to the response. */
  createNewSession(input: {
    req?: BaseRequest;
    res?: BaseResponse;
    userId: string;
    jwtPayload: JSONObject;
    sessionData: JSONObject;
    userContext: UserContext;
  }): Promise<SessionContainer>;
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
  /** Deletes every session of the user; returns their handles. */
  revokeAllSessionsForUser(input: { userId: string; userContext: UserContext }): Promise<string[]>;
  /** Handles of the user's live sessions. */
  getAllSessionHandlesForUser(input: { userId: string; userContext: UserContext }): Promise<string[]>;
  /** Deletes these sessions; returns the handles that existed. */
  revokeMultipleSessions(input: { sessionHandles: string[]; userContext: UserContext }): Promise<string[]>;
  /** The session's private data; UNAUTHORISED when the session does not exist. */
  getSessionData(input: { sessionHandle: string; userContext: UserContext }): Promise<JSONObject>;
  /** Replaces the session's private data; UNAUTHORISED when the session does not exist. */
  updateSessionData(input: { sessionHandle: string; newSessionData: JSONObject; userContext: UserContext }): Promise<void>;
  /** The session's access token payload as stored; UNAUTHORISED when the session does not exist. */
  getJWTPayload(input: { sessionHandle: string; userContext: UserContext }): Promise<JSONObject>;
  /** Replaces the stored payload: access tokens issued from now on carry it. UNAUTHORISED when there is no session. */
  updateJWTPayload(input: { sessionHandle: string; newJWTPayload: JSONObject; userContext: UserContext }): Promise<void>;
  /** Everything the database knows about the session, or undefined. */
  getSessionInformation(input: { sessionHandle: string; userContext: UserContext }): Promise<SessionInformation | undefined>;
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
    | ((input: { session: SessionContainer | undefined; options: APIOptions; userContext: UserContext }) => Promise<{ status: "OK" }>);
  jwksGET: undefined | ((input: { options: APIOptions; userContext: UserContext }) => Promise<{ keys: JsonWebKey[] }>);
}
