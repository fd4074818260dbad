// Regressions for defects a hostile review found; each test failed before its fix.
import { expect } from "chai";
import sinon from "sinon";
import { Latchkey as Core } from "../../lib/latchkey";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification from "../../recipes/emailverification/index";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { HttpClient, jwtPayload } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe("session: review regressions", () => {
  let app: SessionTestApp | undefined;
  let lk: TestLatchkey | undefined;
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
    await lk?.cleanup();
    lk = undefined;
  });

  it("a made-up refresh token with a known session handle is merely invalid: nothing is revoked, no theft is reported", async () => {
    const theft: string[] = [];
    app = await startSessionApp({
      antiCsrf: "VIA_TOKEN",
      errorHandlers: { onTokenTheftDetected: (h) => void theft.push(h) },
    });
    const victim = await Session.createNewSessionWithoutRequestResponse("victim");
    const handle = victim.getHandle();
    const forged = `${handle}.-.${"A".repeat(43)}.${"B".repeat(43)}`;
    const attempts: Record<string, string>[] = [
      { cookie: `sRefreshToken=${forged}` },
      { authorization: `Bearer ${forged}` },
    ];
    for (const headers of attempts) {
      const res = await app.client.request("POST", "/auth/session/refresh", { headers, cookies: false });
      expect(res.status).to.equal(401);
      expect(res.json).to.deep.equal({ message: "unauthorised" });
    }
    expect(theft).to.deep.equal([]);
    expect(await Session.getSessionInformation(handle)).to.not.equal(undefined);
    const tokens = victim.getAllSessionTokensDangerously();
    expect(
      (await Session.refreshSessionWithoutRequestResponse(tokens.refreshToken ?? "", tokens.antiCsrfToken)).getUserId(),
    ).to.equal("victim");
  });

  it("getSession(accessToken) and getSessionWithoutRequestResponse check the global claims too", async () => {
    app = await startSessionApp(
      {},
      { extraRecipes: [EmailPassword.init({ bcryptCost: 4 }), EmailVerification.init({ mode: "REQUIRED" })] },
    );
    const up = await EmailPassword.signUp("claims@b.co", "password1");
    if (up.status !== "OK") throw new Error("sign-up failed");
    const token = (await Session.createNewSessionWithoutRequestResponse(up.user.id)).getAccessToken();
    for (const call of [() => Session.getSession(token), () => Session.getSessionWithoutRequestResponse(token)]) {
      await call().then(
        () => expect.fail("an unverified user must not pass"),
        (err: InstanceType<typeof Session.Error>) => expect(err.type).to.equal("INVALID_CLAIMS"),
      );
    }
    const allowed = await Session.getSessionWithoutRequestResponse(token, undefined, {
      overrideGlobalClaimValidators: () => [],
    });
    expect(allowed.getUserId()).to.equal(up.user.id);
  });

  it("VIA_TOKEN fails closed: a cookie-borne token from a session made without req/res needs the anti-csrf header", async () => {
    app = await startSessionApp({ antiCsrf: "VIA_TOKEN" });
    const created = await Session.createNewSessionWithoutRequestResponse("victim");
    const { accessToken, antiCsrfToken } = created.getAllSessionTokensDangerously();
    expect(antiCsrfToken).to.be.a("string");
    const cookie = { cookie: `sAccessToken=${accessToken}` };
    expect(
      (await app.client.request("POST", "/protected", { body: {}, headers: cookie, cookies: false })).status,
    ).to.equal(401);
    const ok = await app.client.request("POST", "/protected", {
      body: {},
      headers: { ...cookie, "anti-csrf": antiCsrfToken ?? "" },
      cookies: false,
    });
    expect(ok.json.userId).to.equal("victim");
    // A session created in header mode still has an anti-CSRF value: its token moved into a cookie is checked too.
    const login = await app.client.request("POST", "/login", {
      body: { userId: "h" },
      headers: { "st-auth-mode": "header" },
    });
    const moved = await app.client.request("POST", "/protected", {
      body: {},
      headers: { cookie: `sAccessToken=${login.headers.get("st-access-token")}` },
      cookies: false,
    });
    expect(moved.status).to.equal(401);
  });

  it("parallel refreshes whose tokens are both used before the next refresh settle without theft; a sibling after the window is theft", async () => {
    const theft: string[] = [];
    app = await startSessionApp({ errorHandlers: { onTokenTheftDetected: (h) => void theft.push(h) } });
    const a = app.client;
    a.defaultHeaders = { "st-auth-mode": "cookie" };
    await a.request("POST", "/login", { body: { userId: "u1" } });
    const b = new HttpClient(a.baseUrl);
    b.defaultHeaders = { ...a.defaultHeaders };
    for (const [k, v] of a.jar) b.jar.set(k, { ...v });
    const [ra, rb] = await Promise.all([
      a.request("POST", "/auth/session/refresh"),
      b.request("POST", "/auth/session/refresh"),
    ]);
    expect([ra.status, rb.status]).to.deep.equal([200, 200]);
    expect((await a.request("GET", "/protected")).status).to.equal(200); // AT_a used: RT_a is current
    expect((await b.request("GET", "/protected")).status).to.equal(200); // AT_b used: its sibling settles in
    expect((await b.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect(theft).to.deep.equal([]);
    // The same race, but the sibling turns up after the window: that is theft.
    const c = new HttpClient(a.baseUrl);
    c.defaultHeaders = { "st-auth-mode": "cookie" };
    await c.request("POST", "/login", { body: { userId: "u2" } });
    const d = new HttpClient(a.baseUrl);
    d.defaultHeaders = { ...c.defaultHeaders };
    for (const [k, v] of c.jar) d.jar.set(k, { ...v });
    await Promise.all([c.request("POST", "/auth/session/refresh"), d.request("POST", "/auth/session/refresh")]);
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    try {
      expect((await c.request("GET", "/protected")).status).to.equal(200);
      clock.tick(61_000);
      expect((await d.request("GET", "/protected")).status).to.equal(200); // still a valid token, but no longer settles in
      const late = await d.request("POST", "/auth/session/refresh");
      expect(late.json).to.deep.equal({ message: "token theft detected" });
      expect(theft).to.have.length(1);
    } finally {
      clock.restore();
    }
  });

  it("user ids match exactly on every database (MySQL's default collation would fold case and trailing spaces)", async () => {
    lk = initLatchkey([Session.init()]);
    await Session.createNewSessionWithoutRequestResponse("alice");
    await Session.createNewSessionWithoutRequestResponse("Alice ");
    expect(await Session.getAllSessionHandlesForUser("alice")).to.have.length(1);
    expect(await Session.revokeAllSessionsForUser("ALICE")).to.deep.equal([]);
    expect(await Session.getAllSessionHandlesForUser("alice")).to.have.length(1);
    expect(await Session.getAllSessionHandlesForUser("Alice ")).to.have.length(1);
    // MySQL's binary collation still pads: "alice " would find, and revoke, alice's sessions.
    expect(await Session.getAllSessionHandlesForUser("alice ")).to.deep.equal([]);
    expect(await Session.revokeAllSessionsForUser("alice ")).to.deep.equal([]);
    expect(await Session.getAllSessionHandlesForUser("alice")).to.have.length(1);
    expect(await Session.revokeAllSessionsForUser("Alice")).to.deep.equal([]);
    expect(await Session.getAllSessionHandlesForUser("Alice ")).to.have.length(1);
  });

  it("a bearer value that is not a JWT is ignored: no session (401 unauthorised), not an endless try-refresh", async () => {
    app = await startSessionApp();
    const res = await app.client.request("GET", "/protected", { headers: { authorization: "Bearer my-api-key" } });
    expect(res.status).to.equal(401);
    expect(res.json).to.deep.equal({ message: "unauthorised" });
  });

  it("an access token from a refresh that keeps being sent costs queries only on its first use", async () => {
    lk = initLatchkey([Session.init()]);
    const created = await Session.createNewSessionWithoutRequestResponse("u1");
    const refreshed = (
      await Session.refreshSessionWithoutRequestResponse(created.getAllSessionTokensDangerously().refreshToken ?? "")
    ).getAccessToken();
    expect(jwtPayload(refreshed)).to.include.keys("prh", "rth");
    await Session.getSession(refreshed);
    const knex = Core.getInstanceOrThrow().database.knex;
    let queries = 0;
    const count = (): void => void queries++;
    knex.on("query", count);
    for (let i = 0; i < 5; i++) await Session.getSession(refreshed);
    knex.off("query", count);
    expect(queries).to.equal(0);
  });
});
