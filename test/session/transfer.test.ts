import { expect } from "chai";
import Latchkey from "../../lib/index";
import { resetForTests } from "../../lib/testing";
import { APP_INFO } from "../helpers/app";
import { decodeFrontToken } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe("session: token transfer", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("header mode: st-access-token / st-refresh-token headers out, Authorization: Bearer in, exposed to the browser", async () => {
    app = await startSessionApp();
    const { client } = app;
    const login = await client.request("POST", "/login", {
      body: { userId: "u1", jwtPayload: { role: "admin" } },
      headers: { "st-auth-mode": "header" },
    });
    expect(login.setCookies).to.deep.equal([]);
    const access = login.headers.get("st-access-token") ?? "";
    const refresh = login.headers.get("st-refresh-token") ?? "";
    expect(access.split(".")).to.have.length(3);
    expect(refresh).to.not.equal("");
    const exposed = login.headers.get("access-control-expose-headers") ?? "";
    for (const h of ["front-token", "st-access-token", "st-refresh-token"]) expect(exposed).to.contain(h);
    const front = decodeFrontToken(login.headers.get("front-token"));
    expect(front.uid).to.equal("u1");
    expect(front.up).to.deep.equal({ role: "admin" });
    expect(front.ate).to.be.closeTo(Date.now() + 3600_000, 60_000);
    expect(
      (await client.request("GET", "/protected", { headers: { authorization: `Bearer ${access}` } })).json.userId,
    ).to.equal("u1");
    const refreshed = await client.request("POST", "/auth/session/refresh", {
      headers: { authorization: `Bearer ${refresh}` },
    });
    expect(refreshed.status).to.equal(200);
    expect(refreshed.headers.get("st-refresh-token")).to.be.a("string").and.not.equal(refresh);
    const out = await client.request("POST", "/auth/signout", {
      body: {},
      headers: { authorization: `Bearer ${refreshed.headers.get("st-access-token")}` },
    });
    expect(out.json).to.deep.equal({ status: "OK" });
    expect(out.headers.get("st-access-token")).to.equal("");
    expect(out.headers.get("front-token")).to.equal("remove");
  });

  it("without st-auth-mode a new session uses headers (as SuperTokens does); st-auth-mode: cookie uses cookies", async () => {
    app = await startSessionApp();
    const plain = await app.client.request("POST", "/login", { body: { userId: "u1" } });
    expect(plain.headers.get("st-access-token")).to.be.a("string");
    expect(plain.setCookies).to.deep.equal([]);
    const cookie = await app.client.request("POST", "/login", {
      body: { userId: "u1" },
      headers: { "st-auth-mode": "cookie" },
    });
    expect(cookie.headers.get("st-access-token")).to.equal(null);
    expect(cookie.setCookies.map((c) => c.name).sort()).to.deep.equal(["sAccessToken", "sRefreshToken"]);
  });

  it("a session cookie wins over an unrelated Authorization header (an app's own API key)", async () => {
    app = await startSessionApp();
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    await app.client.request("POST", "/login", { body: { userId: "u1" } });
    const res = await app.client.request("GET", "/protected", { headers: { authorization: "Bearer my-own-api-key" } });
    expect(res.json.userId).to.equal("u1");
    const refreshed = await app.client.request("POST", "/auth/session/refresh", {
      headers: { authorization: "Bearer my-own-api-key" },
    });
    expect(refreshed.status).to.equal(200);
    expect(app.client.cookie("sAccessToken")).to.be.a("string");
  });

  it("getTokenTransferMethod can force a method", async () => {
    app = await startSessionApp({ getTokenTransferMethod: () => "cookie" });
    const login = await app.client.request("POST", "/login", {
      body: { userId: "u1" },
      headers: { "st-auth-mode": "header" },
    });
    expect(login.setCookies.map((c) => c.name).sort()).to.deep.equal(["sAccessToken", "sRefreshToken"]);
    // A header token is ignored when only cookies are allowed.
    const res = await app.client.request("GET", "/protected", { headers: { authorization: "Bearer x.y.z" } });
    expect(res.json.userId).to.equal("u1");
  });

  it("verifySession({ sessionRequired: false }) lets anonymous requests through; a configured status code is used", async () => {
    app = await startSessionApp({ sessionExpiredStatusCode: 440 });
    expect((await app.client.request("GET", "/optional")).json).to.deep.equal({ userId: null });
    expect((await app.client.request("GET", "/protected")).status).to.equal(440);
  });

  it("session.updateJWTPayload issues a new access token on the response, and the stored payload survives a refresh", async () => {
    app = await startSessionApp(
      {},
      {
        addRoutes: (a) =>
          a.post("/promote", async (req, res) => {
            const session = await Session.getSession(req, res);
            await session.updateJWTPayload({ ...session.getJWTPayload(), role: "admin" });
            res.json({ ok: true });
          }),
      },
    );
    const { client } = app;
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    await client.request("POST", "/login", { body: { userId: "u1", jwtPayload: { role: "user" } } });
    const promoted = await client.request("POST", "/promote", { body: {} });
    expect(decodeFrontToken(promoted.headers.get("front-token")).up).to.deep.equal({ role: "admin" });
    expect((await client.request("GET", "/protected")).json.payload).to.deep.equal({ role: "admin" });
    await client.request("POST", "/auth/session/refresh");
    expect((await client.request("GET", "/protected")).json.payload).to.deep.equal({ role: "admin" });
  });

  it("errorHandlers are called with the message, and one may send its own answer", async () => {
    const seen: string[] = [];
    app = await startSessionApp({
      errorHandlers: {
        onUnauthorised: (message, _req, res) => {
          seen.push(`unauthorised: ${message}`);
          res.setStatus(401);
          res.sendJSON({ custom: true });
        },
        onTryRefreshToken: (message) => void seen.push(`try refresh: ${message}`),
      },
    });
    const none = await app.client.request("GET", "/protected");
    expect(none.json).to.deep.equal({ custom: true });
    const expired = await app.client.request("GET", "/protected", { headers: { authorization: "Bearer a.b.c" } });
    expect(expired.json).to.deep.equal({ message: "try refresh token" }); // the default answer, after the callback
    expect(seen).to.have.length(2);
    expect(seen[0]).to.match(/^unauthorised: Session does not exist/);
    expect(seen[1]).to.match(/^try refresh: /);
  });

  it("CORS: getAllCORSHeaders lists what the SDK sends", async () => {
    app = await startSessionApp();
    expect(Latchkey.getAllCORSHeaders().sort()).to.deep.equal([
      "anti-csrf",
      "authorization",
      "fdi-version",
      "rid",
      "st-auth-mode",
    ]);
  });
});

describe("session: config", () => {
  afterEach(() => resetForTests());
  const init = (appInfo: typeof APP_INFO, config: Parameters<typeof Session.init>[0]): void =>
    Latchkey.init({ appInfo, database: "sqlite::memory:", recipeList: [Session.init(config)] });

  const bad: [string, Parameters<typeof Session.init>[0], string][] = [
    ["an unknown option", { acessTokenValidity: 1 } as never, "Session.init.acessTokenValidity"],
    ["a zero access token validity", { accessTokenValidity: 0 }, "Session.init.accessTokenValidity"],
    [
      "a refresh validity not longer than the access validity",
      { accessTokenValidity: 100, refreshTokenValidity: 100 },
      "Session.init.refreshTokenValidity",
    ],
    ["a bad SameSite", { cookieSameSite: "sometimes" as never }, "Session.init.cookieSameSite"],
    ["a bad antiCsrf", { antiCsrf: "YES" as never }, "Session.init.antiCsrf"],
    ["equal status codes", { sessionExpiredStatusCode: 403 }, "Session.init.invalidClaimStatusCode"],
    [
      "a non-function error handler",
      { errorHandlers: { onUnauthorised: "x" as never } },
      "Session.init.errorHandlers.onUnauthorised",
    ],
    [
      "a bad key interval",
      { accessTokenSigningKeyUpdateInterval: 0 },
      "Session.init.accessTokenSigningKeyUpdateInterval",
    ],
    ["a bad cookie domain", { cookieDomain: "a b" }, "Session.init.cookieDomain"],
    [
      "a symmetric signing algorithm",
      { accessTokenSigningAlgorithm: "HS256" as never },
      "Session.init.accessTokenSigningAlgorithm",
    ],
  ];
  for (const [name, config, field] of bad) {
    it(`rejects ${name}, naming ${field}`, () => {
      expect(() => init(APP_INFO, config)).to.throw(field);
    });
  }

  it("rejects cross-site http (browsers drop SameSite=None cookies without Secure) but allows it on localhost", () => {
    expect(() =>
      init({ appName: "a", apiDomain: "http://api.example.com", websiteDomain: "http://shop.other.com" }, {}),
    ).to.throw("Session.init.cookieSecure");
    init({ appName: "a", apiDomain: "https://api.example.com", websiteDomain: "https://shop.other.com" }, {});
  });
});
