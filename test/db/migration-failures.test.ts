// A migration that fails for a reason of its own (here: an app table already has the name) must say so at once,
// not wait out the lock timeout and then blame "another process" holding a lock that is free.
import { expect } from "chai";
import type { Knex } from "knex";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import { resetForTests } from "../../lib/testing";
import { NotesRecipe } from "../fixtures/notesRecipe";
import { APP_INFO } from "../helpers/app";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, uniquePrefix } from "../helpers/db";

describe("a migration that fails on its own", () => {
  let url: string;
  let prefix: string;
  let knex: Knex;
  let savedWait: string | undefined;

  beforeEach(() => {
    url = testDatabaseUrl();
    prefix = uniquePrefix();
    knex = rawKnex(url);
    // Short, so that the old behaviour (treating the failure as lock contention) fails this test quickly.
    savedWait = process.env.LATCHKEY_MIGRATION_LOCK_WAIT_MS;
    process.env.LATCHKEY_MIGRATION_LOCK_WAIT_MS = "1000";
  });
  afterEach(async () => {
    if (savedWait === undefined) delete process.env.LATCHKEY_MIGRATION_LOCK_WAIT_MS;
    else process.env.LATCHKEY_MIGRATION_LOCK_WAIT_MS = savedWait;
    await resetForTests();
    await dropTablesWithPrefix(knex, prefix);
    await knex.destroy();
  });

  it("names the migration and the clash with an existing table, leaves the lock free, and recovers once renamed", async () => {
    // The app already has a table with the name the notes recipe wants.
    await knex.schema.createTable(`${prefix}notes`, (t) => t.integer("app_column"));
    Latchkey.init({ appInfo: APP_INFO, database: url, tablePrefix: prefix, recipeList: [NotesRecipe.init()] });
    const notes = NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl;
    const err = await notes.getNote({ id: "x", userContext: {} }).then(
      () => expect.fail("the migration should have failed"),
      (e: unknown) => e as InstanceType<typeof Latchkey.Error>,
    );
    expect(Latchkey.Error.isErrorFromAuth(err), String(err)).to.equal(true);
    expect(err.type).to.equal("GENERAL_ERROR");
    expect(err.message).to.match(/^Migration notes\/001_create_notes failed on \w+ at /);
    expect(err.message).to.match(/already exists .*set another tablePrefix/);
    expect(err.message).to.not.match(/locked by another process|--unlock/);
    const locks = (await knex(`${prefix}migrations_lock`).select("is_locked")) as { is_locked: number }[];
    expect(locks.map((l) => Number(l.is_locked))).to.deep.equal([0]);
    // Nothing was half-applied: the app's table is untouched and no migration is recorded.
    expect(await knex.schema.hasColumn(`${prefix}notes`, "app_column")).to.equal(true);
    expect(await knex(`${prefix}migrations`).count({ n: "*" }).first()).to.satisfy(
      (row: { n: number | string }) => Number(row.n) === 0,
    );
    // Once the app moves its table away, the next use migrates (the failure was not remembered).
    await knex.schema.renameTable(`${prefix}notes`, `${prefix}app_notes`);
    expect(await Core.getInstanceOrThrow().database.migrate()).to.deep.equal([
      "notes/001_create_notes",
      "notes/002_add_created_at",
    ]);
  });
});
