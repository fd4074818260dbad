// Issue 23, finding 3: which token a request is read by, as supertokens-node does it. The Authorization header comes
// before cookies, and two sAccessToken (or sRefreshToken) cookies are refused: a cookie planted from a sibling
// subdomain (cookie tossing) must not swap the user into the planter's session.
import { expect } from "chai";
import { decodeFrontToken } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

// Assertion labels name the cookies, never their values (tokens are secrets, even in test output).
const label = (cookie: string): string => cookie.replace(/=[^;]*/g, "");

describe("session: token precedence (header before cookies; duplicate cookies refused)", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /** Signs `userId` in with cookies; the access and refresh cookies the browser would hold. */
  async function cookieLogin(userId: string): Promise<{ access: string; refresh: string }> {
    if (app === undefined) throw new Error("no app");
    const res = await app.client.request("POST", "/login", {
      body: { userId },
      headers: { "st-auth-mode": "cookie" },
      cookies: false,
    });
    const cookie = (name: string): string => res.setCookies.find((c) => c.name === name)?.value ?? "";
    return { access: cookie("sAccessToken"), refresh: cookie("sRefreshToken") };
  }

  it("a request with both an Authorization bearer token and an sAccessToken cookie is the header's session", async () => {
    app = await startSessionApp();
    const headerUser = (await Session.createNewSessionWithoutRequestResponse("header-user")).getAccessToken();
    const cookieUser = await cookieLogin("cookie-user");
    const res = await app.client.request("GET", "/protected", {
      headers: { authorization: `Bearer ${headerUser}`, cookie: `sAccessToken=${cookieUser.access}` },
      cookies: false,
    });
    expect(res.status).to.equal(200);
    expect(res.json.userId).to.equal("header-user");
  });

  it("a refresh with both a bearer refresh token and an sRefreshToken cookie rotates the header's session", async () => {
    app = await startSessionApp();
    const header = await app.client.request("POST", "/login", {
      body: { userId: "header-user" },
      headers: { "st-auth-mode": "header" },
      cookies: false,
    });
    const cookieUser = await cookieLogin("cookie-user");
    const res = await app.client.request("POST", "/auth/session/refresh", {
      headers: {
        authorization: `Bearer ${header.headers.get("st-refresh-token") ?? ""}`,
        cookie: `sRefreshToken=${cookieUser.refresh}`,
        rid: "session",
      },
      cookies: false,
    });
    expect(res.status).to.equal(200);
    expect(decodeFrontToken(res.headers.get("front-token")).uid).to.equal("header-user");
    expect(res.setCookies).to.deep.equal([]); // answered in the header's transfer method
  });

  it("an Authorization value that is not a JWT (the app's own API key) does not shadow the session cookie", async () => {
    app = await startSessionApp();
    const cookieUser = await cookieLogin("cookie-user");
    const res = await app.client.request("GET", "/protected", {
      headers: { authorization: "Bearer my-api-key", cookie: `sAccessToken=${cookieUser.access}` },
      cookies: false,
    });
    expect(res.json.userId).to.equal("cookie-user");
  });

  it("two sAccessToken cookies (one tossed from a sibling subdomain) are refused, whichever comes first", async () => {
    app = await startSessionApp();
    const victim = await cookieLogin("victim");
    const attacker = await cookieLogin("attacker");
    for (const cookie of [
      `sAccessToken=${attacker.access}; sAccessToken=${victim.access}`,
      `sAccessToken=${victim.access}; other=1; sAccessToken=${attacker.access}`,
    ]) {
      const res = await app.client.request("GET", "/protected", { headers: { cookie }, cookies: false });
      expect(res.status, label(cookie)).to.equal(401);
      expect(res.json.userId, label(cookie)).to.equal(undefined);
      // An optional session is no session at all, rather than either of the two.
      const optional = await app.client.request("GET", "/optional", { headers: { cookie }, cookies: false });
      expect(optional.json.userId, label(cookie)).to.equal(null);
    }
    // One cookie alone still works, and a bearer header is read before (so despite) duplicate cookies.
    const alone = await app.client.request("GET", "/protected", {
      headers: { cookie: `sAccessToken=${victim.access}` },
      cookies: false,
    });
    expect(alone.json.userId).to.equal("victim");
    const header = (await Session.createNewSessionWithoutRequestResponse("header-user")).getAccessToken();
    const both = await app.client.request("GET", "/protected", {
      headers: { authorization: `Bearer ${header}`, cookie: `sAccessToken=${attacker.access}; sAccessToken=x` },
      cookies: false,
    });
    expect(both.json.userId).to.equal("header-user");
  });

  it("a refresh with two sRefreshToken or two sAccessToken cookies is refused and rotates nobody's token", async () => {
    app = await startSessionApp();
    const victim = await cookieLogin("victim");
    const attacker = await cookieLogin("attacker");
    for (const cookie of [
      `sRefreshToken=${attacker.refresh}; sRefreshToken=${victim.refresh}`,
      `sAccessToken=${attacker.access}; sAccessToken=${victim.access}; sRefreshToken=${victim.refresh}`,
    ]) {
      const res = await app.client.request("POST", "/auth/session/refresh", {
        headers: { cookie, rid: "session" },
        cookies: false,
      });
      expect(res.status, label(cookie)).to.equal(401);
      expect(
        res.setCookies.filter((c) => c.value !== ""),
        label(cookie),
      ).to.deep.equal([]);
    }
    // Neither refresh token was used: both still refresh their own session.
    for (const [who, tokens] of [
      ["victim", victim],
      ["attacker", attacker],
    ] as const) {
      const res = await app.client.request("POST", "/auth/session/refresh", {
        headers: { cookie: `sRefreshToken=${tokens.refresh}`, rid: "session" },
        cookies: false,
      });
      expect(res.status, who).to.equal(200);
    }
  });
});
