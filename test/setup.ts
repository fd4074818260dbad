// Root hooks: the database this run was told to use must be reachable, or the whole run fails (never a skip).
import { removeSqliteFiles, rawKnex, testDatabaseUrl, testDbKind } from "./helpers/db";

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(20_000);
    const kind = testDbKind();
    const url = testDatabaseUrl();
    const knex = rawKnex(url);
    try {
      await knex.raw("select 1");
    } catch (err) {
      throw new Error(`LATCHKEY_TEST_DB=${kind}: the test database cannot be reached (${(err as Error).message})`, {
        cause: err,
      });
    } finally {
      await knex.destroy();
    }
    console.log(`  storage tests run on ${kind}`);
  },
  afterAll(): void {
    removeSqliteFiles();
  },
};
