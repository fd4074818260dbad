import type { Knex } from "knex";

/** Makes a string column compare byte for byte, as it does by default everywhere but MySQL/MariaDB. */
export function caseSensitive(knex: Knex, column: Knex.ColumnBuilder): Knex.ColumnBuilder {
  return /mysql/i.test(String(knex.client.config.client)) ? column.collate("utf8mb4_bin") : column;
}

/** True when a driver error is a unique-constraint violation (a row with that key exists). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown } | null;
  if (e === null || typeof e !== "object") return false;
  return e.code === "ER_DUP_ENTRY" || e.code === "23505" || e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
