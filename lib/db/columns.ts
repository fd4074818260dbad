import type { Knex } from "knex";

/**
 * The collation that makes a string column compare byte for byte (trailing spaces too) on this server, or undefined
 * where that is already the default (SQLite, PostgreSQL). utf8mb4_bin still compares "alice " equal to "alice"
 * (PAD SPACE); MariaDB's utf8mb4_nopad_bin and MySQL 8's utf8mb4_0900_bin do not. Servers with neither keep
 * utf8mb4_bin.
 */
export async function binaryCollation(knex: Knex): Promise<string | undefined> {
  if (!/mysql/i.test(String(knex.client.config.client))) return undefined;
  const [rows] = (await knex.raw(
    "select collation_name as name from information_schema.collations where collation_name in ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
  )) as [{ name: string }[]];
  return rows[0]?.name ?? "utf8mb4_bin";
}

/** True when a driver error is a unique-constraint violation (a row with that key exists). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown } | null;
  if (e === null || typeof e !== "object") return false;
  return (
    e.code === "ER_DUP_ENTRY" ||
    e.code === "23505" ||
    e.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    e.code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  );
}
