import type { RecipeMigration } from "../../lib/db/migrations";

/** The tables the emailverification recipe owns: verified (user, email) pairs and verification tokens. */
export const emailVerificationMigrations: RecipeMigration[] = [
  {
    name: "emailverification/001_create_verified_emails_and_tokens",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("emailverification_verified"), (t) => {
        tables.caseSensitive(t.string("user_id", 128)).notNullable();
        tables.caseSensitive(t.string("email", 254)).notNullable();
        t.bigInteger("verified_at").notNullable();
        t.primary(["user_id", "email"]);
      });
      await knex.schema.createTable(tables.name("emailverification_tokens"), (t) => {
        t.string("token_hash", 64).primary();
        tables.caseSensitive(t.string("user_id", 128)).notNullable().index();
        tables.caseSensitive(t.string("email", 254)).notNullable();
        t.bigInteger("expires_at").notNullable();
      });
    },
  },
  {
    // Tenant scope: a token belongs to the tenant it was made in; a verification records the tenant it happened in
    // (a verified address stays verified for the user in every tenant, as in SuperTokens).
    name: "emailverification/002_tenant_scope",
    up: async (knex, tables) => {
      for (const table of ["emailverification_verified", "emailverification_tokens"]) {
        await knex.schema.alterTable(tables.name(table), (t) => {
          tables.caseSensitive(t.string("tenant_id", 64)).notNullable().defaultTo("public");
        });
      }
    },
  },
];
