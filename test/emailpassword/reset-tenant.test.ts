import { expect } from "chai";
import EmailPassword from "../../recipes/emailpassword/index";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe(`emailpassword: a reset token is made only in the user's own tenant (${testDbKind()})`, () => {
  let app: SessionTestApp;
  before(async () => {
    app = await startSessionApp({}, { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] });
  });
  after(() => app.close());

  // Otherwise a token made "in public" for acme's user is a public reset link that sets the acme user's password.
  it("answers UNKNOWN_USER_ID_ERROR for a user of another tenant, and their password stays", async () => {
    const up = await EmailPassword.signUp("reset-tenant@b.co", "password1", {}, "acme");
    if (up.status !== "OK") throw new Error("sign-up failed");
    const wrongTenant = await EmailPassword.createResetPasswordToken(up.user.id);
    if (wrongTenant.status === "OK") await EmailPassword.resetPasswordUsingToken(wrongTenant.token, "changed-pw1");
    expect((await EmailPassword.signIn("reset-tenant@b.co", "password1", {}, "acme")).status).to.equal("OK");
    expect(wrongTenant.status).to.equal("UNKNOWN_USER_ID_ERROR");
    expect((await EmailPassword.createResetPasswordToken(up.user.id, {}, "acme")).status).to.equal("OK");
  });
});
