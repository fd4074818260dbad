import type { RecipeMigration } from "../../lib/db/migrations";

/** The tables the emailpassword recipe owns: users, password reset tokens, and brute-force counters. */
export const emailPasswordMigrations: RecipeMigration[] = [
  {
    name: "emailpassword/001_create_users_and_reset_tokens",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("emailpassword_users"), (t) => {
        t.string("user_id", 36).primary();
        // Unique per database as normalised; compared byte for byte on every database (MySQL's default is not).
        tables.caseSensitive(t.string("email", 254)).notNullable().unique();
        t.string("password_hash", 100).notNullable();
        t.bigInteger("time_joined").notNullable();
      });
      await knex.schema.createTable(tables.name("emailpassword_reset_tokens"), (t) => {
        t.string("token_hash", 64).primary();
        t.string("user_id", 36).notNullable().index();
        t.bigInteger("expires_at").notNullable();
      });
    },
  },
  {
    name: "emailpassword/002_create_rate_limits",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("emailpassword_rate_limits"), (t) => {
        // "<action>:<email|ip>:<sha256 of the email or address>": one row per key, incremented by an atomic upsert.
        tables.caseSensitive(t.string("limit_key", 100)).primary();
        // Named explicitly: the generated name passes the 63-character limit with a 20-character prefix.
        t.bigInteger("window_start").notNullable().index(tables.name("ep_rate_limits_window_idx"));
        t.integer("hits").notNullable();
      });
    },
  },
  {
    // Tenant scope: users and reset tokens belong to a tenant, and an email is unique within its tenant only.
    name: "emailpassword/003_tenant_scope",
    up: async (knex, tables) => {
      const users = tables.name("emailpassword_users");
      await knex.schema.alterTable(users, (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable().defaultTo("public");
      });
      // The new unique index first: there is no moment at which one email could be inserted twice. Named explicitly,
      // since the generated name would pass PostgreSQL's 63 characters with a 20-character prefix.
      await knex.schema.alterTable(users, (t) => {
        t.unique(["tenant_id", "email"], { indexName: tables.name("ep_users_tenant_email_uq") });
      });
      await knex.schema.alterTable(users, (t) => {
        t.dropUnique(["email"]);
      });
      await knex.schema.alterTable(tables.name("emailpassword_reset_tokens"), (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable().defaultTo("public");
      });
    },
  },
];
