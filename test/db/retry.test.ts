// A transaction the database rolls back for a conflict (a deadlock, or on a Galera cluster a certification conflict
// at COMMIT: ER_LOCK_DEADLOCK, errno 1213, SQLSTATE 40001) is run again whole, a bounded number of times, instead
// of becoming a 500. Other errors are not retried.
import { expect } from "chai";
import type { Knex } from "knex";
import { resolveConnection } from "../../lib/db/connection";
import { Database } from "../../lib/db/database";
import { isRetryableConflict, MAX_ATTEMPTS } from "../../lib/db/retry";
import { LatchkeyError } from "../../lib/error";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, testDbKind, uniquePrefix } from "../helpers/db";

/** The error mysql2 raises when Galera's certification refuses a COMMIT (and InnoDB for a deadlock). */
function certificationConflict(): Error {
  return Object.assign(new Error("Deadlock found when trying to get lock; try restarting transaction"), {
    code: "ER_LOCK_DEADLOCK",
    errno: 1213,
    sqlState: "40001",
  });
}

describe(`database: conflicts are retried (${testDbKind()})`, () => {
  let url: string;
  let prefix: string;
  let db: Database;
  let knex: Knex;

  beforeEach(async () => {
    url = testDatabaseUrl();
    prefix = uniquePrefix();
    db = new Database(resolveConnection(url), prefix);
    db.setMigrations([
      {
        name: "test/001_counters",
        up: (k, t) =>
          k.schema.createTable(t.name("counters"), (table) => {
            table.string("id", 16).primary();
            table.integer("n").notNullable();
          }),
      },
    ]);
    await db.whenReady();
    await db.knex(db.table("counters")).insert([
      { id: "a", n: 0 },
      { id: "b", n: 0 },
    ]);
    knex = rawKnex(url);
  });
  afterEach(async () => {
    await db.close();
    await dropTablesWithPrefix(knex, prefix);
    await knex.destroy();
  });

  const counter = async (id: string): Promise<number> =>
    Number((await knex(db.table("counters")).where({ id }).first("n"))?.n);

  it("recognises MySQL/MariaDB's 1213 (by code, errno or SQLSTATE 40001) and PostgreSQL's 40001 and 40P01, nothing else", () => {
    expect(isRetryableConflict(certificationConflict())).to.equal(true);
    expect(isRetryableConflict({ errno: 1213 })).to.equal(true);
    expect(isRetryableConflict({ code: "40001" })).to.equal(true);
    expect(isRetryableConflict({ code: "40P01" })).to.equal(true);
    expect(isRetryableConflict({ code: "ER_LOCK_WAIT_TIMEOUT", errno: 1205 })).to.equal(false);
    expect(isRetryableConflict({ code: "ER_DUP_ENTRY" })).to.equal(false);
    expect(isRetryableConflict(new Error("boom"))).to.equal(false);
  });

  it("a transaction refused at COMMIT is run again whole: its write lands exactly once", async () => {
    let runs = 0;
    const result = await db.transaction(async (trx) => {
      runs++;
      await trx(db.table("counters")).where({ id: "a" }).increment("n", 1);
      // The first two runs are refused as Galera refuses a COMMIT that lost certification; the rollback undoes them.
      if (runs <= 2) throw certificationConflict();
      return "done";
    });
    expect(result).to.equal("done");
    expect(runs).to.equal(3);
    expect(await counter("a")).to.equal(1);
    expect(db.conflicts).to.deep.equal({ retried: 2, gaveUp: 0 });
  });

  it(`gives up after ${MAX_ATTEMPTS} runs: a GENERAL_ERROR naming the code, nothing written`, async () => {
    let runs = 0;
    const err = await db
      .transaction(async (trx) => {
        runs++;
        await trx(db.table("counters")).where({ id: "a" }).increment("n", 1);
        throw certificationConflict();
      })
      .then(
        () => expect.fail("should give up"),
        (e: unknown) => e,
      );
    expect(runs).to.equal(MAX_ATTEMPTS);
    expect(LatchkeyError.isErrorFromAuth(err)).to.equal(true);
    expect((err as LatchkeyError).type).to.equal("GENERAL_ERROR");
    expect((err as LatchkeyError).message).to.contain("[ER_LOCK_DEADLOCK]");
    expect(await counter("a")).to.equal(0);
    expect(db.conflicts).to.deep.equal({ retried: MAX_ATTEMPTS - 1, gaveUp: 1 });
  });

  it("other errors are not retried (a unique violation runs once)", async () => {
    let runs = 0;
    await db
      .transaction(async (trx) => {
        runs++;
        await trx(db.table("counters")).insert({ id: "a", n: 5 });
      })
      .catch(() => undefined);
    expect(runs).to.equal(1);
    expect(db.conflicts.retried).to.equal(0);
  });

  it("a statement of run() refused for a conflict is run again", async () => {
    let runs = 0;
    const n = await db.run(async (k) => {
      runs++;
      if (runs === 1) throw certificationConflict();
      return Number((await k(db.table("counters")).where({ id: "b" }).first("n"))?.n);
    });
    expect([runs, n]).to.deep.equal([2, 0]);
  });

  if (testDbKind() !== "sqlite") {
    it("a real deadlock (two transactions taking two rows in opposite order): the victim is run again, both land", async function () {
      this.timeout(20_000);
      let holding = 0;
      let release: () => void = () => undefined;
      const bothHold = new Promise<void>((resolve) => (release = resolve));
      const cross = (first: string, second: string) =>
        db.transaction(async (trx) => {
          await trx(db.table("counters")).where({ id: first }).increment("n", 1);
          if (++holding === 2) release();
          await bothHold;
          await trx(db.table("counters")).where({ id: second }).increment("n", 1);
        });
      await Promise.all([cross("a", "b"), cross("b", "a")]);
      expect([await counter("a"), await counter("b")]).to.deep.equal([2, 2]);
      // At least the victim ran again. CI once saw two retries on PostgreSQL under load (the cause is not pinned
      // down); the counts above still show each transaction landed exactly once, and none gave up.
      expect(db.conflicts.retried).to.be.at.least(1);
      expect(db.conflicts.gaveUp).to.equal(0);
    });
  }
});
