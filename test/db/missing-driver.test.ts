import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");

// The database drivers are optional peer dependencies: an app without the one its database needs must be told the
// npm install command. A child process hides one driver with a require hook, as if it were not installed.
describe("a missing database driver (optional peer dependency) names the npm install command", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-driver-"));
    fs.writeFileSync(
      path.join(dir, "hide.js"),
      `const Module = require("node:module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const hidden = process.env.HIDE_DRIVER;
  if (request === hidden) throw Object.assign(new Error("Cannot find module '" + hidden + "'"), { code: "MODULE_NOT_FOUND" });
  return resolve.call(this, request, ...rest);
};`,
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("each driver hidden in turn: INVALID_CONFIG saying `npm install <driver>`, whichever way the database is given", async () => {
    const cases: [string, unknown][] = [
      ["better-sqlite3", undefined], // the default: an embedded SQLite file
      ["better-sqlite3", "sqlite::memory:"],
      ["mysql2", "mysql://root@127.0.0.1:3306/test"],
      ["pg", "postgres://postgres@127.0.0.1:5432/test"],
      ["pg", { client: "pg", connection: { host: "127.0.0.1" } }],
    ];
    // One process for every case (tsx starts slowly): the hook hides whichever driver HIDE names at the moment.
    const script = `
      const Latchkey = require("./lib/index");
      const Session = require("./recipes/session/index").default;
      const { resetForTests } = require("./lib/testing");
      (async () => {
        for (const [driver, database] of ${JSON.stringify(cases)}) {
          process.env.HIDE_DRIVER = driver;
          try {
            Latchkey.init({ appInfo: { appName: "a", apiDomain: "http://localhost", websiteDomain: "http://localhost" },
              ...(database === null ? {} : { database }), recipeList: [Session.init()] });
            console.log("no error");
            await resetForTests();
          } catch (e) { console.log(e.type + " " + e.message); }
        }
      })();`;
    const { stdout } = await run(
      process.execPath,
      ["--require", "tsx/cjs", "--require", path.join(dir, "hide.js"), "-e", script],
      { cwd: ROOT },
    );
    expect(stdout.trim().split("\n")).to.deep.equal(
      cases.map(
        ([driver]) =>
          `INVALID_CONFIG database: the ${driver} driver is not installed: run \`npm install ${driver}\` in your app (Latchkey lists the drivers as optional peer dependencies, so an app installs only the one its database needs)`,
      ),
    );
  });
});
