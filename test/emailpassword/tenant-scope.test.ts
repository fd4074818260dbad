import { expect } from "chai";
import { runMigrations } from "../../lib/db/migrations";
import { LatchkeyError } from "../../lib/error";
import { Latchkey as Core } from "../../lib/latchkey";
import { FactorIds, LoginMethods, UserDataOwners } from "../../lib/seams";
import EmailPassword from "../../recipes/emailpassword/index";
import { emailPasswordMigrations } from "../../recipes/emailpassword/migrations";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, testDbKind, uniquePrefix } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe(`emailpassword: tenant scope, capabilities and typed errors (${testDbKind()})`, () => {
  let app: SessionTestApp;
  before(async () => {
    app = await startSessionApp({}, { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] });
  });
  after(() => app.close());

  it("an email is unique within its tenant only; sign-in and lookups stay in their tenant", async () => {
    const pub = await EmailPassword.signUp("shared@b.co", "password1");
    const acme = await EmailPassword.signUp("shared@b.co", "password2", {}, "acme");
    if (pub.status !== "OK" || acme.status !== "OK") throw new Error("sign-up failed");
    expect(pub.user.id).to.not.equal(acme.user.id);
    expect(await EmailPassword.signUp("shared@b.co", "password3", {}, "acme")).to.deep.equal({
      status: "EMAIL_ALREADY_EXISTS_ERROR",
    });
    expect((await EmailPassword.signIn("shared@b.co", "password2", {}, "acme")).status).to.equal("OK");
    expect((await EmailPassword.signIn("shared@b.co", "password2")).status).to.equal("WRONG_CREDENTIALS_ERROR");
    expect((await EmailPassword.getUserByEmail("shared@b.co", {}, "acme"))?.id).to.equal(acme.user.id);
    expect((await EmailPassword.getUserByEmail("shared@b.co"))?.id).to.equal(pub.user.id);
    expect(await EmailPassword.getUserByEmail("shared@b.co", {}, "other")).to.equal(undefined);
    // Moving the public user onto an email its tenant already has is refused; another tenant's does not count.
    const other = await EmailPassword.signUp("other@b.co", "password1");
    if (other.status !== "OK") throw new Error("sign-up failed");
    expect(await EmailPassword.updateEmailOrPassword({ userId: other.user.id, email: "shared@b.co" })).to.deep.equal({
      status: "EMAIL_ALREADY_EXISTS_ERROR",
    });
  });

  it("a reset token works only in the tenant it was made for", async () => {
    const up = await EmailPassword.signUp("reset@b.co", "password1", {}, "acme");
    if (up.status !== "OK") throw new Error("sign-up failed");
    const created = await EmailPassword.createResetPasswordToken(up.user.id, {}, "acme");
    if (created.status !== "OK") throw new Error("no token");
    expect(await EmailPassword.resetPasswordUsingToken(created.token, "newpassword1")).to.deep.equal({
      status: "RESET_PASSWORD_INVALID_TOKEN_ERROR",
    });
    expect(await EmailPassword.resetPasswordUsingToken(created.token, "newpassword1", {}, "acme")).to.deep.equal({
      status: "OK",
      userId: up.user.id,
    });
    expect((await EmailPassword.signIn("reset@b.co", "newpassword1", {}, "acme")).status).to.equal("OK");
  });

  it("provides LoginMethods in SuperTokens' loginMethods shape, and UserDataOwners", async () => {
    const up = await EmailPassword.signUp("methods@b.co", "password1", {}, "acme");
    if (up.status !== "OK") throw new Error("sign-up failed");
    const { capabilities, database } = Core.getInstanceOrThrow();
    const provider = capabilities.all(LoginMethods).find((p) => p.factorIds.includes(FactorIds.EMAILPASSWORD));
    if (provider === undefined) throw new Error("no emailpassword login method");
    const expected = {
      recipeId: "emailpassword",
      recipeUserId: up.user.id,
      tenantIds: ["acme"],
      email: "methods@b.co",
      timeJoined: up.user.timeJoined,
    };
    expect(await provider.getLoginMethod({ userId: up.user.id, userContext: {} })).to.deep.equal(expected);
    expect(await provider.getLoginMethod({ userId: "nobody", userContext: {} })).to.equal(undefined);
    expect(
      await provider.getLoginMethodsByEmail({ email: "methods@B.CO", tenantId: "acme", userContext: {} }),
    ).to.deep.equal([expected]);
    expect(
      await provider.getLoginMethodsByEmail({ email: "methods@b.co", tenantId: "public", userContext: {} }),
    ).to.deep.equal([]);
    const created = await EmailPassword.createResetPasswordToken(up.user.id, {}, "acme");
    if (created.status !== "OK") throw new Error("no token");
    await database.transaction(async (trx) => {
      for (const owner of capabilities.all(UserDataOwners))
        await owner.deleteUserData({ userId: up.user.id, trx, userContext: {} });
    });
    expect(await EmailPassword.getUserById(up.user.id)).to.equal(undefined);
    expect(await EmailPassword.resetPasswordUsingToken(created.token, "newpassword1", {}, "acme")).to.deep.equal({
      status: "RESET_PASSWORD_INVALID_TOKEN_ERROR",
    });
  });

  it("bad input is an EmailPassword.Error of type BAD_INPUT_ERROR, and still a Latchkey error", async () => {
    try {
      await EmailPassword.signUp("long@b.co", "a1".repeat(40));
      expect.fail("a 80-byte password must be refused");
    } catch (err) {
      expect(err).to.be.instanceOf(EmailPassword.Error);
      expect(LatchkeyError.isErrorFromAuth(err)).to.equal(true);
      if (!(err instanceof EmailPassword.Error)) throw err;
      expect(err.type).to.equal("BAD_INPUT_ERROR");
      expect(err.payload).to.equal(undefined);
    }
  });
});

describe(`emailpassword: the tenant migration keeps existing users (${testDbKind()})`, () => {
  it("users from before it are in the public tenant (a member of it) and keep their email unique there", async () => {
    const url = testDatabaseUrl();
    const prefix = uniquePrefix();
    const knex = rawKnex(url);
    try {
      await runMigrations(knex, prefix, emailPasswordMigrations.slice(0, 2));
      const users = `${prefix}emailpassword_users`;
      await knex(users).insert({ user_id: "u1", email: "old@b.co", password_hash: "x", time_joined: 1 });
      await runMigrations(knex, prefix, emailPasswordMigrations);
      expect(await knex(users).select("user_id", "tenant_id")).to.deep.equal([{ user_id: "u1", tenant_id: "public" }]);
      // Their tenant membership is backfilled; the membership table keeps an email unique within a tenant.
      const members = `${prefix}emailpassword_user_tenants`;
      expect(await knex(members).select("tenant_id", "user_id", "email")).to.deep.equal([
        { tenant_id: "public", user_id: "u1", email: "old@b.co" },
      ]);
      let refused = false;
      await knex(members)
        .insert({ tenant_id: "public", user_id: "u2", email: "old@b.co" })
        .catch(() => (refused = true));
      expect(refused, "the same email twice in one tenant").to.equal(true);
      await knex(users).insert({
        user_id: "u3",
        tenant_id: "acme",
        email: "old@b.co",
        password_hash: "x",
        time_joined: 3,
      });
      expect(await knex(users).count({ n: "*" })).to.deep.equal([{ n: testDbKind() === "postgres" ? "2" : 2 }]);
    } finally {
      await dropTablesWithPrefix(knex, prefix);
      await knex.destroy();
    }
  });
});
