import { backfillMembers } from "../../lib/db/tenantMembers";
import type { RecipeMigration } from "../../lib/db/migrations";
import { normaliseStoredEmails } from "../../lib/db/normaliseStoredEmails";

/** The tables the emailpassword recipe owns: users, password reset tokens, and brute-force counters. */
export const emailPasswordMigrations: RecipeMigration[] = [
  {
    name: "emailpassword/001_create_users_and_reset_tokens",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("emailpassword_users"), (t) => {
        t.string("user_id", 36).primary();
        // Unique per database as normalised; compared byte for byte on every database (MySQL's default is not).
        tables.caseSensitive(t.string("email", 254)).notNullable().unique();
        t.string("password_hash", 100).notNullable();
        t.bigInteger("time_joined").notNullable();
      });
      await knex.schema.createTable(tables.name("emailpassword_reset_tokens"), (t) => {
        t.string("token_hash", 64).primary();
        t.string("user_id", 36).notNullable().index();
        t.bigInteger("expires_at").notNullable();
      });
    },
  },
  {
    name: "emailpassword/002_create_rate_limits",
    up: async (knex, tables) => {
      await knex.schema.createTable(tables.name("emailpassword_rate_limits"), (t) => {
        // "<action>:<email|ip>:<sha256 of the email or address>": one row per key, incremented by an atomic upsert.
        tables.caseSensitive(t.string("limit_key", 100)).primary();
        // Named explicitly: the generated name passes the 63-character limit with a 20-character prefix.
        t.bigInteger("window_start").notNullable().index(tables.name("ep_rate_limits_window_idx"));
        t.integer("hits").notNullable();
      });
    },
  },
  {
    // Tenant scope: users and reset tokens belong to a tenant, and an email is unique within its tenant only.
    name: "emailpassword/003_tenant_scope",
    up: async (knex, tables) => {
      const users = tables.name("emailpassword_users");
      await knex.schema.alterTable(users, (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable().defaultTo("public");
      });
      // The new unique index first: there is no moment at which one email could be inserted twice. Named explicitly,
      // since the generated name would pass PostgreSQL's 63 characters with a 20-character prefix.
      await knex.schema.alterTable(users, (t) => {
        t.unique(["tenant_id", "email"], { indexName: tables.name("ep_users_tenant_email_uq") });
      });
      await knex.schema.alterTable(users, (t) => {
        t.dropUnique(["email"]);
      });
      await knex.schema.alterTable(tables.name("emailpassword_reset_tokens"), (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable().defaultTo("public");
      });
    },
  },
  {
    // Emails are now lower-cased whole and NFC (lib/email/address.ts): rows stored before are rewritten. Where two
    // accounts of a tenant differ only in case or composition, the oldest keeps the address and the others keep their
    // old spelling (which no sign-in reaches any more): they are named in the log, for the operator to merge or
    // delete (docs/ASVS.md, "Email normalisation").
    name: "emailpassword/004_normalise_emails",
    up: async (knex, tables) => {
      const kept = await normaliseStoredEmails(knex, {
        table: tables.name("emailpassword_users"),
        key: ["user_id"],
        uniqueWith: ["tenant_id"],
        // The oldest account keeps the address.
        orderBy: ["time_joined"],
        onTaken: "keep",
      });
      if (kept.length > 0)
        console.warn(
          `[latchkey] emailpassword/004_normalise_emails: ${kept.length} account(s) share an email with another account once case is ignored and keep their old spelling; user ids: ${kept.map((r) => String(r.user_id)).join(", ")} (see docs/ASVS.md, "Email normalisation")`,
        );
    },
  },
  {
    // A reset token is for the email it was sent to (issue 23). Tokens issued before say nothing about their email
    // and live an hour at most: they are deleted (a user who asked in the last hour asks again). Nullable only
    // because SQLite cannot add a NOT NULL column without a default; the recipe never writes or accepts a null.
    name: "emailpassword/005_reset_token_email",
    up: async (knex, tables) => {
      const tokens = tables.name("emailpassword_reset_tokens");
      await knex(tokens).del();
      await knex.schema.alterTable(tokens, (t) => {
        tables.caseSensitive(t.string("email", 254)).nullable();
      });
    },
  },
  {
    // Listing users in join order (Latchkey.getUsersNewestFirst, the dashboard) pages by (time_joined, user_id).
    name: "emailpassword/006_join_order_index",
    up: async (knex, tables) => {
      await knex.schema.alterTable(tables.name("emailpassword_users"), (t) => {
        t.index(["time_joined", "user_id"], tables.name("ep_users_join_order_ix"));
      });
    },
  },
  {
    // Tenants a user belongs to (Multitenancy.associateUserToTenant adds more than the one they signed up in). The
    // email is copied here so that it is unique among a tenant's members, whichever tenant they signed up in; the
    // users table's own unique key gives way to it.
    name: "emailpassword/007_user_tenants",
    up: async (knex, tables) => {
      const members = tables.name("emailpassword_user_tenants");
      await knex.schema.createTable(members, (t) => {
        tables.caseSensitive(t.string("tenant_id", 64)).notNullable();
        t.string("user_id", 36).notNullable();
        tables.caseSensitive(t.string("email", 254)).notNullable();
        t.primary(["tenant_id", "user_id"]);
        t.unique(["tenant_id", "email"], { indexName: tables.name("ep_user_tenants_email_uq") });
        t.index(["user_id"], tables.name("ep_user_tenants_user_ix"));
      });
      await backfillMembers(knex, members, tables.name("emailpassword_users"), ["email"]);
      // Membership decides now: a user removed from the tenant they signed up in leaves its email free there.
      await knex.schema.alterTable(tables.name("emailpassword_users"), (t) => {
        t.index(["email"], tables.name("ep_users_email_ix"));
      });
      await knex.schema.alterTable(tables.name("emailpassword_users"), (t) => {
        t.dropUnique(["tenant_id", "email"], tables.name("ep_users_tenant_email_uq"));
      });
    },
  },
];
