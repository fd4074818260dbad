import { expect } from "chai";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import { resetForTests } from "../../lib/testing";
import { LoginMethods, UserDataOwners } from "../../lib/seams";
import ThirdParty from "../../recipes/thirdparty/index";
import { APP_INFO } from "../helpers/app";
import { rawKnex, testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { rowCounts } from "../helpers/thirdparty";

// A provider nobody answers for (port 9, discard): reaching it fails fast with a provider error.
const GONE = {
  config: { thirdPartyId: "gone", issuer: "http://127.0.0.1:9", requestTimeout: 200, clients: [{ clientId: "x" }] },
};

describe("thirdparty: what it requires of the recipe list", () => {
  afterEach(() => resetForTests());

  it("needs sessions (a recipe providing them), and says which recipe to add", () => {
    expect(() =>
      Latchkey.init({
        appInfo: APP_INFO,
        database: "sqlite::memory:",
        recipeList: [ThirdParty.init({ signInAndUpFeature: { providers: [GONE] } })],
      }),
    ).to.throw(/the thirdparty recipe needs the session recipe: add Session.init\(\) to recipeList/);
  });
});

describe(`thirdparty: without providers only /loginmethods is served (${testDbKind()})`, () => {
  let app: SessionTestApp;
  before(async () => {
    app = await startSessionApp({}, { extraRecipes: [ThirdParty.init({ signInAndUpFeature: { providers: [] } })] });
  });
  after(() => app.close());

  it("answers /loginmethods with no method, and leaves /authorisationurl and /signinup to the app (404)", async () => {
    const methods = await app.client.request("GET", "/auth/loginmethods");
    expect(methods.json).to.deep.include({
      status: "OK",
      emailPassword: { enabled: false },
      thirdParty: { enabled: false, providers: [] },
      firstFactors: [],
    });
    const url = await app.client.request(
      "GET",
      "/auth/authorisationurl?thirdPartyId=google&redirectURIOnProviderDashboard=https%3A%2F%2Fx.example%2Fcb",
    );
    expect(url.status).to.equal(404);
    const signInUp = await app.client.request("POST", "/auth/signinup", {
      body: { thirdPartyId: "google", oAuthTokens: { access_token: "x" } },
    });
    expect(signInUp.status).to.equal(404);
  });
});

describe(`thirdparty: tenant scope, capabilities and typed errors (${testDbKind()})`, () => {
  let app: SessionTestApp;
  before(async () => {
    app = await startSessionApp({}, { extraRecipes: [ThirdParty.init({ signInAndUpFeature: { providers: [GONE] } })] });
  });
  after(() => app.close());

  it("keeps one provider identity per tenant: the same identity in two tenants is two users, each found only in its tenant", async () => {
    const a = await ThirdParty.manuallyCreateOrUpdateUser(
      "gone",
      "same-person",
      "same@example.com",
      false,
      {},
      "tenant-a",
    );
    const b = await ThirdParty.manuallyCreateOrUpdateUser(
      "gone",
      "same-person",
      "same@example.com",
      false,
      {},
      "tenant-b",
    );
    expect(a.createdNewUser && b.createdNewUser).to.equal(true);
    expect(a.user.id).not.to.equal(b.user.id);
    expect(
      (await ThirdParty.manuallyCreateOrUpdateUser("gone", "same-person", "same@example.com", false, {}, "tenant-a"))
        .user.id,
    ).to.equal(a.user.id);
    expect((await ThirdParty.getUsersByEmail("same@example.com", {}, "tenant-a")).map((u) => u.id)).to.deep.equal([
      a.user.id,
    ]);
    expect((await ThirdParty.getUserByThirdPartyInfo("gone", "same-person", {}, "tenant-b"))?.id).to.equal(b.user.id);
    // The current call forms stay in the default tenant, where this identity has no user.
    expect(await ThirdParty.getUserByThirdPartyInfo("gone", "same-person")).to.equal(undefined);
    expect(await ThirdParty.getUsersByEmail("same@example.com")).to.deep.equal([]);
    const knex = rawKnex(app.lk.url);
    try {
      const rows = await knex(`${app.lk.prefix}thirdparty_users`)
        .whereIn("user_id", [a.user.id, b.user.id])
        .orderBy("tenant_id")
        .select("tenant_id");
      expect(rows.map((r: { tenant_id: string }) => r.tenant_id)).to.deep.equal(["tenant-a", "tenant-b"]);
    } finally {
      await knex.destroy();
    }
  });

  it("refuses a tenant id the column cannot hold, writing nothing", async () => {
    const before = await rowCounts(app, ["thirdparty_users"]);
    let caught: unknown;
    try {
      await ThirdParty.manuallyCreateOrUpdateUser("gone", "someone", "someone@example.com", false, {}, "t".repeat(65));
    } catch (err) {
      caught = err;
    }
    expect((caught as { type?: unknown } | undefined)?.type).to.equal("BAD_INPUT_ERROR");
    expect(await rowCounts(app, ["thirdparty_users"])).to.deep.equal(before);
  });

  it("provides its users as a login method (SuperTokens' shape, verified as the provider said) and deletes them as a user data owner", async () => {
    const { user } = await ThirdParty.manuallyCreateOrUpdateUser(
      "gone",
      "lm-user",
      "LM@Example.com",
      true,
      {},
      "tenant-a",
    );
    const providers = Core.getInstanceOrThrow().capabilities.all(LoginMethods);
    const thirdParty = providers.find((p) => p.factorIds.includes("thirdparty"));
    expect(thirdParty).not.to.equal(undefined);
    const expected = {
      recipeId: "thirdparty",
      recipeUserId: user.id,
      tenantIds: ["tenant-a"],
      email: "LM@example.com",
      thirdParty: { id: "gone", userId: "lm-user" },
      verified: true,
      timeJoined: user.timeJoined,
    };
    expect(await thirdParty?.getLoginMethod({ userId: user.id, userContext: {} })).to.deep.equal(expected);
    expect(
      await thirdParty?.getLoginMethodsByEmail({ email: "LM@example.com", tenantId: "tenant-a", userContext: {} }),
    ).to.deep.equal([expected]);
    expect(
      await thirdParty?.getLoginMethodsByEmail({ email: "LM@example.com", tenantId: "public", userContext: {} }),
    ).to.deep.equal([]);
    // A later sign-in whose provider no longer vouches for the email reports it unverified.
    await ThirdParty.manuallyCreateOrUpdateUser("gone", "lm-user", "LM@Example.com", false, {}, "tenant-a");
    expect(await thirdParty?.getLoginMethod({ userId: user.id, userContext: {} })).to.deep.include({ verified: false });

    const owners = Core.getInstanceOrThrow().capabilities.all(UserDataOwners);
    const knex = await Core.getInstanceOrThrow().database.whenReady();
    await knex.transaction(async (trx) => {
      for (const owner of owners) await owner.deleteUserData({ userId: user.id, trx, userContext: {} });
    });
    expect(await ThirdParty.getUserById(user.id)).to.equal(undefined);
    expect(await thirdParty?.getLoginMethod({ userId: user.id, userContext: {} })).to.equal(undefined);
  });

  it("raises its provider failures as ThirdParty.Error, whose type narrows the payload", async () => {
    const provider = await ThirdParty.getProvider("gone");
    let caught: unknown;
    try {
      await provider?.getAuthorisationRedirectURL({
        redirectURIOnProviderDashboard: "https://x.example/cb",
        userContext: {},
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ThirdParty.Error);
    if (!ThirdParty.Error.isThirdPartyError(caught)) return expect.fail("not a ThirdParty error");
    // Type-checked without a cast: the type names which payload it carries.
    if (caught.type === "THIRD_PARTY_SIGN_IN_REFUSED") return expect.fail(`refused: ${caught.payload.reason}`);
    expect(caught.type).to.equal("THIRD_PARTY_PROVIDER_ERROR");
    expect(caught.payload.message).to.match(/could not be reached|took too long/);
    expect(caught.fromRecipe).to.equal("thirdparty");
  });
});
