import type { Knex } from "knex";
import crypto from "node:crypto";
import type { Database } from "../../lib/db/database";
import { badInput, LatchkeyError } from "../../lib/error";
import { debugLog } from "../../lib/logger";
import type { JSONObject } from "../../lib/types";
import type { AccessTokenCodec, AccessTokenPayload } from "./accessToken";
import { createRefreshToken, hash2, hasValidMac, newRefreshTokenSecret, parseRefreshToken, sha256 } from "./refreshToken";
import { sameSecret } from "../../lib/secrets";
import { isStorableText } from "../../lib/db/text";
import { SessionContainer, type SessionHelpers, withoutProtectedKeys } from "./sessionContainer";
import type { RecipeInterface, SessionInformation, TokenTransferMethod, TypeNormalisedInput } from "./types";

interface SessionRow {
  session_handle: string;
  user_id: string;
  refresh_token_hash2: string;
  previous_refresh_token_hash2: string | null;
  refresh_token_updated_at: number | string;
  refresh_token_secret: string;
  session_data: string;
  jwt_payload: string;
  anti_csrf_token: string | null;
  created_at: number | string;
  expires_at: number | string;
}

const SWEEP_INTERVAL_MS = 3600_000;


/** What a refresh token means for the session row as read (see refreshSession). */
type Decision =
  | { kind: "ok"; row: SessionRow; changes: Partial<SessionRow> }
  | { kind: "theft"; row: SessionRow }
  | { kind: "gone" }
  | { kind: "forged" }
  | { kind: "csrf" };

/** What refresh did; errors are raised after its write commits (theft must stay revoked). */
type RefreshOutcome =
  | { kind: "ok"; row: SessionRow; payload: AccessTokenPayload; accessToken: string; newRefreshToken: string; expiresAt: number }
  | { kind: "gone" }
  | { kind: "forged" }
  | { kind: "csrf" }
  | { kind: "theft"; userId: string };

/**
 * How long after a refresh token became current its siblings (children of the same parent, issued by parallel
 * refreshes of one client before either was used) are still accepted. Past it, a sibling is theft.
 */
const PARALLEL_REFRESH_WINDOW_MS = 60_000;
// Access tokens from a refresh whose lineage this process already recorded, with their renewed replacement: a
// client that keeps sending the old one costs no query and no signature. Bounded, oldest dropped first.
const PROMOTED_CACHE_LIMIT = 10_000;

/** The original implementation of the session recipe's functions. */
export function makeRecipeImplementation(
  db: Database,
  config: TypeNormalisedInput,
  codec: AccessTokenCodec,
  helpers: () => SessionHelpers,
): RecipeInterface {
  const table = db.table("sessions");
  let nextSweepAt = 0;

  // Sessions that ran out are deleted at most once an hour per process (the index on expires_at keeps it cheap)
  // rather than by a query on every login: on the first session a process creates, then in the background.
  async function sweepExpiredSessions(now: number): Promise<void> {
    if (now < nextSweepAt) return;
    const first = nextSweepAt === 0;
    nextSweepAt = now + SWEEP_INTERVAL_MS;
    const sweep = db.run((knex) => knex(table).where("expires_at", "<=", now).del()).catch((err: unknown) => {
      debugLog(`expired session sweep failed: ${err instanceof Error ? err.message : "unknown error"}`);
    });
    if (first) await sweep;
  }
  // The session's row while it has not run out: every read and write of one session goes through this.
  const liveSession = (knex: Knex, sessionHandle: string, now = Date.now()) =>
    knex(table).where({ session_handle: sessionHandle }).andWhere("expires_at", ">", now);

  const promoted = new Map<string, string>();
  function remember(key: string, token: string): void {
    if (promoted.has(key)) return;
    if (promoted.size >= PROMOTED_CACHE_LIMIT) promoted.delete(promoted.keys().next().value as string);
    promoted.set(key, token);
  }

  async function requireLive(sessionHandle: string): Promise<void> {
    const exists = await db.run((knex) => liveSession(knex, sessionHandle).first("session_handle"));
    if (exists === undefined) throw unauthorised("Session has been revoked", true);
  }

  /**
   * First use of an access token issued by a refresh: the client holds the new refresh token (hash2 rth), so it
   * becomes current. A compare-and-set, so parallel first uses agree; a sibling from a parallel refresh of the same
   * parent is accepted within the window; a later sibling's token stays valid but changes nothing.
   */
  async function promoteLineage(sessionHandle: string, prh: string, rth: string): Promise<void> {
    const now = Date.now();
    const state = await db.run(async (knex) => {
      const live = () => liveSession(knex, sessionHandle, now);
      const moved = await live()
        .andWhere({ refresh_token_hash2: prh })
        .update({ refresh_token_hash2: rth, previous_refresh_token_hash2: prh, refresh_token_updated_at: now });
      if (moved === 1) return "ok";
      const row = await live().first<Pick<SessionRow, "refresh_token_hash2" | "previous_refresh_token_hash2" | "refresh_token_updated_at"> | undefined>(
        "refresh_token_hash2", "previous_refresh_token_hash2", "refresh_token_updated_at",
      );
      if (row === undefined) return "gone";
      const previous = row.previous_refresh_token_hash2;
      if (!sameSecret(row.refresh_token_hash2, rth) && previous !== null && sameSecret(previous, prh) && Number(row.refresh_token_updated_at) > now - PARALLEL_REFRESH_WINDOW_MS) {
        await live().andWhere({ previous_refresh_token_hash2: prh }).update({ refresh_token_hash2: rth });
      }
      return "ok";
    });
    if (state === "gone") throw unauthorised("Session has been revoked", true);
  }

  async function findRow(sessionHandle: string): Promise<SessionRow | undefined> {
    if (typeof sessionHandle !== "string") throw badInput("sessionHandle must be a string");
    return db.run((knex) => liveSession(knex, sessionHandle).first<SessionRow | undefined>());
  }

  async function requireRow(sessionHandle: string): Promise<SessionRow> {
    const row = await findRow(sessionHandle);
    if (row === undefined) throw unauthorised("Session does not exist", true);
    return row;
  }

  async function updateLive(sessionHandle: string, changes: Partial<SessionRow>): Promise<void> {
    const count = await db.run((knex) => liveSession(knex, sessionHandle).update(changes));
    if (count === 0) throw unauthorised("Session does not exist", true);
  }

  function accessPayload(row: Pick<SessionRow, "user_id" | "session_handle" | "anti_csrf_token">, up: JSONObject, lineage?: { prh: string; rth: string }): AccessTokenPayload {
    const iat = Math.floor(Date.now() / 1000);
    return {
      sub: row.user_id,
      sessionHandle: row.session_handle,
      iat,
      exp: iat + config.accessTokenValidityMs / 1000,
      up,
      ...(row.anti_csrf_token !== null ? { antiCsrfToken: row.anti_csrf_token } : {}),
      ...(lineage ?? {}),
    };
  }

  return {
    async createNewSession({ req, res, userId, jwtPayload, sessionData, userContext }) {
      // NUL cannot be stored by PostgreSQL and an unpaired surrogate is stored as U+FFFD: refused, not a 500 or a mix-up.
      if (typeof userId !== "string" || userId === "" || userId.length > 128 || !isStorableText(userId)) {
        throw badInput("userId must be a non-empty string of at most 128 characters, valid Unicode without NUL");
      }
      const { claims } = helpers().getContributedClaims();
      // Keys of recipe-managed claims cannot come from the caller; the claims' own values are built here.
      let up = withoutProtectedKeys(jsonObject("jwtPayload", jwtPayload), claims);
      for (const claim of claims) up = { ...up, ...(await claim.build(userId, userContext)) };
      const data = jsonObject("sessionData", sessionData);
      let method: TokenTransferMethod = "header";
      if (req !== undefined) {
        const chosen = config.getTokenTransferMethod({ req, forCreateNewSession: true, userContext });
        // As SuperTokens does: without an st-auth-mode header, new sessions use headers.
        method = chosen === "any" ? "header" : chosen;
      }
      const now = Date.now();
      const row: SessionRow = {
        session_handle: crypto.randomUUID(),
        user_id: userId,
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
      // The signature (CPU) is made while the insert (a round trip) is in flight; the token is only handed out once
      // the row is written. sign() is synchronous, so a failed insert is awaited before its rejection could go unseen.
      const inserting = db.run((knex) => knex(table).insert(row));
      const accessToken = sign(payload);
      await inserting;
      await sweepExpiredSessions(now);
      const session = new SessionContainer(
        helpers(),
        {
          accessToken,
          payload,
          refreshToken: { value: refreshToken, expiry: Number(row.expires_at) },
          ...(row.anti_csrf_token !== null ? { antiCsrfToken: row.anti_csrf_token } : {}),
        },
        "all",
      );
      if (req !== undefined && res !== undefined) session.attachToRequestResponse(req, res, method);
      return session;
    },

    async getSession({ accessToken, antiCsrfToken, options }) {
      if (accessToken === undefined) {
        if (options.sessionRequired) throw unauthorised("Session does not exist: no access token in the request", false);
        return undefined;
      }
      let payload = await codec.verify(accessToken);
      if (options.antiCsrfCheck && config.antiCsrf === "VIA_TOKEN") {
        // Fails closed: a token without an anti-CSRF value, or a request without the header, does not pass.
        if (payload.antiCsrfToken === undefined || antiCsrfToken === undefined || !sameSecret(sha256(antiCsrfToken), sha256(payload.antiCsrfToken))) {
          throw new LatchkeyError("TRY_REFRESH_TOKEN", "anti-csrf check failed", { fromRecipe: "session" });
        }
      }
      let token = accessToken;
      let pending: "access" | "none" = "none";
      if (payload.prh !== undefined && payload.rth !== undefined) {
        const cacheKey = `${payload.sessionHandle}:${payload.rth}`;
        const cached = promoted.get(cacheKey);
        if (cached === undefined) {
          await promoteLineage(payload.sessionHandle, payload.prh, payload.rth);
        } else if (config.enableBlacklisting) {
          await requireLive(payload.sessionHandle);
        }
        const { prh: _p, rth: _r, ...rest } = payload;
        payload = rest;
        token = cached ?? (await codec.sign(payload));
        remember(cacheKey, token);
        pending = "access";
      } else if (config.enableBlacklisting) {
        await requireLive(payload.sessionHandle);
      }
      return new SessionContainer(helpers(), { accessToken: token, payload }, pending);
    },

    async refreshSession({ refreshToken, antiCsrfToken, disableAntiCsrf }) {
      const parsed = parseRefreshToken(refreshToken);
      if (parsed === undefined) throw unauthorised("The refresh token is not valid", true);
      const presentedHash2 = hash2(refreshToken);
      const now = Date.now();
      const sign = await codec.signer();
      /** What this refresh token means for the session as `row` has it; pure, so both paths below share it. */
      const decide = (row: SessionRow | undefined): Decision => {
        if (row === undefined || Number(row.expires_at) <= now) return { kind: "gone" };
        if (!hasValidMac(parsed, row.refresh_token_secret)) return { kind: "forged" };
        if (!disableAntiCsrf && config.antiCsrf === "VIA_TOKEN") {
          if (row.anti_csrf_token === null || antiCsrfToken === undefined || !sameSecret(sha256(antiCsrfToken), sha256(row.anti_csrf_token))) return { kind: "csrf" };
        }
        const current = row.refresh_token_hash2;
        const previous = row.previous_refresh_token_hash2;
        const parentHash2 = parsed.parentHash1 === undefined ? undefined : sha256(parsed.parentHash1);
        const settling = previous !== null && Number(row.refresh_token_updated_at) > now - PARALLEL_REFRESH_WINDOW_MS;
        if (sameSecret(presentedHash2, current)) {
          // The current token: its child is issued; the database moves on when the child is used.
          return { kind: "ok", row, changes: {} };
        }
        if (parentHash2 !== undefined && sameSecret(parentHash2, current)) {
          // A child of the current token whose access token was never used: the client has it, so it is current now.
          return { kind: "ok", row, changes: { refresh_token_hash2: presentedHash2, previous_refresh_token_hash2: current, refresh_token_updated_at: now } };
        }
        if (settling && parentHash2 !== undefined && sameSecret(parentHash2, previous)) {
          // A sibling of the current token from a parallel refresh of the same parent: this one wins from now on.
          return { kind: "ok", row, changes: { refresh_token_hash2: presentedHash2 } };
        }
        // An issued token that was replaced, and whose replacement was used: two parties hold this session.
        // (The replaced token itself gets no grace period: replaying it right after the victim refreshed is
        // exactly what theft looks like.)
        return { kind: "theft", row };
      };
      const expiresAt = now + config.refreshTokenValidityMs;
      /**
       * Writes an "ok" decision with `update` (which resolves with the rows it changed) and signs the new access
       * token while that write is in flight; the token leaves only if the write changed the row.
       */
      const apply = async (d: Extract<Decision, { kind: "ok" }>, update: (changes: Partial<SessionRow>) => PromiseLike<number>): Promise<RefreshOutcome | undefined> => {
        const updating = Promise.resolve(update({ ...d.changes, expires_at: expiresAt }));
        const newRefreshToken = createRefreshToken(d.row.session_handle, refreshToken, d.row.refresh_token_secret);
        const payload = accessPayload(d.row, parseStored(d.row.jwt_payload), { prh: presentedHash2, rth: hash2(newRefreshToken) });
        const accessToken = sign(payload);
        return (await updating) === 1 ? { kind: "ok", row: d.row, payload, accessToken, newRefreshToken, expiresAt } : undefined;
      };

      // Fast path, two statements and no transaction: read the row, then write it only if it is still exactly as
      // read (a compare-and-set on every column the decision looked at). Anything else, a lost race or theft,
      // is decided again below under a row lock.
      let outcome: RefreshOutcome | undefined;
      const seen = await db.run((knex) => knex(table).where({ session_handle: parsed.sessionHandle }).first<SessionRow | undefined>());
      const first = decide(seen);
      if (first.kind === "gone" || first.kind === "forged" || first.kind === "csrf") {
        outcome = first; // nothing to write; the secret and anti-CSRF value of a session never change
      } else if (first.kind === "ok") {
        const r = first.row;
        outcome = await apply(first, (changes) => db.run((knex) => {
          const q = knex(table).where({
            session_handle: r.session_handle,
            refresh_token_hash2: r.refresh_token_hash2,
            refresh_token_updated_at: r.refresh_token_updated_at,
            expires_at: r.expires_at,
          });
          const unchanged = r.previous_refresh_token_hash2 === null ? q.whereNull("previous_refresh_token_hash2") : q.andWhere({ previous_refresh_token_hash2: r.previous_refresh_token_hash2 });
          return unchanged.update(changes);
        }));
      }
      outcome ??= await db.transaction(async (trx): Promise<RefreshOutcome> => {
        const d = decide(await db.forUpdate(trx(table).where({ session_handle: parsed.sessionHandle })).first<SessionRow | undefined>());
        if (d.kind === "theft") {
          await trx(table).where({ session_handle: d.row.session_handle }).del();
          return { kind: "theft", userId: d.row.user_id };
        }
        if (d.kind !== "ok") return d;
        // The row is locked, so the write lands; its count is not consulted (MySQL counts only rows whose values changed).
        const applied = await apply(d, (changes) => trx(table).where({ session_handle: d.row.session_handle }).update(changes).then(() => 1));
        return applied ?? { kind: "gone" }; // unreachable: apply only returns undefined on a count other than 1
      });
      if (outcome.kind === "gone") throw unauthorised("Session does not exist or has expired", true);
      if (outcome.kind === "forged") throw unauthorised("The refresh token is not valid", true);
      if (outcome.kind === "csrf") throw unauthorised("anti-csrf check failed", false);
      if (outcome.kind === "theft") {
        throw new LatchkeyError("TOKEN_THEFT_DETECTED", "Token theft detected: the session was revoked", {
          fromRecipe: "session",
          payload: { userId: outcome.userId, sessionHandle: parsed.sessionHandle },
        });
      }
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
      return (await db.run((knex) => knex(table).where({ session_handle: sessionHandle }).del())) > 0;
    },

    async revokeAllSessionsForUser({ userId }) {
      return db.transaction(async (trx) => {
        const rows = await db.forUpdate(trx(table).where({ user_id: userId })).select<{ session_handle: string }[]>("session_handle");
        await trx(table).where({ user_id: userId }).del();
        return rows.map((r) => r.session_handle);
      });
    },

    async getAllSessionHandlesForUser({ userId }) {
      const now = Date.now();
      const rows = await db.run((knex) =>
        knex(table).where({ user_id: userId }).andWhere("expires_at", ">", now).select<{ session_handle: string }[]>("session_handle"),
      );
      return rows.map((r) => r.session_handle);
    },

    async revokeMultipleSessions({ sessionHandles }) {
      if (!Array.isArray(sessionHandles) || sessionHandles.some((h) => typeof h !== "string")) {
        throw badInput("sessionHandles must be an array of strings");
      }
      if (sessionHandles.length === 0) return [];
      return db.transaction(async (trx) => {
        const rows = await db.forUpdate(trx(table).whereIn("session_handle", sessionHandles)).select<{ session_handle: string }[]>("session_handle");
        await trx(table).whereIn("session_handle", sessionHandles).del();
        return rows.map((r) => r.session_handle);
      });
    },

    async getSessionData({ sessionHandle }) {
      return parseStored((await requireRow(sessionHandle)).session_data);
    },

    async updateSessionData({ sessionHandle, newSessionData }) {
      await updateLive(sessionHandle, { session_data: JSON.stringify(jsonObject("sessionData", newSessionData)) });
    },

    async getJWTPayload({ sessionHandle }) {
      return parseStored((await requireRow(sessionHandle)).jwt_payload);
    },

    async updateJWTPayload({ sessionHandle, newJWTPayload }) {
      await updateLive(sessionHandle, { jwt_payload: JSON.stringify(jsonObject("jwtPayload", newJWTPayload)) });
    },

    async getSessionInformation({ sessionHandle }): Promise<SessionInformation | undefined> {
      const row = await findRow(sessionHandle);
      if (row === undefined) return undefined;
      return {
        sessionHandle: row.session_handle,
        userId: row.user_id,
        sessionData: parseStored(row.session_data),
        jwtPayload: parseStored(row.jwt_payload),
        timeCreated: Number(row.created_at),
        expiry: Number(row.expires_at),
      };
    },
  };
}

/** UNAUTHORISED from the session recipe; `clearTokens` says whether the answer removes the client's tokens. */
export function unauthorised(message: string, clearTokens: boolean): LatchkeyError {
  return new LatchkeyError("UNAUTHORISED", message, { fromRecipe: "session", payload: { clearTokens } });
}

function jsonObject(field: string, value: unknown): JSONObject {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badInput(`${field} must be a JSON object`);
  // A round trip keeps only what JSON can hold, so what is stored is exactly what will be read back.
  return JSON.parse(JSON.stringify(value)) as JSONObject;
}

function parseStored(text: string): JSONObject {
  return JSON.parse(text) as JSONObject;
}
