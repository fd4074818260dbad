import { expect } from "chai";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe("session: anti-CSRF", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("VIA_TOKEN: a cookie request without the anti-csrf token is rejected; with it, it passes; GET is not checked", async () => {
    app = await startSessionApp({ antiCsrf: "VIA_TOKEN" });
    const { client } = app;
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    const login = await client.request("POST", "/login", { body: { userId: "u1" } });
    const antiCsrf = login.headers.get("anti-csrf");
    expect(antiCsrf).to.be.a("string").with.length.greaterThan(20);
    expect(login.headers.get("access-control-expose-headers")).to.contain("anti-csrf");
    expect((await client.request("POST", "/protected", { body: {} })).status).to.equal(401);
    expect(
      (await client.request("POST", "/protected", { body: {}, headers: { "anti-csrf": "wrong" } })).status,
    ).to.equal(401);
    expect(
      (await client.request("POST", "/protected", { body: {}, headers: { "anti-csrf": antiCsrf ?? "" } })).json.userId,
    ).to.equal("u1");
    expect((await client.request("GET", "/protected")).json.userId).to.equal("u1");
    // Refresh needs it too, and a failed check does not log the user out (that would be a logout CSRF).
    const forged = await client.request("POST", "/auth/session/refresh");
    expect(forged.status).to.equal(401);
    expect(forged.setCookies).to.deep.equal([]);
    expect(
      (await client.request("POST", "/auth/session/refresh", { headers: { "anti-csrf": antiCsrf ?? "" } })).status,
    ).to.equal(200);
  });

  it("VIA_CUSTOM_HEADER: a cookie request without the rid header is rejected without clearing cookies; with it, it passes", async () => {
    app = await startSessionApp({ antiCsrf: "VIA_CUSTOM_HEADER" });
    const { client } = app;
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    await client.request("POST", "/login", { body: { userId: "u1" } });
    const rejected = await client.request("POST", "/protected", { body: {} });
    expect(rejected.status).to.equal(401);
    expect(rejected.setCookies).to.deep.equal([]);
    expect(
      (await client.request("POST", "/protected", { body: {}, headers: { rid: "session" } })).json.userId,
    ).to.equal("u1");
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(401);
    expect((await client.request("POST", "/auth/session/refresh", { headers: { rid: "session" } })).status).to.equal(
      200,
    );
  });

  it("header mode needs no anti-CSRF check (a browser never adds the Authorization header by itself)", async () => {
    app = await startSessionApp({ antiCsrf: "VIA_TOKEN" });
    const login = await app.client.request("POST", "/login", {
      body: { userId: "u1" },
      headers: { "st-auth-mode": "header" },
    });
    expect(login.headers.get("anti-csrf")).to.equal(null);
    const auth = { authorization: `Bearer ${login.headers.get("st-access-token")}` };
    expect((await app.client.request("POST", "/protected", { body: {}, headers: auth })).json.userId).to.equal("u1");
  });

  it("getSession(req, res, false) turns the check off, as the seeds' enableCsrfProtection flag does", async () => {
    app = await startSessionApp(
      { antiCsrf: "VIA_TOKEN" },
      {
        addRoutes: (a) =>
          a.post(
            "/no-csrf",
            async (req, res) => void res.json({ userId: (await Session.getSession(req, res, false)).getUserId() }),
          ),
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    await app.client.request("POST", "/login", { body: { userId: "u1" } });
    expect((await app.client.request("POST", "/no-csrf", { body: {} })).json.userId).to.equal("u1");
  });
});
