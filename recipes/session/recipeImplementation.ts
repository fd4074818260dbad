import crypto from "node:crypto";
import { isStorableText } from "../../lib/db/text";
import { badInput } from "../../lib/error";
import { authDecision } from "../../lib/logger";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import { sameSecret, sha256 } from "../../lib/secrets";
import { isTenantId, TENANT_ID_RULE } from "../../lib/tenant";
import type { JSONObject } from "../../lib/types";
import { type AccessTokenCodec, type AccessTokenPayload, assertNoProtectedClaim } from "./accessToken";
import { payloadOf } from "./createSessionInput";
import { tokenTheftDetected, tryRefreshToken, unauthorised } from "./error";
import { ExpiredSessionSweep } from "./expiredSessionSweep";
import { PromotedLineages } from "./promotedTokens";
import {
  decidePromotion,
  decideRefresh,
  firstUseChanges,
  type IssuedLineage,
  type LineageChanges,
  type RefreshDecision,
} from "./refreshLineage";
import { createRefreshToken, hash2, newRefreshTokenSecret, parseRefreshToken } from "./refreshToken";
import { SessionContainer, type SessionHelpers, withoutProtectedKeys } from "./sessionContainer";
import { lineageOf, type SessionRow, type SessionStore } from "./store";
import type { RecipeInterface, SessionInformation, TypeNormalisedInput } from "./types";

/** What refresh did; errors are raised after its write commits (theft must stay revoked). */
type RefreshOutcome =
  | {
      kind: "ok";
      row: SessionRow;
      payload: AccessTokenPayload;
      accessToken: string;
      newRefreshToken: string;
      expiresAt: number;
    }
  | { kind: "gone" }
  | { kind: "forged" }
  | { kind: "csrf" }
  | { kind: "theft"; userId: string };

/** The original implementation of the session recipe's functions. */
export function makeRecipeImplementation(
  store: SessionStore,
  config: TypeNormalisedInput,
  codec: AccessTokenCodec,
  helpers: () => SessionHelpers,
): RecipeInterface {
  const sweep = new ExpiredSessionSweep((now) => store.deleteExpiredSessions(now));
  const promoted = new PromotedLineages();

  async function requireLive(sessionHandle: string): Promise<void> {
    if (await store.isLive(sessionHandle)) return;
    authDecision("unauthorised: the session was revoked (blacklisting)", { sessionHandle });
    throw unauthorised("Session has been revoked", true);
  }

  /**
   * First use of an access token issued by a refresh: the client holds the new refresh token (rth), so it becomes
   * current (see refreshLineage.ts for the rules; this only reads and writes what they decide).
   */
  async function promoteLineage(sessionHandle: string, lineage: IssuedLineage): Promise<void> {
    const now = Date.now();
    const { whenCurrentIs, changes } = firstUseChanges(lineage, now);
    if (await store.promoteIfCurrent(sessionHandle, whenCurrentIs, changes, now)) return;
    const decision = decidePromotion(await store.findLiveLineage(sessionHandle, now), lineage, now);
    if (decision === "gone") {
      authDecision("unauthorised: the session was revoked", { sessionHandle });
      throw unauthorised("Session has been revoked", true);
    }
    if (decision === "settle-sibling") await store.settleSibling(sessionHandle, lineage.prh, lineage.rth, now);
  }

  async function findRow(sessionHandle: string): Promise<SessionRow | undefined> {
    if (typeof sessionHandle !== "string") throw badInput("sessionHandle must be a string");
    return store.findLiveSession(sessionHandle);
  }

  async function requireRow(sessionHandle: string): Promise<SessionRow> {
    const row = await findRow(sessionHandle);
    if (row === undefined) throw unauthorised("Session does not exist", true);
    return row;
  }

  function accessPayload(
    row: Pick<SessionRow, "user_id" | "session_handle" | "anti_csrf_token" | "tenant_id">,
    up: JSONObject,
    lineage?: IssuedLineage,
  ): AccessTokenPayload {
    const iat = Math.floor(Date.now() / 1000);
    return {
      sub: row.user_id,
      sessionHandle: row.session_handle,
      tId: row.tenant_id,
      iss: config.issuer,
      iat,
      exp: iat + config.accessTokenValidityMs / 1000,
      up,
      ...(row.anti_csrf_token !== null ? { antiCsrfToken: row.anti_csrf_token } : {}),
      ...(lineage ?? {}),
    };
  }

  return {
    async createNewSession(input) {
      const { userId, sessionData, userContext } = input;
      const tenantId = input.tenantId ?? DEFAULT_TENANT_ID;
      // NUL cannot be stored by PostgreSQL and an unpaired surrogate is stored as U+FFFD: refused, not a 500 or a mix-up.
      if (typeof userId !== "string" || userId === "" || userId.length > 128 || !isStorableText(userId)) {
        throw badInput("userId must be a non-empty string of at most 128 characters, valid Unicode without NUL");
      }
      if (!isTenantId(tenantId)) throw badInput(TENANT_ID_RULE);
      const { claims } = helpers().getContributedClaims();
      // Keys of recipe-managed claims cannot come from the caller; the claims' own values are built here.
      let up = withoutProtectedKeys(userPayload("jwtPayload", payloadOf(input)), claims);
      for (const claim of claims) up = { ...up, ...(await claim.build(userId, userContext, tenantId)) };
      const data = jsonObject("sessionData", sessionData);
      const now = Date.now();
      const row: SessionRow = {
        session_handle: crypto.randomUUID(),
        user_id: userId,
        tenant_id: tenantId,
        refresh_token_hash2: "",
        previous_refresh_token_hash2: null,
        refresh_token_updated_at: now,
        refresh_token_secret: newRefreshTokenSecret(),
        session_data: JSON.stringify(data),
        jwt_payload: JSON.stringify(up),
        // Every session gets one under VIA_TOKEN, whatever the transfer method now, so the check can fail closed.
        anti_csrf_token: config.antiCsrf === "VIA_TOKEN" ? crypto.randomBytes(24).toString("base64url") : null,
        created_at: now,
        expires_at: now + config.refreshTokenValidityMs,
      };
      const refreshToken = createRefreshToken(row.session_handle, undefined, row.refresh_token_secret);
      row.refresh_token_hash2 = hash2(refreshToken);
      const payload = accessPayload(row, up);
      const sign = await codec.signer();
      // The insert is sent first and the signature made on the thread pool while it is in flight; the token is only
      // handed out once the row is written (a failed insert or signature fails the whole call).
      const [, accessToken] = await writeThenSign(
        (sent) => store.insertSession(row, sent),
        () => sign(payload),
      );
      await sweep.maybeSweep(now);
      return new SessionContainer(
        helpers(),
        {
          accessToken,
          payload,
          refreshToken: { value: refreshToken, expiry: Number(row.expires_at) },
          ...(row.anti_csrf_token !== null ? { antiCsrfToken: row.anti_csrf_token } : {}),
        },
        "all",
      );
    },

    async getSession({ accessToken, antiCsrfToken, options }) {
      if (accessToken === undefined) {
        if (options.sessionRequired) {
          authDecision("unauthorised: no access token in the request");
          throw unauthorised("Session does not exist: no access token in the request", false);
        }
        return undefined;
      }
      let payload = await codec.verify(accessToken);
      if (options.antiCsrfCheck && config.antiCsrf === "VIA_TOKEN") {
        // Fails closed: a token without an anti-CSRF value, or a request without the header, does not pass.
        if (
          payload.antiCsrfToken === undefined ||
          antiCsrfToken === undefined ||
          !sameSecret(sha256(antiCsrfToken), sha256(payload.antiCsrfToken))
        ) {
          authDecision("try refresh token: anti-CSRF token missing or wrong", {
            sessionHandle: payload.sessionHandle,
            userId: payload.sub,
          });
          throw tryRefreshToken("anti-csrf check failed");
        }
      }
      if (payload.prh !== undefined && payload.rth !== undefined) {
        // An access token from a refresh keeps its lineage claims and is not signed again: its first use in this
        // process makes the refresh token it came with current (one compare-and-set) and is remembered, so later
        // uses cost neither a query nor a signature.
        const lineageKey = PromotedLineages.key(payload.sessionHandle, payload.rth);
        if (!promoted.has(lineageKey)) {
          await promoteLineage(payload.sessionHandle, { prh: payload.prh, rth: payload.rth });
          promoted.remember(lineageKey);
        } else if (config.enableBlacklisting) {
          await requireLive(payload.sessionHandle);
        }
        const { prh: _p, rth: _r, ...rest } = payload;
        payload = rest;
      } else if (config.enableBlacklisting) {
        await requireLive(payload.sessionHandle);
      }
      return new SessionContainer(helpers(), { accessToken, payload }, "none");
    },

    async refreshSession({ refreshToken, antiCsrfToken, disableAntiCsrf }) {
      const parsed = parseRefreshToken(refreshToken);
      if (parsed === undefined) {
        authDecision(`unauthorised: ${REFRESH_REFUSALS.forged}`);
        throw unauthorised("The refresh token is not valid", true);
      }
      const presentedHash2 = hash2(refreshToken);
      const now = Date.now();
      const sign = await codec.signer();
      const attempt = {
        token: parsed,
        presentedHash2,
        antiCsrf: { check: !disableAntiCsrf && config.antiCsrf === "VIA_TOKEN", presented: antiCsrfToken },
        now,
      };
      /** What this refresh token means for the session as `row` has it; both paths below share the rules. */
      const decide = (row: SessionRow | undefined): RefreshDecision =>
        decideRefresh(row === undefined ? undefined : lineageOf(row), attempt);
      const expiresAt = now + config.refreshTokenValidityMs;
      /**
       * Writes an "ok" decision with `update` (which resolves with the rows it changed), sent first, and signs the
       * new access token on the thread pool while that write is in flight; the token leaves only if the write
       * changed the row.
       */
      const apply = async (
        row: SessionRow,
        changes: LineageChanges,
        update: (changes: LineageChanges, expiresAt: number, sent: () => void) => Promise<number>,
      ): Promise<RefreshOutcome | undefined> => {
        const newRefreshToken = createRefreshToken(row.session_handle, refreshToken, row.refresh_token_secret);
        const payload = accessPayload(row, parseStored(row.jwt_payload), {
          prh: presentedHash2,
          rth: hash2(newRefreshToken),
        });
        const [changed, accessToken] = await writeThenSign(
          (sent) => update(changes, expiresAt, sent),
          () => sign(payload),
        );
        return changed === 1 ? { kind: "ok", row, payload, accessToken, newRefreshToken, expiresAt } : undefined;
      };

      // Fast path, two statements and no transaction: read the row, then write it only if it is still exactly as
      // read (a compare-and-set on every column the decision looked at). Anything else, a lost race or theft,
      // is decided again below under a row lock.
      let outcome: RefreshOutcome | undefined;
      const seen = await store.findSessionForRefresh(parsed.sessionHandle);
      const first = decide(seen);
      if (first.kind === "gone" || first.kind === "forged" || first.kind === "csrf") {
        outcome = first; // nothing to write; the secret and anti-CSRF value of a session never change
      } else if (first.kind === "ok" && seen !== undefined) {
        outcome = await apply(seen, first.changes, (changes, expiry, sent) =>
          store.compareAndSetRefresh(seen, changes, expiry, sent),
        );
      }
      outcome ??= await store.withLockedSession(parsed.sessionHandle, async (locked): Promise<RefreshOutcome> => {
        const { row } = locked;
        const d = decide(row);
        if (d.kind === "gone" || d.kind === "forged" || d.kind === "csrf") return d;
        if (row === undefined) return { kind: "gone" }; // unreachable: without a row the rules say "gone"
        if (d.kind === "theft") {
          await locked.revoke();
          return { kind: "theft", userId: row.user_id };
        }
        const applied = await apply(row, d.changes, (changes, expiry, sent) => {
          const updating = locked.update(changes, expiry).then(() => 1);
          sent(); // knex sends it once the transaction's connection is free: sign beside it
          return updating;
        });
        return applied ?? { kind: "gone" }; // unreachable: apply only returns undefined on a count other than 1
      });
      if (outcome.kind !== "ok") logRefreshRefusal(outcome, parsed.sessionHandle);
      if (outcome.kind === "gone") throw unauthorised("Session does not exist or has expired", true);
      if (outcome.kind === "forged") throw unauthorised("The refresh token is not valid", true);
      if (outcome.kind === "csrf") throw unauthorised("anti-csrf check failed", false);
      if (outcome.kind === "theft")
        throw tokenTheftDetected("Token theft detected: the session was revoked", parsed.sessionHandle, outcome.userId);
      const { row, payload, accessToken, newRefreshToken } = outcome;
      return new SessionContainer(
        helpers(),
        {
          accessToken,
          payload,
          refreshToken: { value: newRefreshToken, expiry: outcome.expiresAt },
          ...(row.anti_csrf_token !== null ? { antiCsrfToken: row.anti_csrf_token } : {}),
        },
        "all",
      );
    },

    async revokeSession({ sessionHandle }) {
      if (typeof sessionHandle !== "string") throw badInput("sessionHandle must be a string");
      return store.deleteSession(sessionHandle);
    },

    async revokeAllSessionsForUser({ userId, tenantId }) {
      // A tenantId no row can hold would be a database error on PostgreSQL (NUL) or match nothing elsewhere.
      if (tenantId !== undefined && !isTenantId(tenantId)) throw badInput(TENANT_ID_RULE);
      return store.deleteSessionsOfUser(userId, tenantId);
    },

    async getAllSessionHandlesForUser({ userId, tenantId }) {
      if (tenantId !== undefined && !isTenantId(tenantId)) throw badInput(TENANT_ID_RULE);
      return store.listLiveHandlesOfUser(userId, tenantId);
    },

    async revokeMultipleSessions({ sessionHandles }) {
      if (!Array.isArray(sessionHandles) || sessionHandles.some((h) => typeof h !== "string")) {
        throw badInput("sessionHandles must be an array of strings");
      }
      if (sessionHandles.length === 0) return [];
      return store.deleteSessions(sessionHandles);
    },

    async getSessionData({ sessionHandle }) {
      return parseStored((await requireRow(sessionHandle)).session_data);
    },

    async updateSessionData({ sessionHandle, newSessionData }) {
      const count = await store.updateSessionData(
        sessionHandle,
        JSON.stringify(jsonObject("sessionData", newSessionData)),
      );
      if (count === 0) throw unauthorised("Session does not exist", true);
    },

    async getJWTPayload({ sessionHandle }) {
      return parseStored((await requireRow(sessionHandle)).jwt_payload);
    },

    async updateJWTPayload({ sessionHandle, newJWTPayload }) {
      const count = await store.updateJWTPayload(
        sessionHandle,
        JSON.stringify(userPayload("jwtPayload", newJWTPayload)),
      );
      if (count === 0) throw unauthorised("Session does not exist", true);
    },

    async getSessionInformation({ sessionHandle }): Promise<SessionInformation | undefined> {
      const row = await findRow(sessionHandle);
      if (row === undefined) return undefined;
      const jwtPayload = parseStored(row.jwt_payload);
      return {
        sessionHandle: row.session_handle,
        userId: row.user_id,
        tenantId: row.tenant_id,
        sessionData: parseStored(row.session_data),
        jwtPayload,
        accessTokenPayload: jwtPayload,
        timeCreated: Number(row.created_at),
        expiry: Number(row.expires_at),
      };
    },
  };
}

/**
 * Runs `write`, starting `sign` the moment the write is on its way (its `sent` callback) or, if the write never
 * says so, once it is done; resolves with both results, and fails if either fails (no token without its row).
 */
async function writeThenSign<W>(
  write: (sent: () => void) => Promise<W>,
  sign: () => Promise<string>,
): Promise<[W, string]> {
  let signing: Promise<string> | undefined;
  const start = (): Promise<string> => (signing ??= sign());
  // A signature started while a failing write was in flight must not surface as an unhandled rejection.
  const written = await write(() => void start().catch(() => undefined));
  return [written, await start()];
}

function jsonObject(field: string, value: unknown): JSONObject {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badInput(`${field} must be a JSON object`);
  // A round trip keeps only what JSON can hold, so what is stored is exactly what will be read back. A BigInt or a
  // cycle cannot make that trip: the caller's mistake, so a typed error naming the field, not a TypeError (a 500).
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    throw badInput(`${field} must be serialisable as JSON (no BigInt values, no cycles)`);
  }
  return JSON.parse(text) as JSONObject;
}

/** A custom access token payload: a JSON object that sets none of the protected claims (refused, naming the key). */
function userPayload(field: string, value: unknown): JSONObject {
  const payload = jsonObject(field, value);
  assertNoProtectedClaim(payload);
  return payload;
}

function parseStored(text: string): JSONObject {
  return JSON.parse(text) as JSONObject;
}

// Why a refresh was refused, as the debug log says it (theft is also a warning: someone replayed a token).
const REFRESH_REFUSALS = {
  gone: "refresh: the session does not exist, has expired or was revoked",
  forged: "refresh: the refresh token is not one this session issued",
  csrf: "refresh: anti-CSRF token missing or wrong",
  theft: "refresh token reused after it was replaced: token theft, the session is revoked",
} as const;

function logRefreshRefusal(outcome: { kind: keyof typeof REFRESH_REFUSALS; userId?: string }, sessionHandle: string) {
  const theft = outcome.kind === "theft";
  authDecision(
    `unauthorised: ${REFRESH_REFUSALS[outcome.kind]}`,
    { sessionHandle, userId: outcome.userId },
    theft ? "warn" : "debug",
  );
}
