// `latchkey migrate` as users get it wrong: bad arguments and config modules get a clear message and a stable exit
// code with no secret echoed, and the process ends once it has migrated.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { shippedMigrations } from "../../bin/shippedMigrations";
import { dropTablesWithPrefix, rawKnex, tablesWithPrefix, testDatabaseUrl, uniquePrefix } from "../helpers/db";

// Every recipe shipped in the package brings its migrations; the bin applies all of them.
const SHIPPED = shippedMigrations().length;

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the bin from source and returns its exit code and output, whether it failed or not. */
function latchkeyBin(args: string[], timeout = 60_000): Promise<Outcome> {
  return run(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "bin/latchkey.ts"), ...args], {
    cwd: ROOT,
    timeout,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    // A process killed by the timeout has no exit code: null, which no test expects.
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

describe("latchkey migrate (the bin): arguments, config modules, exit codes", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-cli-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function writeModule(name: string, source: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, source);
    return file;
  }

  // [case, args, exit code, what stderr must say]
  const usage: [string, string[], number, RegExp][] = [
    ["no command", [], 2, /no command given[\s\S]*Usage: latchkey migrate/],
    ["an unknown command", ["frobnicate"], 2, /unknown command or extra argument: frobnicate/],
    ["an extra argument", ["migrate", "now"], 2, /unknown command or extra argument: now/],
    ["an unknown option", ["migrate", "--databse", "sqlite::memory:"], 2, /databse[\s\S]*Usage/],
    ["an option without its value", ["migrate", "--database"], 2, /--database[\s\S]*Usage/],
  ];
  for (const [name, args, code, stderr] of usage) {
    it(`answers ${name} with exit code ${code} and says what is wrong`, async () => {
      const out = await latchkeyBin(args);
      expect(out.code, out.stderr).to.equal(code);
      expect(out.stderr).to.match(stderr);
      expect(out.stdout).to.equal("");
    });
  }

  it("names a --config file that does not exist (exit 1)", async () => {
    const missing = path.join(dir, "nope.config.js");
    const out = await latchkeyBin(["migrate", "--config", missing]);
    expect(out.code).to.equal(1);
    expect(out.stderr).to.contain(`--config: no such file ${missing}`);
  });

  it("reports a --config module that throws by its error's kind, never its message (which may quote a URL)", async () => {
    const file = writeModule("throws.config.js", 'throw new Error("cannot reach postgres://app:hunter2@db/prod");\n');
    const out = await latchkeyBin(["migrate", "--config", file]);
    expect(out.code).to.equal(1);
    expect(out.stderr).to.match(/--config: .*throws\.config\.js could not be loaded \(Error\)/);
    expect(out.stderr).to.not.contain("hunter2");
  });

  it("says what a --config module must export when it exports something else", async () => {
    const file = writeModule("number.config.js", "module.exports = 42;\n");
    const out = await latchkeyBin(["migrate", "--config", file]);
    expect(out.code).to.equal(1);
    expect(out.stderr).to.contain("must export the object you pass to Latchkey.init()");
  });

  it("refuses a bad --database or --table-prefix with exit code 1 and no secret echoed", async () => {
    const cases: [string[], RegExp][] = [
      [["--database", "mysql://root:hun#ter2@127.0.0.1/test"], /percent-encode/],
      [["--database", "mysql://root:hunter2%ZZ@127.0.0.1/test"], /malformed %-escape/],
      [["--database", "mongodb://root:hunter2@127.0.0.1/test"], /unsupported URL scheme "mongodb"/],
      [["--table-prefix", "x; drop table users"], /tablePrefix: must be up to/],
    ];
    for (const [args, message] of cases) {
      const out = await latchkeyBin(["migrate", ...args]);
      expect(out.code, args.join(" ")).to.equal(1);
      expect(out.stderr).to.match(message);
      expect(out.stderr + out.stdout).to.not.match(/hunter2|ter2/);
    }
  });

  it("exits once migrated when --config passes the app's own knex instance (which it then closes)", async () => {
    const url = testDatabaseUrl();
    const prefix = uniquePrefix();
    const client = url.startsWith("sqlite:") ? "better-sqlite3" : url.startsWith("mysql") ? "mysql2" : "pg";
    const connection = url.startsWith("sqlite:") ? { filename: url.slice("sqlite:".length) } : url;
    const file = writeModule(
      "knex-instance.config.ts",
      `import knex from ${JSON.stringify(path.join(ROOT, "node_modules/knex"))};
import { NotesRecipe } from ${JSON.stringify(path.join(ROOT, "test/fixtures/notesRecipe"))};

export = {
  appInfo: { appName: "Notes", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  // knex's default pool keeps connections open: the process would live on unless the bin closes it.
  database: knex({ client: ${JSON.stringify(client)}, connection: ${JSON.stringify(connection)}, useNullAsDefault: true, pool: { min: 2, max: 4 } }),
  tablePrefix: ${JSON.stringify(prefix)},
  recipeList: [NotesRecipe.init()],
};
`,
    );
    const knex = rawKnex(url);
    try {
      const out = await latchkeyBin(["migrate", "--config", file], 30_000);
      expect(out.code, `exit code (null: still running after 30s)\n${out.stderr}`).to.equal(0);
      expect(out.stdout).to.match(/^Applied 2 migration\(s\)/);
      expect(await tablesWithPrefix(knex, prefix)).to.include(`${prefix}notes`);
    } finally {
      await dropTablesWithPrefix(knex, prefix);
      await knex.destroy();
    }
  });

  it("migrates a sqlite file, then finds it up to date (exit 0 both times)", async () => {
    const url = `sqlite:${path.join(dir, "app.sqlite")}`;
    const first = await latchkeyBin(["migrate", "--database", url]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(new RegExp(`^Applied ${SHIPPED} migration\\(s\\)`));
    const second = await latchkeyBin(["migrate", "--database", url]);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.match(/^Already up to date/);
  });
});
