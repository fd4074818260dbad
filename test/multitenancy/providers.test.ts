import { expect } from "chai";
import Multitenancy from "../../recipes/multitenancy/index";
import ThirdParty from "../../recipes/thirdparty/index";
import { testDbKind } from "../helpers/db";
import { captureLogs } from "../helpers/logCapture";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc";
import { startPasswordlessApp, type PasswordlessTestApp } from "../passwordless/app";

const KEY = ["a-new-key-that-encrypts-".padEnd(40, "n"), "an-old-key-that-still-decrypts-".padEnd(40, "o")];

describe(`multitenancy: third-party providers and passwordless per tenant, two oidc-provider instances (${testDbKind()})`, () => {
  let idpA: TestOidcProvider;
  let idpB: TestOidcProvider;
  let app: PasswordlessTestApp;
  // Every body the app answered, to check that no secret ever leaves it.
  let answered: string[];

  before(async () => {
    idpA = await startOidcProvider();
    idpB = await startOidcProvider();
  });
  after(async () => {
    await idpA.close();
    await idpB.close();
  });

  beforeEach(async () => {
    answered = [];
    app = await startPasswordlessApp(
      {},
      {
        extraRecipes: [
          ThirdParty.init({
            signInAndUpFeature: {
              providers: [
                {
                  config: {
                    thirdPartyId: "corp",
                    name: "Corp SSO",
                    issuer: idpA.issuer,
                    clients: [{ clientId: idpA.clientId, clientSecret: idpA.clientSecret }],
                  },
                  includeInNonPublicTenantsByDefault: true,
                },
              ],
            },
          }),
          Multitenancy.init({ secretEncryptionKey: KEY }),
        ],
      },
    );
    await Multitenancy.createOrUpdateTenant("acme");
    await Multitenancy.createOrUpdateTenant("beta");
    await Multitenancy.createOrUpdateTenant("gamma");
    // beta's own "corp" lies over the static one (another issuer, its own client); gamma has another provider only.
    await Multitenancy.createOrUpdateThirdPartyConfig("beta", {
      thirdPartyId: "corp",
      issuer: idpB.issuer,
      clients: [{ clientId: idpB.clientId, clientSecret: idpB.clientSecret }],
    });
    await Multitenancy.createOrUpdateThirdPartyConfig("gamma", {
      thirdPartyId: "other",
      name: "Other IdP",
      issuer: idpB.issuer,
      clients: [{ clientId: idpB.clientId, clientSecret: idpB.clientSecret }],
    });
  });
  afterEach(() => app.close());

  const request = async (method: string, path: string, body?: unknown) => {
    const reply = await app.client.request(method, path, { body, headers: { rid: "thirdparty" } });
    answered.push(JSON.stringify(reply.json), JSON.stringify([...reply.headers]));
    return reply;
  };

  // The frontend's part of a third-party sign-in in a tenant: authorisation URL, provider login, signinup.
  async function signInWithProvider(tenant: string, idp: TestOidcProvider, accountId: string) {
    const query = new URLSearchParams({ thirdPartyId: "corp", redirectURIOnProviderDashboard: idp.redirectURI });
    const url = await request("GET", `/auth/${tenant}/authorisationurl?${query}`);
    expect(url.json.status).to.equal("OK");
    const target = new URL(String(url.json.urlWithQueryParams));
    expect(target.origin + "/").to.equal(new URL(idp.issuer).origin + "/");
    target.searchParams.set("state", "frontend-state");
    const back = await idp.authorise(target.href, accountId);
    return request("POST", `/auth/${tenant}/signinup`, {
      thirdPartyId: "corp",
      redirectURIInfo: {
        redirectURIOnProviderDashboard: idp.redirectURI,
        redirectURIQueryParams: Object.fromEntries(back.searchParams),
        pkceCodeVerifier: url.json.pkceCodeVerifier,
      },
    });
  }

  it("lists each tenant's providers as SuperTokens merges them (own ones only, else static ones offered to all)", async () => {
    const providers = async (tenant: string) =>
      ((await request("GET", `/auth/${tenant}/loginmethods`)).json.thirdParty as { providers: unknown }).providers;
    expect(await providers("public")).to.deep.equal([{ id: "corp", name: "Corp SSO" }]);
    expect(await providers("acme")).to.deep.equal([{ id: "corp", name: "Corp SSO" }]);
    expect(await providers("beta")).to.deep.equal([{ id: "corp", name: "Corp SSO" }]);
    expect(await providers("gamma")).to.deep.equal([{ id: "other", name: "Other IdP" }]);
    const missing = await request(
      "GET",
      `/auth/gamma/authorisationurl?thirdPartyId=corp&redirectURIOnProviderDashboard=${encodeURIComponent(idpA.redirectURI)}`,
    );
    expect(missing.status).to.equal(400);
  });

  it("signs the same account in through each tenant's own provider: two users, one per tenant", async () => {
    const { result, logs } = await captureLogs(async () => ({
      inAcme: await signInWithProvider("acme", idpA, "ann"),
      inBeta: await signInWithProvider("beta", idpB, "ann"),
    }));
    const { inAcme, inBeta } = result;
    expect(inAcme.json.status).to.equal("OK");
    expect(inBeta.json.status).to.equal("OK");
    const acmeUser = inAcme.json.user as { id: string; emails: string[]; tenantIds: string[] };
    const betaUser = inBeta.json.user as { id: string; emails: string[]; tenantIds: string[] };
    expect(acmeUser.id).to.not.equal(betaUser.id);
    expect(acmeUser.emails).to.deep.equal(["ann@example.com"]);
    expect(betaUser.emails).to.deep.equal(["ann@example.com"]);
    expect(acmeUser.tenantIds).to.deep.equal(["acme"]);
    expect(betaUser.tenantIds).to.deep.equal(["beta"]);
    expect((await signInWithProvider("beta", idpB, "ann")).json.createdNewRecipeUser).to.equal(false);
    expect(await ThirdParty.getUsersByEmail("ann@example.com", {}, "beta")).to.have.length(1);
    // The secrets (static and stored) never left the app in any answer.
    for (const secret of [idpA.clientSecret, idpB.clientSecret]) {
      expect(answered.join("\n")).to.not.include(secret);
      expect(logs).to.not.include(secret);
    }
  });

  it("passwordless: the same email signs up in two tenants as two users", async () => {
    const ids: string[] = [];
    for (const prefix of ["/auth/acme", "/auth"]) {
      const created = await app.client.request("POST", `${prefix}/signinup/code`, {
        body: { email: "pat@example.com" },
      });
      expect(created.json.status, prefix).to.equal("OK");
      const message = await app.nextMessage("pat@example.com");
      const consumed = await app.client.request("POST", `${prefix}/signinup/code/consume`, {
        body: {
          deviceId: created.json.deviceId,
          preAuthSessionId: created.json.preAuthSessionId,
          userInputCode: (message as { userInputCode?: string }).userInputCode,
        },
      });
      expect(consumed.json.status, prefix).to.equal("OK");
      ids.push((consumed.json.user as { id: string }).id);
    }
    expect(ids[0]).to.not.equal(ids[1]);
  });

  it("passwordless: a tenant that enables codes by phone only refuses a code by email (401) and sends none", async () => {
    await Multitenancy.createOrUpdateTenant("phones", { firstFactors: ["otp-phone"] });
    const byEmail = await app.client.request("POST", "/auth/phones/signinup/code", {
      body: { email: "pat@example.com" },
    });
    expect(byEmail.status).to.equal(401);
    const byPhone = await app.client.request("POST", "/auth/phones/signinup/code", {
      body: { phoneNumber: "+14155552671" },
    });
    expect(byPhone.json.status).to.equal("OK");
    await app.nextMessage("+14155552671");
    expect(app.emails).to.deep.equal([]);
  });
});
