import { expect } from "chai";
import Latchkey from "../../lib/index";
import type { JSONObject } from "../../lib/types";
import EmailVerification from "../../recipes/emailverification/index";
import ThirdPartyEmailPassword from "../../recipes/thirdpartyemailpassword/index";
import { testDbKind } from "../helpers/db";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { providerRedirect, rowCounts } from "../helpers/thirdparty";

const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});

describe(`thirdpartyemailpassword: sessionFeature and a createNewSession override reach both login methods (${testDbKind()})`, () => {
  let idp: TestOidcProvider;
  let app: SessionTestApp;
  // What the createNewSession override was given, per call.
  const seenByOverride: { jwtPayload: JSONObject; sessionData: JSONObject }[] = [];
  const signInUpCalls: string[] = [];

  before(async () => {
    idp = await startOidcProvider();
    app = await startSessionApp(
      {
        override: {
          functions: (original) => ({
            ...original,
            createNewSession: async (input) => {
              seenByOverride.push({ jwtPayload: input.jwtPayload, sessionData: input.sessionData });
              input.jwtPayload = { ...input.jwtPayload, role: "admin", plan: "set-by-override" };
              input.sessionData = { ...input.sessionData, secret: "x" };
              return original.createNewSession(input);
            },
          }),
        },
      },
      {
        extraRecipes: [
          ThirdPartyEmailPassword.init({
            bcryptCost: 4,
            providers: [
              {
                config: {
                  thirdPartyId: "test-oidc",
                  name: "Test IdP",
                  issuer: idp.issuer,
                  clients: [{ clientId: idp.clientId, clientSecret: idp.clientSecret }],
                },
              },
            ],
            sessionFeature: {
              setJwtPayload: (user, context, action) => ({
                plan: "gold",
                method: context.loginMethod,
                provider: context.loginMethod === "thirdparty" ? context.thirdPartyId : null,
                action,
                userEmail: user.email,
              }),
              setSessionData: (_user, context, action) => ({ note: `${context.loginMethod}/${action}` }),
            },
            override: {
              functions: (original) => ({
                ...original,
                thirdPartySignInUp: (input) => {
                  signInUpCalls.push(input.thirdPartyUserId);
                  return original.thirdPartySignInUp(input);
                },
              }),
            },
          }),
          EmailVerification.init({ mode: "OPTIONAL" }),
        ],
      },
    );
  });
  beforeEach(() => {
    seenByOverride.length = 0;
    app.client.jar.clear();
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
  });
  after(async () => {
    await app.close();
    await idp.close();
  });

  async function protectedPayload(): Promise<{ payload: JSONObject; handle: string }> {
    const reply = await app.client.request("GET", "/protected");
    expect(reply.status).to.equal(200);
    return { payload: reply.json.payload as JSONObject, handle: String(reply.json.handle) };
  }

  it("email/password sign-up and sign-in: the override sees sessionFeature's values and its own additions win", async () => {
    const up = await app.client.request("POST", "/auth/signup", { body: form("dana@example.com", "password1") });
    expect(up.json.status).to.equal("OK");
    expect(seenByOverride).to.deep.equal([
      {
        jwtPayload: {
          plan: "gold",
          method: "emailpassword",
          provider: null,
          action: "signup",
          userEmail: "dana@example.com",
        },
        sessionData: { note: "emailpassword/signup" },
      },
    ]);
    const afterSignUp = await protectedPayload();
    expect(afterSignUp.payload).to.deep.include({
      plan: "set-by-override",
      role: "admin",
      method: "emailpassword",
      action: "signup",
    });
    expect(await Session.getSessionData(afterSignUp.handle)).to.deep.equal({
      note: "emailpassword/signup",
      secret: "x",
    });

    app.client.jar.clear();
    const signIn = await app.client.request("POST", "/auth/signin", { body: form("dana@example.com", "password1") });
    expect(signIn.json.status).to.equal("OK");
    expect(seenByOverride[1]?.jwtPayload).to.deep.include({ action: "signin", method: "emailpassword" });
    expect((await protectedPayload()).payload).to.deep.include({ plan: "set-by-override", action: "signin" });
  });

  it("provider sign-up and sign-in: the same hooks and override, with the provider in the context", async () => {
    const first = await providerRedirect(app, idp, "erin");
    const up = await app.client.request("POST", "/auth/signinup", { body: first.body });
    expect(up.json).to.deep.include({ status: "OK", createdNewUser: true });
    expect(seenByOverride[0]).to.deep.equal({
      jwtPayload: {
        plan: "gold",
        method: "thirdparty",
        provider: "test-oidc",
        action: "signup",
        userEmail: "erin@example.com",
      },
      sessionData: { note: "thirdparty/signup" },
    });
    const afterSignUp = await protectedPayload();
    expect(afterSignUp.payload).to.deep.include({
      plan: "set-by-override",
      role: "admin",
      method: "thirdparty",
      provider: "test-oidc",
    });
    expect(await Session.getSessionData(afterSignUp.handle)).to.deep.equal({ note: "thirdparty/signup", secret: "x" });
    // The provider verified the email, so the email verification claim is already true.
    expect(afterSignUp.payload["st-ev"]).to.deep.include({ v: true });
    expect(signInUpCalls).to.include("erin");

    app.client.jar.clear();
    const again = await providerRedirect(app, idp, "erin");
    const signIn = await app.client.request("POST", "/auth/signinup", { body: again.body });
    expect(signIn.json).to.deep.include({ status: "OK", createdNewUser: false });
    expect((await protectedPayload()).payload).to.deep.include({ action: "signin", method: "thirdparty" });
  });

  it("keeps one view of both methods' users: the same email can be an email/password user and a provider user", async () => {
    const up = await app.client.request("POST", "/auth/signup", { body: form("frank@example.com", "password1") });
    const viaProvider = await app.client.request("POST", "/auth/signinup", {
      body: (await providerRedirect(app, idp, "frank")).body,
    });
    const users = await ThirdPartyEmailPassword.getUsersByEmail("frank@example.com");
    expect(users.map((u) => u.id).sort()).to.deep.equal(
      [(up.json.user as { id: string }).id, (viaProvider.json.user as { id: string }).id].sort(),
    );
    expect(users.find((u) => u.thirdParty !== undefined)?.thirdParty).to.deep.equal({
      id: "test-oidc",
      userId: "frank",
    });
    const core = await Latchkey.getUser((viaProvider.json.user as { id: string }).id);
    // A preset's users belong to the recipe of their login method, as in current SuperTokens.
    expect(core).to.deep.include({ emails: ["frank@example.com"], thirdParty: [{ id: "test-oidc", userId: "frank" }] });
    expect(core?.loginMethods.map((m) => m.recipeId)).to.deep.equal(["thirdparty"]);
    // A provider user has no password to reset or sign in with.
    const providerUserId = (viaProvider.json.user as { id: string }).id;
    expect(await ThirdPartyEmailPassword.createResetPasswordToken(providerUserId)).to.deep.equal({
      status: "UNKNOWN_USER_ID_ERROR",
    });
    expect(await EmailVerification.isEmailVerified(providerUserId, "frank@example.com")).to.equal(true);
    expect(await EmailVerification.isEmailVerified((up.json.user as { id: string }).id, "frank@example.com")).to.equal(
      false,
    );
  });

  it("two first sign-ins of one provider user at once make one user, both signed in as them, email verified", async () => {
    const before = await rowCounts(app, ["thirdparty_users"]);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        ThirdPartyEmailPassword.thirdPartyManuallyCreateOrUpdateUser("test-oidc", "racer", "racer@example.com", true),
      ),
    );
    expect(new Set(results.map((r) => r.user.id)).size).to.equal(1);
    expect(results.filter((r) => r.createdNewUser)).to.have.length(1);
    expect((await rowCounts(app, ["thirdparty_users"])).thirdparty_users).to.equal((before.thirdparty_users ?? 0) + 1);
    expect(await EmailVerification.isEmailVerified(results[0]?.user.id ?? "", "racer@example.com")).to.equal(true);
  });

  it("refuses a thirdPartyId the users table cannot hold with a clear error, writing nothing", async () => {
    const before = await rowCounts(app, ["thirdparty_users"]);
    let caught: unknown;
    try {
      await ThirdPartyEmailPassword.thirdPartyManuallyCreateOrUpdateUser(
        "p".repeat(65),
        "someone",
        "someone@example.com",
        false,
      );
    } catch (err) {
      caught = err;
    }
    expect(Latchkey.Error.isErrorFromAuth(caught), String(caught)).to.equal(true);
    expect((caught as InstanceType<typeof Latchkey.Error>).type).to.equal("BAD_INPUT_ERROR");
    expect(await rowCounts(app, ["thirdparty_users"])).to.deep.equal(before);
  });

  it("answers /loginmethods with both methods and the provider", async () => {
    const reply = await app.client.request("GET", "/auth/loginmethods");
    expect(reply.json).to.deep.include({
      emailPassword: { enabled: true },
      firstFactors: ["emailpassword", "thirdparty"],
    });
    expect(reply.json.thirdParty).to.deep.equal({ enabled: true, providers: [{ id: "test-oidc", name: "Test IdP" }] });
  });

  it("deletes a provider user's row with Latchkey.deleteUser", async () => {
    const reply = await app.client.request("POST", "/auth/signinup", {
      body: (await providerRedirect(app, idp, "gina")).body,
    });
    const id = (reply.json.user as { id: string }).id;
    const before = await rowCounts(app, ["thirdparty_users"]);
    await Latchkey.deleteUser(id);
    expect(await ThirdPartyEmailPassword.getUserById(id)).to.equal(undefined);
    expect((await rowCounts(app, ["thirdparty_users"])).thirdparty_users).to.equal((before.thirdparty_users ?? 0) - 1);
  });
});
