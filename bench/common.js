// What the benchmarks share: where the databases are, the median, and dropping a run's tables.
"use strict";
const path = require("node:path");

const URLS = {
  mysql: process.env.LATCHKEY_TEST_MYSQL_URL || "mysql://root@127.0.0.1:3306/test",
  postgres: process.env.LATCHKEY_TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test",
};

/** The median of a list of numbers. */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The database URL of a kind: a SQLite file in `dir`, or the MySQL/PostgreSQL test database. */
function databaseUrl(kind, dir) {
  return kind === "sqlite" ? `sqlite:${path.join(dir, "bench.sqlite")}` : URLS[kind];
}

/** Drops every table a run created under `prefix` (Latchkey must still be initialised). */
async function dropTables(prefix) {
  const knex = require("../lib/latchkey").Latchkey.getInstanceOrThrow().database.knex;
  const names = [
    "sessions", "session_signing_keys", "emailpassword_users", "emailpassword_reset_tokens", "emailpassword_rate_limits",
    "emailverification_verified", "emailverification_tokens", "migrations", "migrations_lock",
  ];
  for (const t of names) await knex.schema.dropTableIfExists(prefix + t);
}

module.exports = { databaseUrl, dropTables, median };
