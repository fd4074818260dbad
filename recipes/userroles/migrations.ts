import type { RecipeMigration } from "../../lib/db/migrations";

/** The tables the userroles recipe owns: roles (app-wide), their permissions, and per-tenant user-role assignments. */
export const userRolesMigrations: RecipeMigration[] = [
  {
    name: "userroles/001_create_roles_permissions_assignments",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("userroles_roles"), (t) => {
        tables.caseSensitive(t.string("role", 255)).notNullable().primary();
      });
      await knex.schema.createTable(tables.name("userroles_permissions"), (t) => {
        tables.caseSensitive(t.string("role", 255)).notNullable();
        tables.caseSensitive(t.string("permission", 255)).notNullable();
        t.primary(["role", "permission"]);
        t.index(["permission"], tables.name("userroles_permissions_perm"));
      });
      // The primary key (tenant, user, role) makes an assignment unique and serves getRolesForUser; the second index
      // serves getUsersThatHaveRole and deleteRole.
      await knex.schema.createTable(tables.name("userroles_user_roles"), (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable();
        tables.caseSensitive(t.string("user_id", 128)).notNullable();
        tables.caseSensitive(t.string("role", 255)).notNullable();
        t.primary(["tenant_id", "user_id", "role"]);
        t.index(["role", "tenant_id"], tables.name("userroles_user_roles_role"));
        t.index(["user_id"], tables.name("userroles_user_roles_user"));
      });
    },
  },
];
