// Database faults: a transaction that fails at commit (every database), and on MySQL/PostgreSQL a connection killed
// mid-request by the server and the database unreachable for five seconds. Each request during a fault answers
// GENERAL_ERROR (500, the stable body), clears no cookie, writes nothing half-way, and the process recovers by itself.
import { expect } from "chai";
import sinon from "sinon";
import type { Knex } from "knex";
import type express from "express";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import type { Database } from "../../lib/db/database";
import { resetForTests } from "../../lib/testing";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification from "../../recipes/emailverification/index";
import Session from "../../recipes/session/index";
import { SessionRecipe } from "../../recipes/session/recipe";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";
import { APP_INFO, startApp, type TestServer } from "../helpers/app";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, testDbKind, uniquePrefix } from "../helpers/db";
import { HttpClient, type Reply } from "../helpers/http";
import { FaultProxy } from "../helpers/proxy";

const GENERAL_ERROR = { status: "GENERAL_ERROR", message: "Internal error" };
const PASSWORD = "faultpass123";
const form = (email: string, password = PASSWORD) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});
const noDelivery = { override: (o: object) => ({ ...o, sendEmail: () => Promise.resolve() }) };

/** Latchkey (session, emailpassword, emailverification) on `url`, an express app, and a raw handle on the real database. */
class FaultApp {
  readonly prefix = uniquePrefix();
  readonly raw: Knex;
  server!: TestServer;

  /** `url` is what Latchkey connects to (perhaps through a proxy); `realUrl` is the database itself. */
  constructor(
    private readonly url: string,
    realUrl = url,
  ) {
    this.raw = rawKnex(realUrl);
  }

  async start(): Promise<this> {
    Latchkey.init({
      appInfo: APP_INFO,
      database: this.url,
      tablePrefix: this.prefix,
      recipeList: [
        Session.init(),
        EmailPassword.init({ bcryptCost: 4, emailDelivery: noDelivery }),
        EmailVerification.init({ mode: "OPTIONAL", emailDelivery: noDelivery }),
      ],
    });
    await this.db.whenReady();
    this.server = await startApp({
      jsonParserFirst: true,
      addRoutes: (app: express.Express) => {
        app.get(
          "/protected",
          verifySession(),
          (req: SessionRequest, res) => void res.json({ userId: req.session?.getUserId() }),
        );
      },
    });
    return this;
  }

  get db(): Database {
    return Core.getInstanceOrThrow().database;
  }

  /** A signed-up user's browser (cookie mode). */
  async signedUp(email: string): Promise<{ client: HttpClient; userId: string }> {
    const client = new HttpClient(this.server.baseUrl);
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    const res = await client.request("POST", "/auth/signup", { body: form(email) });
    expect(res.json.status, JSON.stringify(res.json)).to.equal("OK");
    return { client, userId: (res.json.user as { id: string }).id };
  }

  table(name: string): string {
    return `${this.prefix}${name}`;
  }

  async rows(name: string, where: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    return (await this.raw(this.table(name)).where(where).select("*")) as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    await this.server?.close();
    await resetForTests();
    await dropTablesWithPrefix(this.raw, this.prefix);
    await this.raw.destroy();
  }
}

/** Every answer during a fault: the stable 500 body, and no cookie or token cleared or set. */
function expectGeneralError(res: Reply, what: string): void {
  expect(res.status, `${what}: ${JSON.stringify(res.json)}`).to.equal(500);
  expect(res.json, what).to.deep.equal(GENERAL_ERROR);
  expect(res.setCookies, what).to.deep.equal([]);
  expect(res.headers.get("front-token"), what).to.equal(null);
}

/** Fault injection (sinon): every statement of the transaction runs, then COMMIT fails, so the database rolls it back. */
function failAtCommit(db: Database): sinon.SinonStub {
  const original = db.transaction.bind(db);
  const fail = (fn: (trx: Knex.Transaction) => Promise<unknown>) =>
    original(async (trx) => {
      await fn(trx);
      throw Object.assign(new Error("Connection lost: The server closed the connection."), {
        code: "PROTOCOL_CONNECTION_LOST",
      });
    });
  return sinon.stub(db, "transaction").callsFake(fail as typeof db.transaction);
}

/**
 * Fault injection (sinon): the n-th database call of the request fails as a lost connection before it reaches the
 * database, with the error Latchkey makes of one.
 */
function failCall(db: Database, n: number): sinon.SinonStub {
  const original = db.run.bind(db);
  let calls = 0;
  const lost = Object.assign(new Error("Connection lost: The server closed the connection."), {
    code: "PROTOCOL_CONNECTION_LOST",
  });
  const run = (fn: (knex: Knex) => Promise<unknown>) =>
    ++calls === n ? Promise.reject(db.toLatchkeyError(lost)) : original(fn);
  return sinon.stub(db, "run").callsFake(run as typeof db.run);
}

describe(`reliability: a transaction that fails at commit (${testDbKind()})`, () => {
  let app: FaultApp | undefined;
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  it("refresh: its write lost (the common path is a read, then one compare-and-set update): 500, row and cookies unchanged, the same refresh token works after", async () => {
    app = await new FaultApp(testDatabaseUrl()).start();
    const { client, userId } = await app.signedUp("commit@example.com");
    const jar = new Map(client.jar);
    const [before] = await app.rows("sessions", { user_id: userId });
    // Call 1 reads the session; call 2 is its update.
    const stub = failCall(app.db, 2);
    expectGeneralError(await client.request("POST", "/auth/session/refresh"), "refresh");
    expect(stub.callCount).to.equal(2);
    stub.restore();
    expect(await app.rows("sessions", { user_id: userId })).to.deep.equal([before]);
    expect(client.jar).to.deep.equal(jar);
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect((await client.request("GET", "/protected")).json.userId).to.equal(userId);
  });

  it("refresh under the row lock (a lost race or suspected theft takes it): fails at commit: 500, row and cookies unchanged", async () => {
    app = await new FaultApp(testDatabaseUrl()).start();
    const { client, userId } = await app.signedUp("locked@example.com");
    const jar = new Map(client.jar);
    const [before] = await app.rows("sessions", { user_id: userId });
    // The compare-and-set finds the row changed (as when another refresh won), so the locked path runs and its commit fails.
    const original = app.db.run.bind(app.db);
    let calls = 0;
    sinon
      .stub(app.db, "run")
      .callsFake(((fn: (knex: Knex) => Promise<unknown>) =>
        ++calls === 2 ? Promise.resolve(0) : original(fn)) as typeof app.db.run);
    const commit = failAtCommit(app.db);
    expectGeneralError(await client.request("POST", "/auth/session/refresh"), "refresh");
    expect(commit.callCount).to.equal(1);
    sinon.restore();
    expect(await app.rows("sessions", { user_id: userId })).to.deep.equal([before]);
    expect(client.jar).to.deep.equal(jar);
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
  });

  it("password reset: 500, the token still there, the old password still works, and the same token works after", async () => {
    app = await new FaultApp(testDatabaseUrl()).start();
    const { userId } = await app.signedUp("reset@example.com");
    const created = await EmailPassword.createResetPasswordToken(userId);
    if (created.status !== "OK") throw new Error("no token");
    const client = new HttpClient(app.server.baseUrl);
    const body = { token: created.token, formFields: [{ id: "password", value: "newpass4567" }] };
    const stub = failAtCommit(app.db);
    expectGeneralError(await client.request("POST", "/auth/user/password/reset", { body }), "reset");
    stub.restore();
    expect(await app.rows("emailpassword_reset_tokens", { user_id: userId })).to.have.length(1);
    expect((await EmailPassword.signIn("reset@example.com", PASSWORD)).status).to.equal("OK");
    expect((await client.request("POST", "/auth/user/password/reset", { body })).json).to.deep.equal({ status: "OK" });
    expect((await EmailPassword.signIn("reset@example.com", "newpass4567")).status).to.equal("OK");
  });

  it("email verification: 500, the token still there and the email unverified, and the same token works after", async () => {
    app = await new FaultApp(testDatabaseUrl()).start();
    const { userId } = await app.signedUp("verify@example.com");
    const created = await EmailVerification.createEmailVerificationToken(userId, "verify@example.com");
    if (created.status !== "OK") throw new Error("no token");
    const client = new HttpClient(app.server.baseUrl);
    const stub = failAtCommit(app.db);
    expectGeneralError(
      await client.request("POST", "/auth/user/email/verify", { body: { method: "token", token: created.token } }),
      "verify",
    );
    stub.restore();
    expect(await app.rows("emailverification_tokens", { user_id: userId })).to.have.length(1);
    expect(await EmailVerification.isEmailVerified(userId, "verify@example.com")).to.equal(false);
    expect(
      (await client.request("POST", "/auth/user/email/verify", { body: { method: "token", token: created.token } }))
        .json.status,
    ).to.equal("OK");
    expect(await EmailVerification.isEmailVerified(userId, "verify@example.com")).to.equal(true);
  });

  it("sign-up whose session cannot be created: 500, no cookie; the user row is whole (they can sign in) and no session row exists", async () => {
    app = await new FaultApp(testDatabaseUrl()).start();
    // Fault injection where the session row would be written, after the user row committed (they are separate writes:
    // the session goes through Session's overridable createNewSession, which owns its own table).
    const impl = SessionRecipe.getInstanceOrThrow().recipeInterfaceImpl;
    const db = app.db;
    sinon
      .stub(impl, "createNewSession")
      .rejects(db.toLatchkeyError(Object.assign(new Error("Connection lost"), { code: "PROTOCOL_CONNECTION_LOST" })));
    const client = new HttpClient(app.server.baseUrl);
    expectGeneralError(await client.request("POST", "/auth/signup", { body: form("halfway@example.com") }), "sign-up");
    sinon.restore();
    expect(await app.rows("sessions")).to.deep.equal([]);
    const [user] = await app.rows("emailpassword_users");
    expect(user?.email).to.equal("halfway@example.com");
    const again = await client.request("POST", "/auth/signin", { body: form("halfway@example.com") });
    expect(again.json.status).to.equal("OK");
    expect(await app.rows("sessions")).to.have.length(1);
  });

  it("revokeAllSessionsForUser: a GENERAL_ERROR, and every session still there", async () => {
    app = await new FaultApp(testDatabaseUrl()).start();
    const { client, userId } = await app.signedUp("revoke@example.com");
    await Session.createNewSessionWithoutRequestResponse(userId);
    const stub = failAtCommit(app.db);
    const err = await Session.revokeAllSessionsForUser(userId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { type?: string } | undefined)?.type).to.equal("GENERAL_ERROR");
    stub.restore();
    expect(await app.rows("sessions", { user_id: userId })).to.have.length(2);
    expect((await client.request("GET", "/protected")).status).to.equal(200);
  });
});

// A killed connection and an unreachable server need a network between Latchkey and the database; SQLite has none.
if (testDbKind() === "sqlite") {
  console.log("  (reliability: killed connections and an unreachable database run on mysql/postgres only)");
} else {
  describe(`reliability: killed connections and an unreachable database (mysql/postgres only: ${testDbKind()})`, () => {
    const kind = testDbKind();
    let app: FaultApp | undefined;
    let proxy: FaultProxy | undefined;
    afterEach(async () => {
      sinon.restore();
      await proxy?.down();
      proxy = undefined;
      await app?.close();
      app = undefined;
    });

    /** The id of the server connection waiting on a row lock with a query that contains `marker`. */
    async function blockedConnection(raw: Knex, marker: string): Promise<number> {
      for (let i = 0; i < 500; i++) {
        if (kind === "mysql") {
          const [rows] = (await raw.raw(
            "select id from information_schema.processlist where info like ? and id <> connection_id()",
            [`%${marker}%`],
          )) as [{ id: number }[]];
          if (rows[0] !== undefined) return rows[0].id;
        } else {
          const result = (await raw.raw(
            "select pid from pg_stat_activity where wait_event_type = 'Lock' and query like ? and pid <> pg_backend_pid()",
            [`%${marker}%`],
          )) as { rows: { pid: number }[] };
          if (result.rows[0] !== undefined) return result.rows[0].pid;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no connection blocked on ${marker}`);
    }

    /** Runs `request` while `lockTable`'s row is locked, kills Latchkey's connection as it waits, then unlocks. */
    async function killMidRequest<T>(
      lockTable: string,
      where: Record<string, string>,
      request: () => Promise<T>,
    ): Promise<T> {
      const a = app as FaultApp;
      const trx = await a.raw.transaction();
      try {
        await trx(lockTable).where(where).forUpdate().select("*");
        const pending = request();
        const id = await blockedConnection(a.raw, lockTable);
        await a.raw.raw(
          kind === "mysql" ? `kill ${Number(id)}` : "select pg_terminate_backend(?)",
          kind === "mysql" ? [] : [id],
        );
        return await pending;
      } finally {
        await trx.rollback();
      }
    }

    it("refresh whose connection the server kills mid-transaction: 500, nothing changed, cookies kept; the next refresh works", async () => {
      app = await new FaultApp(testDatabaseUrl()).start();
      const { client, userId } = await app.signedUp("killed@example.com");
      const jar = new Map(client.jar);
      const [before] = await app.rows("sessions", { user_id: userId });
      const res = await killMidRequest(app.table("sessions"), { user_id: userId }, () =>
        client.request("POST", "/auth/session/refresh"),
      );
      expectGeneralError(res, "refresh on a killed connection");
      expect(await app.rows("sessions", { user_id: userId })).to.deep.equal([before]);
      expect(client.jar).to.deep.equal(jar);
      expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
      expect((await client.request("GET", "/protected")).json.userId).to.equal(userId);
    });

    it("password reset whose connection is killed after the token was consumed: rolled back, the token works after", async () => {
      app = await new FaultApp(testDatabaseUrl()).start();
      const { userId } = await app.signedUp("killreset@example.com");
      const created = await EmailPassword.createResetPasswordToken(userId);
      if (created.status !== "OK") throw new Error("no token");
      const client = new HttpClient(app.server.baseUrl);
      const body = { token: created.token, formFields: [{ id: "password", value: "newpass4567" }] };
      // The reset deletes the user's tokens, then waits on the locked user row: killed there.
      const res = await killMidRequest(app.table("emailpassword_users"), { user_id: userId }, () =>
        client.request("POST", "/auth/user/password/reset", { body }),
      );
      expectGeneralError(res, "reset on a killed connection");
      expect(await app.rows("emailpassword_reset_tokens", { user_id: userId })).to.have.length(1);
      expect((await EmailPassword.signIn("killreset@example.com", PASSWORD)).status).to.equal("OK");
      expect((await client.request("POST", "/auth/user/password/reset", { body })).json).to.deep.equal({
        status: "OK",
      });
    });

    it("every pooled connection cut while the database stays up (a restart, wait_timeout, a proxy's idle limit): the next requests succeed", async () => {
      const real = new URL(testDatabaseUrl());
      proxy = new FaultProxy(real.hostname, Number(real.port));
      const port = await proxy.reservePort();
      await proxy.up();
      const viaProxy = new URL(testDatabaseUrl());
      viaProxy.port = String(port);
      app = await new FaultApp(viaProxy.toString(), testDatabaseUrl()).start();
      const { client, userId } = await app.signedUp("cut@example.com");
      // Several idle connections in the pool, then all of them cut at once; the server itself never went away.
      await Promise.all(Array.from({ length: 5 }, () => EmailPassword.getUserById(userId)));
      await proxy.down();
      await proxy.up();
      // The drivers see the server's FIN within a few milliseconds; the first request comes after that, as any would
      // after a restart (a request racing the FIN itself is not what this checks).
      await new Promise((r) => setTimeout(r, 100));
      expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
      expect((await client.request("GET", "/protected")).json.userId).to.equal(userId);
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          new HttpClient(app?.server.baseUrl ?? "").request("POST", "/auth/signin", { body: form("cut@example.com") }),
        ),
      );
      expect(answers.map((a) => a.json.status)).to.deep.equal(Array(5).fill("OK"));
    });

    it("the database unreachable for 5 s: every call that needs it is GENERAL_ERROR, no one is logged out, all recovers by itself", async function () {
      this.timeout(60_000);
      const real = new URL(testDatabaseUrl());
      proxy = new FaultProxy(real.hostname, Number(real.port));
      const port = await proxy.reservePort();
      await proxy.up();
      const viaProxy = new URL(testDatabaseUrl());
      viaProxy.port = String(port);
      app = await new FaultApp(viaProxy.toString(), testDatabaseUrl()).start();
      // Alice holds a plain session; Bob has just refreshed, so his next request must record the new lineage.
      const alice = await app.signedUp("alice@example.com");
      const bob = await app.signedUp("bob@example.com");
      expect((await bob.client.request("POST", "/auth/session/refresh")).status).to.equal(200);
      const jars = [new Map(alice.client.jar), new Map(bob.client.jar)];
      const stranger = new HttpClient(app.server.baseUrl);
      const rowsBefore = { users: await app.rows("emailpassword_users"), sessions: await app.rows("sessions") };

      await proxy.down();
      const downUntil = Date.now() + 5000;
      let rounds = 0;
      while (Date.now() < downUntil) {
        rounds++;
        expectGeneralError(await alice.client.request("POST", "/auth/session/refresh"), "refresh while down");
        expectGeneralError(await bob.client.request("GET", "/protected"), "first use of a refreshed token while down");
        expectGeneralError(
          await stranger.request("POST", "/auth/signin", { body: form("alice@example.com") }),
          "sign-in while down",
        );
        expectGeneralError(
          await stranger.request("POST", "/auth/signup", { body: form(`new${rounds}@example.com`) }),
          "sign-up while down",
        );
        expectGeneralError(await alice.client.request("POST", "/auth/signout", { body: {} }), "sign-out while down");
        // Verifying a plain access token needs no database: Alice's app keeps working.
        expect((await alice.client.request("GET", "/protected")).json.userId).to.equal(alice.userId);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(rounds).to.be.greaterThan(0);
      expect([alice.client.jar, bob.client.jar]).to.deep.equal(jars);

      await proxy.up();
      // No restart, no retry loop: the first request of each kind after the database is back succeeds.
      expect((await bob.client.request("GET", "/protected")).json.userId).to.equal(bob.userId);
      expect((await alice.client.request("POST", "/auth/session/refresh")).status).to.equal(200);
      expect((await alice.client.request("GET", "/protected")).json.userId).to.equal(alice.userId);
      expect(
        (await stranger.request("POST", "/auth/signin", { body: form("alice@example.com") })).json.status,
      ).to.equal("OK");
      // Nothing the failed calls attempted was written, in part or in whole.
      expect(await app.rows("emailpassword_users")).to.deep.equal(rowsBefore.users);
      const sessions = await app.rows("sessions");
      expect(sessions.map((s) => s.session_handle)).to.include.members(
        rowsBefore.sessions.map((s) => s.session_handle),
      );
      expect(sessions).to.have.length(rowsBefore.sessions.length + 1); // the sign-in just above
    });
  });
}
