import { expect } from "chai";
import type express from "express";
import Latchkey from "../../lib/index";
import EmailPassword from "../../recipes/emailpassword/index";
import Multitenancy from "../../recipes/multitenancy/index";
import Passwordless from "../../recipes/passwordless/index";
import Session from "../../recipes/session/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";
import ThirdParty from "../../recipes/thirdparty/index";
import { testDbKind } from "../helpers/db";
import { HttpClient } from "../helpers/http";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});

function addRoutes(app: express.Express): void {
  app.get("/tenant", verifySession(), (req: SessionRequest, res) => {
    res.json({ tenantId: req.session?.getTenantId(), userId: req.session?.getUserId() });
  });
}

// Rejects with a LatchkeyError of this type.
async function refused(promise: Promise<unknown>, type: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect((err as { type?: string }).type, (err as Error).message).to.equal(type);
    return;
  }
  expect.fail(`expected a ${type}`);
}

describe(`multitenancy: associating users with tenants takes effect (${testDbKind()})`, () => {
  let app: SessionTestApp;

  beforeEach(async () => {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init(),
          ThirdParty.init({
            signInAndUpFeature: {
              providers: [
                {
                  config: {
                    thirdPartyId: "custom",
                    authorizationEndpoint: "https://id.example.com/authorize",
                    tokenEndpoint: "https://id.example.com/token",
                    clients: [{ clientId: "client", clientSecret: "secret" }],
                  },
                },
              ],
            },
          }),
          Passwordless.init({ contactMethod: "EMAIL_OR_PHONE", flowType: "USER_INPUT_CODE" }),
          Multitenancy.init(),
        ],
        addRoutes,
      },
    );
    await Multitenancy.createOrUpdateTenant("acme");
    await Multitenancy.createOrUpdateTenant("beta");
  });
  afterEach(() => app.close());

  const client = (): HttpClient => {
    const c = new HttpClient(app.server.baseUrl);
    c.defaultHeaders = { "st-auth-mode": "cookie" };
    return c;
  };

  it("an email/password user added to a tenant signs in there with the same password; removed, they cannot", async () => {
    const signUp = await EmailPassword.signUp("ann@example.com", "password1", {}, "acme");
    if (signUp.status !== "OK") expect.fail(signUp.status);
    const id = signUp.user.id;
    const before = await client().request("POST", "/auth/beta/signin", { body: form("ann@example.com", "password1") });
    expect(before.json.status).to.equal("WRONG_CREDENTIALS_ERROR");

    expect(await Multitenancy.associateUserToTenant("beta", id)).to.deep.equal({
      status: "OK",
      wasAlreadyAssociated: false,
    });
    expect(await Multitenancy.associateUserToTenant("beta", id)).to.deep.equal({
      status: "OK",
      wasAlreadyAssociated: true,
    });
    const inBeta = client();
    const signIn = await inBeta.request("POST", "/auth/beta/signin", { body: form("ann@example.com", "password1") });
    expect(signIn.json.status).to.equal("OK");
    const user = signIn.json.user as { id: string; tenantIds: string[]; loginMethods: { tenantIds: string[] }[] };
    expect(user.id).to.equal(id);
    expect(user.tenantIds).to.deep.equal(["acme", "beta"]);
    expect(user.loginMethods[0]?.tenantIds).to.deep.equal(["acme", "beta"]);
    expect((await Latchkey.getUser(id))?.tenantIds).to.deep.equal(["acme", "beta"]);
    const listed = await Latchkey.getUsersNewestFirst({ limit: 10 });
    expect(listed.users.find((u) => u.id === id)?.loginMethods[0]?.tenantIds).to.deep.equal(["acme", "beta"]);
    // The same email cannot sign up anew in beta: the member holds it.
    const again = await client().request("POST", "/auth/beta/signup", { body: form("ann@example.com", "password2") });
    expect(again.json.status).to.equal("FIELD_ERROR");
    expect((await inBeta.request("GET", "/tenant")).json).to.deep.equal({ tenantId: "beta", userId: id });
    const inAcme = client();
    await inAcme.request("POST", "/auth/acme/signin", { body: form("ann@example.com", "password1") });

    expect(await Multitenancy.disassociateUserFromTenant("beta", id)).to.deep.equal({
      status: "OK",
      wasAssociated: true,
    });
    expect(await Multitenancy.disassociateUserFromTenant("beta", id)).to.deep.equal({
      status: "OK",
      wasAssociated: false,
    });
    const after = await client().request("POST", "/auth/beta/signin", { body: form("ann@example.com", "password1") });
    expect(after.json.status).to.equal("WRONG_CREDENTIALS_ERROR");
    expect((await Latchkey.getUser(id))?.tenantIds).to.deep.equal(["acme"]);
    // As SuperTokens' core: the user's sessions in beta ended (a refresh fails), the one in acme lives on.
    expect(await Session.getAllSessionHandlesForUser(id, {}, "beta")).to.deep.equal([]);
    expect(await Session.getAllSessionHandlesForUser(id, {}, "acme")).to.have.length(1);
    expect((await inBeta.request("POST", "/auth/session/refresh")).status).to.equal(401);
    expect((await inAcme.request("GET", "/tenant")).json).to.deep.equal({ tenantId: "acme", userId: id });
  });

  it("a third-party user added to a tenant gets the same user there for the same identity; removed, a new user", async () => {
    const first = await ThirdParty.manuallyCreateOrUpdateUser("custom", "sub-1", "tp@example.com", true, {}, "acme");
    if (first.status !== "OK") expect.fail(first.status);
    const id = first.user.id;
    expect(await Multitenancy.associateUserToTenant("beta", id)).to.deep.equal({
      status: "OK",
      wasAlreadyAssociated: false,
    });
    const inBeta = await ThirdParty.manuallyCreateOrUpdateUser("custom", "sub-1", "tp@example.com", true, {}, "beta");
    if (inBeta.status !== "OK") expect.fail(inBeta.status);
    expect(inBeta.createdNewUser).to.equal(false);
    expect(inBeta.user.id).to.equal(id);
    expect((await Latchkey.getUser(id))?.loginMethods[0]?.tenantIds).to.deep.equal(["acme", "beta"]);
    expect((await ThirdParty.getUsersByEmail("tp@example.com", {}, "beta")).map((u) => u.id)).to.deep.equal([id]);

    await Multitenancy.disassociateUserFromTenant("beta", id);
    expect(await ThirdParty.getUserByThirdPartyInfo("custom", "sub-1", {}, "beta")).to.equal(undefined);
    const fresh = await ThirdParty.manuallyCreateOrUpdateUser("custom", "sub-1", "tp@example.com", true, {}, "beta");
    if (fresh.status !== "OK") expect.fail(fresh.status);
    expect(fresh.createdNewUser).to.equal(true);
    expect(fresh.user.id).to.not.equal(id);
  });

  it("a passwordless user added to a tenant is found there by email and phone; removed, a new user", async () => {
    const first = await Passwordless.signInUp({ email: "pl@example.com", tenantId: "acme" });
    const byPhone = await Passwordless.signInUp({ phoneNumber: "+14155550100", tenantId: "acme" });
    expect(await Multitenancy.associateUserToTenant("beta", first.user.id)).to.deep.include({ status: "OK" });
    expect(await Multitenancy.associateUserToTenant("beta", byPhone.user.id)).to.deep.include({ status: "OK" });
    const again = await Passwordless.signInUp({ email: "pl@example.com", tenantId: "beta" });
    expect(again.createdNewRecipeUser).to.equal(false);
    expect(again.user.id).to.equal(first.user.id);
    const phoneAgain = await Passwordless.signInUp({ phoneNumber: "+14155550100", tenantId: "beta" });
    expect(phoneAgain.user.id).to.equal(byPhone.user.id);
    expect((await Latchkey.getUser(first.user.id))?.tenantIds).to.deep.equal(["acme", "beta"]);

    await Multitenancy.disassociateUserFromTenant("beta", first.user.id);
    expect(await Passwordless.getUserByEmail({ email: "pl@example.com", tenantId: "beta" })).to.equal(undefined);
    const fresh = await Passwordless.signInUp({ email: "pl@example.com", tenantId: "beta" });
    expect(fresh.createdNewRecipeUser).to.equal(true);
    expect(fresh.user.id).to.not.equal(first.user.id);
  });

  it("clashes answer SuperTokens' statuses and write nothing; unknown users and tenants are refused", async () => {
    const inAcme = await EmailPassword.signUp("dup@example.com", "password1", {}, "acme");
    const inBeta = await EmailPassword.signUp("dup@example.com", "password2", {}, "beta");
    if (inAcme.status !== "OK" || inBeta.status !== "OK") expect.fail("sign-up");
    expect(await Multitenancy.associateUserToTenant("beta", inAcme.user.id)).to.deep.equal({
      status: "EMAIL_ALREADY_EXISTS_ERROR",
    });
    expect((await Latchkey.getUser(inAcme.user.id))?.tenantIds).to.deep.equal(["acme"]);

    const plA = await Passwordless.signInUp({ phoneNumber: "+14155550111", tenantId: "acme" });
    await Passwordless.signInUp({ phoneNumber: "+14155550111", tenantId: "beta" });
    expect(await Multitenancy.associateUserToTenant("beta", plA.user.id)).to.deep.equal({
      status: "PHONE_NUMBER_ALREADY_EXISTS_ERROR",
    });
    const plEmail = await Passwordless.signInUp({ email: "dup@example.com", tenantId: "acme" });
    await Passwordless.signInUp({ email: "dup@example.com", tenantId: "beta" });
    expect(await Multitenancy.associateUserToTenant("beta", plEmail.user.id)).to.deep.equal({
      status: "EMAIL_ALREADY_EXISTS_ERROR",
    });
    expect((await Latchkey.getUser(plA.user.id))?.tenantIds).to.deep.equal(["acme"]);

    const tpA = await ThirdParty.manuallyCreateOrUpdateUser("custom", "sub-9", "t@example.com", true, {}, "acme");
    await ThirdParty.manuallyCreateOrUpdateUser("custom", "sub-9", "t@example.com", true, {}, "beta");
    if (tpA.status !== "OK") expect.fail(tpA.status);
    expect(await Multitenancy.associateUserToTenant("beta", tpA.user.id)).to.deep.equal({
      status: "THIRD_PARTY_USER_ALREADY_EXISTS_ERROR",
    });
    expect((await Latchkey.getUser(tpA.user.id))?.tenantIds).to.deep.equal(["acme"]);

    expect(await Multitenancy.associateUserToTenant("beta", "no-such-user")).to.deep.equal({
      status: "UNKNOWN_USER_ID_ERROR",
    });
    await refused(Multitenancy.associateUserToTenant("nowhere", inAcme.user.id), "TENANT_NOT_FOUND_ERROR");
    await refused(Multitenancy.disassociateUserFromTenant("nowhere", inAcme.user.id), "TENANT_NOT_FOUND_ERROR");
    expect((await Latchkey.getUser(inAcme.user.id))?.tenantIds).to.deep.equal(["acme"]);
  });

  it("a user removed from the tenant they signed up in: the address is free there, each recipe makes a new user", async () => {
    const ep = await EmailPassword.signUp("home@example.com", "password1", {}, "acme");
    const tp = await ThirdParty.manuallyCreateOrUpdateUser("custom", "sub-h", "home@example.com", true, {}, "acme");
    const pl = await Passwordless.signInUp({ email: "home@example.com", tenantId: "acme" });
    if (ep.status !== "OK" || tp.status !== "OK") expect.fail("sign-up");
    for (const id of [ep.user.id, tp.user.id, pl.user.id])
      expect(await Multitenancy.disassociateUserFromTenant("acme", id)).to.deep.equal({
        status: "OK",
        wasAssociated: true,
      });
    expect((await Latchkey.getUser(ep.user.id))?.tenantIds).to.deep.equal([]);
    expect((await EmailPassword.signIn("home@example.com", "password1", {}, "acme")).status).to.equal(
      "WRONG_CREDENTIALS_ERROR",
    );
    const epAgain = await EmailPassword.signUp("home@example.com", "password2", {}, "acme");
    expect(epAgain.status === "OK" && epAgain.user.id !== ep.user.id).to.equal(true);
    const tpAgain = await ThirdParty.manuallyCreateOrUpdateUser(
      "custom",
      "sub-h",
      "home@example.com",
      true,
      {},
      "acme",
    );
    expect(tpAgain.status === "OK" && tpAgain.createdNewUser && tpAgain.user.id !== tp.user.id).to.equal(true);
    const plAgain = await Passwordless.signInUp({ email: "home@example.com", tenantId: "acme" });
    expect(plAgain.createdNewRecipeUser && plAgain.user.id !== pl.user.id).to.equal(true);
    // Added back, the old email/password user clashes with the new one.
    expect(await Multitenancy.associateUserToTenant("acme", ep.user.id)).to.deep.equal({
      status: "EMAIL_ALREADY_EXISTS_ERROR",
    });
  });

  it("two users with one email associated with one tenant at once: exactly one wins", async () => {
    await Multitenancy.createOrUpdateTenant("gamma");
    const a = await EmailPassword.signUp("race@example.com", "password1", {}, "acme");
    const b = await EmailPassword.signUp("race@example.com", "password2", {}, "beta");
    if (a.status !== "OK" || b.status !== "OK") expect.fail("sign-up");
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([
        Multitenancy.associateUserToTenant("gamma", a.user.id),
        Multitenancy.associateUserToTenant("gamma", b.user.id),
      ]);
      expect(results.filter((r) => r.status === "OK")).to.have.length(1);
      expect(results.filter((r) => r.status === "EMAIL_ALREADY_EXISTS_ERROR")).to.have.length(1);
      const winner = results[0]?.status === "OK" ? a : b;
      const signIn = await EmailPassword.signIn(
        "race@example.com",
        winner === a ? "password1" : "password2",
        {},
        "gamma",
      );
      expect(signIn.status === "OK" && signIn.user.id).to.equal(winner.user.id);
      await Multitenancy.disassociateUserFromTenant("gamma", winner.user.id);
    }
  });

  it("an association racing a sign-up of the same email in that tenant: exactly one wins", async () => {
    for (let round = 0; round < 5; round++) {
      const email = `both${round}@example.com`;
      const a = await EmailPassword.signUp(email, "password1", {}, "acme");
      if (a.status !== "OK") expect.fail(a.status);
      const [associated, signedUp] = await Promise.all([
        Multitenancy.associateUserToTenant("beta", a.user.id),
        EmailPassword.signUp(email, "password2", {}, "beta"),
      ]);
      expect(
        [associated.status, signedUp.status].filter((s) => s === "OK"),
        `${associated.status}/${signedUp.status}`,
      ).to.have.length(1);
      expect([associated.status, signedUp.status].filter((s) => s === "EMAIL_ALREADY_EXISTS_ERROR")).to.have.length(1);
    }
  });

  it("an email change is refused when a member of any of the user's tenants has that email", async () => {
    const a = await EmailPassword.signUp("mine@example.com", "password1", {}, "acme");
    const b = await EmailPassword.signUp("theirs@example.com", "password2", {}, "beta");
    const p = await Passwordless.signInUp({ email: "pl-mine@example.com", tenantId: "acme" });
    await Passwordless.signInUp({ email: "pl-theirs@example.com", tenantId: "beta" });
    if (a.status !== "OK" || b.status !== "OK") expect.fail("sign-up");
    await Multitenancy.associateUserToTenant("beta", a.user.id);
    await Multitenancy.associateUserToTenant("beta", p.user.id);
    expect(
      (await EmailPassword.updateEmailOrPassword({ userId: a.user.id, email: "theirs@example.com" })).status,
    ).to.equal("EMAIL_ALREADY_EXISTS_ERROR");
    expect((await Passwordless.updateUser({ userId: p.user.id, email: "pl-theirs@example.com" })).status).to.equal(
      "EMAIL_ALREADY_EXISTS_ERROR",
    );
    // Nothing changed, in either tenant.
    expect((await EmailPassword.signIn("mine@example.com", "password1", {}, "beta")).status).to.equal("OK");
    expect((await Passwordless.getUserByEmail({ email: "pl-mine@example.com", tenantId: "beta" }))?.id).to.equal(
      p.user.id,
    );
    // A free email changes everywhere at once.
    expect(
      (await EmailPassword.updateEmailOrPassword({ userId: a.user.id, email: "new@example.com" })).status,
    ).to.equal("OK");
    expect((await EmailPassword.signIn("new@example.com", "password1", {}, "beta")).status).to.equal("OK");
    expect((await EmailPassword.signIn("new@example.com", "password1", {}, "acme")).status).to.equal("OK");
  });

  it("deleting a tenant removes the associations with it (a tenant of that name made later has no members)", async () => {
    const signUp = await EmailPassword.signUp("del@example.com", "password1", {}, "acme");
    if (signUp.status !== "OK") expect.fail(signUp.status);
    await Multitenancy.associateUserToTenant("beta", signUp.user.id);
    await Multitenancy.deleteTenant("beta");
    expect((await Latchkey.getUser(signUp.user.id))?.tenantIds).to.deep.equal(["acme"]);
    await Multitenancy.createOrUpdateTenant("beta");
    expect((await EmailPassword.signIn("del@example.com", "password1", {}, "beta")).status).to.equal(
      "WRONG_CREDENTIALS_ERROR",
    );
    // Deleting the user removes their memberships with them.
    await Multitenancy.associateUserToTenant("beta", signUp.user.id);
    await Latchkey.deleteUser(signUp.user.id);
    const again = await EmailPassword.signUp("del@example.com", "password2", {}, "beta");
    expect(again.status).to.equal("OK");
  });
});

describe(`multitenancy: an associated third-party user signs in through the tenant's own provider config (${testDbKind()})`, () => {
  let idp: TestOidcProvider;
  let app: SessionTestApp;

  before(async () => {
    idp = await startOidcProvider();
  });
  after(() => idp.close());

  beforeEach(async () => {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          ThirdParty.init({
            signInAndUpFeature: {
              providers: [
                {
                  config: {
                    thirdPartyId: "corp",
                    issuer: idp.issuer,
                    clients: [{ clientId: idp.clientId, clientSecret: idp.clientSecret }],
                  },
                },
              ],
            },
          }),
          Multitenancy.init({ secretEncryptionKey: "k".repeat(40) }),
        ],
      },
    );
    await Multitenancy.createOrUpdateTenant("beta");
    // beta has its own stored config of "corp" (the same identity provider: the same subject for the same account).
    await Multitenancy.createOrUpdateThirdPartyConfig("beta", {
      thirdPartyId: "corp",
      issuer: idp.issuer,
      clients: [{ clientId: idp.clientId, clientSecret: idp.clientSecret }],
    });
  });
  afterEach(() => app.close());

  // The frontend's part: authorisation URL, the provider's login, signinup, in the tenant's paths.
  async function signIn(prefix: string, accountId: string) {
    const query = new URLSearchParams({ thirdPartyId: "corp", redirectURIOnProviderDashboard: idp.redirectURI });
    const url = await app.client.request("GET", `${prefix}/authorisationurl?${query}`);
    expect(url.json.status).to.equal("OK");
    const target = new URL(String(url.json.urlWithQueryParams));
    target.searchParams.set("state", "frontend-state");
    const back = await idp.authorise(target.href, accountId);
    const reply = await app.client.request("POST", `${prefix}/signinup`, {
      body: {
        thirdPartyId: "corp",
        redirectURIInfo: {
          redirectURIOnProviderDashboard: idp.redirectURI,
          redirectURIQueryParams: Object.fromEntries(back.searchParams),
          pkceCodeVerifier: url.json.pkceCodeVerifier,
        },
      },
    });
    expect(reply.json.status).to.equal("OK");
    return reply.json as { createdNewRecipeUser: boolean; user: { id: string; tenantIds: string[] } };
  }

  it("the same (thirdPartyId, thirdPartyUserId) in the associated tenant is the same user; removed, a new one", async () => {
    const first = await signIn("/auth", "ann");
    expect(first.user.tenantIds).to.deep.equal(["public"]);
    expect(await Multitenancy.associateUserToTenant("beta", first.user.id)).to.deep.equal({
      status: "OK",
      wasAlreadyAssociated: false,
    });
    const inBeta = await signIn("/auth/beta", "ann");
    expect(inBeta.createdNewRecipeUser).to.equal(false);
    expect(inBeta.user.id).to.equal(first.user.id);
    expect(inBeta.user.tenantIds).to.deep.equal(["beta", "public"]);

    await Multitenancy.disassociateUserFromTenant("beta", first.user.id);
    const stranger = await signIn("/auth/beta", "ann");
    expect(stranger.createdNewRecipeUser).to.equal(true);
    expect(stranger.user.id).to.not.equal(first.user.id);
    expect(stranger.user.tenantIds).to.deep.equal(["beta"]);
  });
});
