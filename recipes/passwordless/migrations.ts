import { backfillMembers } from "../../lib/db/tenantMembers";
import type { RecipeMigration } from "../../lib/db/migrations";

/** The tables the passwordless recipe owns: users, devices (flows in progress), their codes, and rate counters. */
export const passwordlessMigrations: RecipeMigration[] = [
  {
    name: "passwordless/001_create_users_devices_codes",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("passwordless_users"), (t) => {
        t.string("user_id", 36).primary();
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable();
        // Either may be null (a phone-only or email-only user); unique within the tenant where set (NULLs never clash).
        tables.caseSensitive(t.string("email", 254)).nullable();
        tables.caseSensitive(t.string("phone_number", 16)).nullable();
        t.bigInteger("time_joined").notNullable();
        t.unique(["tenant_id", "email"], { indexName: tables.name("pl_users_tenant_email_uq") });
        t.unique(["tenant_id", "phone_number"], { indexName: tables.name("pl_users_tenant_phone_uq") });
      });
      await knex.schema.createTable(tables.name("passwordless_devices"), (t) => {
        // The preAuthSessionId: sha256 of the device id (base64url), which only the browser that started the flow has.
        tables.caseSensitive(t.string("device_id_hash", 43)).primary();
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable();
        tables.caseSensitive(t.string("email", 254)).nullable().index(tables.name("pl_devices_email_idx"));
        tables.caseSensitive(t.string("phone_number", 16)).nullable().index(tables.name("pl_devices_phone_idx"));
        t.integer("failed_attempts").notNullable();
        t.bigInteger("created_at").notNullable();
      });
      await knex.schema.createTable(tables.name("passwordless_codes"), (t) => {
        t.string("code_id", 36).primary();
        tables.caseSensitive(t.string("device_id_hash", 43)).notNullable();
        // sha256 of the link code (base64url): the link finds its code by this.
        tables.caseSensitive(t.string("link_code_hash", 43)).notNullable().unique(tables.name("pl_codes_link_uq"));
        // sha256 of device id + typed code (hex): worthless without the device id, which is never stored.
        t.string("user_input_code_hash", 64).notNullable();
        t.bigInteger("created_at").notNullable();
        t.bigInteger("expires_at").notNullable().index(tables.name("pl_codes_expires_idx"));
        t.unique(["device_id_hash", "user_input_code_hash"], { indexName: tables.name("pl_codes_device_code_uq") });
      });
      await knex.schema.createTable(tables.name("passwordless_rate_limits"), (t) => {
        tables.caseSensitive(t.string("limit_key", 100)).primary();
        t.bigInteger("window_start").notNullable().index(tables.name("pl_rate_limits_window_idx"));
        t.integer("hits").notNullable();
      });
    },
  },
  {
    // Listing users in join order (Latchkey.getUsersNewestFirst, the dashboard) pages by (time_joined, user_id).
    name: "passwordless/002_join_order_index",
    up: async (knex, tables) => {
      await knex.schema.alterTable(tables.name("passwordless_users"), (t) => {
        t.index(["time_joined", "user_id"], tables.name("pl_users_join_order_ix"));
      });
    },
  },
  {
    // Tenants a user belongs to (Multitenancy.associateUserToTenant adds more than the one they signed up in); the
    // email and phone are copied so that each is unique among a tenant's members (NULLs never clash).
    name: "passwordless/003_user_tenants",
    up: async (knex, tables) => {
      const members = tables.name("passwordless_user_tenants");
      await knex.schema.createTable(members, (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable();
        t.string("user_id", 36).notNullable();
        tables.caseSensitive(t.string("email", 254)).nullable();
        tables.caseSensitive(t.string("phone_number", 16)).nullable();
        t.primary(["tenant_id", "user_id"]);
        t.unique(["tenant_id", "email"], { indexName: tables.name("pl_user_tenants_email_uq") });
        t.unique(["tenant_id", "phone_number"], { indexName: tables.name("pl_user_tenants_phone_uq") });
        t.index(["user_id"], tables.name("pl_user_tenants_user_ix"));
      });
      await backfillMembers(knex, members, tables.name("passwordless_users"), ["email", "phone_number"]);
      // Membership decides now: a user removed from the tenant they signed up in leaves their address free there.
      const users = tables.name("passwordless_users");
      await knex.schema.alterTable(users, (t) => {
        t.index(["tenant_id", "email"], tables.name("pl_users_tenant_email_ix"));
        t.index(["tenant_id", "phone_number"], tables.name("pl_users_tenant_phone_ix"));
      });
      await knex.schema.alterTable(users, (t) => {
        t.dropUnique(["tenant_id", "email"], tables.name("pl_users_tenant_email_uq"));
        t.dropUnique(["tenant_id", "phone_number"], tables.name("pl_users_tenant_phone_uq"));
      });
    },
  },
];
