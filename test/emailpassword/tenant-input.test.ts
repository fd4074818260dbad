import { expect } from "chai";
import { LatchkeyError } from "../../lib/error";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification from "../../recipes/emailverification/index";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const quiet = { override: (o: { sendEmail: unknown }) => ({ ...o, sendEmail: () => Promise.resolve() }) };

// Tenant ids no tenant can have: too long for the column (a 500 on MySQL/PostgreSQL), NUL (a 500 on PostgreSQL), an
// unpaired surrogate (stored as U+FFFD: two tenants become one), empty, and not a string. Session refuses them all.
const BAD_TENANTS: [string, unknown][] = [
  ["65 characters", "t".repeat(65)],
  ["NUL", "a\u0000b"],
  ["an unpaired surrogate", "a\ud800"],
  ["empty", ""],
  ["a number", 5],
];

async function badInput(call: () => Promise<unknown>): Promise<string> {
  try {
    return `resolved ${JSON.stringify(await call())}`;
  } catch (err) {
    return LatchkeyError.isErrorFromAuth(err) && err.type === "BAD_INPUT_ERROR"
      ? "BAD_INPUT_ERROR"
      : `threw ${String(err)}`;
  }
}

describe(`emailpassword, emailverification: a tenantId no tenant can have is bad input (${testDbKind()})`, () => {
  let app: SessionTestApp;
  let userId: string;
  before(async () => {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({ bcryptCost: 4 }),
          EmailVerification.init({ mode: "OPTIONAL", emailDelivery: quiet as never }),
        ],
      },
    );
    const up = await EmailPassword.signUp("tenant-input@b.co", "password1");
    if (up.status !== "OK") throw new Error("sign-up failed");
    userId = up.user.id;
  });
  after(() => app.close());

  for (const [name, tenant] of BAD_TENANTS) {
    it(`refuses ${name} with BAD_INPUT_ERROR before touching the database`, async () => {
      const t = tenant as string;
      const answers = {
        signUp: await badInput(() => EmailPassword.signUp("new-tenant-input@b.co", "password1", {}, t)),
        signIn: await badInput(() => EmailPassword.signIn("tenant-input@b.co", "password1", {}, t)),
        getUserByEmail: await badInput(() => EmailPassword.getUserByEmail("tenant-input@b.co", {}, t)),
        createResetPasswordToken: await badInput(() => EmailPassword.createResetPasswordToken(userId, {}, t)),
        resetPasswordUsingToken: await badInput(() => EmailPassword.resetPasswordUsingToken("x", "password2", {}, t)),
        createEmailVerificationToken: await badInput(() =>
          EmailVerification.createEmailVerificationToken(userId, "tenant-input@b.co", {}, t),
        ),
        verifyEmailUsingToken: await badInput(() => EmailVerification.verifyEmailUsingToken("x", {}, t)),
      };
      expect(answers).to.deep.equal({
        signUp: "BAD_INPUT_ERROR",
        signIn: "BAD_INPUT_ERROR",
        getUserByEmail: "BAD_INPUT_ERROR",
        createResetPasswordToken: "BAD_INPUT_ERROR",
        resetPasswordUsingToken: "BAD_INPUT_ERROR",
        createEmailVerificationToken: "BAD_INPUT_ERROR",
        verifyEmailUsingToken: "BAD_INPUT_ERROR",
      });
    });
  }

  it("still takes any storable tenant id up to 64 characters, as Session does", async () => {
    const tenant = "é".repeat(64);
    const up = await EmailPassword.signUp("tenant-input@b.co", "password1", {}, tenant);
    expect(up.status).to.equal("OK");
    expect((await EmailPassword.signIn("tenant-input@b.co", "password1", {}, tenant)).status).to.equal("OK");
  });
});
