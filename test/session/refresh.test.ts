import { expect } from "chai";
import { SessionRecipe } from "../../recipes/session/recipe";
import sinon from "sinon";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import { resetForTests } from "../../lib/testing";
import { APP_INFO, initLatchkey } from "../helpers/app";
import { rawKnex, testDbKind } from "../helpers/db";
import { HttpClient } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe("session: refresh rotation and theft detection", () => {
  let app: SessionTestApp | undefined;
  let theft: { handle: string; userId: string }[];
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(): Promise<SessionTestApp> {
    theft = [];
    app = await startSessionApp({
      errorHandlers: { onTokenTheftDetected: (handle, userId) => void theft.push({ handle, userId }) },
    });
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    return app;
  }

  /** A second client holding a copy of `from`'s cookies, as an attacker with a stolen cookie jar. */
  function cloneClient(from: HttpClient): HttpClient {
    const copy = new HttpClient(from.baseUrl);
    copy.defaultHeaders = { ...from.defaultHeaders };
    for (const [k, v] of from.jar) copy.jar.set(k, { ...v });
    return copy;
  }

  it("a refresh is a read and a compare-and-set write, no transaction; a row that changed in between is decided again under a lock", async () => {
    await start();
    const created = await Session.createNewSessionWithoutRequestResponse("u1");
    const db = Core.getInstanceOrThrow().database;
    const transaction = sinon.spy(db, "transaction");
    const run = db.run.bind(db);
    let calls = 0;
    let stub: sinon.SinonStub | undefined;
    try {
      const first = await Session.refreshSessionWithoutRequestResponse(
        created.getAllSessionTokensDangerously().refreshToken ?? "",
      );
      expect(transaction.callCount, "fast path").to.equal(0);
      // Another process touches the row between this refresh's read and its write: the compare-and-set misses.
      stub = sinon.stub(db, "run").callsFake(async (fn) => {
        if (++calls === 2) {
          await run((knex) =>
            knex(db.table("sessions"))
              .where({ session_handle: created.getHandle() })
              .update({ refresh_token_updated_at: 1 }),
          );
        }
        return run(fn as Parameters<typeof run>[0]);
      });
      const second = await Session.refreshSessionWithoutRequestResponse(
        first.getAllSessionTokensDangerously().refreshToken ?? "",
      );
      expect(calls, "read, missed write, the locked transaction").to.equal(3);
      expect(transaction.callCount, "decided again under a lock").to.equal(1);
      stub.restore();
      stub = undefined;
      expect((await Session.getSession(second.getAccessToken())).getUserId()).to.equal("u1");
      const third = await Session.refreshSessionWithoutRequestResponse(
        second.getAllSessionTokensDangerously().refreshToken ?? "",
      );
      expect(third.getUserId()).to.equal("u1");
    } finally {
      stub?.restore();
      transaction.restore();
    }
  });

  it("sets the refresh cookie on the refresh path only, HttpOnly, and rotates it on each refresh", async () => {
    const { client } = await start();
    const login = await client.request("POST", "/login", { body: { userId: "u1" } });
    const refreshCookie = login.setCookies.find((c) => c.name === "sRefreshToken");
    const accessCookie = login.setCookies.find((c) => c.name === "sAccessToken");
    expect(refreshCookie?.path).to.equal("/auth/session/refresh");
    expect(refreshCookie?.attributes.httponly).to.equal(true);
    expect(refreshCookie?.attributes.samesite).to.equal("Lax");
    expect(accessCookie?.path).to.equal("/");
    expect(accessCookie?.attributes.httponly).to.equal(true);
    const first = client.cookie("sRefreshToken");
    const refreshed = await client.request("POST", "/auth/session/refresh");
    expect(refreshed.status).to.equal(200);
    expect(client.cookie("sRefreshToken")).to.be.a("string").and.not.equal(first);
    expect((await client.request("GET", "/protected")).json.userId).to.equal("u1");
  });

  it("reuse of a replaced refresh token after the new one was used is theft: revoked, 401, cookies cleared, handler called", async () => {
    const { client } = await start();
    const login = await client.request("POST", "/login", { body: { userId: "victim" } });
    const attacker = cloneClient(client);
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect((await client.request("GET", "/protected")).status).to.equal(200); // the new tokens are used
    const stolen = await attacker.request("POST", "/auth/session/refresh");
    expect(stolen.status).to.equal(401);
    expect(stolen.json).to.deep.equal({ message: "token theft detected" });
    expect(
      stolen.setCookies
        .filter((c) => c.value === "")
        .map((c) => c.name)
        .sort(),
    ).to.deep.equal(["sAccessToken", "sRefreshToken"]);
    expect(theft).to.deep.equal([{ handle: login.json.handle, userId: "victim" }]);
    expect(await Session.getSessionInformation(String(login.json.handle))).to.equal(undefined);
    // The victim's own refresh now fails too: both parties are logged out.
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(401);
  });

  it("a refresh whose response was lost can be retried with the old token", async () => {
    const { client } = await start();
    await client.request("POST", "/login", { body: { userId: "u1" } });
    const retrying = cloneClient(client);
    await client.request("POST", "/auth/session/refresh"); // this response "never arrived": client is discarded
    const retry = await retrying.request("POST", "/auth/session/refresh");
    expect(retry.status).to.equal(200);
    expect((await retrying.request("GET", "/protected")).json.userId).to.equal("u1");
    expect((await retrying.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect(theft).to.deep.equal([]);
  });

  it("a new refresh token used before its access token still rotates (no theft)", async () => {
    const { client } = await start();
    await client.request("POST", "/login", { body: { userId: "u1" } });
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect((await client.request("GET", "/protected")).json.userId).to.equal("u1");
    expect(theft).to.deep.equal([]);
  });

  it(`10 parallel refreshes from one client never count as theft (${testDbKind()})`, async () => {
    const { client } = await start();
    await client.request("POST", "/login", { body: { userId: "u1" } });
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => client.request("POST", "/auth/session/refresh")),
    );
    expect(replies.map((r) => r.status)).to.deep.equal(Array(10).fill(200));
    expect(theft).to.deep.equal([]);
    // One lineage goes on: the jar's last tokens work, and refresh again.
    expect((await client.request("GET", "/protected")).json.userId).to.equal("u1");
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect((await client.request("GET", "/protected")).json.userId).to.equal("u1");
  });

  it("an expired access token answers 401 try refresh token; after refresh it works", async () => {
    const { client } = await start();
    await client.request("POST", "/login", { body: { userId: "u1" } });
    // Expire it by hand: a token whose exp is past, signed by the deployment (so only exp is wrong).
    const recipe = SessionRecipe.getInstanceOrThrow();
    const session = await Session.getSessionWithoutRequestResponse(client.cookie("sAccessToken") ?? "");
    const past = Math.floor(Date.now() / 1000) - 10;
    const expired = await recipe.codec.sign({
      sub: "u1",
      sessionHandle: session.getHandle(),
      iat: past - 60,
      exp: past,
      up: {},
    });
    client.jar.set("sAccessToken", { ...client.jar.get("sAccessToken")!, value: expired });
    const res = await client.request("GET", "/protected");
    expect(res.status).to.equal(401);
    expect(res.json).to.deep.equal({ message: "try refresh token" });
    expect(res.setCookies).to.deep.equal([]); // nothing cleared: the client is expected to refresh
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect((await client.request("GET", "/protected")).status).to.equal(200);
  });

  it("refresh without a refresh token is 401 and does not clear anything; a garbage one clears", async () => {
    const { client } = await start();
    const none = await client.request("POST", "/auth/session/refresh");
    expect(none.status).to.equal(401);
    expect(none.setCookies).to.deep.equal([]);
    const garbage = await client.request("POST", "/auth/session/refresh", {
      headers: { cookie: "sRefreshToken=not-a-token" },
      cookies: false,
    });
    expect(garbage.status).to.equal(401);
    expect(garbage.json).to.deep.equal({ message: "unauthorised" });
    expect(garbage.setCookies.map((c) => c.name).sort()).to.deep.equal(["sAccessToken", "sRefreshToken"]);
  });

  it("sign-out revokes the session and clears everything; the old refresh token no longer works", async () => {
    const { client } = await start();
    const login = await client.request("POST", "/login", { body: { userId: "u1" } });
    const stale = cloneClient(client);
    const out = await client.request("POST", "/auth/signout", { body: {} });
    expect(out.status).to.equal(200);
    expect(out.json).to.deep.equal({ status: "OK" });
    expect(out.headers.get("front-token")).to.equal("remove");
    expect(client.jar.size).to.equal(0);
    expect(await Session.getSessionInformation(String(login.json.handle))).to.equal(undefined);
    expect((await stale.request("POST", "/auth/session/refresh")).status).to.equal(401);
    // Signing out without a session is fine too.
    expect((await client.request("POST", "/auth/signout", { body: {} })).json).to.deep.equal({ status: "OK" });
  });

  it("sessions that ran out are swept from the table when a process creates its first session", async () => {
    const config = { accessTokenValidity: 1, refreshTokenValidity: 2 };
    const lk = initLatchkey([Session.init(config)]);
    const knex = rawKnex(lk.url);
    const handles = async (): Promise<string[]> =>
      ((await knex(`${lk.prefix}sessions`).select("session_handle")) as { session_handle: string }[]).map(
        (r) => r.session_handle,
      );
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    try {
      const old = await Session.createNewSessionWithoutRequestResponse("u-old");
      clock.tick(3000);
      await resetForTests(); // as a process restart: the tables stay
      Latchkey.init({
        appInfo: APP_INFO,
        database: lk.url,
        tablePrefix: lk.prefix,
        recipeList: [Session.init(config)],
      });
      const fresh = await Session.createNewSessionWithoutRequestResponse("u-new");
      expect(await handles()).to.deep.equal([fresh.getHandle()]);
      expect(await handles()).to.not.include(old.getHandle());
    } finally {
      clock.restore();
      await knex.destroy();
      await lk.cleanup();
    }
  });

  it("refresh extends the session's expiry (sliding), and module revoke functions work by user and by handle", async () => {
    const { client } = await start();
    const a = await client.request("POST", "/login", { body: { userId: "multi" } });
    const before = (await Session.getSessionInformation(String(a.json.handle)))?.expiry ?? 0;
    await new Promise((r) => setTimeout(r, 5));
    await client.request("POST", "/auth/session/refresh");
    expect((await Session.getSessionInformation(String(a.json.handle)))?.expiry).to.be.greaterThan(before);
    const b = await Session.createNewSessionWithoutRequestResponse("multi");
    const c = await Session.createNewSessionWithoutRequestResponse("multi");
    expect((await Session.getAllSessionHandlesForUser("multi")).sort()).to.deep.equal(
      [a.json.handle, b.getHandle(), c.getHandle()].sort(),
    );
    expect(await Session.revokeMultipleSessions([b.getHandle(), "nope"])).to.deep.equal([b.getHandle()]);
    expect(await Session.revokeSession(b.getHandle())).to.equal(false);
    expect((await Session.revokeAllSessionsForUser("multi")).sort()).to.deep.equal(
      [a.json.handle, c.getHandle()].sort(),
    );
    expect(await Session.getAllSessionHandlesForUser("multi")).to.deep.equal([]);
  });
});
