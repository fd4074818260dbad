// Prepared statements for a store's hot queries (a session's refresh read, its compare-and-set, the blacklisting
// check, the creation insert), run on a connection taken from knex's own pool. knex compiles every builder query
// anew and makes the driver prepare it again each time, which costs more than the statement itself on SQLite and a
// large share of a round trip on MySQL/PostgreSQL; here each statement is prepared once per connection, the way the
// driver caches it: better-sqlite3's Statement objects, mysql2's execute() cache, pg's named statements. Stores
// write the SQL with `?` placeholders; nothing outside lib/db and the stores sees a driver.
import crypto from "node:crypto";
import type { Knex } from "knex";

/** What a prepared statement returns: its rows (reads), or the number of rows it changed (writes). */
export interface PreparedResult<Row> {
  rows: Row[];
  changed: number;
}

/** A value bound to a placeholder. */
export type SqlValue = string | number | null;

/** One driver family's way of running a prepared statement on one of its raw connections. */
type Runner = (conn: unknown, sql: string, params: readonly SqlValue[]) => Promise<PreparedResult<unknown>>;

interface SqliteStatement {
  reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}
interface Mysql2Connection {
  execute(
    sql: string,
    params: unknown[],
    cb: (err: Error | null, result: unknown[] | { affectedRows: number }) => void,
  ): void;
}
interface PgConnection {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

// better-sqlite3: one Statement per (connection, SQL), kept as long as the connection lives.
const sqliteStatements = new WeakMap<object, Map<string, SqliteStatement>>();
const runSqlite: Runner = (conn, sql, params) => {
  const db = conn as SqliteConnection;
  let cache = sqliteStatements.get(db);
  if (cache === undefined) sqliteStatements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (stmt === undefined) cache.set(sql, (stmt = db.prepare(sql)));
  if (stmt.reader) return Promise.resolve({ rows: stmt.all(...params), changed: 0 });
  return Promise.resolve({ rows: [], changed: stmt.run(...params).changes });
};

// mysql2: execute() prepares on first use and keeps the statement in the connection's own cache.
const runMysql2: Runner = (conn, sql, params) =>
  new Promise((resolve, reject) => {
    (conn as Mysql2Connection).execute(sql, [...params], (err, result) => {
      if (err !== null) reject(err);
      else if (Array.isArray(result)) resolve({ rows: result, changed: 0 });
      else resolve({ rows: [], changed: result.affectedRows });
    });
  });

// pg: a named statement is parsed once per connection (pg remembers which names it prepared on each one). The name
// is a digest of the text, so two statements never share one.
const pgTexts = new Map<string, { name: string; text: string }>();
const runPg: Runner = async (conn, sql, params) => {
  let named = pgTexts.get(sql);
  if (named === undefined) {
    let i = 0;
    const text = sql.replace(/\?/g, () => `$${++i}`);
    named = { name: `lk_${crypto.createHash("sha256").update(text).digest("hex").slice(0, 24)}`, text };
    pgTexts.set(sql, named);
  }
  const result = await (conn as PgConnection).query({ ...named, values: [...params] });
  return { rows: result.rows, changed: result.rowCount ?? 0 };
};

const RUNNERS: Record<string, Runner> = { "better-sqlite3": runSqlite, mysql2: runMysql2, pg: runPg };

/** The quote of an identifier in this dialect (table names carry a prefix already checked to be [A-Za-z0-9_]). */
export function quoteIdentifier(knex: Knex, name: string): string {
  return isMysql(knex) ? `\`${name}\`` : `"${name}"`;
}

function isMysql(knex: Knex): boolean {
  return /mysql|mariadb/i.test(String((knex.client as { driverName?: string }).driverName));
}

/**
 * Runs one statement as a prepared statement on a pooled connection of `knex` (announced to knex's "query"
 * listeners like any other); a driver without a runner here gets the same SQL through knex.raw.
 */
export async function runPrepared<Row>(
  knex: Knex,
  sql: string,
  params: readonly SqlValue[],
  method: "select" | "insert" | "update" | "del",
  sent?: () => void,
): Promise<PreparedResult<Row>> {
  const client = knex.client as Knex.Client & { driverName?: string };
  const runner = RUNNERS[client.driverName ?? ""];
  if (runner === undefined) {
    const result = rawFallback<Row>(knex, sql, params);
    sent?.();
    return result;
  }
  const conn: unknown = await client.acquireConnection();
  try {
    client.emit("query", { sql, bindings: params, method, prepared: true });
    // `sent` lets a caller start work that overlaps the statement: on the socket drivers once the statement is
    // written; on better-sqlite3, which runs it on this thread, just before, so the caller's thread-pool work
    // (a signature) runs beside it.
    if (runner === runSqlite) sent?.();
    const running = runner(conn, sql, params);
    if (runner !== runSqlite) sent?.();
    return (await running) as PreparedResult<Row>;
  } finally {
    await client.releaseConnection(conn);
  }
}

async function rawFallback<Row>(knex: Knex, sql: string, params: readonly SqlValue[]): Promise<PreparedResult<Row>> {
  const result: unknown = await knex.raw(sql, [...params]);
  // knex.raw returns the driver's own shape: [rows, fields] or [{ affectedRows }] (mysql), { rows, rowCount } (pg),
  // rows (sqlite3).
  if (Array.isArray(result)) {
    const first: unknown = result[0];
    if (Array.isArray(first)) return { rows: first as Row[], changed: 0 };
    const affected = (first as { affectedRows?: unknown } | undefined)?.affectedRows;
    if (typeof affected === "number") return { rows: [], changed: affected };
    return { rows: result as Row[], changed: 0 };
  }
  const r = result as { rows?: Row[]; rowCount?: number | null; changes?: number };
  return { rows: r.rows ?? [], changed: r.rowCount ?? r.changes ?? 0 };
}
