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

// `npm pack` rebuilds dist/ in the checkout (rm -rf, then tsc): runs on several databases at once (CI runs them
// side by side) take turns, through a lock directory; one left by a crashed run is taken over after 5 minutes.
async function withPackLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), `latchkey-pack-${Buffer.from(ROOT).toString("hex").slice(-32)}.lock`);
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
const ROOT = path.resolve(__dirname, "../..");

/**
 * The tarball under test: `npm pack` of this checkout into `work`, or the one LATCHKEY_TEST_PACKAGE names, which
 * .ci/run makes with the same command from the same checkout once for its three databases' runs.
 */
async function packedTarball(work: string): Promise<string> {
  const given = process.env.LATCHKEY_TEST_PACKAGE;
  if (given !== undefined && given !== "") {
    const name = `latchkey-${(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version}.tgz`;
    // A stale or foreign tarball must not pass for this checkout's: same name, and newer than every source file.
    expect(path.basename(given), "LATCHKEY_TEST_PACKAGE").to.equal(name);
    const packedAt = fs.statSync(given).mtimeMs;
    const newer = ["package.json", "lib", "recipes", "bin"].flatMap((p) => newerThan(path.join(ROOT, p), packedAt));
    expect(newer, `LATCHKEY_TEST_PACKAGE ${given} is older than these sources`).to.deep.equal([]);
    return given;
  }
  const { stdout } = await withPackLock(() =>
    run("npm", ["pack", "--silent", "--pack-destination", work], { cwd: ROOT }),
  );
  return path.join(work, stdout.trim().split("\n").pop() ?? "");
}

/** Files under `p` (a file or folder) modified after `ms`. */
function newerThan(p: string, ms: number): string[] {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs > ms ? [p] : [];
  return fs.readdirSync(p).flatMap((entry) => newerThan(path.join(p, entry), ms));
}
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const DRIVERS = ["better-sqlite3", "mysql2", "pg"];

// Every subpath that package.json exports (besides ./package.json), and what each must provide.
const SUBPATHS: Record<string, string[]> = {
  latchkey: [
    "init",
    "getUser",
    "deleteUser",
    "getUsersNewestFirst",
    "getUsersOldestFirst",
    "getUserCount",
    "getAllCORSHeaders",
    "Error",
  ],
  "latchkey/recipe/dashboard": ["init", "default"],
  "latchkey/framework/express": ["middleware", "errorHandler"],
  // The fetch core needs no framework; the other adapters' subpaths need their framework (an optional peer).
  "latchkey/framework/fetch": ["handler", "getSession", "errorToResponse"],
  "latchkey/testing": ["resetForTests"],
  // DESIGN §3's module functions, whole, and today's SuperTokens names beside them.
  "latchkey/recipe/session": [
    "init",
    "createNewSession",
    "getSession",
    "refreshSession",
    "revokeSession",
    "revokeAllSessionsForUser",
    "revokeMultipleSessions",
    "getAllSessionHandlesForUser",
    "getSessionData",
    "updateSessionData",
    "getJWTPayload",
    "updateJWTPayload",
    "getSessionInformation",
    "createNewSessionWithoutRequestResponse",
    "getSessionWithoutRequestResponse",
    "refreshSessionWithoutRequestResponse",
    "getJWKS",
    "mergeIntoAccessTokenPayload",
    "Error",
    "default",
  ],
  "latchkey/recipe/session/framework/express": ["verifySession"],
  "latchkey/recipe/session/framework/fetch": ["getSession"],
  "latchkey/recipe/emailpassword": ["init", "signUp", "signIn", "getUserByEmail", "Error", "default"],
  "latchkey/recipe/emailverification": ["init", "EmailVerificationClaim", "isEmailVerified", "Error", "default"],
  "latchkey/recipe/thirdparty": [
    "init",
    "getProvider",
    "getUserByThirdPartyInfo",
    "manuallyCreateOrUpdateUser",
    "Error",
    "default",
  ],
  "latchkey/recipe/totp": ["init", "createDevice", "verifyDevice", "verifyTOTP", "listDevices", "Error", "default"],
  "latchkey/recipe/multifactorauth": [
    "init",
    "MultiFactorAuthClaim",
    "FactorIds",
    "addToRequiredSecondaryFactorsForUser",
    "assertAllowedToSetupFactorElseThrowInvalidClaimError",
    "Error",
    "default",
  ],
  "latchkey/recipe/thirdpartyemailpassword": [
    "init",
    "emailPasswordSignUp",
    "getUsersByEmail",
    "thirdPartyGetProvider",
    "Error",
    "default",
  ],
  "latchkey/recipe/userroles": [
    "init",
    "addRoleToUser",
    "getRolesForUser",
    "UserRoleClaim",
    "PermissionClaim",
    "Error",
    "default",
  ],
  "latchkey/recipe/usermetadata": [
    "init",
    "getUserMetadata",
    "updateUserMetadata",
    "clearUserMetadata",
    "Error",
    "default",
  ],
};

// Types are reachable as named imports under every compiler setting, and as Latchkey.X with esModuleInterop.
const CONSUMER_TS = `
import Latchkey from "latchkey";
import type { TypeInput, Error as LatchkeyError } from "latchkey";
import { middleware, errorHandler } from "latchkey/framework/express";
import { resetForTests } from "latchkey/testing";
import Session from "latchkey/recipe/session";
import type { SessionContainer, RecipeInterface } from "latchkey/recipe/session";
import { verifySession } from "latchkey/recipe/session/framework/express";
import EmailPassword from "latchkey/recipe/emailpassword";
import type { RecipeInterface as EPRecipeInterface } from "latchkey/recipe/emailpassword";
import ThirdPartyEmailPassword from "latchkey/recipe/thirdpartyemailpassword";

const session: (token: string) => Promise<SessionContainer> = (t) => Session.getSession(t);
const vs = verifySession({ sessionRequired: false });
const override = (o: RecipeInterface): RecipeInterface => ({ ...o, createNewSession: async (input) => {
  input.jwtPayload = { ...input.jwtPayload, role: "admin" };
  return o.createNewSession(input);
} });
const withSession = Session.init({ override: { functions: override } });
const withEmailPassword = EmailPassword.init({ override: { functions: (o: EPRecipeInterface) => ({ ...o }) } });
// The seeds' hooks type-check: the context tells the method (and provider) apart.
const withBoth = ThirdPartyEmailPassword.init({
  providers: [{ config: { thirdPartyId: "google", clients: [{ clientId: "id", clientSecret: "secret" }] } }],
  sessionFeature: {
    setJwtPayload: async (user, context, action) => ({ email: user.email, via: context.loginMethod === "thirdparty" ? context.thirdPartyId : "password", action }),
    setSessionData: async () => ({}),
  },
});

const config: TypeInput = {
  appInfo: { appName: "Shop", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  database: "sqlite::memory:",
  recipeList: [],
};
const init: (c: TypeInput) => void = Latchkey.init;
const headers: string[] = Latchkey.getAllCORSHeaders();
const err: LatchkeyError = new Latchkey.Error("UNAUTHORISED", "x");
const isOurs: boolean = Latchkey.Error.isErrorFromAuth(err);
const errType: string = err.errType;
const mw: (req: import("http").IncomingMessage, res: import("http").ServerResponse, next: (e?: unknown) => void) => Promise<void> = middleware();
const eh = errorHandler();
const reset: () => Promise<void> = resetForTests;
// @ts-expect-error appInfo is required: the types must catch its absence
const missing: TypeInput = { recipeList: [] };
export { config, init, headers, isOurs, errType, mw, eh, reset, missing, session, vs, withSession, withEmailPassword, withBoth };
`;

const NAMESPACE_TYPES_TS = `
import Latchkey from "latchkey";
const config: Latchkey.TypeInput = { appInfo: { appName: "a", apiDomain: "b", websiteDomain: "c" }, recipeList: [] };
const err: Latchkey.Error = new Latchkey.Error("UNAUTHORISED", "x");
const user: Latchkey.User | undefined = undefined;
export { config, err, user };
`;

// The same imports from an ES module consumer ("type": "module"), where a default import of a CommonJS module is
// its module.exports: DESIGN §0's `import Session from "latchkey/recipe/session"` must still type-check.
const ESM_CONSUMER_TS = `
import Latchkey from "latchkey";
import { middleware, errorHandler } from "latchkey/framework/express";
import Session from "latchkey/recipe/session";
import type { SessionContainer } from "latchkey/recipe/session";
import { verifySession } from "latchkey/recipe/session/framework/express";
import EmailPassword from "latchkey/recipe/emailpassword";
import EmailVerification from "latchkey/recipe/emailverification";
import { resetForTests } from "latchkey/testing";

Latchkey.init({
  appInfo: { appName: "a", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  database: "sqlite::memory:",
  recipeList: [Session.init(), EmailPassword.init(), EmailVerification.init({ mode: "OPTIONAL" })],
});
const headers: string[] = Latchkey.getAllCORSHeaders();
const isOurs: boolean = Latchkey.Error.isErrorFromAuth(new Latchkey.Error("UNAUTHORISED", "x"));
const userId: (s: SessionContainer) => string = (s) => s.getUserId();
const jwks: Promise<unknown> = Session.getJWKS();
const reset: () => Promise<void> = resetForTests;
export { headers, isOurs, userId, jwks, reset, middleware, errorHandler, verifySession };
`;

describe("the packed package (npm pack, installed in an empty folder)", function () {
  this.timeout(240_000);
  let work: string;
  let consumer: string;
  let tarball: string;
  let driversInstalledByNpm: string[] = [];

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-pack-"));
    tarball = await packedTarball(work);
    consumer = path.join(work, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    await run("npm", ["install", tarball, "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: consumer,
    });
    // The drivers are optional peer dependencies: npm installs none of them (an app names the one it needs, as the
    // README's install line does). This machine's builds are linked in for the tests below.
    driversInstalledByNpm = DRIVERS.filter((d) => fs.existsSync(path.join(consumer, "node_modules", d)));
    for (const driver of DRIVERS) {
      fs.symlinkSync(path.join(ROOT, "node_modules", driver), path.join(consumer, "node_modules", driver), "dir");
    }
  });

  it("installs no database driver by itself (optional peers), so a MySQL app compiles no SQLite", () => {
    expect(driversInstalledByNpm).to.deep.equal([]);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("ships only the build, the docs and the licence", () => {
    const pkg = path.join(consumer, "node_modules/latchkey");
    expect(fs.readdirSync(pkg).sort()).to.deep.equal(["CHANGELOG.md", "LICENSE", "README.md", "dist", "package.json"]);
    expect(fs.existsSync(path.join(pkg, "dist/lib/index.d.ts"))).to.equal(true);
  });

  it("require() works for every subpath, and require('latchkey') is the default export", async () => {
    const script = `
      const assert = require("node:assert");
      const subpaths = ${JSON.stringify(SUBPATHS)};
      for (const [name, members] of Object.entries(subpaths)) {
        const mod = require(name);
        for (const m of members) assert.ok(mod[m] !== undefined, name + " lacks " + m);
      }
      const L = require("latchkey");
      assert.strictEqual(L.default, L);
      try { L.init({ appInfo: {}, recipeList: [] }); assert.fail("init should reject"); }
      catch (e) { assert.ok(L.Error.isErrorFromAuth(e)); assert.strictEqual(e.type, "INVALID_CONFIG"); }
      console.log("cjs ok");
    `;
    expect((await run(process.execPath, ["-e", script], { cwd: consumer })).stdout).to.contain("cjs ok");
  });

  it("import works for every subpath, and the default import is require()'s object", async () => {
    const names = Object.keys(SUBPATHS);
    const script = `
      import assert from "node:assert";
      import { createRequire } from "node:module";
      import Latchkey from "latchkey";
      import { middleware, errorHandler } from "latchkey/framework/express";
      import { resetForTests } from "latchkey/testing";
      import Session, { getSession } from "latchkey/recipe/session";
      import { verifySession } from "latchkey/recipe/session/framework/express";
      assert.strictEqual(Session.getSession, getSession);
      assert.strictEqual(typeof verifySession, "function");
      const require = createRequire(import.meta.url + "/");
      assert.strictEqual(Latchkey, require("latchkey"));
      assert.strictEqual(typeof middleware, "function");
      assert.strictEqual(typeof errorHandler, "function");
      assert.strictEqual(typeof resetForTests, "function");
      for (const name of ${JSON.stringify(names)}) assert.ok(await import(name));
      console.log("esm ok");
    `;
    fs.writeFileSync(path.join(consumer, "check.mjs"), script);
    expect((await run(process.execPath, ["check.mjs"], { cwd: consumer })).stdout).to.contain("esm ok");
  });

  const typeConfigs: [string, Record<string, unknown>][] = [
    ["node16 resolution with esModuleInterop", { module: "node16", moduleResolution: "node16", esModuleInterop: true }],
    [
      "classic node10 resolution without esModuleInterop",
      { module: "commonjs", moduleResolution: "node10", esModuleInterop: false },
    ],
    ["bundler resolution", { module: "esnext", moduleResolution: "bundler", esModuleInterop: true }],
  ];
  for (const [name, options] of typeConfigs) {
    it(`has types for every subpath under ${name}`, async () => {
      const dir = fs.mkdtempSync(path.join(consumer, "types-"));
      fs.writeFileSync(path.join(dir, "index.ts"), CONSUMER_TS);
      const files = ["index.ts"];
      if (options.esModuleInterop === true) {
        fs.writeFileSync(path.join(dir, "namespace.ts"), NAMESPACE_TYPES_TS);
        files.push("namespace.ts");
      }
      const tsconfig = {
        compilerOptions: {
          ...options,
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [path.join(ROOT, "node_modules/@types")],
        },
        files,
      };
      fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
      const result = await run(process.execPath, [TSC, "-p", dir], { cwd: dir }).catch((e: { stdout: string }) => e);
      expect(result.stdout, result.stdout).to.equal("");
    });
  }

  const esmConfigs: [string, Record<string, unknown>][] = [
    ["nodenext", { module: "nodenext", moduleResolution: "nodenext" }],
    ["bundler", { module: "preserve", moduleResolution: "bundler" }],
  ];
  for (const [name, options] of esmConfigs) {
    it(`has types for DESIGN §0's imports from an ES module consumer under ${name} resolution`, async () => {
      const dir = fs.mkdtempSync(path.join(consumer, "esm-types-"));
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
      fs.writeFileSync(path.join(dir, "index.ts"), ESM_CONSUMER_TS);
      const tsconfig = {
        compilerOptions: {
          ...options,
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [path.join(ROOT, "node_modules/@types")],
        },
        files: ["index.ts"],
      };
      fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
      const result = await run(process.execPath, [TSC, "-p", dir], { cwd: dir }).catch((e: { stdout: string }) => e);
      expect(result.stdout, result.stdout).to.equal("");
    });
  }

  it("ships the dashboard's page, and the installed package serves it with its script and styles", async () => {
    const script = `
      const assert = require("node:assert");
      const Latchkey = require("latchkey");
      const { handler } = require("latchkey/framework/fetch");
      Latchkey.init({
        appInfo: { appName: "a", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
        database: "sqlite::memory:",
        recipeList: [require("latchkey/recipe/session").init(), require("latchkey/recipe/dashboard").init({ apiKey: "k".repeat(32) })],
      });
      (async () => {
        for (const [path, type, text] of [["/auth/dashboard", "text/html", "/auth/dashboard/assets/app.js"], ["/auth/dashboard/assets/app.js", "text/javascript", "textContent"], ["/auth/dashboard/assets/app.css", "text/css", "@media"]]) {
          const res = await handler(new Request("http://localhost:3001" + path));
          assert.strictEqual(res.status, 200, path);
          assert.ok(res.headers.get("content-type").startsWith(type), path);
          assert.ok(res.headers.get("content-security-policy").includes("script-src 'self'"), path);
          assert.ok((await res.text()).includes(text), path);
        }
        console.log("dashboard ok");
        process.exit(0);
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    expect((await run(process.execPath, ["-e", script], { cwd: consumer })).stdout).to.contain("dashboard ok");
  });

  it("ships no tests, benchmarks, fixtures, examples, databases, keys or env files", async () => {
    const { stdout } = await run("tar", ["tzf", tarball]);
    const files = stdout
      .trim()
      .split("\n")
      .map((f) => f.replace(/^package\//, ""));
    expect(
      files.filter((f) => !/^(dist\/(lib|recipes|bin)\/|README\.md$|CHANGELOG\.md$|LICENSE$|package\.json$)/.test(f)),
    ).to.deep.equal([]);
    expect(
      files.filter(
        (f) =>
          /test|bench|fixture|example|\.sqlite|\.pem$|\.key$|\.env|\.map$|\.ts$/.test(f) &&
          !f.endsWith(".d.ts") &&
          f !== "dist/lib/testing.js",
      ),
    ).to.deep.equal([]);
  });

  it("the installed bin migrates a SQLite file given as sqlite:/path, then finds it up to date", async () => {
    const file = path.join(work, "bin-test.sqlite");
    const bin = path.join(consumer, "node_modules/.bin/latchkey");
    const first = await run(bin, ["migrate", "--database", `sqlite:${file}`], { cwd: consumer });
    expect(first.stdout).to.match(new RegExp(`^Applied ${SHIPPED} migration\\(s\\)` + " to sqlite at "));
    const second = await run(bin, ["migrate", "--database", `sqlite:${file}`], { cwd: consumer });
    expect(second.stdout).to.match(/^Already up to date/);
  });

  it("the installed bin says a TypeScript --config needs a loader (plain node cannot read it)", async () => {
    const config = path.join(consumer, "latchkey.config.ts");
    fs.writeFileSync(
      config,
      'import type { TypeInput } from "latchkey";\nconst config: TypeInput = { appInfo: { appName: "a", apiDomain: "a.com", websiteDomain: "a.com" }, recipeList: [] };\nexport = config;\n',
    );
    const err = await run(path.join(consumer, "node_modules/.bin/latchkey"), ["migrate", "--config", config], {
      cwd: consumer,
    }).then(
      () => expect.fail("plain node cannot load a .ts config"),
      (e: { code: number; stderr: string }) => e,
    );
    expect(err.code).to.equal(1);
    expect(err.stderr).to.match(/could not be loaded \(SyntaxError\); a TypeScript config needs a loader/);
  });

  it("the installed bin migrates the test database", async () => {
    const url = testDatabaseUrl();
    const prefix = uniquePrefix();
    const knex = rawKnex(url);
    try {
      const { stdout } = await run(
        path.join(consumer, "node_modules/.bin/latchkey"),
        ["migrate", "--database", url, "--table-prefix", prefix],
        { cwd: consumer },
      );
      expect(stdout).to.match(new RegExp(`^Applied ${SHIPPED} migration\\(s\\)`));
      expect(stdout).to.contain("session/001_create_sessions");
      expect(stdout).to.contain("emailpassword/001_create_users_and_reset_tokens");
      expect(stdout).to.contain("emailpassword/002_create_rate_limits");
      expect(stdout).to.contain("emailpassword/002_create_rate_limits");
      expect(await tablesWithPrefix(knex, prefix)).to.include.members([
        `${prefix}migrations_lock`,
        `${prefix}sessions`,
        `${prefix}session_signing_keys`,
        `${prefix}emailpassword_users`,
      ]);
    } finally {
      await dropTablesWithPrefix(knex, prefix);
      await knex.destroy();
    }
  });
});
