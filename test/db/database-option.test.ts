// The `database` and `tablePrefix` options as a careless or hostile config writes them.
import { expect } from "chai";
import type { Knex } from "knex";
import { shippedMigrations } from "../../bin/shippedMigrations";
import { resolveConnection } from "../../lib/db/connection";
import { Database, normaliseTablePrefix } from "../../lib/db/database";
import Latchkey from "../../lib/index";
import { resetForTests } from "../../lib/testing";
import { NotesRecipe } from "../fixtures/notesRecipe";
import { APP_INFO } from "../helpers/app";
import {
  dropTablesWithPrefix,
  rawKnex,
  tablesWithPrefix,
  testDatabaseUrl,
  testDbKind,
  uniquePrefix,
} from "../helpers/db";

type LatchkeyErr = InstanceType<typeof Latchkey.Error>;

function configErrorOf(fn: () => unknown): LatchkeyErr {
  try {
    fn();
  } catch (err) {
    expect(Latchkey.Error.isErrorFromAuth(err), String(err)).to.equal(true);
    expect((err as LatchkeyErr).type).to.equal("INVALID_CONFIG");
    return err as LatchkeyErr;
  }
  throw new Error("expected an INVALID_CONFIG error");
}

/** The connection options Latchkey hands the driver for `url`. */
async function connectionOf(url: string): Promise<Record<string, unknown>> {
  const resolved = resolveConnection(url);
  try {
    return resolved.knex.client.config.connection as Record<string, unknown>;
  } finally {
    await resolved.knex.destroy();
  }
}

describe("database URLs", () => {
  afterEach(() => resetForTests());

  // [what is wrong, URL, what the message must say, fragments of secrets it must not contain]
  const bad: [string, string, RegExp, string[]][] = [
    [
      "a malformed %-escape in the password",
      "mysql://root:pa%ZZss@127.0.0.1/test",
      /password has a malformed %-escape/,
      ["pa%ZZss", "ZZss"],
    ],
    [
      "a malformed %-escape in the database name",
      "postgres://u:hunter2@127.0.0.1/te%G1st",
      /database name has a malformed/,
      ["hunter2"],
    ],
    [
      "an unencoded # in the password",
      "mysql://root:hun#ter2@127.0.0.1/test",
      /percent-encode.*# as %23/,
      ["hun", "ter2"],
    ],
    [
      "an unencoded # and @ in the password",
      "postgres://app:p@ss#w@rd@db.internal/shop",
      /percent-encode/,
      ["ss#w", "rd@db"],
    ],
    ["a mysql URL without //", "mysql:root:hunter2@127.0.0.1/test", /starts with mysql:\/\//, ["hunter2"]],
    ["a postgres URL with one slash", "postgres:/app:hunter2@127.0.0.1/test", /starts with postgres:\/\//, ["hunter2"]],
    ["a mysql URL without a database", "mysql://root:hunter2@127.0.0.1:3306", /needs a database name/, ["hunter2"]],
    ["a mariadb URL with only a slash", "mariadb://root:hunter2@127.0.0.1/", /needs a database name/, ["hunter2"]],
    [
      "ssl that is not a boolean",
      "postgres://u:hunter2@127.0.0.1/test?ssl=maybe",
      /ssl= must be true or false/,
      ["hunter2"],
    ],
    ["an unknown sslmode", "postgres://u:hunter2@127.0.0.1/test?sslmode=sometimes", /unknown sslmode/, ["hunter2"]],
    [
      "a certificate file in the URL",
      "postgres://u:hunter2@127.0.0.1/test?sslrootcert=/etc/ca.pem",
      /knex config/,
      ["hunter2"],
    ],
  ];
  for (const [name, url, message, secrets] of bad) {
    it(`rejects ${name} at init with INVALID_CONFIG, echoing no part of the password`, () => {
      const err = configErrorOf(() =>
        Latchkey.init({ appInfo: APP_INFO, database: url, recipeList: [NotesRecipe.init()] }),
      );
      expect(err.message)
        .to.match(/^database: /)
        .and.match(message);
      for (const secret of secrets) expect(err.message).to.not.contain(secret);
    });
  }

  it("describes a URL without a host as localhost, the host the driver then uses", async () => {
    const resolved = resolveConnection("postgres:///shop");
    try {
      expect(resolved.description).to.equal("postgres at localhost:5432/shop");
    } finally {
      await resolved.knex.destroy();
    }
  });

  it("decodes percent-encoded reserved characters in user name and password", async () => {
    const connection = await connectionOf("mysql://us%40er:p%40ss%23w%2Frd%3F@127.0.0.1/test");
    expect(connection.user).to.equal("us@er");
    expect(connection.password).to.equal("p@ss#w/rd?");
  });

  // [query, the `ssl` option node-postgres gets]
  const pgSsl: [string, unknown][] = [
    ["ssl=false", false],
    ["ssl=0", false],
    ["ssl=true", true],
    ["sslmode=disable", false],
    ["sslmode=require", { rejectUnauthorized: true }],
    ["sslmode=verify-full", { rejectUnauthorized: true }],
    ["sslmode=no-verify", { rejectUnauthorized: false }],
  ];
  for (const [query, ssl] of pgSsl) {
    it(`gives node-postgres ssl ${JSON.stringify(ssl)} for ?${query} (libpq's meaning, not a truthy string)`, async () => {
      expect((await connectionOf(`postgres://u@127.0.0.1/test?${query}`)).ssl).to.deep.equal(ssl);
    });
  }

  it("reads mysql query values as mysql2 reads its own URLs: JSON when they parse, else strings", async () => {
    const connection = await connectionOf(
      `mysql://u@127.0.0.1/test?ssl=false&connectTimeout=5000&timezone=Z&ssl2=${encodeURIComponent('{"rejectUnauthorized":true}')}`,
    );
    expect(connection.ssl).to.equal(false);
    expect(connection.connectTimeout).to.equal(5000);
    expect(connection.timezone).to.equal("Z");
    expect(connection.ssl2).to.deep.equal({ rejectUnauthorized: true });
  });

  if (testDbKind() !== "sqlite") {
    it(`connects to the ${testDbKind()} test database with ?ssl=false (the server has no TLS)`, async () => {
      const prefix = uniquePrefix();
      const url = `${testDatabaseUrl()}?ssl=false`;
      Latchkey.init({ appInfo: APP_INFO, database: url, tablePrefix: prefix, recipeList: [NotesRecipe.init()] });
      const notes = NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl;
      try {
        const note = await notes.createNote({ userId: "u", text: "plain", userContext: {} });
        expect((await notes.getNote({ id: note.id, userContext: {} }))?.text).to.equal("plain");
      } finally {
        await resetForTests();
        const knex = rawKnex(testDatabaseUrl());
        await dropTablesWithPrefix(knex, prefix).finally(() => knex.destroy());
      }
    });
  }

  it("takes knex's mysql client name to mean the shipped mysql2 driver", async () => {
    const resolved = resolveConnection({
      client: "mysql",
      connection: { host: "127.0.0.1", database: "test", password: "hunter2" },
    });
    try {
      expect(resolved.knex.client.config.client).to.equal("mysql2");
      expect(resolved.description).to.equal("mysql at 127.0.0.1:3306/test");
    } finally {
      await resolved.knex.destroy();
    }
  });

  it("never puts a knex config's connection string in its description when it has no //host", async () => {
    for (const connection of ["mysql:root:hunter2@127.0.0.1/test", "postgres:/app:hunter2@127.0.0.1/test"]) {
      const resolved = resolveConnection({ client: connection.startsWith("mysql") ? "mysql2" : "pg", connection });
      try {
        expect(resolved.description, connection).to.not.contain("hunter2");
      } finally {
        await resolved.knex.destroy();
      }
    }
  });

  it("rejects a knex client it cannot load with INVALID_CONFIG naming the client, not the connection", () => {
    for (const client of ["nonsense", "oracledb"]) {
      const err = configErrorOf(() => resolveConnection({ client, connection: { host: "h", password: "hunter2" } }));
      expect(err.message).to.contain(`"${client}"`);
      expect(err.message).to.not.contain("hunter2");
      expect(err.message).to.not.contain("\n");
    }
  });

  it("sqlite::memory: keeps one database for the life of the process (one connection)", async () => {
    Latchkey.init({ appInfo: APP_INFO, database: "sqlite::memory:", recipeList: [NotesRecipe.init()] });
    const notes = NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl;
    const created = await Promise.all(
      ["a", "b", "c", "d"].map((text) => notes.createNote({ userId: "u", text, userContext: {} })),
    );
    for (const note of created) expect(await notes.getNote({ id: note.id, userContext: {} })).to.deep.equal(note);
  });
});

describe("table prefix", () => {
  // [prefix, why it must be refused]
  const refused: [unknown, string][] = [
    ['x"; drop table users; --', "quotes and spaces"],
    ["x`; drop table users", "a backtick"],
    ["a-b", "a dash"],
    ["1abc", "a leading digit"],
    ["préfixe_", "a non-ASCII letter"],
    ["x\u0000", "a NUL"],
    ["a".repeat(21), "21 characters"],
    [42, "a number"],
    [null, "null"],
  ];
  for (const [prefix, why] of refused) {
    it(`refuses a prefix with ${why}`, () => {
      const err = configErrorOf(() => normaliseTablePrefix(prefix));
      expect(err.message).to.match(/^tablePrefix: /);
    });
  }

  it("accepts the empty prefix, and leaves an omitted one at latchkey_", () => {
    expect(normaliseTablePrefix("")).to.equal("");
    expect(normaliseTablePrefix(undefined)).to.equal("latchkey_");
  });

  describe("the longest prefix accepted", () => {
    let longest: number;
    let prefix: string;
    let url: string;
    let knex: Knex;
    before(() => {
      longest = 0;
      for (let length = 1; length <= 128; length++) {
        try {
          normaliseTablePrefix(`p${"x".repeat(length - 1)}`);
          longest = length;
        } catch {
          break;
        }
      }
    });
    beforeEach(() => {
      const unique = uniquePrefix();
      prefix = `${unique}${"p".repeat(Math.max(0, longest - unique.length))}`;
      url = testDatabaseUrl();
      knex = rawKnex(url);
    });
    afterEach(async () => {
      await dropTablesWithPrefix(knex, prefix);
      await knex.destroy();
    });

    it("creates every shipped recipe's tables and indexes with names within the 63-character limit", async () => {
      expect(prefix).to.have.length(longest);
      const database = new Database(resolveConnection(url), normaliseTablePrefix(prefix));
      database.setMigrations(shippedMigrations());
      const identifiers: string[] = [];
      database.knex.on("query", (query: { sql: string }) => {
        for (const match of query.sql.matchAll(/["`]([^"`]+)["`]/g))
          if (match[1]?.startsWith(prefix)) identifiers.push(match[1]);
      });
      try {
        await database.migrate();
      } finally {
        await database.close();
      }
      expect(identifiers).to.not.be.empty;
      // PostgreSQL would truncate a longer name silently (two indexes may then clash); MySQL refuses it.
      const tooLong = identifiers.filter((id) => id.length > 63);
      expect(tooLong, tooLong.join(", ")).to.deep.equal([]);
      expect(await tablesWithPrefix(knex, prefix)).to.include.members([
        `${prefix}sessions`,
        `${prefix}emailpassword_reset_tokens`,
        `${prefix}emailverification_tokens`,
      ]);
    });
  });
});
