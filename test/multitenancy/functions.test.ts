import { expect } from "chai";
import { Latchkey as Core } from "../../lib/latchkey";
import EmailPassword from "../../recipes/emailpassword/index";
import Multitenancy from "../../recipes/multitenancy/index";
import Session from "../../recipes/session/index";
import ThirdParty from "../../recipes/thirdparty/index";
import Latchkey from "../../lib/index";
import { resetForTests } from "../../lib/testing";
import { APP_INFO, initLatchkey, type TestLatchkey } from "../helpers/app";
import { rawKnex, testDbKind } from "../helpers/db";

const KEY = "k".repeat(40);

// Rejects with a LatchkeyError of this type; the message is returned for further checks.
async function refused(promise: Promise<unknown>, type: string): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect((err as { type?: string }).type, (err as Error).message).to.equal(type);
    return (err as Error).message;
  }
  expect.fail(`expected a ${type}`);
}

const staticProvider = {
  config: {
    thirdPartyId: "custom",
    name: "Static custom",
    authorizationEndpoint: "https://id.example.com/authorize",
    tokenEndpoint: "https://id.example.com/token",
    clients: [{ clientId: "static-client", clientSecret: "static-secret" }],
  },
};

describe(`multitenancy: tenants and their settings on the app's database (${testDbKind()})`, () => {
  let lk: TestLatchkey;
  beforeEach(() => {
    lk = initLatchkey([
      Session.init(),
      EmailPassword.init(),
      ThirdParty.init({ signInAndUpFeature: { providers: [staticProvider] } }),
      Multitenancy.init({ secretEncryptionKey: KEY }),
    ]);
  });
  afterEach(() => lk.cleanup());

  it("public always exists; tenants are created, changed, listed and deleted with SuperTokens' results", async () => {
    expect(await Multitenancy.getTenant("public")).to.deep.equal({
      status: "OK",
      tenantId: "public",
      thirdParty: { providers: [] },
    });
    expect(await Multitenancy.getTenant("acme")).to.equal(undefined);
    expect(await Multitenancy.createOrUpdateTenant("acme", { firstFactors: ["emailpassword"] })).to.deep.equal({
      status: "OK",
      createdNew: true,
    });
    expect(await Multitenancy.createOrUpdateTenant("acme", { requiredSecondaryFactors: ["totp"] })).to.deep.equal({
      status: "OK",
      createdNew: false,
    });
    // An omitted list stays as it was; null resets it to "not configured".
    expect(await Multitenancy.getTenant("acme")).to.deep.equal({
      status: "OK",
      tenantId: "acme",
      firstFactors: ["emailpassword"],
      requiredSecondaryFactors: ["totp"],
      thirdParty: { providers: [] },
    });
    await Multitenancy.createOrUpdateTenant("acme", { firstFactors: null });
    expect((await Multitenancy.getTenant("acme"))?.firstFactors).to.equal(undefined);
    await Multitenancy.createOrUpdateTenant("public", { firstFactors: ["thirdparty"] });
    await Multitenancy.createOrUpdateTenant("beta");
    const listed = await Multitenancy.listAllTenants();
    expect(listed.tenants.map((t) => t.tenantId)).to.deep.equal(["public", "acme", "beta"]);
    expect(listed.tenants[0]?.firstFactors).to.deep.equal(["thirdparty"]);

    expect(await Multitenancy.deleteTenant("beta")).to.deep.equal({ status: "OK", didExist: true });
    expect(await Multitenancy.deleteTenant("beta")).to.deep.equal({ status: "OK", didExist: false });
    expect(await Multitenancy.getTenant("beta")).to.equal(undefined);
    await refused(Multitenancy.deleteTenant("public"), "BAD_INPUT_ERROR");
    expect(await Multitenancy.getTenant("public")).to.not.equal(undefined);
  });

  it("refuses tenant ids outside the pattern, too long, or reserved, and factor lists that are not lists of ids", async () => {
    const bad = ["", "Acme", "a_b", "-acme", "acme-", "a/b", "..", "a b", "a".repeat(65), "ünï", "appid-x", "recipe"];
    // Route words of the recipes in the list (emailpassword's /signup/email/exists, session's /session/refresh).
    bad.push("session", "emailpassword", "jwt", "signup", "loginmethods");
    for (const id of bad) await refused(Multitenancy.createOrUpdateTenant(id), "BAD_INPUT_ERROR");
    await refused(Multitenancy.createOrUpdateTenant(42 as unknown as string), "BAD_INPUT_ERROR");
    expect((await Multitenancy.createOrUpdateTenant("a".repeat(64))).createdNew).to.equal(true);
    expect((await Multitenancy.createOrUpdateTenant("0-9")).createdNew).to.equal(true);
    for (const config of [
      { firstFactors: "emailpassword" },
      { firstFactors: [""] },
      { firstFactors: [1] },
      { requiredSecondaryFactors: ["a b"] },
      { firstFactors: Array.from({ length: 40 }, (_, i) => `f${i}`) },
      { colour: "red" },
    ]) {
      await refused(Multitenancy.createOrUpdateTenant("acme", config as never), "BAD_INPUT_ERROR");
    }
    expect(await Multitenancy.getTenant("acme")).to.equal(undefined);
    expect((await Multitenancy.listAllTenants()).tenants.map((t) => t.tenantId)).to.deep.equal([
      "public",
      "0-9",
      "a".repeat(64),
    ]);
  });

  it("of many concurrent creations of one tenant exactly one reports createdNew, and one row is stored", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => Multitenancy.createOrUpdateTenant("race", { firstFactors: ["emailpassword"] })),
    );
    expect(results.filter((r) => r.createdNew)).to.have.length(1);
    expect(results.every((r) => r.status === "OK")).to.equal(true);
    const knex = rawKnex(lk.url);
    try {
      const rows = await knex(`${lk.prefix}multitenancy_tenants`).where({ tenant_id: "race" });
      expect(rows).to.have.length(1);
    } finally {
      await knex.destroy();
    }
  });

  it("stores a tenant's provider config sealed (no client id or secret in the clear), shows it without secrets", async () => {
    await Multitenancy.createOrUpdateTenant("acme");
    const config = {
      thirdPartyId: "custom",
      name: "Acme SSO",
      clients: [{ clientId: "acme-client-id-123", clientSecret: "acme-client-secret-456" }],
    };
    expect(await Multitenancy.createOrUpdateThirdPartyConfig("acme", config)).to.deep.equal({
      status: "OK",
      createdNew: true,
    });
    expect(await Multitenancy.createOrUpdateThirdPartyConfig("acme", config)).to.deep.equal({
      status: "OK",
      createdNew: false,
    });
    const knex = rawKnex(lk.url);
    try {
      const rows = await knex(`${lk.prefix}multitenancy_thirdparty_configs`).select("*");
      expect(rows).to.have.length(1);
      const stored = JSON.stringify(rows);
      expect(stored).to.not.include("acme-client-secret-456");
      expect(stored).to.not.include("acme-client-id-123");
    } finally {
      await knex.destroy();
    }
    const tenant = await Multitenancy.getTenant("acme");
    expect(tenant?.thirdParty.providers).to.deep.equal([
      { thirdPartyId: "custom", name: "Acme SSO", clients: [{ clientId: "acme-client-id-123" }] },
    ]);
    expect(JSON.stringify(await Multitenancy.listAllTenants())).to.not.include("acme-client-secret-456");

    expect(await Multitenancy.deleteThirdPartyConfig("acme", "custom")).to.deep.equal({
      status: "OK",
      didConfigExist: true,
    });
    expect(await Multitenancy.deleteThirdPartyConfig("acme", "custom")).to.deep.equal({
      status: "OK",
      didConfigExist: false,
    });
  });

  it("refuses provider configs that ThirdParty cannot use, for unknown tenants, and with secrets in no message", async () => {
    await Multitenancy.createOrUpdateTenant("acme");
    const message = await refused(
      Multitenancy.createOrUpdateThirdPartyConfig("acme", {
        thirdPartyId: "unknown-idp",
        clients: [{ clientId: "x", clientSecret: "never-echo-this" }],
      }),
      "BAD_INPUT_ERROR",
    );
    expect(message).to.not.include("never-echo-this");
    await refused(Multitenancy.createOrUpdateThirdPartyConfig("acme", { thirdPartyId: "../x" }), "BAD_INPUT_ERROR");
    await refused(Multitenancy.createOrUpdateThirdPartyConfig("acme", [] as never), "BAD_INPUT_ERROR");
    await refused(
      Multitenancy.createOrUpdateThirdPartyConfig("nobody", { thirdPartyId: "custom", clients: [{ clientId: "x" }] }),
      "TENANT_NOT_FOUND_ERROR",
    );
    expect((await Multitenancy.getTenant("acme"))?.thirdParty.providers).to.deep.equal([]);
  });

  it("deleting a tenant removes its providers and associations, ends its sessions, and leaves its users", async () => {
    await Multitenancy.createOrUpdateTenant("acme");
    await Multitenancy.createOrUpdateThirdPartyConfig("acme", {
      thirdPartyId: "custom",
      clients: [{ clientId: "acme-client" }],
    });
    const signUp = await EmailPassword.signUp("ann@example.com", "password1", {}, "acme");
    if (signUp.status !== "OK") expect.fail(signUp.status);
    const userId = signUp.user.id;
    await Session.createNewSessionWithoutRequestResponse(userId, {}, {}, {}, "acme");
    await Session.createNewSessionWithoutRequestResponse(userId, {}, {}, {}, "public");
    expect(await Session.getAllSessionHandlesForUser(userId)).to.have.length(2);

    await Multitenancy.deleteTenant("acme");
    expect(await Session.getAllSessionHandlesForUser(userId, {}, "acme")).to.deep.equal([]);
    expect(await Session.getAllSessionHandlesForUser(userId, {}, "public")).to.have.length(1);
    // The user stays (getUser finds them; deleteUser removes them); re-creating the tenant brings them back.
    expect((await Core.getInstanceOrThrow().getUser(userId, {}))?.id).to.equal(userId);
    await Multitenancy.createOrUpdateTenant("acme");
    expect((await Multitenancy.getTenant("acme"))?.thirdParty.providers).to.deep.equal([]);
    expect((await EmailPassword.signIn("ann@example.com", "password1", {}, "acme")).status).to.equal("OK");
  });

  it("associates users to tenants with SuperTokens' statuses", async () => {
    await Multitenancy.createOrUpdateTenant("acme");
    const ann = await EmailPassword.signUp("ann@example.com", "password1", {}, "public");
    const annAcme = await EmailPassword.signUp("ann@example.com", "password1", {}, "acme");
    const bob = await EmailPassword.signUp("bob@example.com", "password1", {}, "public");
    if (ann.status !== "OK" || annAcme.status !== "OK" || bob.status !== "OK") expect.fail("sign-up failed");
    expect(await Multitenancy.associateUserToTenant("acme", "no-such-user")).to.deep.equal({
      status: "UNKNOWN_USER_ID_ERROR",
    });
    expect(await Multitenancy.associateUserToTenant("acme", ann.user.id)).to.deep.equal({
      status: "EMAIL_ALREADY_EXISTS_ERROR",
    });
    expect(await Multitenancy.associateUserToTenant("acme", bob.user.id)).to.deep.equal({
      status: "OK",
      wasAlreadyAssociated: false,
    });
    expect(await Multitenancy.associateUserToTenant("acme", bob.user.id)).to.deep.equal({
      status: "OK",
      wasAlreadyAssociated: true,
    });
    expect(await Multitenancy.associateUserToTenant("public", bob.user.id)).to.deep.equal({
      status: "OK",
      wasAlreadyAssociated: true,
    });
    expect(await Multitenancy.disassociateUserFromTenant("acme", bob.user.id)).to.deep.equal({
      status: "OK",
      wasAssociated: true,
    });
    expect(await Multitenancy.disassociateUserFromTenant("acme", bob.user.id)).to.deep.equal({
      status: "OK",
      wasAssociated: false,
    });
    await refused(Multitenancy.associateUserToTenant("nobody", bob.user.id), "TENANT_NOT_FOUND_ERROR");
  });
});

describe(`multitenancy: provider configs need an encryption key (${testDbKind()})`, () => {
  let lk: TestLatchkey;
  afterEach(() => lk.cleanup());

  it("without secretEncryptionKey, refuses to store a provider config rather than store it in the clear", async () => {
    lk = initLatchkey([Session.init(), Multitenancy.init()]);
    await Multitenancy.createOrUpdateTenant("acme");
    const message = await refused(
      Multitenancy.createOrUpdateThirdPartyConfig("acme", { thirdPartyId: "custom", clients: [{ clientId: "x" }] }),
      "BAD_INPUT_ERROR",
    );
    expect(message).to.include("secretEncryptionKey");
  });

  it("refuses a short secretEncryptionKey at init", () => {
    expect(() => Multitenancy.init({ secretEncryptionKey: "short" })({} as never)).to.throw(/secretEncryptionKey/);
    lk = initLatchkey([Session.init()]);
  });

  it("provider configs stay readable after a key rotation ([new, old]); one no configured key opens is left out", async () => {
    const oldKey = "old-provider-key-".padEnd(40, "o");
    const newKey = "new-provider-key-".padEnd(40, "n");
    const recipes = (key: string | string[]) => [
      Session.init(),
      ThirdParty.init({ signInAndUpFeature: { providers: [] } }),
      Multitenancy.init({ secretEncryptionKey: key }),
    ];
    lk = initLatchkey(recipes(oldKey));
    await Multitenancy.createOrUpdateTenant("acme");
    await Multitenancy.createOrUpdateThirdPartyConfig("acme", { ...staticProvider.config, thirdPartyId: "custom" });
    const reopen = async (key: string | string[]) => {
      await resetForTests(); // closes the pool; the tables stay
      Latchkey.init({ appInfo: APP_INFO, database: lk.url, tablePrefix: lk.prefix, recipeList: recipes(key) });
      return (await Multitenancy.getTenant("acme"))?.thirdParty.providers.map((p) => p.thirdPartyId);
    };
    expect(await reopen([newKey, oldKey])).to.deep.equal(["custom"]);
    expect(await reopen(newKey)).to.deep.equal([]);
  });
});
