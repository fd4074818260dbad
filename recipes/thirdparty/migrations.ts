import type { RecipeMigration } from "../../lib/db/migrations";

/** The table the thirdparty recipe owns: one row per (provider, user at the provider). */
export const thirdPartyMigrations: RecipeMigration[] = [
  {
    name: "thirdparty/001_create_users",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("thirdparty_users"), (t) => {
        t.string("user_id", 36).primary();
        t.string("third_party_id", 64).notNullable();
        // Providers' user ids are case-sensitive (OpenID `sub`), so they compare byte for byte everywhere.
        tables.caseSensitive(t.string("third_party_user_id", 255)).notNullable();
        tables.caseSensitive(t.string("email", 254)).notNullable().index();
        t.boolean("email_verified").notNullable();
        t.bigInteger("time_joined").notNullable();
        // Named explicitly: the generated name would pass MySQL's 64-character limit with a long prefix.
        t.unique(["third_party_id", "third_party_user_id"], { indexName: tables.name("thirdparty_users_provider_uq") });
      });
    },
  },
];
