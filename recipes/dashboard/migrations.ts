import type { RecipeMigration } from "../../lib/db/migrations";

/** The table the dashboard recipe owns: its audit log. */
export const dashboardMigrations: RecipeMigration[] = [
  {
    name: "dashboard/001_create_audit_log",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("dashboard_audit_log"), (t) => {
        t.string("id", 36).primary();
        t.bigInteger("time").notNullable();
        t.string("actor", 100).notNullable();
        t.string("action", 64).notNullable();
        tables.caseSensitive(t.string("target", 255)).nullable();
        t.text("detail").notNullable();
        // Listed newest first, a page at a time by (time, id).
        t.index(["time", "id"], tables.name("dash_audit_time_ix"));
      });
    },
  },
];
