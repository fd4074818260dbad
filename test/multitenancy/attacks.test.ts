import { expect } from "chai";
import EmailPassword from "../../recipes/emailpassword/index";
import MultiFactorAuth from "../../recipes/multifactorauth/index";
import Multitenancy from "../../recipes/multitenancy/index";
import Session from "../../recipes/session/index";
import { LatchkeyError } from "../../lib/error";
import { testDbKind } from "../helpers/db";
import { HttpClient } from "../helpers/http";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});

describe(`multitenancy: attacks across tenants (${testDbKind()})`, () => {
  let app: SessionTestApp;
  let signUps: string[];

  beforeEach(async () => {
    signUps = [];
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
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
          Multitenancy.init({ secretEncryptionKey: "attack-test-key-0123456789abcdefghijkl" }),
        ],
      },
    );
    // "sso" allows only third party sign-in (as an app enforcing SSO would configure it).
    await Multitenancy.createOrUpdateTenant("sso", { firstFactors: ["thirdparty"] });
  });
  afterEach(() => app.close());

  const cookieClient = (): HttpClient => {
    const c = new HttpClient(app.server.baseUrl);
    c.defaultHeaders = { "st-auth-mode": "cookie" };
    return c;
  };

  it("a session of another tenant does not unlock a login method the tenant disabled", async () => {
    const attacker = cookieClient();
    // Anyone can sign up in public, where email/password is on: that gives the attacker a session.
    const own = await attacker.request("POST", "/auth/signup", { body: form("eve@example.com", "eve-password1") });
    expect(own.json.status).to.equal("OK");
    // With that session, the email/password sign-up that "sso" disabled must still be refused and never run.
    const refused = await attacker.request("POST", "/auth/sso/signup", {
      body: form("eve@example.com", "eve-password1"),
    });
    expect(refused.status).to.equal(401);
    const signIn = await attacker.request("POST", "/auth/sso/signin", {
      body: form("eve@example.com", "eve-password1"),
    });
    expect(signIn.status).to.equal(401);
    expect(signUps).to.deep.equal(["public:eve@example.com"]);
  });

  it("with MultiFactorAuth listed, a session of the same tenant still cannot sign up with a disabled method that is no second factor", async () => {
    await app.close();
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init(),
          MultiFactorAuth.init(),
          Multitenancy.init({ secretEncryptionKey: "attack-test-key-0123456789abcdefghijkl" }),
        ],
      },
    );
    const attacker = cookieClient();
    const own = await attacker.request("POST", "/auth/signup", { body: form("mallory@example.com", "mallory-pass1") });
    expect(own.json.status).to.equal("OK");
    // The tenant turns email/password off; the attacker's session is of this very tenant.
    await Multitenancy.createOrUpdateTenant("public", { firstFactors: ["thirdparty"] });
    for (const shouldTryLinkingWithSessionUser of [undefined, true]) {
      const refused = await attacker.request("POST", "/auth/signup", {
        body: { ...form("second@example.com", "mallory-pass1"), shouldTryLinkingWithSessionUser },
      });
      expect(refused.status).to.equal(401);
    }
    expect(await EmailPassword.getUserByEmail("second@example.com")).to.equal(undefined);
  });

  it("revokeAllSessionsForUser / getAllSessionHandlesForUser refuse a tenantId no tenant can have (BAD_INPUT_ERROR)", async () => {
    const up = await cookieClient().request("POST", "/auth/signup", { body: form("ann@example.com", "ann-password1") });
    const userId = (up.json.user as { id: string }).id;
    for (const bad of ["a\u0000b", "x".repeat(65), "", "\ud800"]) {
      for (const call of [
        () => Session.revokeAllSessionsForUser(userId, {}, bad),
        () => Session.getAllSessionHandlesForUser(userId, {}, bad),
      ]) {
        const err: unknown = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, JSON.stringify(bad)).to.be.instanceOf(LatchkeyError);
        expect((err as LatchkeyError).type).to.equal("BAD_INPUT_ERROR");
      }
    }
    // The user's session was not touched by the refused calls.
    expect(await Session.getAllSessionHandlesForUser(userId)).to.have.length(1);
  });

  it("a provider config that is not JSON (a BigInt, a cycle) is a BAD_INPUT_ERROR, and nothing is stored", async () => {
    const cyclic: Record<string, unknown> = { thirdPartyId: "loop", clients: [{ clientId: "c" }] };
    cyclic.self = cyclic;
    for (const config of [{ thirdPartyId: "big", clients: [{ clientId: "c", n: BigInt(1) }] }, cyclic]) {
      const err: unknown = await Multitenancy.createOrUpdateThirdPartyConfig(
        "sso",
        config as unknown as Parameters<typeof Multitenancy.createOrUpdateThirdPartyConfig>[1],
        true,
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(LatchkeyError);
      expect((err as LatchkeyError).type).to.equal("BAD_INPUT_ERROR");
    }
    const tenant = await Multitenancy.getTenant("sso");
    expect(tenant?.thirdParty.providers).to.deep.equal([]);
  });
});
