// On a Galera cluster a read on one node could miss a commit just made through another (a signing key, a session,
// a user). Latchkey's MySQL/MariaDB connections ask for causal reads (wsrep_sync_wait = 1); on a server without
// wsrep the setting is harmless. The cluster suite (npm run test:cluster) shows the effect on real nodes.
import { expect } from "chai";
import type { Knex } from "knex";
import { resolveConnection } from "../../lib/db/connection";
import { testDatabaseUrl, testDbKind } from "../helpers/db";

if (testDbKind() === "mysql") {
  describe("database: causal reads on MySQL/MariaDB connections (mysql)", () => {
    const syncWait = async (knex: Knex): Promise<number> => {
      const [rows] = (await knex.raw("select @@wsrep_sync_wait as w")) as [{ w: number | string }[]];
      return Number(rows[0]?.w);
    };

    it("a URL's connections read causally (wsrep_sync_wait = 1)", async () => {
      const { knex } = resolveConnection(testDatabaseUrl());
      try {
        expect(await syncWait(knex)).to.equal(1);
      } finally {
        await knex.destroy();
      }
    });

    it("a knex config's connections too, and the app's own afterCreate still runs", async () => {
      let ran = 0;
      const { knex } = resolveConnection({
        client: "mysql2",
        connection: testDatabaseUrl(),
        pool: {
          min: 0,
          max: 1,
          afterCreate: (conn: unknown, done: (err: Error | null, conn: unknown) => void) => {
            ran++;
            done(null, conn);
          },
        },
      });
      try {
        expect(await syncWait(knex)).to.equal(1);
        expect(ran).to.equal(1);
      } finally {
        await knex.destroy();
      }
    });
  });
}
