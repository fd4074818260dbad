import type { Knex } from "knex";
import { LatchkeyError } from "../error";
import { binaryCollation } from "./columns";

/** Helps a migration name the tables it creates with the deployment's prefix. */
export interface MigrationTables {
  /** The full name of one of the recipe's tables, e.g. name("sessions") -> "latchkey_sessions". */
  name(table: string): string;
  /** Makes a string column compare byte for byte (case and trailing spaces), as it does by default but on MySQL/MariaDB. */
  caseSensitive(column: Knex.ColumnBuilder): Knex.ColumnBuilder;
}

/** One versioned schema change owned by a recipe. Names are global, e.g. "session/001_create_sessions". */
export interface RecipeMigration {
  name: string;
  up(knex: Knex, tables: MigrationTables): Promise<void>;
  down?(knex: Knex, tables: MigrationTables): Promise<void>;
}

/** How long to wait for another process's migration lock; LATCHKEY_MIGRATION_LOCK_WAIT_MS changes it. */
function lockWaitMs(): number {
  const configured = Number(process.env.LATCHKEY_MIGRATION_LOCK_WAIT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : 60_000;
}
// Errors that mean another process is migrating right now: wait and try again. "Table exists" and "duplicate
// key" belong here only while creating the bookkeeping tables: inside a migration they are real failures.
const LOCK_CONTENTION_CODES = new Set([
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "ER_LOCK_DEADLOCK",
  "ER_LOCK_WAIT_TIMEOUT",
  "40P01",
  "40001",
  "55P03",
]);
const CONTENTION_CODES = new Set([...LOCK_CONTENTION_CODES, "ER_TABLE_EXISTS_ERROR", "42P07", "23505"]);
// "A table or index this migration creates exists already" on each database.
const ALREADY_EXISTS_CODES = new Set(["ER_TABLE_EXISTS_ERROR", "ER_DUP_KEYNAME", "42P07", "42710"]);

/** A recipe migration's own statement failed (as opposed to the bookkeeping or the lock). */
export class MigrationFailedError extends Error {
  /** The driver's error code, if any. */
  readonly code: string | undefined;
  /** True when the migration failed because something it creates exists already (e.g. another app's table). */
  readonly alreadyExists: boolean;

  /** Wraps the driver error of migration `migration`; its message is kept only as the cause (it may quote SQL). */
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(`Migration ${migration} failed`, { cause });
    this.name = "MigrationFailedError";
    const e = (typeof cause === "object" && cause !== null ? cause : {}) as { code?: unknown; message?: unknown };
    this.code = typeof e.code === "string" ? e.code : undefined;
    this.alreadyExists =
      (this.code !== undefined && ALREADY_EXISTS_CODES.has(this.code)) ||
      (this.code === "SQLITE_ERROR" && typeof e.message === "string" && /already exists/.test(e.message));
  }
}

/** Applies every migration not yet applied, safely when several processes start at once. Returns the names applied. */
export async function runMigrations(
  knex: Knex,
  tablePrefix: string,
  migrations: readonly RecipeMigration[],
): Promise<string[]> {
  const collation = await binaryCollation(knex);
  const tables: MigrationTables = {
    name: (table) => `${tablePrefix}${table}`,
    caseSensitive: (column) => (collation === undefined ? column : column.collate(collation)),
  };
  const tableName = tables.name("migrations");
  const started = Date.now();
  const deadline = lockWaitMs();
  for (let attempt = 0; ; attempt++) {
    try {
      await ensureBookkeepingTables(knex, tableName);
      const mysql = /mysql/i.test(String(knex.client.config.client));
      const [, applied] = (await knex.migrate.latest({
        tableName,
        migrationSource: migrationSource(migrations, tables, mysql ? tableName : undefined),
        // A recipe removed from the recipe list leaves its applied migrations behind; that is not corruption.
        disableMigrationsListValidation: true,
        // MySQL/MariaDB commit at every DDL statement, so a transaction around migrations holds nothing together
        // there; what it did hold was knex's lock, uncommitted, which on a Galera cluster is this node's alone: two
        // nodes both "took" it, and the one whose COMMIT lost certification freed the winner's in its clean-up, so
        // a third process migrated beside the winner ("table already exists"). Without it, knex takes the lock in
        // a transaction of its own that commits (only one node's certifies) before any migration runs.
        disableTransactions: mysql,
      })) as [number, string[]];
      return applied;
    } catch (err) {
      if (!isContention(err) || Date.now() - started > deadline) {
        if (isContention(err)) {
          throw new LatchkeyError(
            "GENERAL_ERROR",
            `Latchkey migrations are locked by another process for over ${deadline / 1000}s; ` +
              `if none is running, clear the lock with: npx latchkey migrate --unlock --database ...`,
          );
        }
        throw err;
      }
      await sleep(Math.min(50 * 2 ** attempt, 500) * (0.5 + Math.random()));
    }
  }
}

/** Marks the migration lock free again, for after a process died while migrating. */
export async function releaseMigrationLock(knex: Knex, tablePrefix: string): Promise<void> {
  const lockTable = `${tablePrefix}migrations_lock`;
  if (await knex.schema.hasTable(lockTable)) await knex(lockTable).update({ is_locked: 0 });
}

// Without a transaction knex lists the pending migrations before it takes the lock and not again after, so a process
// that listed while another was migrating would run a migration again once it gets the lock. With `recordedIn`
// (the bookkeeping table), each migration first checks, under the lock, that no one recorded it meanwhile; if one
// did, the run stops as contention (knex frees the lock: it is this process's) and starts over from a fresh list.
function migrationSource(
  migrations: readonly RecipeMigration[],
  tables: MigrationTables,
  recordedIn?: string,
): Knex.MigrationSource<RecipeMigration> {
  return {
    getMigrations: () => Promise.resolve([...migrations]),
    getMigrationName: (migration) => migration.name,
    getMigration: (migration) =>
      Promise.resolve({
        up: async (knex: Knex) => {
          if (
            recordedIn !== undefined &&
            (await knex(recordedIn).where({ name: migration.name }).first("name")) !== undefined
          ) {
            throw Object.assign(new Error(`Migration ${migration.name} was applied by another process meanwhile`), {
              name: "MigrationLocked",
            });
          }
          try {
            await migration.up(knex, tables);
          } catch (err) {
            throw new MigrationFailedError(migration.name, err);
          }
        },
        down: (knex: Knex) => (migration.down ? migration.down(knex, tables) : Promise.resolve()),
      }),
  };
}

// knex creates these tables itself with a check-then-create that two processes can both pass, leaving two lock
// rows and a lock that can never be taken; creating them here first, tolerating the race, avoids that.
async function ensureBookkeepingTables(knex: Knex, tableName: string): Promise<void> {
  const lockTable = `${tableName}_lock`;
  await createTableTolerantly(knex, tableName, (t) => {
    t.increments();
    t.string("name");
    t.integer("batch");
    t.timestamp("migration_time");
  });
  await createTableTolerantly(knex, lockTable, (t) => {
    t.increments("index").primary();
    t.integer("is_locked");
  });
  await knex(lockTable).insert({ index: 1, is_locked: 0 }).onConflict("index").ignore();
}

async function createTableTolerantly(
  knex: Knex,
  name: string,
  build: (t: Knex.CreateTableBuilder) => void,
): Promise<void> {
  if (await knex.schema.hasTable(name)) return;
  try {
    await knex.schema.createTable(name, build);
  } catch (err) {
    if (!(await knex.schema.hasTable(name))) throw err;
  }
}

function isContention(err: unknown): boolean {
  if (err instanceof MigrationFailedError) return err.code !== undefined && LOCK_CONTENTION_CODES.has(err.code);
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | null;
  if (e === null || typeof e !== "object") return false;
  // knex's LockError is named "MigrationLocked"; on SQLite it also wraps "database is locked" (SQLITE_BUSY, raised at
  // once when a deferred transaction cannot take the write lock), which carries no code of its own.
  if (
    e.name === "MigrationLocked" ||
    e.name === "LockError" ||
    (typeof e.message === "string" && e.message.includes("already locked"))
  )
    return true;
  return typeof e.code === "string" && CONTENTION_CODES.has(e.code);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
