import { expect } from "chai";
import EmailPassword from "../../recipes/emailpassword/index";
import MultiFactorAuth, { MultiFactorAuthClaim } from "../../recipes/multifactorauth/index";
import Passwordless from "../../recipes/passwordless/index";
import Session from "../../recipes/session/index";
import { HttpClient } from "../helpers/http";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const credentials = (email: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: "password1" },
  ],
});

describe("multifactorauth: Passwordless's otp-email as a second factor of the signed-in session (on the test database)", () => {
  let app: SessionTestApp | undefined;
  const codes = new Map<string, string>();
  afterEach(async () => {
    await app?.close();
    app = undefined;
    codes.clear();
  });

  async function start(): Promise<SessionTestApp> {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({ bcryptCost: 4 }),
          Passwordless.init({
            contactMethod: "EMAIL",
            flowType: "USER_INPUT_CODE",
            emailDelivery: {
              override: (original) => ({
                ...original,
                sendEmail: (input) => {
                  codes.set(input.preAuthSessionId, input.userInputCode ?? "");
                  return Promise.resolve();
                },
              }),
            },
          }),
          MultiFactorAuth.init(),
        ],
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    return app;
  }

  async function sessionOf(client: HttpClient) {
    return Session.getSessionWithoutRequestResponse(client.cookie("sAccessToken") ?? "", undefined, {
      overrideGlobalClaimValidators: () => [],
    });
  }

  /** Asks for a second-factor code to `email` (the signed-in session's). */
  async function askForCode(client: HttpClient, email: string) {
    const created = await client.request("POST", "/auth/signinup/code", {
      body: { email, shouldTryLinkingWithSessionUser: true },
    });
    return { created };
  }

  /** Waits for the background delivery of the flow's code. */
  async function delivered(preAuthSessionId: string): Promise<string> {
    for (let i = 0; i < 50 && !codes.has(preAuthSessionId); i++) await new Promise((r) => setTimeout(r, 20));
    const code = codes.get(preAuthSessionId);
    if (code === undefined) throw new Error("no code was sent");
    return code;
  }

  it("a code to the user's own email completes otp-email in the same session; no passwordless user is made", async () => {
    const { client } = await start();
    const up = await client.request("POST", "/auth/signup", { body: credentials("second@shop.test") });
    const userId = (up.json.user as { id: string }).id;
    await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, "otp-email");
    await client.request("POST", "/auth/signout");
    await client.request("POST", "/auth/signin", { body: credentials("second@shop.test") });
    const handle = (await sessionOf(client)).getHandle();
    expect((await client.request("GET", "/protected")).status).to.equal(403);
    expect((await client.request("PUT", "/auth/mfa/info")).json).to.deep.equal({
      status: "OK",
      factors: { next: ["otp-email"], alreadySetup: ["otp-email"], allowedToSetup: [] },
      emails: { "otp-email": ["second@shop.test"] },
      phoneNumbers: {},
    });

    // Another address is refused: a second factor goes only to an address the account already has.
    const other = await askForCode(client, "attacker@evil.test");
    expect(other.created.json).to.deep.equal({
      status: "SIGN_IN_UP_NOT_ALLOWED",
      reason: "Use an email address or phone number of this account for the second factor.",
    });

    const { created } = await askForCode(client, "second@shop.test");
    expect(created.json.status).to.equal("OK");
    const preAuthSessionId = created.json.preAuthSessionId as string;
    const deviceId = created.json.deviceId as string;
    const code = await delivered(preAuthSessionId);
    const wrong = await client.request("POST", "/auth/signinup/code/consume", {
      body: {
        preAuthSessionId,
        deviceId,
        userInputCode: code === "000000" ? "111111" : "000000",
        shouldTryLinkingWithSessionUser: true,
      },
    });
    expect(wrong.json.status).to.equal("INCORRECT_USER_INPUT_CODE_ERROR");
    expect((await sessionOf(client)).getClaimValue(MultiFactorAuthClaim)?.v).to.equal(false);

    const consumed = await client.request("POST", "/auth/signinup/code/consume", {
      body: { preAuthSessionId, deviceId, userInputCode: code, shouldTryLinkingWithSessionUser: true },
    });
    expect(consumed.json.status).to.equal("OK");
    expect(consumed.json.createdNewRecipeUser).to.equal(false);
    expect((consumed.json.user as { id: string }).id).to.equal(userId);
    const session = await sessionOf(client);
    expect(session.getHandle()).to.equal(handle);
    expect(Object.keys(session.getClaimValue(MultiFactorAuthClaim)?.c ?? {}).sort()).to.deep.equal([
      "emailpassword",
      "otp-email",
    ]);
    expect((await client.request("GET", "/protected")).status).to.equal(200);
    expect(await Passwordless.getUserByEmail({ email: "second@shop.test", tenantId: "public" })).to.equal(undefined);
  });

  it("without a session a second-factor code is a 401, and a malformed flag a 400; a plain sign-in names otp-email", async () => {
    const { client } = await start();
    const anonymous = new HttpClient(app?.server.baseUrl ?? "");
    const res = await anonymous.request("POST", "/auth/signinup/code", {
      body: { email: "x@shop.test", shouldTryLinkingWithSessionUser: true },
    });
    expect(res.status).to.equal(401);
    const bad = await anonymous.request("POST", "/auth/signinup/code", {
      body: { email: "x@shop.test", shouldTryLinkingWithSessionUser: "yes" },
    });
    expect(bad.status).to.equal(400);
    const consume = await anonymous.request("POST", "/auth/signinup/code/consume", {
      body: { preAuthSessionId: "x", deviceId: "y", userInputCode: "1", shouldTryLinkingWithSessionUser: true },
    });
    expect(consume.status).to.equal(401);

    // A sign-in with a code: the session's first factor is otp-email.
    const created = await client.request("POST", "/auth/signinup/code", { body: { email: "plain@shop.test" } });
    const preAuthSessionId = created.json.preAuthSessionId as string;
    const userInputCode = await delivered(preAuthSessionId);
    const signedIn = await client.request("POST", "/auth/signinup/code/consume", {
      body: { preAuthSessionId, deviceId: created.json.deviceId, userInputCode },
    });
    expect(signedIn.json.status).to.equal("OK");
    expect(Object.keys((await sessionOf(client)).getClaimValue(MultiFactorAuthClaim)?.c ?? {})).to.deep.equal([
      "otp-email",
    ]);
  });
});
