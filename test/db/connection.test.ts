import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import knexFactory from "knex";
import Latchkey from "../../lib/index";
import { resolveConnection } from "../../lib/db/connection";
import { Latchkey as Core } from "../../lib/latchkey";
import { resetForTests } from "../../lib/testing";
import { NotesRecipe } from "../fixtures/notesRecipe";
import { APP_INFO } from "../helpers/app";
import { FaultProxy } from "../helpers/proxy";
import {
  dropTablesWithPrefix,
  rawKnex,
  tablesWithPrefix,
  testDatabaseUrl,
  testDbKind,
  uniquePrefix,
} from "../helpers/db";

describe("database option", () => {
  afterEach(() => resetForTests());

  it("parses mysql, postgres and sqlite URLs into knex configs, describing them without the password", async () => {
    const cases: [string, string, string][] = [
      ["mysql://root:s3cret@db.internal:3307/shop", "mysql2", "mysql at db.internal:3307/shop"],
      ["mariadb://root@db.internal/shop", "mysql2", "mysql at db.internal:3306/shop"],
      ["postgres://app:s3cret@pg.internal/shop", "pg", "postgres at pg.internal:5432/shop"],
      ["postgresql://app@pg.internal:6543/shop", "pg", "postgres at pg.internal:6543/shop"],
      ["sqlite:./data/app.sqlite", "better-sqlite3", "sqlite at ./data/app.sqlite"],
      ["sqlite::memory:", "better-sqlite3", "sqlite at :memory:"],
    ];
    for (const [url, client, description] of cases) {
      const resolved = resolveConnection(url);
      try {
        expect(resolved.knex.client.config.client, url).to.equal(client);
        expect(resolved.description, url).to.equal(description);
        expect(resolved.description).to.not.contain("s3cret");
        expect(resolved.owned).to.equal(true);
      } finally {
        await resolved.knex.destroy();
      }
    }
  });

  it("uses a knex instance the app passes in, and leaves it open on reset", async () => {
    const knex = rawKnex(testDatabaseUrl());
    try {
      Latchkey.init({
        appInfo: APP_INFO,
        database: knex,
        tablePrefix: uniquePrefix(),
        recipeList: [NotesRecipe.init()],
      });
      expect(Core.getInstanceOrThrow().database.knex).to.equal(knex);
      await resetForTests();
      await knex.raw("select 1"); // still usable: Latchkey did not destroy what it did not create
    } finally {
      await knex.destroy();
    }
  });

  it("accepts a knex config object", async () => {
    const prefix = uniquePrefix();
    const url = testDatabaseUrl();
    const config = url.startsWith("sqlite:")
      ? { client: "better-sqlite3", connection: { filename: url.slice(7) }, useNullAsDefault: true }
      : { client: url.startsWith("mysql") ? "mysql2" : "pg", connection: url };
    Latchkey.init({ appInfo: APP_INFO, database: config, tablePrefix: prefix, recipeList: [NotesRecipe.init()] });
    const note = await NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl.createNote({
      userId: "u",
      text: "t",
      userContext: {},
    });
    expect(note.userId).to.equal("u");
    await resetForTests();
    const knex = rawKnex(url);
    try {
      expect(await tablesWithPrefix(knex, prefix)).to.include(`${prefix}notes`);
      await dropTablesWithPrefix(knex, prefix);
    } finally {
      await knex.destroy();
    }
  });

  it("defaults to a SQLite file latchkey.sqlite in the working directory", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-default-"));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      Latchkey.init({ appInfo: APP_INFO, recipeList: [NotesRecipe.init()] });
      expect(Core.getInstanceOrThrow().database.description).to.equal("sqlite at latchkey.sqlite");
      await NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl.createNote({
        userId: "u",
        text: "t",
        userContext: {},
      });
      expect(fs.existsSync(path.join(dir, "latchkey.sqlite"))).to.equal(true);
      await resetForTests();
      const db = knexFactory({
        client: "better-sqlite3",
        connection: { filename: path.join(dir, "latchkey.sqlite") },
        useNullAsDefault: true,
      });
      try {
        const [mode] = (await db.raw("pragma journal_mode")) as { journal_mode: string }[];
        expect(mode?.journal_mode).to.equal("wal");
        expect(await tablesWithPrefix(db, "latchkey_")).to.deep.equal([
          "latchkey_migrations",
          "latchkey_migrations_lock",
          "latchkey_notes",
        ]);
      } finally {
        await db.destroy();
      }
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an unreachable database gives a GENERAL_ERROR naming host and port, never the password", async () => {
    // Port 1 on loopback refuses at once; the same code path as a MySQL or PostgreSQL server that is down.
    for (const url of ["mysql://root:hunter2@127.0.0.1:1/test", "postgres://postgres:hunter2@127.0.0.1:1/test"]) {
      Latchkey.init({ appInfo: APP_INFO, database: url, recipeList: [NotesRecipe.init()] });
      try {
        await NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl.getNote({ id: "x", userContext: {} });
        expect.fail("the query should have failed");
      } catch (err) {
        expect(Latchkey.Error.isErrorFromAuth(err), String(err)).to.equal(true);
        const e = err as InstanceType<typeof Latchkey.Error>;
        expect(e.type).to.equal("GENERAL_ERROR");
        expect(e.message).to.contain("127.0.0.1:1");
        expect(e.message).to.contain("Cannot reach the database");
        expect(e.message).to.not.contain("hunter2");
        expect(String(e.stack)).to.not.contain("hunter2");
      }
      await resetForTests();
    }
  });

  it("recovers on its own once a database that was down comes back (a failed first use is not remembered)", async () => {
    const url = testDatabaseUrl();
    const prefix = uniquePrefix();
    let faultyUrl: string;
    let bringUp: () => Promise<void>;
    let proxy: FaultProxy | undefined;
    let scratch: string | undefined;
    if (url.startsWith("sqlite:")) {
      // SQLite's equivalent of a server that is down: a directory that does not exist yet.
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-down-"));
      const dir = path.join(scratch, "later");
      faultyUrl = `sqlite:${path.join(dir, "db.sqlite")}`;
      bringUp = async () => void fs.mkdirSync(dir);
    } else {
      const target = new URL(url);
      const p = new FaultProxy(target.hostname, Number(target.port));
      proxy = p;
      target.port = String(await p.reservePort());
      faultyUrl = target.toString();
      bringUp = () => p.up();
    }
    Latchkey.init({ appInfo: APP_INFO, database: faultyUrl, tablePrefix: prefix, recipeList: [NotesRecipe.init()] });
    const notes = NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl;
    try {
      await notes.getNote({ id: "x", userContext: {} }).then(
        () => expect.fail("the database is down: the call should fail"),
        (err: InstanceType<typeof Latchkey.Error>) => expect(err.type).to.equal("GENERAL_ERROR"),
      );
      await bringUp();
      const note = await notes.createNote({ userId: "u", text: "back", userContext: {} });
      expect(await notes.getNote({ id: note.id, userContext: {} })).to.deep.equal(note);
    } finally {
      await resetForTests();
      await proxy?.down();
      if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
      const knex = rawKnex(url);
      await dropTablesWithPrefix(knex, prefix).finally(() => knex.destroy());
    }
  });

  it(`runs against the configured test database (${testDbKind()})`, async () => {
    const resolved = resolveConnection(testDatabaseUrl());
    try {
      expect(resolved.description.split(" ")[0]).to.equal(testDbKind());
    } finally {
      await resolved.knex.destroy();
    }
  });
});
