// The session recipe's storage: the only file of the recipe that builds SQL. Named queries over the sessions table
// and the signing keys table; the decisions over them live in recipeImplementation.ts and refreshLineage.ts.
import type { Knex } from "knex";
import type { Database, DbTransaction } from "../../lib/db/database";
import type { LineageChanges, LineageState } from "./refreshLineage";

/** A row of the sessions table, as the database returns it (bigints may come back as strings). */
export interface SessionRow {
  session_handle: string;
  user_id: string;
  tenant_id: string;
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

/** A row of the signing keys table. */
export interface KeyRow {
  slot: string;
  kid: string;
  algorithm: string;
  public_key: string;
  private_key: string;
  created_at?: number | string;
  sign_until: number | string;
  verify_until: number | string;
}

/** The lineage columns of a row, as the pure rules read them. */
export function lineageOf(row: SessionRow): LineageState {
  return {
    refreshTokenHash2: row.refresh_token_hash2,
    previousRefreshTokenHash2: row.previous_refresh_token_hash2,
    refreshTokenUpdatedAt: Number(row.refresh_token_updated_at),
    expiresAt: Number(row.expires_at),
    refreshTokenSecret: row.refresh_token_secret,
    antiCsrfToken: row.anti_csrf_token,
  };
}

/** The columns a lineage change writes, plus the session's new expiry. */
function lineageColumns(changes: LineageChanges, expiresAt?: number): Partial<SessionRow> {
  return {
    ...(changes.refreshTokenHash2 !== undefined ? { refresh_token_hash2: changes.refreshTokenHash2 } : {}),
    ...(changes.previousRefreshTokenHash2 !== undefined
      ? { previous_refresh_token_hash2: changes.previousRefreshTokenHash2 }
      : {}),
    ...(changes.refreshTokenUpdatedAt !== undefined ? { refresh_token_updated_at: changes.refreshTokenUpdatedAt } : {}),
    ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
  };
}

/** A session row read under a row lock, with the writes allowed while the lock is held. */
export interface LockedSession {
  row: SessionRow | undefined;
  /** Writes a lineage change and the new expiry to the locked row. */
  update(changes: LineageChanges, expiresAt: number): Promise<void>;
  /** Deletes the locked row (theft). */
  revoke(): Promise<void>;
}

// The columns of a session row, in the order the prepared insert binds them.
const SESSION_COLUMNS = [
  "session_handle",
  "user_id",
  "tenant_id",
  "refresh_token_hash2",
  "previous_refresh_token_hash2",
  "refresh_token_updated_at",
  "refresh_token_secret",
  "session_data",
  "jwt_payload",
  "anti_csrf_token",
  "created_at",
  "expires_at",
] as const satisfies readonly (keyof SessionRow)[];

// A lineage write: each column given a value, or left as it is (null: coalesce keeps the column).
const SET_LINEAGE =
  "refresh_token_hash2 = coalesce(?, refresh_token_hash2), " +
  "previous_refresh_token_hash2 = coalesce(?, previous_refresh_token_hash2), " +
  "refresh_token_updated_at = coalesce(?, refresh_token_updated_at)";

function lineageParams(changes: LineageChanges): (string | number | null)[] {
  return [
    changes.refreshTokenHash2 ?? null,
    changes.previousRefreshTokenHash2 ?? null,
    changes.refreshTokenUpdatedAt ?? null,
  ];
}

/** The hot statements (refresh, first use, blacklisting check, creation), as SQL prepared once per connection. */
function hotStatements(sessions: string) {
  return {
    insert: `insert into ${sessions} (${SESSION_COLUMNS.join(", ")}) values (${SESSION_COLUMNS.map(() => "?").join(", ")})`,
    // Named columns, not *: a statement prepared on a pooled connection must keep its result's shape when another
    // process's migration adds a column (PostgreSQL: "cached plan must not change result type").
    findForRefresh: `select ${SESSION_COLUMNS.join(", ")} from ${sessions} where session_handle = ?`,
    isLive: `select session_handle from ${sessions} where session_handle = ? and expires_at > ?`,
    // Compare-and-set on every column a refresh decision read; two texts, as "= null" never matches.
    compareAndSet: (previousIsNull: boolean) =>
      `update ${sessions} set ${SET_LINEAGE}, expires_at = ? where session_handle = ? and refresh_token_hash2 = ? ` +
      `and refresh_token_updated_at = ? and expires_at = ? and previous_refresh_token_hash2 ${previousIsNull ? "is null" : "= ?"}`,
    promote: `update ${sessions} set ${SET_LINEAGE} where session_handle = ? and expires_at > ? and refresh_token_hash2 = ?`,
  };
}

/** Named queries over the session recipe's tables. */
export class SessionStore {
  private hot: ReturnType<typeof hotStatements> | undefined;

  /** A store on the app's database (table names carry its prefix). */
  constructor(private readonly db: Database) {}

  private get sessions(): string {
    return this.db.table("sessions");
  }

  private get sql(): ReturnType<typeof hotStatements> {
    return (this.hot ??= hotStatements(this.db.quotedTable("sessions")));
  }

  // The session's row while it has not run out: every read and write of one live session goes through this.
  private live(knex: Knex, sessionHandle: string, now: number) {
    return knex(this.sessions).where({ session_handle: sessionHandle }).andWhere("expires_at", ">", now);
  }

  /** Inserts a new session; `sent` is called once the insert is on its way to the database. */
  async insertSession(row: SessionRow, sent?: () => void): Promise<void> {
    await this.db.prepared(
      this.sql.insert,
      SESSION_COLUMNS.map((column) => row[column]),
      "insert",
      sent,
    );
  }

  /** The session's row while it has not run out. */
  findLiveSession(sessionHandle: string, now = Date.now()): Promise<SessionRow | undefined> {
    return this.db.run((knex) => this.live(knex, sessionHandle, now).first<SessionRow | undefined>());
  }

  /** True while the session exists and has not run out (one indexed read). */
  async isLive(sessionHandle: string, now = Date.now()): Promise<boolean> {
    return (await this.db.prepared(this.sql.isLive, [sessionHandle, now], "select")).rows.length > 0;
  }

  /** Replaces a live session's private data; the number of rows changed. */
  updateSessionData(sessionHandle: string, sessionDataJson: string, now = Date.now()): Promise<number> {
    return this.db.run((knex) => this.live(knex, sessionHandle, now).update({ session_data: sessionDataJson }));
  }

  /** Replaces a live session's stored access token payload; the number of rows changed. */
  updateJWTPayload(sessionHandle: string, jwtPayloadJson: string, now = Date.now()): Promise<number> {
    return this.db.run((knex) => this.live(knex, sessionHandle, now).update({ jwt_payload: jwtPayloadJson }));
  }

  /** The session's row whatever its expiry (the refresh rules decide about expiry themselves). */
  async findSessionForRefresh(sessionHandle: string): Promise<SessionRow | undefined> {
    return (await this.db.prepared<SessionRow>(this.sql.findForRefresh, [sessionHandle], "select")).rows[0];
  }

  /**
   * Writes a refresh's lineage change only if the row is still exactly as `seen` (every column the decision looked
   * at); the number of rows changed (0: the row moved on, decide again under a lock).
   */
  async compareAndSetRefresh(
    seen: SessionRow,
    changes: LineageChanges,
    expiresAt: number,
    sent?: () => void,
  ): Promise<number> {
    const previous = seen.previous_refresh_token_hash2;
    const params = [
      ...lineageParams(changes),
      expiresAt,
      seen.session_handle,
      seen.refresh_token_hash2,
      seen.refresh_token_updated_at,
      seen.expires_at,
      ...(previous === null ? [] : [previous]),
    ];
    return (await this.db.prepared(this.sql.compareAndSet(previous === null), params, "update", sent)).changed;
  }

  /** Runs `fn` in a transaction holding the session's row lock (SQLite: the transaction itself serialises). */
  withLockedSession<T>(sessionHandle: string, fn: (locked: LockedSession) => Promise<T>): Promise<T> {
    return this.db.transaction(async (trx) => {
      const row = await this.db
        .forUpdate(trx(this.sessions).where({ session_handle: sessionHandle }))
        .first<SessionRow | undefined>();
      return fn({
        row,
        update: async (changes, expiresAt) => {
          // The row is locked, so the write lands; its count is not consulted (MySQL counts only rows whose values changed).
          await trx(this.sessions).where({ session_handle: sessionHandle }).update(lineageColumns(changes, expiresAt));
        },
        revoke: async () => {
          await trx(this.sessions).where({ session_handle: sessionHandle }).del();
        },
      });
    });
  }

  /** First use of a refreshed token: writes `changes` only while `whenCurrentIs` is current; true when it did. */
  async promoteIfCurrent(
    sessionHandle: string,
    whenCurrentIs: string,
    changes: LineageChanges,
    now: number,
  ): Promise<boolean> {
    const params = [...lineageParams(changes), sessionHandle, now, whenCurrentIs];
    return (await this.db.prepared(this.sql.promote, params, "update")).changed === 1;
  }

  /** The lineage columns of a live session. */
  async findLiveLineage(
    sessionHandle: string,
    now: number,
  ): Promise<
    Pick<LineageState, "refreshTokenHash2" | "previousRefreshTokenHash2" | "refreshTokenUpdatedAt"> | undefined
  > {
    const row = await this.db.run((knex) =>
      this.live(knex, sessionHandle, now).first<
        | Pick<SessionRow, "refresh_token_hash2" | "previous_refresh_token_hash2" | "refresh_token_updated_at">
        | undefined
      >("refresh_token_hash2", "previous_refresh_token_hash2", "refresh_token_updated_at"),
    );
    if (row === undefined) return undefined;
    return {
      refreshTokenHash2: row.refresh_token_hash2,
      previousRefreshTokenHash2: row.previous_refresh_token_hash2,
      refreshTokenUpdatedAt: Number(row.refresh_token_updated_at),
    };
  }

  /** Makes a sibling (`rth`) current where its parent (`prh`) is still the previous token. */
  async settleSibling(sessionHandle: string, prh: string, rth: string, now: number): Promise<void> {
    await this.db.run((knex) =>
      this.live(knex, sessionHandle, now)
        .andWhere({ previous_refresh_token_hash2: prh })
        .update({ refresh_token_hash2: rth }),
    );
  }

  /** Deletes one session; true when it existed. */
  async deleteSession(sessionHandle: string): Promise<boolean> {
    return (await this.db.run((knex) => knex(this.sessions).where({ session_handle: sessionHandle }).del())) > 0;
  }

  /** Deletes the user's sessions (in one tenant, or in all when `tenantId` is undefined); their handles. */
  deleteSessionsOfUser(userId: string, tenantId: string | undefined): Promise<string[]> {
    return this.db.transaction(async (trx) => {
      const scope = tenantId === undefined ? { user_id: userId } : { user_id: userId, tenant_id: tenantId };
      const rows = await this.db
        .forUpdate(trx(this.sessions).where(scope))
        .select<{ session_handle: string }[]>("session_handle");
      await trx(this.sessions).where(scope).del();
      return rows.map((r) => r.session_handle);
    });
  }

  /** Deletes every session of the tenant (the tenant was deleted); by the (tenant_id, user_id) index. */
  async deleteSessionsOfTenant(tenantId: string): Promise<number> {
    return this.db.run((knex) => knex(this.sessions).where({ tenant_id: tenantId }).del());
  }

  /**
   * Handles of the user's live sessions (in one tenant, or in all when `tenantId` is undefined). A listing, read on
   * the read replica when one is set: it may lag behind other processes' writes, never behind this process's own.
   */
  async listLiveHandlesOfUser(userId: string, tenantId: string | undefined, now = Date.now()): Promise<string[]> {
    const scope = tenantId === undefined ? { user_id: userId } : { user_id: userId, tenant_id: tenantId };
    const rows = await this.db.readLagTolerant((knex) =>
      knex(this.sessions)
        .where(scope)
        .andWhere("expires_at", ">", now)
        .select<{ session_handle: string }[]>("session_handle"),
    );
    return rows.map((r) => r.session_handle);
  }

  /** Deletes these sessions; the handles that existed. */
  deleteSessions(sessionHandles: string[]): Promise<string[]> {
    return this.db.transaction(async (trx) => {
      const rows = await this.db
        .forUpdate(trx(this.sessions).whereIn("session_handle", sessionHandles))
        .select<{ session_handle: string }[]>("session_handle");
      await trx(this.sessions).whereIn("session_handle", sessionHandles).del();
      return rows.map((r) => r.session_handle);
    });
  }

  /** Deletes every session that ran out by `now` (the index on expires_at keeps it cheap). */
  deleteExpiredSessions(now: number): Promise<number> {
    return this.db.run((knex) => knex(this.sessions).where("expires_at", "<=", now).del());
  }

  /** Deletes the user's sessions inside the caller's transaction (Latchkey.deleteUser). */
  async deleteUserSessionsIn(trx: DbTransaction, userId: string): Promise<void> {
    await trx(this.sessions).where({ user_id: userId }).del();
  }
}

/** Named queries over the signing keys table, shared by every process of the deployment. */
export class SigningKeyTable {
  /** The keys table of the app's database. */
  constructor(private readonly db: Database) {}

  private get keys(): string {
    return this.db.table("session_signing_keys");
  }

  /**
   * Inserts the slot's key if no process has yet (insert-or-ignore, so racing processes agree on one), made by
   * `create` only when missing; then drops keys no token can use any more.
   */
  async insertSlotKeyIfMissing(slot: string, create: () => KeyRow, now: number): Promise<void> {
    await this.db.run(async (knex) => {
      const existing = await knex(this.keys).where({ slot }).first("slot");
      if (existing === undefined) {
        await knex(this.keys).insert(create()).onConflict("slot").ignore();
        await knex(this.keys).where("verify_until", "<", now).del();
      }
    });
  }

  /** Every key that may still verify at `now`. */
  listVerifiableKeys(now: number): Promise<KeyRow[]> {
    return this.db.run((knex) => knex(this.keys).where("verify_until", ">", now).select<KeyRow[]>("*"));
  }

  /**
   * The public side of every key that may still verify at `now`, for publishing (the JWKS): read on the read
   * replica when one is set. Verification never uses this read: a lagging replica can only leave out a new key.
   */
  listPublishableKeys(now: number): Promise<Omit<KeyRow, "private_key">[]> {
    return this.db.readLagTolerant((knex) =>
      knex(this.keys)
        .where("verify_until", ">", now)
        .select<Omit<KeyRow, "private_key">[]>("slot", "kid", "algorithm", "public_key", "sign_until", "verify_until"),
    );
  }
}
