import type { RecipeMigration } from "../../lib/db/migrations";

/** The tables the session recipe owns: sessions and the deployment's signing keys. */
export const sessionMigrations: RecipeMigration[] = [
  {
    name: "session/001_create_sessions",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("sessions"), (t) => {
        // Ids compare byte for byte on every database (MySQL's default collation would not).
        tables.caseSensitive(t.string("session_handle", 36)).primary();
        tables.caseSensitive(t.string("user_id", 128)).notNullable().index();
        // hash2 of the refresh token the client is known to hold; the token itself is never stored.
        t.string("refresh_token_hash2", 64).notNullable();
        // The one before it, and when the current one became current: lets parallel refreshes settle (a short window).
        t.string("previous_refresh_token_hash2", 64).nullable();
        t.bigInteger("refresh_token_updated_at").notNullable();
        // Keys the MAC that makes this session's refresh tokens unforgeable; never leaves the database.
        t.string("refresh_token_secret", 64).notNullable();
        t.text("session_data", "mediumtext").notNullable();
        t.text("jwt_payload", "mediumtext").notNullable();
        t.string("anti_csrf_token", 64).nullable();
        t.bigInteger("created_at").notNullable();
        t.bigInteger("expires_at").notNullable().index();
      });
      await knex.schema.createTable(tables.name("session_signing_keys"), (t) => {
        // "<interval ms>:<slot index>": one key per rotation slot, whichever process inserts it first.
        tables.caseSensitive(t.string("slot", 64)).primary();
        tables.caseSensitive(t.string("kid", 64)).notNullable().unique();
        t.string("algorithm", 16).notNullable();
        t.text("public_key").notNullable();
        t.text("private_key").notNullable();
        t.bigInteger("created_at").notNullable();
        t.bigInteger("sign_until").notNullable();
        t.bigInteger("verify_until").notNullable().index();
      });
    },
  },
  {
    // Tenant scope: every session belongs to a tenant; rows from before belong to the default one.
    name: "session/002_sessions_tenant_id",
    up: async (knex, tables) => {
      await knex.schema.alterTable(tables.name("sessions"), (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable().defaultTo("public");
        t.index(["tenant_id", "user_id"]);
      });
    },
  },
];
