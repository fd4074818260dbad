import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { shippedMigrations } from "../../bin/shippedMigrations";
import type { Knex } from "knex";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import { resetForTests } from "../../lib/testing";
import { NotesRecipe } from "../fixtures/notesRecipe";
import { APP_INFO } from "../helpers/app";
import { dropTablesWithPrefix, rawKnex, tablesWithPrefix, testDatabaseUrl, uniquePrefix } from "../helpers/db";

// Every recipe shipped in the package brings its migrations; the bin applies all of them.
const SHIPPED = shippedMigrations().length;

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");
const NOTES_CONFIG = path.join(ROOT, "test/fixtures/notesConfig.ts");

/** Runs the `latchkey` bin from source, as `npx latchkey` runs the built one. */
function latchkeyBin(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "bin/latchkey.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: 90_000,
  });
}

describe("migrations", () => {
  let url: string;
  let prefix: string;
  let knex: Knex;

  beforeEach(() => {
    url = testDatabaseUrl();
    prefix = uniquePrefix();
    knex = rawKnex(url);
  });
  afterEach(async () => {
    await resetForTests();
    await dropTablesWithPrefix(knex, prefix);
    await knex.destroy();
  });

  async function appliedNames(): Promise<string[]> {
    const rows = (await knex(`${prefix}migrations`).select("name").orderBy("id")) as { name: string }[];
    return rows.map((r) => r.name);
  }

  async function lockRows(): Promise<{ is_locked: number }[]> {
    return (await knex(`${prefix}migrations_lock`).select("is_locked")) as { is_locked: number }[];
  }

  it("are applied on first use, from an empty database, with the table prefix", async () => {
    Latchkey.init({ appInfo: APP_INFO, database: url, tablePrefix: prefix, recipeList: [NotesRecipe.init()] });
    expect(await tablesWithPrefix(knex, prefix)).to.deep.equal([]); // init alone touches nothing
    await NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl.createNote({ userId: "u", text: "t", userContext: {} });
    expect(await tablesWithPrefix(knex, prefix)).to.deep.equal([
      `${prefix}migrations`,
      `${prefix}migrations_lock`,
      `${prefix}notes`,
    ]);
    expect(await appliedNames()).to.deep.equal(["notes/001_create_notes", "notes/002_add_created_at"]);
    expect(await lockRows()).to.deep.equal([{ is_locked: 0 }]);
  });

  it("run twice in a row without error, the second applying nothing", async () => {
    Latchkey.init({ appInfo: APP_INFO, database: url, tablePrefix: prefix, recipeList: [NotesRecipe.init()] });
    const database = Core.getInstanceOrThrow().database;
    expect(await database.migrate()).to.deep.equal(["notes/001_create_notes", "notes/002_add_created_at"]);
    expect(await database.migrate()).to.deep.equal([]);
    await resetForTests();
    // And again from a new process's point of view: a fresh init on the same tables.
    Latchkey.init({ appInfo: APP_INFO, database: url, tablePrefix: prefix, recipeList: [NotesRecipe.init()] });
    expect(await Core.getInstanceOrThrow().database.migrate()).to.deep.equal([]);
    expect(await appliedNames()).to.have.length(2);
  });

  it("apply a recipe's migrations when it joins the recipe list later, and tolerate one that left", async () => {
    Latchkey.init({ appInfo: APP_INFO, database: url, tablePrefix: prefix, recipeList: [NotesRecipe.init()] });
    await Core.getInstanceOrThrow().database.migrate();
    await resetForTests();
    Latchkey.init({
      appInfo: APP_INFO,
      database: url,
      tablePrefix: prefix,
      recipeList: [NotesRecipe.init(), NotesRecipe.init({ recipeId: "memo" })],
    });
    expect(await Core.getInstanceOrThrow().database.migrate()).to.deep.equal([
      "memo/001_create_notes",
      "memo/002_add_created_at",
    ]);
    await resetForTests();
    Latchkey.init({
      appInfo: APP_INFO,
      database: url,
      tablePrefix: prefix,
      recipeList: [NotesRecipe.init({ recipeId: "memo", slowMigrationMs: 1 })],
    });
    // notes' applied migrations are no longer in the list: that is a recipe that left, not a corrupt history.
    expect(await Core.getInstanceOrThrow().database.migrate()).to.deep.equal(["memo/003_slow"]);
    expect(await tablesWithPrefix(knex, prefix)).to.include.members([
      `${prefix}notes`,
      `${prefix}memo`,
      `${prefix}memo_slow`,
    ]);
  });

  it("run from two processes at once without corrupting anything (the migration lock)", async function () {
    this.timeout(120_000);
    const args = ["migrate", "--database", url, "--table-prefix", prefix, "--config", NOTES_CONFIG];
    // The slow migration keeps the first process inside the lock long enough for the second to hit it.
    const env = { NOTES_SLOW_MIGRATION_MS: "1500" };
    const [a, b] = await Promise.all([latchkeyBin(args, env), latchkeyBin(args, env)]);
    const outputs = [a.stdout, b.stdout];
    expect(
      outputs.filter((o) => o.startsWith("Applied 3 migration(s)")),
      outputs.join("\n"),
    ).to.have.length(1);
    expect(
      outputs.filter((o) => o.startsWith("Already up to date")),
      outputs.join("\n"),
    ).to.have.length(1);
    expect(await appliedNames()).to.deep.equal([
      "notes/001_create_notes",
      "notes/002_add_created_at",
      "notes/003_slow",
    ]);
    expect(await lockRows()).to.deep.equal([{ is_locked: 0 }]);
    expect(await tablesWithPrefix(knex, prefix)).to.deep.equal(
      [`${prefix}migrations`, `${prefix}migrations_lock`, `${prefix}notes`, `${prefix}notes_slow`].sort(),
    );
  });

  it("the bin reports a lock left by a dead process, and --unlock clears it", async function () {
    this.timeout(120_000);
    const args = ["migrate", "--database", url, "--table-prefix", prefix, "--config", NOTES_CONFIG];
    await latchkeyBin(args);
    await knex(`${prefix}migrations_lock`).update({ is_locked: 1 });
    // A new migration is pending, so the bin must take the lock, which a dead process holds.
    const pending = { NOTES_SLOW_MIGRATION_MS: "1" };
    const started = Date.now();
    const stuck = await latchkeyBin(args, { ...pending, LATCHKEY_MIGRATION_LOCK_WAIT_MS: "1500" }).then(
      () => expect.fail("migrate should fail while the lock is held"),
      (err: { code: number; stderr: string }) => err,
    );
    expect(stuck.code).to.equal(1);
    expect(stuck.stderr).to.match(/locked by another process.*--unlock/);
    expect(Date.now() - started).to.be.lessThan(60_000);
    const unlocked = await latchkeyBin([...args, "--unlock"], pending);
    expect(unlocked.stdout).to.contain("Migration lock cleared");
    expect(unlocked.stdout).to.contain("Applied 1 migration(s)");
    expect(await lockRows()).to.deep.equal([{ is_locked: 0 }]);
  });

  it("the bin without --config applies the shipped recipes' migrations and its bookkeeping", async () => {
    const { stdout } = await latchkeyBin(["migrate", "--database", url, "--table-prefix", prefix]);
    expect(stdout).to.match(new RegExp(`^Applied ${SHIPPED} migration\\(s\\)`));
    expect(stdout).to.contain("session/001_create_sessions");
    expect(stdout).to.contain("emailpassword/001_create_users_and_reset_tokens");
    expect(stdout).to.contain("thirdparty/001_create_users");
    expect(stdout).to.contain("emailpassword/002_create_rate_limits");
    expect(await tablesWithPrefix(knex, prefix)).to.include.members([
      `${prefix}migrations`,
      `${prefix}migrations_lock`,
      `${prefix}sessions`,
      `${prefix}emailpassword_users`,
    ]);
  });

  it("the bin rejects bad usage with exit code 2 and shows help with exit code 0", async () => {
    const bad = await latchkeyBin(["frobnicate"]).then(
      () => expect.fail("should fail"),
      (err: { code: number; stderr: string }) => err,
    );
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("Usage: latchkey migrate");
    expect((await latchkeyBin(["--help"])).stdout).to.contain("--database URL");
  });

  it("the bin names host and port of an unreachable database, never the password", async () => {
    const err = await latchkeyBin(["migrate", "--database", "mysql://root:hunter2@127.0.0.1:1/test"]).then(
      () => expect.fail("should fail"),
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(err.code).to.equal(1);
    expect(err.stderr).to.contain("127.0.0.1:1");
    expect(err.stderr + err.stdout).to.not.contain("hunter2");
  });
});
