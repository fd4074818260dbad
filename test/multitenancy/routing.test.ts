import { expect } from "chai";
import type express from "express";
import EmailPassword from "../../recipes/emailpassword/index";
import Multitenancy, { TenantIdClaim } from "../../recipes/multitenancy/index";
import Passwordless from "../../recipes/passwordless/index";
import Session from "../../recipes/session/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";
import ThirdParty from "../../recipes/thirdparty/index";
import { testDbKind } from "../helpers/db";
import { decodeFrontToken, HttpClient } from "../helpers/http";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});

// /tenant answers the session's tenant; /acme-only refuses a session of any other tenant by the claim validator.
function addRoutes(app: express.Express): void {
  app.get("/tenant", verifySession(), (req: SessionRequest, res) => {
    res.json({ tenantId: req.session?.getTenantId(), userId: req.session?.getUserId() });
  });
  app.get(
    "/acme-only",
    verifySession({ overrideGlobalClaimValidators: (v) => [...v, TenantIdClaim.validators.hasValue("acme")] }),
    (_req, res) => void res.json({ ok: true }),
  );
}

describe(`multitenancy: routes per tenant, login methods per tenant, users and sessions per tenant (${testDbKind()})`, () => {
  let idp: TestOidcProvider;
  let app: SessionTestApp;
  let signUps: string[];
  let links: string[];

  before(async () => {
    idp = await startOidcProvider();
  });
  after(() => idp.close());

  beforeEach(async () => {
    signUps = [];
    links = [];
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            emailDelivery: {
              override: (o) => ({
                ...o,
                sendEmail: async (input) => {
                  links.push(input.passwordResetLink);
                },
              }),
            },
            override: {
              functions: (o) => ({
                ...o,
                signUp: (input) => {
                  signUps.push(`${input.tenantId}:${input.email}`);
                  return o.signUp(input);
                },
              }),
            },
          }),
          ThirdParty.init({
            signInAndUpFeature: {
              providers: [
                {
                  config: {
                    thirdPartyId: "test-oidc",
                    issuer: idp.issuer,
                    clients: [{ clientId: idp.clientId, clientSecret: idp.clientSecret }],
                  },
                },
              ],
            },
          }),
          Passwordless.init({ contactMethod: "EMAIL", flowType: "USER_INPUT_CODE" }),
          Multitenancy.init({
            override: {
              functions: (o) => ({
                ...o,
                // The app maps tenants its own way too: a header (a subdomain in real life) wins over the path.
                getTenantId: async (input) => input.req?.getHeader("x-tenant") ?? o.getTenantId(input),
              }),
            },
          }),
        ],
        addRoutes,
      },
    );
    await Multitenancy.createOrUpdateTenant("acme", { firstFactors: ["emailpassword"] });
    await Multitenancy.createOrUpdateTenant("beta", { firstFactors: ["thirdparty", "otp-email"] });
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
  });
  afterEach(() => app.close());

  const cookieClient = (): HttpClient => {
    const c = new HttpClient(app.server.baseUrl);
    c.defaultHeaders = { "st-auth-mode": "cookie" };
    return c;
  };

  it("GET /loginmethods answers each tenant's methods (what the SDK's multitenancy recipe reads)", async () => {
    const acme = await app.client.request("GET", "/auth/acme/loginmethods");
    expect(acme.status).to.equal(200);
    expect(acme.json).to.deep.equal({
      status: "OK",
      emailPassword: { enabled: true },
      thirdParty: { enabled: false, providers: [] },
      passwordless: { enabled: false },
      firstFactors: ["emailpassword"],
    });
    const beta = await app.client.request("GET", "/auth/beta/loginmethods", { headers: { rid: "multitenancy" } });
    expect(beta.json).to.deep.equal({
      status: "OK",
      emailPassword: { enabled: false },
      // beta has no providers of its own, and the static one is not offered to other tenants by default.
      thirdParty: { enabled: true, providers: [] },
      passwordless: { enabled: true },
      firstFactors: ["thirdparty", "otp-email"],
    });
    // Plain path and /public/ mean public, where every recipe's first factors are on.
    for (const path of ["/auth/loginmethods", "/auth/public/loginmethods"]) {
      const pub = await app.client.request("GET", path);
      expect(pub.json.firstFactors, path).to.deep.equal(["emailpassword", "thirdparty", "otp-email"]);
    }
    // The override maps by header: no path segment needed.
    const byHeader = await app.client.request("GET", "/auth/loginmethods", { headers: { "x-tenant": "acme" } });
    expect(byHeader.json.firstFactors).to.deep.equal(["emailpassword"]);
  });

  it("an unknown tenant is a 400 TENANT_NOT_FOUND_ERROR on every recipe's routes, and nothing runs", async () => {
    for (const [method, path] of [
      ["GET", "/auth/nobody/loginmethods"],
      ["POST", "/auth/nobody/signup"],
      ["POST", "/auth/nobody/signinup/code"],
      ["GET", "/auth/nobody/authorisationurl?thirdPartyId=test-oidc&redirectURIOnProviderDashboard=http://x/cb"],
      ["POST", "/auth/nobody/session/refresh"],
    ] as const) {
      const reply = await app.client.request(method, path, {
        body: method === "POST" ? form("x@example.com", "password1") : undefined,
      });
      expect(reply.status, path).to.equal(400);
      expect(reply.json, path).to.deep.equal({ status: "TENANT_NOT_FOUND_ERROR", message: "Tenant not found" });
    }
    expect(signUps).to.deep.equal([]);
  });

  it("a login method the tenant disabled answers 401 and never runs; an enabled one works", async () => {
    const refused = await app.client.request("POST", "/auth/beta/signup", {
      body: form("ann@example.com", "password1"),
    });
    expect(refused.status).to.equal(401);
    expect(refused.json).to.deep.equal({ message: "unauthorised" });
    const code = await app.client.request("POST", "/auth/acme/signinup/code", { body: { email: "ann@example.com" } });
    expect(code.status).to.equal(401);
    const url = await app.client.request(
      "GET",
      `/auth/acme/authorisationurl?thirdPartyId=test-oidc&redirectURIOnProviderDashboard=${encodeURIComponent(idp.redirectURI)}`,
    );
    expect(url.status).to.equal(401);
    expect(signUps).to.deep.equal([]);
    const ok = await app.client.request("POST", "/auth/acme/signup", { body: form("ann@example.com", "password1") });
    expect(ok.json.status).to.equal("OK");
    expect(signUps).to.deep.equal(["acme:ann@example.com"]);
  });

  it("the same email in two tenants is two users; each session carries its tenant (tId, getTenantId)", async () => {
    await Multitenancy.createOrUpdateTenant("acme", { firstFactors: null });
    const inAcme = await app.client.request("POST", "/auth/acme/signup", {
      body: form("ann@example.com", "acme-pass1"),
    });
    const acmeToken = decodeFrontToken(inAcme.headers.get("front-token"));
    const inPublic = await cookieClient().request("POST", "/auth/signup", {
      body: form("ann@example.com", "public-pass1"),
    });
    expect(inAcme.json.status).to.equal("OK");
    expect(inPublic.json.status).to.equal("OK");
    const acmeUser = inAcme.json.user as { id: string; tenantIds: string[] };
    const publicUser = inPublic.json.user as { id: string; tenantIds: string[] };
    expect(acmeUser.id).to.not.equal(publicUser.id);
    expect(acmeUser.tenantIds).to.deep.equal(["acme"]);
    expect(publicUser.tenantIds).to.deep.equal(["public"]);
    expect(acmeToken.up.tId).to.equal("acme");
    // A password of one tenant's user does not open the other tenant's account.
    const wrong = await cookieClient().request("POST", "/auth/acme/signin", {
      body: form("ann@example.com", "public-pass1"),
    });
    expect(wrong.json.status).to.equal("WRONG_CREDENTIALS_ERROR");
    const me = await app.client.request("GET", "/tenant");
    expect(me.json).to.deep.equal({ tenantId: "acme", userId: acmeUser.id });
    // Email exists is per tenant too.
    const exists = await app.client.request("GET", "/auth/beta/emailpassword/email/exists?email=ann@example.com");
    expect(exists.json).to.deep.include({ status: "OK", exists: false });
  });

  it("a password reset in a tenant: the link names the tenant, and its token works only there", async () => {
    await EmailPassword.signUp("gil@example.com", "old-password1", {}, "acme");
    await EmailPassword.signUp("gil@example.com", "public-password1", {}, "public");
    const asked = await app.client.request("POST", "/auth/acme/user/password/reset/token", {
      body: { formFields: [{ id: "email", value: "gil@example.com" }] },
    });
    expect(asked.json.status).to.equal("OK");
    for (let i = 0; i < 50 && links.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const link = new URL(links[0] ?? "http://missing/");
    expect(link.searchParams.get("tenantId")).to.equal("acme");
    const body = (password: string) => ({
      method: "token",
      token: link.searchParams.get("token"),
      formFields: [{ id: "password", value: password }],
    });
    // The SDK posts to the link's tenant; the same token in another tenant is invalid.
    const elsewhere = await app.client.request("POST", "/auth/user/password/reset", { body: body("new-password1") });
    expect(elsewhere.json.status).to.equal("RESET_PASSWORD_INVALID_TOKEN_ERROR");
    const reset = await app.client.request("POST", "/auth/acme/user/password/reset", { body: body("new-password1") });
    expect(reset.json.status).to.equal("OK");
    expect((await EmailPassword.signIn("gil@example.com", "new-password1", {}, "acme")).status).to.equal("OK");
    expect((await EmailPassword.signIn("gil@example.com", "public-password1", {}, "public")).status).to.equal("OK");
  });

  it("a session of tenant A is refused (403 invalid claim) on an API that requires tenant B", async () => {
    await Multitenancy.createOrUpdateTenant("public", { firstFactors: ["emailpassword"] });
    const pub = cookieClient();
    expect(
      (await pub.request("POST", "/auth/signup", { body: form("bob@example.com", "password1") })).json.status,
    ).to.equal("OK");
    const refused = await pub.request("GET", "/acme-only");
    expect(refused.status).to.equal(403);
    expect(refused.json.message).to.equal("invalid claim");
    const acme = cookieClient();
    expect(
      (await acme.request("POST", "/auth/acme/signup", { body: form("bob@example.com", "password1") })).json.status,
    ).to.equal("OK");
    expect((await acme.request("GET", "/acme-only")).json).to.deep.equal({ ok: true });
  });

  it("revokeAllSessionsForUser scopes to a tenant when given one, else every tenant", async () => {
    const signUp = await EmailPassword.signUp("cat@example.com", "password1", {}, "acme");
    if (signUp.status !== "OK") expect.fail(signUp.status);
    const userId = signUp.user.id;
    await Session.createNewSessionWithoutRequestResponse(userId, {}, {}, {}, "acme");
    await Session.createNewSessionWithoutRequestResponse(userId, {}, {}, {}, "beta");
    await Session.createNewSessionWithoutRequestResponse(userId, {}, {}, {}, "beta");
    expect(await Session.revokeAllSessionsForUser(userId, {}, "beta")).to.have.length(2);
    expect(await Session.getAllSessionHandlesForUser(userId)).to.have.length(1);
    await Session.createNewSessionWithoutRequestResponse(userId, {}, {}, {}, "beta");
    expect(await Session.revokeAllSessionsForUser(userId)).to.have.length(2);
    expect(await Session.getAllSessionHandlesForUser(userId)).to.deep.equal([]);
  });

  it("deleting a tenant ends its sessions: refresh fails, and its routes answer TENANT_NOT_FOUND_ERROR", async () => {
    const client = cookieClient();
    expect(
      (await client.request("POST", "/auth/acme/signup", { body: form("dan@example.com", "password1") })).json.status,
    ).to.equal("OK");
    await Multitenancy.deleteTenant("acme");
    const refresh = await client.request("POST", "/auth/session/refresh");
    expect(refresh.status).to.equal(401);
    const signIn = await client.request("POST", "/auth/acme/signin", { body: form("dan@example.com", "password1") });
    expect(signIn.status).to.equal(400);
  });
});

describe(`multitenancy: deleting a tenant with enableBlacklisting (${testDbKind()})`, () => {
  let app: SessionTestApp;
  beforeEach(async () => {
    app = await startSessionApp(
      { enableBlacklisting: true },
      { extraRecipes: [EmailPassword.init(), Multitenancy.init()], addRoutes },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    await Multitenancy.createOrUpdateTenant("acme");
  });
  afterEach(() => app.close());

  it("its sessions' access tokens stop working at once; another tenant's session of the same email goes on", async () => {
    const other = new HttpClient(app.server.baseUrl);
    other.defaultHeaders = { "st-auth-mode": "cookie" };
    expect(
      (await app.client.request("POST", "/auth/acme/signup", { body: form("fay@example.com", "password1") })).json
        .status,
    ).to.equal("OK");
    expect(
      (await other.request("POST", "/auth/signup", { body: form("fay@example.com", "password1") })).json.status,
    ).to.equal("OK");
    expect((await app.client.request("GET", "/tenant")).json.tenantId).to.equal("acme");
    await Multitenancy.deleteTenant("acme");
    expect((await app.client.request("GET", "/tenant")).status).to.equal(401);
    expect((await other.request("GET", "/tenant")).json.tenantId).to.equal("public");
  });
});

describe(`multitenancy: an app without the recipe keeps everything in public (${testDbKind()})`, () => {
  let app: SessionTestApp;
  beforeEach(async () => {
    app = await startSessionApp({}, { extraRecipes: [EmailPassword.init()] });
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
  });
  afterEach(() => app.close());

  it("serves plain and /public/ paths, and leaves other tenant segments to the app (404)", async () => {
    const plain = await app.client.request("POST", "/auth/signup", { body: form("eve@example.com", "password1") });
    expect(plain.json.status).to.equal("OK");
    expect(decodeFrontToken(plain.headers.get("front-token")).up.tId).to.equal("public");
    const viaPublic = await app.client.request("POST", "/auth/public/signin", {
      body: form("eve@example.com", "password1"),
    });
    expect(viaPublic.json.status).to.equal("OK");
    const other = await app.client.request("POST", "/auth/acme/signin", { body: form("eve@example.com", "password1") });
    expect(other.status).to.equal(404);
  });
});
