import type { RecipeMigration } from "../../lib/db/migrations";

/** The tables the TOTP recipe owns: devices (secrets encrypted) and the per-user count of wrong codes. */
export const totpMigrations: RecipeMigration[] = [
  {
    name: "totp/001_create_devices_and_attempts",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("totp_devices"), (t) => {
        tables.caseSensitive(t.string("user_id", 128)).notNullable();
        tables.caseSensitive(t.string("device_name", 256)).notNullable();
        // AES-256-GCM under a key from config, never the secret itself (lib/secretBox.ts).
        t.string("secret_sealed", 255).notNullable();
        t.string("algorithm", 8).notNullable();
        t.integer("digits").notNullable();
        t.integer("period").notNullable();
        t.integer("skew").notNullable();
        t.boolean("verified").notNullable();
        // The last time step whose code was accepted: a code is accepted only for a later step (no replay).
        t.bigInteger("last_used_step").notNullable();
        t.bigInteger("created_at").notNullable();
        t.primary(["user_id", "device_name"]);
      });
      await knex.schema.createTable(tables.name("totp_attempts"), (t) => {
        tables.caseSensitive(t.string("user_id", 128)).primary();
        t.integer("failures").notNullable();
        t.bigInteger("locked_until").notNullable();
      });
    },
  },
];
