import type { RecipeMigration } from "../../lib/db/migrations";

/** The tables the multitenancy recipe owns: tenants, their own third-party providers, and users added to a tenant. */
export const multitenancyMigrations: RecipeMigration[] = [
  {
    name: "multitenancy/001_create_tenants_providers_associations",
    up: async (knex, tables) => {
      // Factor lists are JSON arrays; NULL means "not configured" (every first factor; no required second factor).
      await knex.schema.createTable(tables.name("multitenancy_tenants"), (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable().primary();
        t.text("first_factors").nullable();
        t.text("required_secondary_factors").nullable();
        t.bigInteger("created_at").notNullable();
      });
      // The whole provider config is sealed (AES-256-GCM, bound to tenant and provider): client ids, secrets and
      // keys never sit in the database in the clear.
      await knex.schema.createTable(tables.name("multitenancy_thirdparty_configs"), (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable();
        tables.caseSensitive(t.string("third_party_id", 64)).notNullable();
        t.text("config_sealed").notNullable();
        t.bigInteger("updated_at").notNullable();
        t.primary(["tenant_id", "third_party_id"]);
      });
      await knex.schema.createTable(tables.name("multitenancy_tenant_users"), (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable();
        tables.caseSensitive(t.string("user_id", 128)).notNullable();
        t.primary(["tenant_id", "user_id"]);
        t.index(["user_id"], tables.name("multitenancy_tenant_users_user"));
      });
    },
  },
];
