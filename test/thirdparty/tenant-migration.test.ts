import { expect } from "chai";
import { runMigrations } from "../../lib/db/migrations";
import { thirdPartyMigrations } from "../../recipes/thirdparty/migrations";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, testDbKind, uniquePrefix } from "../helpers/db";

describe(`thirdparty: the tenant migration on a table with users (${testDbKind()})`, () => {
  it("puts existing users in the default tenant, and makes a provider identity unique per tenant", async () => {
    const knex = rawKnex(testDatabaseUrl());
    const prefix = uniquePrefix();
    const table = `${prefix}thirdparty_users`;
    try {
      await runMigrations(knex, prefix, thirdPartyMigrations.slice(0, 1));
      const before = {
        third_party_id: "google",
        third_party_user_id: "u1",
        email: "a@example.com",
        email_verified: true,
        time_joined: 1,
      };
      await knex(table).insert({ user_id: "existing", ...before });
      expect(await runMigrations(knex, prefix, thirdPartyMigrations)).to.deep.equal([
        "thirdparty/002_add_tenant_id",
        "thirdparty/003_tenant_id_case_sensitive",
      ]);
      expect(await knex(table).where({ user_id: "existing" }).first("tenant_id")).to.deep.equal({
        tenant_id: "public",
      });
      // The same identity is refused again in its tenant, and welcome in another.
      let refused = false;
      await knex(table)
        .insert({ user_id: "again", tenant_id: "public", ...before })
        .catch(() => (refused = true));
      expect(refused).to.equal(true);
      await knex(table).insert({ user_id: "other-tenant", tenant_id: "tenant-b", ...before });
      expect(Number((await knex(table).count({ n: "*" }))[0]?.n)).to.equal(2);
    } finally {
      await dropTablesWithPrefix(knex, prefix);
      await knex.destroy();
    }
  });
});
