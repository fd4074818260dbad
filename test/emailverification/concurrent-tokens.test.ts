import { expect } from "chai";
import EmailVerification from "../../recipes/emailverification/index";
import EmailPassword from "../../recipes/emailpassword/index";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

// Found while reviewing third-party login: several tokens of one address used at the same moment deadlocked on
// MariaDB and PostgreSQL (each transaction held its own token row and waited for the other's), a 500.
describe(`emailverification: tokens of one address used at once (${testDbKind()})`, () => {
  let app: SessionTestApp;
  before(async () => {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({ bcryptCost: 4 }),
          EmailVerification.init({
            mode: "OPTIONAL",
            emailDelivery: { override: (o) => ({ ...o, sendEmail: () => Promise.resolve() }) },
          }),
        ],
      },
    );
  });
  after(() => app.close());

  it("verify the address once and refuse the rest as used, never an error", async () => {
    for (let round = 0; round < 3; round++) {
      const email = `race${round}@example.com`;
      const userId = `user-${round}`;
      const tokens: string[] = [];
      for (let i = 0; i < 6; i++) {
        const created = await EmailVerification.createEmailVerificationToken(userId, email);
        if (created.status !== "OK") throw new Error(created.status);
        tokens.push(created.token);
      }
      const results = await Promise.all(tokens.map((t) => EmailVerification.verifyEmailUsingToken(t)));
      const statuses = results.map((r) => r.status);
      expect(
        statuses.filter((s) => s === "OK"),
        statuses.join(),
      ).to.have.length(1);
      expect(statuses.filter((s) => s === "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR")).to.have.length(5);
      expect(await EmailVerification.isEmailVerified(userId, email)).to.equal(true);
    }
  });
});
