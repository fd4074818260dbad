import type { Knex } from "knex";
import { configError, LatchkeyError } from "../error";
import { type ResolvedConnection } from "./connection";
import { databaseError } from "./errors";
import { MigrationFailedError, type RecipeMigration, runMigrations } from "./migrations";
import { type PreparedResult, quoteIdentifier, runPrepared, type SqlValue } from "./prepared";
import { type ConflictStats, retryOnConflict } from "./retry";

/** A transaction on Latchkey's database, as recipes' storage files receive it (knex stays behind lib/db and stores). */
export type DbTransaction = Knex.Transaction;

/** The default prefix of Latchkey's tables, so they sit beside the app's own without clashing. */
export const DEFAULT_TABLE_PREFIX = "latchkey_";

/** The longest table prefix accepted. */
export const MAX_TABLE_PREFIX_LENGTH = 20;
// Identifiers are limited to 64 characters on MySQL and 63 on PostgreSQL (which truncates silently), and knex
// names an index "<table>_<columns>_index": up to 43 characters are left for that after the prefix.
const PREFIX_PATTERN = new RegExp(`^[A-Za-z_][A-Za-z0-9_]{0,${MAX_TABLE_PREFIX_LENGTH - 1}}$`);

/** Validates the table prefix option. */
export function normaliseTablePrefix(value: unknown): string {
  if (value === undefined) return DEFAULT_TABLE_PREFIX;
  if (typeof value !== "string" || (value !== "" && !PREFIX_PATTERN.test(value))) {
    throw configError(
      "tablePrefix",
      `must be up to ${MAX_TABLE_PREFIX_LENGTH} letters, digits or underscores, not starting with a digit`,
    );
  }
  return value;
}

/** How long after a write this process reads lag-tolerant data from the primary rather than the read replica. */
export const READ_YOUR_WRITES_MS = 3000;

/** Latchkey's handle on the app's database: the knex instance, table names, and migrations applied on first use. */
export class Database {
  readonly knex: Knex;
  /** Where the database is, for messages: host and port, never the password. */
  readonly description: string;
  private readonly secrets: string[];
  private readonly owned: boolean;
  private migrations: readonly RecipeMigration[] = [];
  private ready: Promise<Knex> | undefined;
  // Set once migrations are applied, so a query is built and sent at once rather than after an await.
  private migrated: Knex | undefined;
  /** Conflicts this process met (deadlocks, a cluster's write conflicts) and how many were retried. */
  readonly conflicts: ConflictStats = { retried: 0, gaveUp: 0 };
  /** Where lag-tolerant reads went: the read replica, or the primary (no replica, or this process just wrote). */
  readonly lagTolerantReads = { replica: 0, primary: 0 };
  private lastWriteAt = 0;

  /**
   * Wraps a resolved connection, and optionally a read replica of it; nothing touches the database until the first
   * query.
   */
  constructor(
    connection: ResolvedConnection,
    readonly tablePrefix: string,
    private readonly replica?: ResolvedConnection,
  ) {
    this.knex = connection.knex;
    this.description = connection.description;
    this.secrets = connection.secrets;
    this.owned = connection.owned;
    if (replica !== undefined) {
      // Any statement but a plain read (including a transaction's BEGIN) counts as a write, to err on the primary.
      this.knex.on("query", (query: { method?: string; sql?: string }) => {
        if (!(query.method === "select" || query.method === "first" || /^\s*select\b/i.test(query.sql ?? ""))) {
          this.lastWriteAt = Date.now();
        }
      });
    }
  }

  /** The full name of a table, with the deployment's prefix. */
  table(name: string): string {
    return `${this.tablePrefix}${name}`;
  }

  /** Sets the migrations of every recipe in the recipe list (called once by init). */
  setMigrations(migrations: readonly RecipeMigration[]): void {
    this.migrations = migrations;
    this.ready = undefined;
    this.migrated = undefined;
  }

  /** The knex instance once migrations have been applied; a failure is not remembered, so the next call retries. */
  whenReady(): Promise<Knex> {
    this.ready ??= this.migrate().then(
      () => (this.migrated = this.knex),
      (err: unknown) => {
        this.ready = undefined;
        throw err;
      },
    );
    return this.ready;
  }

  /**
   * Runs `fn` on the migrated database; a driver error becomes a GENERAL_ERROR that names no secret. A statement
   * the database refused for a deadlock or a cluster's write conflict did nothing, and `fn` is run again (a bounded
   * number of times): so each of its statements must be safe to repeat once an earlier one took effect (reads,
   * conditional updates, insert-or-ignore); several writes that belong together go in transaction() instead.
   */
  async run<T>(fn: (knex: Knex) => Promise<T>): Promise<T> {
    const knex = this.migrated ?? (await this.whenReady());
    try {
      return await retryOnConflict(() => fn(knex), this.conflicts);
    } catch (err) {
      throw this.toLatchkeyError(err);
    }
  }

  /**
   * Runs one of a store's hot statements (SQL with `?` placeholders, tables named by quotedTable()) as a prepared
   * statement, prepared once per pooled connection; errors and conflict retries as in run(). Only for statements
   * whose SQL is fixed: the text is the cache key. `sent` is called once the statement is on its way (see prepared.ts).
   */
  prepared<Row>(
    sql: string,
    params: readonly SqlValue[],
    method: "select" | "insert" | "update" | "del",
    sent?: () => void,
  ): Promise<PreparedResult<Row>> {
    return this.run((knex) => runPrepared<Row>(knex, sql, params, method, sent));
  }

  /** A table's full name, quoted for SQL written by hand (prepared()). */
  quotedTable(name: string): string {
    return quoteIdentifier(this.knex, this.table(name));
  }

  /**
   * Runs a read that tolerates replication lag (the JWKS, listings) on the read replica when one is set, else as
   * run(). For READ_YOUR_WRITES_MS after this process wrote anything, it reads the primary, so a process sees its own
   * writes. Never for a read that decides something (a refresh, theft, a code, a rate limit, a sign-in).
   */
  async readLagTolerant<T>(fn: (knex: Knex) => Promise<T>): Promise<T> {
    if (this.replica === undefined || Date.now() - this.lastWriteAt < READ_YOUR_WRITES_MS) {
      this.lagTolerantReads.primary++;
      return this.run(fn);
    }
    await this.whenReady(); // migrations run on the primary; the replica gets them by replication
    this.lagTolerantReads.replica++;
    try {
      return await fn(this.replica.knex);
    } catch (err) {
      throw databaseError(err, `read replica ${this.replica.description}`, this.replica.secrets);
    }
  }

  /**
   * Runs `fn` in one transaction on the migrated database; errors as in run(). A transaction rolled back for a
   * deadlock or a write conflict (on a Galera cluster: at COMMIT) is run again whole, so `fn` must do nothing outside
   * the transaction that a second run would repeat, and must decide from what it reads in it.
   */
  transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.run((knex) => knex.transaction(fn));
  }

  /** Adds a row lock (SELECT ... FOR UPDATE) where the database has one; SQLite serialises writers instead. */
  forUpdate<Q extends Knex.QueryBuilder>(query: Q): Q {
    return /sqlite/i.test(String(this.knex.client.config.client)) ? query : (query.forUpdate() as Q);
  }

  /** Applies pending migrations now; returns the names applied. Errors are GENERAL_ERRORs without secrets. */
  async migrate(): Promise<string[]> {
    try {
      return await runMigrations(this.knex, this.tablePrefix, this.migrations);
    } catch (err) {
      throw this.toLatchkeyError(err);
    }
  }

  /** Turns a driver error into a GENERAL_ERROR that names the database but no secret. */
  toLatchkeyError(err: unknown): LatchkeyError {
    if (LatchkeyError.isErrorFromAuth(err)) return err;
    if (err instanceof MigrationFailedError) {
      const hint = err.alreadyExists
        ? `: a table or index it creates already exists (an app table of that name? set another tablePrefix than "${this.tablePrefix}")`
        : "";
      return new LatchkeyError(
        "GENERAL_ERROR",
        `${err.message} on ${this.description}${err.code === undefined ? "" : ` [${err.code}]`}${hint}`,
      );
    }
    return databaseError(err, this.description, this.secrets);
  }

  /** Closes the connection pool if Latchkey opened it; an instance the app passed in is left to the app. */
  async close(): Promise<void> {
    if (this.owned) await this.knex.destroy();
    if (this.replica?.owned === true) await this.replica.knex.destroy();
  }
}
