import type { RecipeMigration } from "../../lib/db/migrations";

/** The table the MultiFactorAuth recipe owns: the secondary factors required of each user. */
export const multiFactorAuthMigrations: RecipeMigration[] = [
  {
    name: "multifactorauth/001_create_required_factors",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("mfa_required_factors"), (t) => {
        tables.caseSensitive(t.string("user_id", 128)).notNullable();
        tables.caseSensitive(t.string("factor_id", 64)).notNullable();
        t.bigInteger("created_at").notNullable();
        t.primary(["user_id", "factor_id"]);
      });
    },
  },
];
