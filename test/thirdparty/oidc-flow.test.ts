import { expect } from "chai";
import ThirdParty from "../../recipes/thirdparty/index";
import type { ProviderInput } from "../../recipes/thirdparty/index";
import { testDbKind } from "../helpers/db";
import { jwtPayload } from "../helpers/http";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc";
import { providerRedirect, rowCounts } from "../helpers/thirdparty";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe(`thirdparty: the authorisation-code flow with PKCE against a real OpenID provider (${testDbKind()})`, () => {
  let idp: TestOidcProvider;
  let app: SessionTestApp;
  const actions: string[] = [];

  before(async () => {
    idp = await startOidcProvider();
    const provider: ProviderInput = {
      config: {
        thirdPartyId: "test-oidc",
        name: "Test IdP",
        issuer: idp.issuer,
        clients: [{ clientId: idp.clientId, clientSecret: idp.clientSecret, scope: ["openid", "email"] }],
      },
    };
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          ThirdParty.init({
            signInAndUpFeature: { providers: [provider] },
            sessionFeature: {
              setJwtPayload: (user, context, action) => {
                actions.push(action);
                return { plan: "gold", action, provider: context.thirdPartyId, email: user.email };
              },
              setSessionData: (_user, _context, action) => ({ note: "kept in the database", action }),
            },
          }),
        ],
      },
    );
  });
  beforeEach(() => {
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
  });
  after(async () => {
    await app.close();
    await idp.close();
  });

  it("signs a new user up, then signs them in again; verifySession sees setJwtPayload's payload, setSessionData stays in the database", async () => {
    const first = await providerRedirect(app, idp, "alice");
    const params = first.authorisationURL.searchParams;
    expect(params.get("code_challenge_method")).to.equal("S256");
    expect(params.get("code_challenge")).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("nonce")).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("client_id")).to.equal(idp.clientId);

    const signUp = await app.client.request("POST", "/auth/signinup", { body: first.body });
    expect(signUp.status).to.equal(200);
    expect(signUp.json).to.deep.include({ status: "OK", createdNewRecipeUser: true });
    const user = signUp.json.user as { id: string; emails: string[]; thirdParty: { id: string; userId: string }[] };
    expect(user.emails).to.deep.equal(["alice@example.com"]);
    expect(user.thirdParty).to.deep.equal([{ id: "test-oidc", userId: "alice" }]);

    const seen = await app.client.request("GET", "/protected");
    expect(seen.status).to.equal(200);
    expect(seen.json.userId).to.equal(user.id);
    expect(seen.json.payload).to.deep.include({
      plan: "gold",
      action: "signup",
      provider: "test-oidc",
      email: "alice@example.com",
    });
    const handle = String(seen.json.handle);
    expect(await Session.getSessionData(handle)).to.deep.equal({ note: "kept in the database", action: "signup" });
    const accessToken = app.client.cookie("sAccessToken") as string;
    expect(JSON.stringify(jwtPayload(accessToken))).not.to.include("kept in the database");

    const again = await providerRedirect(app, idp, "alice");
    const signIn = await app.client.request("POST", "/auth/signinup", { body: again.body });
    expect(signIn.json).to.deep.include({ status: "OK", createdNewRecipeUser: false });
    expect((signIn.json.user as { id: string }).id).to.equal(user.id);
    const seenAgain = await app.client.request("GET", "/protected");
    expect(seenAgain.json.payload).to.deep.include({ action: "signin" });
    expect(await Session.getSessionData(String(seenAgain.json.handle))).to.deep.equal({
      note: "kept in the database",
      action: "signin",
    });
    expect(actions).to.deep.equal(["signup", "signin"]);
    expect((await rowCounts(app, ["thirdparty_users"])).thirdparty_users).to.equal(1);
    expect(await ThirdParty.getUserByThirdPartyInfo("test-oidc", "alice")).to.deep.include({
      id: user.id,
      email: "alice@example.com",
    });
  });

  it("refuses a code used twice, and writes nothing the second time", async () => {
    const { body } = await providerRedirect(app, idp, "bob");
    const first = await app.client.request("POST", "/auth/signinup", { body });
    expect(first.json.status).to.equal("OK");
    const before = await rowCounts(app, ["thirdparty_users", "sessions"]);
    const fresh = new (app.client.constructor as new (base: string) => typeof app.client)(app.server.baseUrl);
    const replay = await fresh.request("POST", "/auth/signinup", { body });
    expect(replay.status).to.equal(200);
    expect(replay.json.status).to.equal("SIGN_IN_UP_NOT_ALLOWED");
    expect(String(replay.json.reason)).to.match(/used already|expired|another sign-in/);
    expect(replay.setCookies.map((c) => c.name)).not.to.include("sAccessToken");
    expect(await rowCounts(app, ["thirdparty_users", "sessions"])).to.deep.equal(before);
  });

  it("refuses a code sent back with another flow's PKCE verifier (a code injected from another browser)", async () => {
    const victim = await providerRedirect(app, idp, "carol");
    const attacker = await providerRedirect(app, idp, "mallory");
    const before = await rowCounts(app, ["thirdparty_users", "sessions"]);
    const mixed = {
      ...attacker.body,
      redirectURIInfo: {
        ...attacker.body.redirectURIInfo,
        pkceCodeVerifier: victim.body.redirectURIInfo.pkceCodeVerifier,
      },
    };
    const reply = await app.client.request("POST", "/auth/signinup", { body: mixed });
    expect(reply.status).to.equal(200);
    expect(reply.json.status).to.equal("SIGN_IN_UP_NOT_ALLOWED");
    expect(await rowCounts(app, ["thirdparty_users", "sessions"])).to.deep.equal(before);
  });

  it("refuses a callback whose iss names another provider, or lacks the iss this one sends (RFC 9207 mix-up defence)", async () => {
    const before = await rowCounts(app, ["thirdparty_users", "sessions"]);
    for (const iss of ["https://evil.example", undefined]) {
      const { body } = await providerRedirect(app, idp, "dave");
      expect(body.redirectURIInfo.redirectURIQueryParams.iss).to.equal(idp.issuer);
      const params: Record<string, string> = { ...body.redirectURIInfo.redirectURIQueryParams };
      if (iss === undefined) delete params.iss;
      else params.iss = iss;
      const reply = await app.client.request("POST", "/auth/signinup", {
        body: { ...body, redirectURIInfo: { ...body.redirectURIInfo, redirectURIQueryParams: params } },
      });
      expect(reply.json, String(iss)).to.deep.equal({
        status: "SIGN_IN_UP_NOT_ALLOWED",
        reason: "The login provider's answer does not belong to this provider",
      });
    }
    expect(await rowCounts(app, ["thirdparty_users", "sessions"])).to.deep.equal(before);
  });

  it("answers the login methods the SDK asks for", async () => {
    const reply = await app.client.request("GET", "/auth/loginmethods");
    expect(reply.json).to.deep.include({
      status: "OK",
      emailPassword: { enabled: false },
      firstFactors: ["thirdparty"],
    });
    expect(reply.json.thirdParty).to.deep.equal({ enabled: true, providers: [{ id: "test-oidc", name: "Test IdP" }] });
  });
});
