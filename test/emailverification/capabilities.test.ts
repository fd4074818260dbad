import { expect } from "chai";
import { LatchkeyError } from "../../lib/error";
import { Latchkey as Core } from "../../lib/latchkey";
import { EmailVerifiers, SessionClaimSources, UserDataOwners } from "../../lib/seams";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification, { EmailVerificationClaim } from "../../recipes/emailverification/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const credentials = (email: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: "password1" },
  ],
});
const quiet = { override: (o: { sendEmail: unknown }) => ({ ...o, sendEmail: () => Promise.resolve() }) };

describe(`emailverification: capabilities, tenant scope and typed errors (${testDbKind()})`, () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(mode: "REQUIRED" | "OPTIONAL"): Promise<SessionTestApp> {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({ bcryptCost: 4 }),
          EmailVerification.init({ mode, emailDelivery: quiet as never }),
        ],
        addRoutes: (a) =>
          // SuperTokens' validator name, on a route of its own while the recipe itself is OPTIONAL.
          a.get(
            "/verified-only",
            verifySession({
              overrideGlobalClaimValidators: (globals) => [...globals, EmailVerificationClaim.validators.isVerified()],
            }),
            (req: SessionRequest, res) => void res.json({ userId: req.session?.getUserId() }),
          ),
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    return app;
  }

  it("markEmailVerified: idempotent, race-safe beside token use, and it retires the address's pending tokens", async () => {
    await start("OPTIONAL");
    const verifier = Core.getInstanceOrThrow().capabilities.required(EmailVerifiers);
    for (let round = 0; round < 3; round++) {
      const userId = `mark-${round}`;
      const email = `mark${round}@b.co`;
      const tokens: string[] = [];
      for (let i = 0; i < 4; i++) {
        const created = await EmailVerification.createEmailVerificationToken(userId, email);
        if (created.status !== "OK") throw new Error(created.status);
        tokens.push(created.token);
      }
      const input = { userId, email, tenantId: "public", userContext: {} };
      const [, results] = await Promise.all([
        Promise.all([1, 2, 3].map(() => verifier.markEmailVerified(input))),
        Promise.all(tokens.map((t) => EmailVerification.verifyEmailUsingToken(t))),
      ]);
      // At most one token can have beaten the marks to it; none errs, and the address ends verified with no token left.
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === "OK").length, statuses.join()).to.be.at.most(1);
      expect(await verifier.isEmailVerified(input)).to.equal(true);
      expect(await EmailVerification.isEmailVerified(userId, email)).to.equal(true);
      for (const t of tokens)
        expect((await EmailVerification.verifyEmailUsingToken(t)).status).to.equal(
          "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR",
        );
    }
  });

  it("a token works only in the tenant it was made for; a verified address is the user's in every tenant", async () => {
    await start("OPTIONAL");
    const created = await EmailVerification.createEmailVerificationToken("t-user", "t@b.co", {}, "acme");
    if (created.status !== "OK") throw new Error("no token");
    expect((await EmailVerification.verifyEmailUsingToken(created.token)).status).to.equal(
      "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR",
    );
    expect(await EmailVerification.verifyEmailUsingToken(created.token, {}, "acme")).to.deep.equal({
      status: "OK",
      user: { id: "t-user", email: "t@b.co" },
    });
    expect(await EmailVerification.isEmailVerified("t-user", "t@b.co", {}, "acme")).to.equal(true);
    expect(await EmailVerification.isEmailVerified("t-user", "t@b.co")).to.equal(true);
  });

  it("SessionClaimSources: st-ev on every session, its validator only in REQUIRED mode", async () => {
    await start("OPTIONAL");
    const optional = Core.getInstanceOrThrow()
      .capabilities.all(SessionClaimSources)
      .map((s) => s.getSessionClaims());
    expect(optional.flatMap((c) => c.claims.map((claim) => claim.key))).to.include("st-ev");
    expect(optional.flatMap((c) => c.validators.map((v) => v.id))).to.not.include("st-ev");
    await app?.close();
    await start("REQUIRED");
    const required = Core.getInstanceOrThrow()
      .capabilities.all(SessionClaimSources)
      .map((s) => s.getSessionClaims());
    expect(required.flatMap((c) => c.validators.map((v) => v.id))).to.include("st-ev");
  });

  it("EmailVerificationClaim.validators.isVerified() gates a route like emailValidators.isVerified(); the email comes from LoginMethods", async () => {
    const { client } = await start("OPTIONAL");
    const up = await client.request("POST", "/auth/signup", { body: credentials("claim@b.co") });
    const userId = (up.json.user as { id: string }).id;
    expect((await client.request("GET", "/protected")).status).to.equal(200);
    const denied = await client.request("GET", "/verified-only");
    expect(denied.status).to.equal(403);
    expect(denied.json.claimValidationErrors).to.deep.equal([
      { id: "st-ev", reason: { message: "wrong value", expectedValue: true, actualValue: false } },
    ]);
    // Verified through the capability (as a provider's word would be), then refetched by GET /user/email/verify.
    await Core.getInstanceOrThrow()
      .capabilities.required(EmailVerifiers)
      .markEmailVerified({ userId, email: "claim@b.co", tenantId: "public", userContext: {} });
    expect((await client.request("GET", "/auth/user/email/verify")).json).to.deep.equal({
      status: "OK",
      isVerified: true,
    });
    expect((await client.request("GET", "/verified-only")).status).to.equal(200);
    // A user no login method knows has no email: the claim counts them as verified.
    expect(await EmailVerificationClaim.fetchValue("nobody-knows-me", {}, "public")).to.equal(true);
  });

  it("UserDataOwners deletes the user's tokens and verifications; bad input is an EmailVerification.Error", async () => {
    const { client } = await start("OPTIONAL");
    await Core.getInstanceOrThrow()
      .capabilities.required(EmailVerifiers)
      .markEmailVerified({ userId: "gone", email: "gone@b.co", tenantId: "public", userContext: {} });
    const created = await EmailVerification.createEmailVerificationToken("gone", "other@b.co");
    if (created.status !== "OK") throw new Error("no token");
    const { capabilities, database } = Core.getInstanceOrThrow();
    await database.transaction(async (trx) => {
      for (const owner of capabilities.all(UserDataOwners))
        await owner.deleteUserData({ userId: "gone", trx, userContext: {} });
    });
    expect(await EmailVerification.isEmailVerified("gone", "gone@b.co")).to.equal(false);
    expect((await EmailVerification.verifyEmailUsingToken(created.token)).status).to.equal(
      "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR",
    );
    const bad = await client.request("POST", "/auth/user/email/verify", { body: { method: "link", token: "x" } });
    expect(bad.status).to.equal(400);
    expect(bad.json).to.deep.equal({ message: 'method must be "token"' });
    const err: unknown = EmailVerification.Error.badInput("m");
    expect(LatchkeyError.isErrorFromAuth(err)).to.equal(true);
    expect(err)
      .to.be.instanceOf(LatchkeyError)
      .and.instanceOf(EmailVerification.Error)
      .and.to.include({ type: "BAD_INPUT_ERROR", fromRecipe: "emailverification" });
  });
});
