import type { RecipeMigration } from "../../lib/db/migrations";

/** The table the usermetadata recipe owns: one JSON object per user. */
export const userMetadataMigrations: RecipeMigration[] = [
  {
    name: "usermetadata/001_create_user_metadata",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("usermetadata"), (t) => {
        tables.caseSensitive(t.string("user_id", 128)).notNullable().primary();
        // MEDIUMTEXT on MySQL (TEXT there stops at 64 KB, the default limit); TEXT elsewhere.
        t.text("metadata", "mediumtext").notNullable();
        t.bigInteger("updated_at").notNullable();
      });
    },
  },
];
