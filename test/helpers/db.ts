import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import knexFactory, { type Knex } from "knex";

/** The databases the suite runs against; LATCHKEY_TEST_DB picks one (sqlite when unset). */
export type TestDbKind = "sqlite" | "mysql" | "postgres";

const KINDS: readonly TestDbKind[] = ["sqlite", "mysql", "postgres"];

/** The database this run was told to use. An unknown name fails the run rather than falling back. */
export function testDbKind(): TestDbKind {
  const value = process.env.LATCHKEY_TEST_DB ?? "sqlite";
  if (!(KINDS as readonly string[]).includes(value)) {
    throw new Error(`LATCHKEY_TEST_DB must be one of ${KINDS.join(", ")}, not "${value}"`);
  }
  return value as TestDbKind;
}

let sqliteDir: string | undefined;
let sqliteCount = 0;

/** A fresh database URL for one test: a new SQLite file, or the shared MySQL/PostgreSQL test database. */
export function testDatabaseUrl(): string {
  switch (testDbKind()) {
    case "mysql":
      return process.env.LATCHKEY_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";
    case "postgres":
      return process.env.LATCHKEY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
    case "sqlite":
      sqliteDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-test-"));
      return `sqlite:${path.join(sqliteDir, `db${++sqliteCount}.sqlite`)}`;
  }
}

/** A table prefix no other test uses, so tests share the MySQL/PostgreSQL database without seeing each other. */
export function uniquePrefix(): string {
  return `lkt_${crypto.randomBytes(4).toString("hex")}_`;
}

/** A knex instance on the test database, for assertions that look at tables directly. */
export function rawKnex(url: string): Knex {
  if (url.startsWith("sqlite:")) {
    return knexFactory({
      client: "better-sqlite3",
      connection: { filename: url.slice("sqlite:".length) },
      useNullAsDefault: true,
    });
  }
  return knexFactory({ client: url.startsWith("mysql") ? "mysql2" : "pg", connection: url, pool: { min: 0, max: 2 } });
}

/** Names of the tables that start with `prefix`. */
export async function tablesWithPrefix(knex: Knex, prefix: string): Promise<string[]> {
  const client = String(knex.client.config.client);
  let names: string[];
  if (client.includes("sqlite")) {
    const rows = (await knex.raw("select name from sqlite_master where type = 'table'")) as { name: string }[];
    names = rows.map((r) => r.name);
  } else if (client.includes("mysql")) {
    const [rows] = (await knex.raw(
      "select table_name as name from information_schema.tables where table_schema = database()",
    )) as [{ name: string }[]];
    names = rows.map((r) => r.name);
  } else {
    const result = (await knex.raw("select tablename as name from pg_tables where schemaname = current_schema()")) as {
      rows: { name: string }[];
    };
    names = result.rows.map((r) => r.name);
  }
  return names.filter((n) => n.startsWith(prefix)).sort();
}

/** Drops every table that starts with `prefix`. */
export async function dropTablesWithPrefix(knex: Knex, prefix: string): Promise<void> {
  for (const name of await tablesWithPrefix(knex, prefix)) await knex.schema.dropTableIfExists(name);
}

/** Removes the SQLite files this process created. */
export function removeSqliteFiles(): void {
  if (sqliteDir !== undefined) fs.rmSync(sqliteDir, { recursive: true, force: true });
}
