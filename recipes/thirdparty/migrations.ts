import { binaryCollation } from "../../lib/db/columns";
import { backfillMembers } from "../../lib/db/tenantMembers";
import type { RecipeMigration } from "../../lib/db/migrations";
import { normaliseStoredEmails } from "../../lib/db/normaliseStoredEmails";

/** The table the thirdparty recipe owns: one row per (tenant, provider, user at the provider). */
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
  {
    // Tenant scope: a provider identity is one user per tenant, so the unique key gains the tenant. Rows from before
    // belong to the default tenant.
    name: "thirdparty/002_add_tenant_id",
    up: async (knex, tables) => {
      const users = tables.name("thirdparty_users");
      await knex.schema.alterTable(users, (t) => {
        t.string("tenant_id", 64).notNullable().defaultTo("public");
      });
      await knex.schema.alterTable(users, (t) => {
        t.dropUnique(["third_party_id", "third_party_user_id"], tables.name("thirdparty_users_provider_uq"));
        t.unique(["tenant_id", "third_party_id", "third_party_user_id"], {
          indexName: tables.name("thirdparty_users_tenant_provider_uq"),
        });
        t.index(["tenant_id", "email"], tables.name("thirdparty_users_tenant_email_ix"));
      });
    },
  },
  {
    // 002 added tenant_id with the server's default collation: on MySQL/MariaDB "acme" and "ACME" were one tenant, so
    // a provider identity of one signed in to the other. Every other table's tenant_id compares byte for byte; this
    // one now does too (and the provider id beside it in the unique key). SQLite and PostgreSQL already compare so.
    name: "thirdparty/003_tenant_id_case_sensitive",
    up: async (knex, tables) => {
      const collation = await binaryCollation(knex);
      if (collation === undefined) return;
      await knex.schema.alterTable(tables.name("thirdparty_users"), (t) => {
        t.string("tenant_id", 64).notNullable().defaultTo("public").collate(collation).alter();
        t.string("third_party_id", 64).notNullable().collate(collation).alter();
      });
    },
  },
  {
    // Emails are now lower-cased whole and NFC (lib/email/address.ts); a provider identity is the key here, so
    // emails may repeat and every row is rewritten.
    name: "thirdparty/004_normalise_emails",
    up: async (knex, tables) => {
      await normaliseStoredEmails(knex, { table: tables.name("thirdparty_users"), key: ["user_id"], onTaken: "keep" });
    },
  },
  {
    // Listing users in join order (Latchkey.getUsersNewestFirst, the dashboard) pages by (time_joined, user_id).
    name: "thirdparty/005_join_order_index",
    up: async (knex, tables) => {
      await knex.schema.alterTable(tables.name("thirdparty_users"), (t) => {
        t.index(["time_joined", "user_id"], tables.name("tp_users_join_order_ix"));
      });
    },
  },
  {
    // Tenants a user belongs to (Multitenancy.associateUserToTenant adds more than the one they signed up in); a
    // provider identity is one member per tenant.
    name: "thirdparty/006_user_tenants",
    up: async (knex, tables) => {
      const members = tables.name("thirdparty_user_tenants");
      await knex.schema.createTable(members, (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable();
        t.string("user_id", 36).notNullable();
        tables.caseSensitive(t.string("third_party_id", 64)).notNullable();
        tables.caseSensitive(t.string("third_party_user_id", 255)).notNullable();
        t.primary(["tenant_id", "user_id"]);
        t.unique(["tenant_id", "third_party_id", "third_party_user_id"], {
          indexName: tables.name("tp_user_tenants_identity_uq"),
        });
        t.index(["user_id"], tables.name("tp_user_tenants_user_ix"));
      });
      await backfillMembers(knex, members, tables.name("thirdparty_users"), ["third_party_id", "third_party_user_id"]);
      // Membership decides now: a user removed from the tenant they signed up in leaves the identity free there.
      await knex.schema.alterTable(tables.name("thirdparty_users"), (t) => {
        t.dropUnique(
          ["tenant_id", "third_party_id", "third_party_user_id"],
          tables.name("thirdparty_users_tenant_provider_uq"),
        );
      });
    },
  },
];
