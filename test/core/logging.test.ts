import { expect } from "chai";
import type { Response } from "express";
import sinon from "sinon";
import Latchkey from "../../lib/index";
import type { LogLevel } from "../../lib/logger";
import { BURST_WINDOW_MS } from "../../lib/logger";
import { resetForTests } from "../../lib/testing";
import EmailPassword from "../../recipes/emailpassword/index";
import Session, { BooleanClaim } from "../../recipes/session/index";
import { verifySession, type SessionRequest } from "../../recipes/session/framework/express";
import { APP_INFO, startApp, type TestServer } from "../helpers/app";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, testDbKind, uniquePrefix } from "../helpers/db";
import { HttpClient } from "../helpers/http";
import { captureLogs } from "../helpers/logCapture";
import { FaultProxy } from "../helpers/proxy";

interface Line {
  level: LogLevel;
  message: string;
}

// A database this run's kind cannot open: a closed loopback port (with a password that must never show), or a
// SQLite file in a directory that does not exist.
async function unreachableDatabase(): Promise<{ url: string; password: string; description: RegExp }> {
  const kind = testDbKind();
  if (kind === "sqlite") {
    return {
      url: "sqlite:/nonexistent-latchkey-dir/shop.sqlite",
      password: "",
      description: /sqlite at \/nonexistent-latchkey-dir\/shop\.sqlite\): Cannot open database because the directory/,
    };
  }
  const port = await new FaultProxy("127.0.0.1", 1).reservePort();
  const password = "s3cret-Db-Passw0rd";
  const url =
    kind === "mysql"
      ? `mysql://root:${password}@127.0.0.1:${port}/test`
      : `postgres://postgres:${password}@127.0.0.1:${port}/test`;
  return { url, password, description: new RegExp(`${kind} at 127\\.0\\.0\\.1:${port}/test\\) \\[ECONNREFUSED\\]`) };
}

describe(`logging: the cause of each 5xx once per burst, and why each auth decision went its way (${testDbKind()})`, () => {
  let server: TestServer | undefined;
  let prefix: string | undefined;
  afterEach(async () => {
    sinon.restore();
    await server?.close();
    server = undefined;
    await resetForTests();
    if (prefix !== undefined) {
      const knex = rawKnex(testDatabaseUrl());
      try {
        await dropTablesWithPrefix(knex, prefix);
      } finally {
        await knex.destroy();
      }
      prefix = undefined;
    }
  });

  it("a database that cannot be reached: every request is a 500, the log has one line naming the database and the driver's code, never the password", async () => {
    const db = await unreachableDatabase();
    const lines: Line[] = [];
    Latchkey.init({
      appInfo: APP_INFO,
      database: db.url,
      recipeList: [Session.init()],
      logger: (message, level) => void lines.push({ level, message }),
    });
    server = await startApp();
    const client = new HttpClient(server.baseUrl);
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    for (let i = 0; i < 20; i++) {
      const reply = await client.request("GET", "/auth/jwt/jwks.json");
      expect(reply.status).to.equal(500);
      expect(reply.json).to.deep.equal({ status: "GENERAL_ERROR", message: "Internal error" });
    }
    expect(lines, JSON.stringify(lines)).to.have.length(1);
    const [first] = lines as [Line];
    expect(first.level).to.equal("error");
    expect(first.message).to.match(/^500 on GET \/auth\/jwt\/jwks\.json: Cannot reach the database \(/);
    expect(first.message).to.match(db.description);

    // After the burst window, the same cause is logged again, with the count of those left out.
    clock.tick(BURST_WINDOW_MS + 1);
    expect((await client.request("GET", "/auth/jwt/jwks.json")).status).to.equal(500);
    expect(lines).to.have.length(2);
    expect(lines[1]?.message).to.match(db.description);
    expect(lines[1]?.message).to.contain("(19 more like it since the last such line, not logged)");
    if (db.password !== "") for (const line of lines) expect(line.message).not.to.contain(db.password);
  });

  it("without a logger option the line goes to stderr, prefixed; debug lines only with debug on", async () => {
    const db = await unreachableDatabase();
    const { logs } = await captureLogs(async () => {
      const saved = { DEBUG: process.env.DEBUG, LATCHKEY_DEBUG: process.env.LATCHKEY_DEBUG };
      delete process.env.DEBUG;
      delete process.env.LATCHKEY_DEBUG;
      try {
        Latchkey.init({ appInfo: APP_INFO, database: db.url, recipeList: [Session.init()] });
        server = await startApp();
        const client = new HttpClient(server.baseUrl);
        for (let i = 0; i < 3; i++) expect((await client.request("GET", "/auth/jwt/jwks.json")).status).to.equal(500);
        // A refused token: a debug-level reason, not written while debugging is off.
        await Session.getSession("not.a.token").catch(() => undefined);
      } finally {
        Object.assign(process.env, saved);
        for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      }
    });
    const ours = logs.split("\n").filter((l) => l.startsWith("[latchkey]"));
    expect(ours, logs).to.have.length(1);
    expect(ours[0]).to.match(/^\[latchkey\] error: 500 on GET \/auth\/jwt\/jwks\.json: Cannot reach the database/);
  });

  it("logger and debug options are checked at init", () => {
    const init = (extra: Record<string, unknown>) => () =>
      Latchkey.init({ appInfo: APP_INFO, database: "sqlite::memory:", recipeList: [Session.init()], ...extra });
    expect(init({ logger: { info: () => undefined } })).to.throw(/^logger: lacks debug, warn, error/);
    expect(init({ logger: "console" })).to.throw(/^logger: must be a function/);
    expect(init({ debug: "yes" })).to.throw(/^debug: must be true or false/);
  });

  it("with debug on, every refusal is logged with its reason, session handle and user id, and no token or password", async function () {
    this.timeout(20_000);
    prefix = uniquePrefix();
    const lines: Line[] = [];
    // An object logger whose methods need their `this`, as pino's and winston's do.
    const logger = {
      sink: lines,
      debug(message: string) {
        this.sink.push({ level: "debug", message });
      },
      info(message: string) {
        this.sink.push({ level: "info", message });
      },
      warn(message: string) {
        this.sink.push({ level: "warn", message });
      },
      error(message: string) {
        this.sink.push({ level: "error", message });
      },
    };
    const isAdmin = new BooleanClaim("is-admin", () => false);
    Latchkey.init({
      appInfo: APP_INFO,
      database: testDatabaseUrl(),
      tablePrefix: prefix,
      logger,
      debug: true,
      recipeList: [
        Session.init({ antiCsrf: "VIA_TOKEN" }),
        EmailPassword.init({ bcryptCost: 4, rateLimit: { signIn: { perEmail: 2, perIp: false } } }),
      ],
    });
    server = await startApp({
      jsonParserFirst: true,
      addRoutes: (app) => {
        app.post("/login", async (req, res, next) => {
          try {
            const session = await Session.createNewSession(req, res, (req.body as { userId: string }).userId);
            res.json({ handle: session.getHandle() });
          } catch (err) {
            next(err);
          }
        });
        const ok = (req: SessionRequest, res: Response) => void res.json({ ok: true });
        app.get("/protected", verifySession(), ok);
        app.post("/protected", verifySession(), ok);
        app.get("/admin", verifySession({ overrideGlobalClaimValidators: () => [isAdmin.validators.isTrue()] }), ok);
      },
    });
    const secrets: string[] = [];
    const mobile = new HttpClient(server.baseUrl);
    mobile.defaultHeaders = { "st-auth-mode": "header" };
    const login = await mobile.request("POST", "/login", { body: { userId: "user-7" } });
    const handle = String(login.json.handle);
    const access = login.headers.get("st-access-token") ?? "";
    const refresh1 = login.headers.get("st-refresh-token") ?? "";
    secrets.push(access, refresh1);
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    expect((await mobile.request("GET", "/protected", bearer(access))).status).to.equal(200);
    const who = `(session ${handle}, user user-7)`;

    // Bad signature: one character of the signature changed (still canonical base64url).
    const [h, p, sig] = access.split(".") as [string, string, string];
    const flipped = `${sig.slice(0, 5)}${sig[5] === "A" ? "B" : "A"}${sig.slice(6)}`;
    expect((await mobile.request("GET", "/protected", bearer(`${h}.${p}.${flipped}`))).status).to.equal(401);
    // Unknown key id.
    const header = JSON.parse(Buffer.from(h, "base64url").toString()) as Record<string, unknown>;
    const unknownKid = Buffer.from(JSON.stringify({ ...header, kid: "no-such-key" })).toString("base64url");
    expect((await mobile.request("GET", "/protected", bearer(`${unknownKid}.${p}.${sig}`))).status).to.equal(401);
    // A failed claim.
    expect((await mobile.request("GET", "/admin", bearer(access))).status).to.equal(403);
    // Expired, an hour later.
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    clock.tick(3601_000);
    expect((await mobile.request("GET", "/protected", bearer(access))).status).to.equal(401);
    clock.restore();

    // Anti-CSRF: a cookie session (VIA_TOKEN) whose POST lacks the anti-csrf header.
    const browser = new HttpClient(server.baseUrl);
    browser.defaultHeaders = { "st-auth-mode": "cookie" };
    const cookieLogin = await browser.request("POST", "/login", { body: { userId: "user-8" } });
    secrets.push(browser.cookie("sAccessToken") ?? "", browser.cookie("sRefreshToken") ?? "");
    secrets.push(cookieLogin.headers.get("anti-csrf") ?? "");
    expect((await browser.request("POST", "/protected")).status).to.equal(401);

    // Theft: refresh, use the new access token (the client holds the new refresh token), then replay the old one.
    const refreshed = await mobile.request("POST", "/auth/session/refresh", bearer(refresh1));
    expect(refreshed.status).to.equal(200);
    const access2 = refreshed.headers.get("st-access-token") ?? "";
    secrets.push(access2, refreshed.headers.get("st-refresh-token") ?? "");
    expect((await mobile.request("GET", "/protected", bearer(access2))).status).to.equal(200);
    expect((await mobile.request("POST", "/auth/session/refresh", bearer(refresh1))).json.message).to.equal(
      "token theft detected",
    );

    // Rate limited sign-in.
    const password = "Wr0ng-password-9";
    secrets.push(password);
    const form = {
      formFields: [
        { id: "email", value: "a@b.co" },
        { id: "password", value: password },
      ],
    };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await mobile.request("POST", "/auth/signin", { body: form })).status);
    expect(statuses).to.deep.equal([200, 200, 429]);

    const text = lines.map((l) => `${l.level} ${l.message}`);
    const expectLine = (level: LogLevel, pattern: RegExp) =>
      expect(
        lines.some((l) => l.level === level && pattern.test(l.message)),
        `${level} ${pattern} in\n${text.join("\n")}`,
      ).to.equal(true);
    expectLine("debug", /^auth: try refresh token: the access token's signature is not valid$/);
    expectLine("debug", /^auth: try refresh token: the access token was signed by an unknown key$/);
    expectLine("debug", new RegExp(`^auth: invalid claims: is-admin failed ${esc(who)}$`));
    expectLine("debug", new RegExp(`^auth: try refresh token: the access token has expired ${esc(who)}$`));
    expectLine("debug", /^auth: try refresh token: anti-CSRF token missing or wrong \(session [\w-]+, user user-8\)$/);
    expectLine(
      "warn",
      new RegExp(`^auth: unauthorised: refresh token reused after it was replaced: token theft.* ${esc(who)}$`),
    );
    expectLine("debug", /^auth: rate limited: sign-in refused with 429, retry after \d+ s$/);

    expect(secrets.filter((s) => s.length < 8)).to.deep.equal([]);
    const leaks = secrets.filter((s) => text.some((t) => t.includes(s)));
    expect(leaks).to.deep.equal([]);
  });

  it("debug: false keeps debug lines out even under DEBUG=latchkey", async () => {
    const lines: Line[] = [];
    const saved = process.env.DEBUG;
    process.env.DEBUG = "latchkey";
    try {
      Latchkey.init({
        appInfo: APP_INFO,
        database: "sqlite::memory:",
        recipeList: [Session.init()],
        logger: (message, level) => void lines.push({ level, message }),
        debug: false,
      });
      await Session.getSession("not.a.token").catch(() => undefined);
      expect(lines).to.deep.equal([]);
      await resetForTests();
      Latchkey.init({
        appInfo: APP_INFO,
        database: "sqlite::memory:",
        recipeList: [Session.init()],
        logger: (message, level) => void lines.push({ level, message }),
      });
      await Session.getSession("not.a.token").catch(() => undefined);
      expect(lines).to.have.length.greaterThan(0);
    } finally {
      if (saved === undefined) delete process.env.DEBUG;
      else process.env.DEBUG = saved;
    }
  });
});

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
