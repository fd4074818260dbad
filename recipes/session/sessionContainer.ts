import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { assertValidatorList } from "../../lib/claims";
import { authDecision } from "../../lib/logger";
import type { SessionClaimSource, SessionContainerInterface } from "../../lib/seams";
import type { JSONObject, JSONValue, UserContext } from "../../lib/types";
import type { ClaimValidationResult, SessionClaim, SessionClaimValidator } from "../../lib/claims";
import {
  type AccessTokenCodec,
  type AccessTokenPayload,
  assertNoProtectedClaim,
  tenantOf,
  wirePayload,
} from "./accessToken";
import { type ClaimValidationError, invalidClaims, unauthorised } from "./error";
import { buildFrontToken, clearTokens, sendTokens } from "./transfer";
import type { RecipeInterface, TokenTransferMethod, TypeNormalisedInput } from "./types";

/** What a session object needs from its recipe. */
export interface SessionHelpers {
  readonly config: TypeNormalisedInput;
  readonly codec: AccessTokenCodec;
  /** The final (possibly overridden) implementation: the session object's methods go through it. */
  readonly recipeInterfaceImpl: RecipeInterface;
  /** The claims and validators other recipes add to every session (gathered through SessionClaimSources). */
  getContributedClaims(): ReturnType<SessionClaimSource["getSessionClaims"]>;
}

/** A user's new payload with the recipe-managed claims of the current one kept as they are. */
export function replaceUserKeys(
  current: JSONObject,
  newPayload: JSONObject,
  claims: SessionClaim<JSONValue>[],
): JSONObject {
  const kept = Object.fromEntries(
    claims.filter((c) => c.key in current).map((c) => [c.key, current[c.key] as JSONValue]),
  );
  return { ...withoutProtectedKeys(newPayload, claims), ...kept };
}

/** The payload without the keys of the claims recipes manage: users cannot set those directly. */
export function withoutProtectedKeys(payload: JSONObject, claims: SessionClaim<JSONValue>[]): JSONObject {
  const out: JSONObject = { ...payload };
  for (const claim of claims) delete out[claim.key];
  return out;
}

/** The tokens a session object holds. */
export interface SessionTokens {
  accessToken: string;
  payload: AccessTokenPayload;
  refreshToken?: { value: string; expiry: number };
  antiCsrfToken?: string;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === "function";
}

/** Which tokens still have to reach the client. */
type PendingWrite = "all" | "access" | "none";

/** `update` merged into `payload` as SuperTokens merges: keys whose value is null are removed. */
export function mergePayload(payload: JSONObject, update: JSONObject): JSONObject {
  const merged: JSONObject = { ...payload };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * A verified (or new) session: who it belongs to, its payload, and the operations on it. `Payload` types the
 * access token payload (`getSession<MyPayload>(req, res)`); it is the app's own statement about its payload.
 */
export class SessionContainer<Payload extends JSONObject = JSONObject> implements SessionContainerInterface<Payload> {
  private attached: { req: BaseRequest; res: BaseResponse; method: TokenTransferMethod } | undefined;
  private accessTokenUpdated: boolean;

  /** Made by the session recipe; apps get one from createNewSession, getSession or refreshSession. */
  constructor(
    private readonly helpers: SessionHelpers,
    private tokens: SessionTokens,
    private pending: PendingWrite,
  ) {
    this.accessTokenUpdated = pending !== "none";
  }

  /** The user the session belongs to. No database call. */
  getUserId(): string {
    return this.tokens.payload.sub;
  }

  /** The session's constant id. No database call. */
  getHandle(): string {
    return this.tokens.payload.sessionHandle;
  }

  /** The tenant the session belongs to ("public" for tokens issued before tenants existed). No database call. */
  getTenantId(): string {
    return tenantOf(this.tokens.payload);
  }

  /** The payload of the access token this session was verified with (or last issued). No database call. */
  getJWTPayload(): Payload {
    // The app states its payload's type; the token only ever carries the JSON object the app put there.
    return this.tokens.payload.up as Payload;
  }

  /** The same as getJWTPayload(), under today's SuperTokens name. No database call. */
  getAccessTokenPayload(): Payload {
    return this.getJWTPayload();
  }

  /** The current access token. */
  getAccessToken(): string {
    return this.tokens.accessToken;
  }

  /** When the current access token expires, in milliseconds since the epoch. */
  getAccessTokenExpiry(): number {
    return this.tokens.payload.exp * 1000;
  }

  /**
   * Replaces the payload: stored for later refreshes, and a new access token (same expiry) goes on the response.
   * Claims that recipes manage (such as email verification) are kept as they are.
   */
  async updateJWTPayload(newJWTPayload: JSONObject, userContext: UserContext = {}): Promise<void> {
    await this.replacePayload(
      replaceUserKeys(this.getJWTPayload(), newJWTPayload, this.helpers.getContributedClaims().claims),
      userContext,
    );
  }

  /**
   * Merges `accessTokenPayloadUpdate` into the payload (SuperTokens' semantics: a key set to null is removed);
   * recipe-managed claims are kept as they are. Stored, and a new access token goes on the response.
   */
  async mergeIntoAccessTokenPayload(
    accessTokenPayloadUpdate: JSONObject,
    userContext: UserContext = {},
  ): Promise<void> {
    // Refused even as `key: null`: a protected claim is the token's, not the payload's to remove.
    assertNoProtectedClaim(accessTokenPayloadUpdate);
    await this.updateJWTPayload(mergePayload(this.getJWTPayload(), accessTokenPayloadUpdate), userContext);
  }

  /** The claim's value in this session's access token. No database call. */
  getClaimValue<T extends JSONValue>(claim: SessionClaim<T>): T | undefined {
    return claim.getValueFromPayload(this.getJWTPayload());
  }

  /** Sets the claim's value in the session (stored, and a new access token on the response). */
  setClaimValue<T extends JSONValue>(claim: SessionClaim<T>, value: T, userContext: UserContext = {}): Promise<void> {
    return this.replacePayload(claim.addToPayload(this.getJWTPayload(), value), userContext);
  }

  /** Removes the claim from the session. */
  removeClaim<T extends JSONValue>(claim: SessionClaim<T>, userContext: UserContext = {}): Promise<void> {
    return this.replacePayload(claim.removeFromPayload(this.getJWTPayload()), userContext);
  }

  /** Fetches the claim's value now and sets it in the session. */
  async fetchAndSetClaim<T extends JSONValue>(claim: SessionClaim<T>, userContext: UserContext = {}): Promise<void> {
    const value = await claim.fetchValue(this.getUserId(), userContext, this.getTenantId());
    await this.replacePayload(
      value === undefined
        ? claim.removeFromPayload(this.getJWTPayload())
        : claim.addToPayload(this.getJWTPayload(), value),
      userContext,
    );
  }

  /**
   * Checks the validators against the access token payload, fetching first the values that are missing or stale
   * (the refreshed claims go out on the response). Throws INVALID_CLAIMS listing every failed validator.
   */
  async assertClaims(validators: SessionClaimValidator[], userContext: UserContext = {}): Promise<void> {
    assertValidatorList("session.assertClaims validators", validators);
    await this.checkClaims(validators, userContext);
  }

  /**
   * assertClaims for a list the caller has already checked (the request path). While every value is fresh and every
   * validator answers synchronously, as the built-in ones do, it runs without a promise and returns undefined: a
   * route's role check then costs no more than its comparisons.
   * @internal
   */
  checkClaims(validators: readonly SessionClaimValidator[], userContext: UserContext): Promise<void> | undefined {
    const payload: JSONObject = this.getJWTPayload();
    for (const validator of validators) {
      if (validator.shouldRefetch(payload, userContext)) return this.refetchThenValidate(validators, userContext);
    }
    return this.validateAll(payload, validators, userContext);
  }

  // Fetches every missing or stale value (one fetchValue per claim: a refetched claim is fresh for the next
  // validator), stores them with the session's payload and signs the new access token, then validates.
  private async refetchThenValidate(
    validators: readonly SessionClaimValidator[],
    userContext: UserContext,
  ): Promise<void> {
    let payload: JSONObject = this.getJWTPayload();
    let changed = false;
    for (const validator of validators) {
      if (!validator.shouldRefetch(payload, userContext)) continue;
      const value = await validator.claim.fetchValue(this.getUserId(), userContext, this.getTenantId());
      payload =
        value === undefined ? validator.claim.removeFromPayload(payload) : validator.claim.addToPayload(payload, value);
      changed = true;
    }
    if (changed) await this.replacePayload(payload, userContext);
    await this.validateAll(payload, validators, userContext);
  }

  // Synchronous until a validator returns a promise; from there on the rest are awaited in order.
  private validateAll(
    payload: JSONObject,
    validators: readonly SessionClaimValidator[],
    userContext: UserContext,
  ): Promise<void> | undefined {
    const failures: ClaimValidationError[] = [];
    let i = 0;
    for (const validator of validators) {
      const result = validator.validate(payload, userContext);
      if (isPromiseLike(result)) return this.validateRest(payload, validators, userContext, i, result, failures);
      if (!result.isValid) failures.push({ id: validator.id, reason: result.reason });
      i++;
    }
    this.throwIfFailed(failures);
    return undefined;
  }

  private async validateRest(
    payload: JSONObject,
    validators: readonly SessionClaimValidator[],
    userContext: UserContext,
    from: number,
    pending: PromiseLike<ClaimValidationResult>,
    failures: ClaimValidationError[],
  ): Promise<void> {
    for (const [i, validator] of validators.entries()) {
      if (i < from) continue;
      const result = i === from ? await pending : await validator.validate(payload, userContext);
      if (!result.isValid) failures.push({ id: validator.id, reason: result.reason });
    }
    this.throwIfFailed(failures);
  }

  private throwIfFailed(failures: ClaimValidationError[]): void {
    if (failures.length === 0) return;
    const ids = failures.map((f) => f.id).join(", ");
    authDecision(`invalid claims: ${ids} failed`, { sessionHandle: this.getHandle(), userId: this.getUserId() });
    throw invalidClaims(failures);
  }

  private async replacePayload(up: JSONObject, userContext: UserContext): Promise<void> {
    await this.helpers.recipeInterfaceImpl.updateJWTPayload({
      sessionHandle: this.getHandle(),
      newJWTPayload: up,
      userContext,
    });
    const { prh: _prh, rth: _rth, ...rest } = this.tokens.payload;
    const payload: AccessTokenPayload = { ...rest, up };
    this.tokens = { ...this.tokens, accessToken: await this.helpers.codec.sign(payload), payload };
    this.markAccessTokenChanged();
  }

  /** The session's private data from the database (one query); UNAUTHORISED if the session is gone. */
  getSessionData(userContext: UserContext = {}): Promise<JSONObject> {
    return this.helpers.recipeInterfaceImpl.getSessionData({ sessionHandle: this.getHandle(), userContext });
  }

  /** Replaces the session's private data (one query; last write wins); UNAUTHORISED if the session is gone. */
  updateSessionData(newSessionData: JSONObject, userContext: UserContext = {}): Promise<void> {
    return this.helpers.recipeInterfaceImpl.updateSessionData({
      sessionHandle: this.getHandle(),
      newSessionData,
      userContext,
    });
  }

  /** Deletes the session from the database and clears its tokens on the response. */
  async revokeSession(userContext: UserContext = {}): Promise<void> {
    await this.helpers.recipeInterfaceImpl.revokeSession({ sessionHandle: this.getHandle(), userContext });
    this.pending = "none";
    if (this.attached !== undefined) clearTokens(this.attached.res, this.helpers.config);
  }

  /** When the session was created (one query); UNAUTHORISED if the session is gone. */
  async getTimeCreated(userContext: UserContext = {}): Promise<number> {
    return (await this.information(userContext)).timeCreated;
  }

  /** When the session ends unless refreshed (one query); UNAUTHORISED if the session is gone. */
  async getExpiry(userContext: UserContext = {}): Promise<number> {
    return (await this.information(userContext)).expiry;
  }

  /**
   * Every token of the session, for apps that move tokens themselves (no req/res). The refresh token is only there
   * right after a session was created or refreshed.
   */
  getAllSessionTokensDangerously(): {
    accessToken: string;
    refreshToken: string | undefined;
    antiCsrfToken: string | undefined;
    frontToken: string;
    accessAndFrontTokenUpdated: boolean;
  } {
    return {
      accessToken: this.tokens.accessToken,
      refreshToken: this.tokens.refreshToken?.value,
      antiCsrfToken: this.tokens.antiCsrfToken,
      frontToken: this.frontToken(),
      accessAndFrontTokenUpdated: this.accessTokenUpdated,
    };
  }

  /** Binds the session to a request/response; tokens not yet sent are written to the response now. */
  attachToRequestResponse(req: BaseRequest, res: BaseResponse, method: TokenTransferMethod): void {
    this.attached = { req, res, method };
    this.flush();
  }

  /** Seeds' older API: `response.session` is the session itself. */
  get session(): this {
    return this;
  }

  /** Seeds' older API: the session handle. */
  get handle(): string {
    return this.getHandle();
  }

  /** Seeds' older API: the user id. */
  get userId(): string {
    return this.getUserId();
  }

  /** Seeds' older API: the access token payload. */
  get jwtPayload(): Payload {
    return this.getJWTPayload();
  }

  private async information(userContext: UserContext) {
    const info = await this.helpers.recipeInterfaceImpl.getSessionInformation({
      sessionHandle: this.getHandle(),
      userContext,
    });
    if (info === undefined) throw unauthorised("Session does not exist", true);
    return info;
  }

  private markAccessTokenChanged(): void {
    this.accessTokenUpdated = true;
    if (this.pending === "none") this.pending = "access";
    this.flush();
  }

  private frontToken(): string {
    // The whole payload as the token carries it (protected and custom claims), as supertokens-node sends it.
    return buildFrontToken(this.getUserId(), this.getAccessTokenExpiry(), wirePayload(this.tokens.payload));
  }

  private flush(): void {
    if (this.attached === undefined || this.pending === "none") return;
    const all = this.pending === "all";
    sendTokens(this.attached.res, this.helpers.config, this.attached.method, {
      accessToken: this.tokens.accessToken,
      frontToken: this.frontToken(),
      ...(all && this.tokens.refreshToken !== undefined ? { refreshToken: this.tokens.refreshToken } : {}),
      ...(all && this.tokens.antiCsrfToken !== undefined ? { antiCsrfToken: this.tokens.antiCsrfToken } : {}),
    });
    this.pending = "none";
  }
}
