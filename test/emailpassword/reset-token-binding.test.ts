// Issue 23, finding 1: a password-reset token is for the email it was sent to, and any change of the email or the
// password revokes the user's outstanding tokens, so whoever still reads an old mailbox cannot take the account back.
import { expect } from "chai";
import EmailPassword from "../../recipes/emailpassword/index";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { runMigrations } from "../../lib/db/migrations";
import { emailPasswordMigrations } from "../../recipes/emailpassword/migrations";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, testDbKind, uniquePrefix } from "../helpers/db";
import { Session, startSessionApp } from "../helpers/sessionApp";
import { Latchkey as Core } from "../../lib/latchkey";

describe("emailpassword: reset tokens are tied to the email and die with any email or password change (issue 23)", () => {
  let lk: TestLatchkey | undefined;
  afterEach(async () => {
    await lk?.cleanup();
    lk = undefined;
  });

  async function start(): Promise<string> {
    lk = initLatchkey([Session.init(), EmailPassword.init({ bcryptCost: 4 })]);
    await Core.getInstanceOrThrow().database.whenReady();
    const up = await EmailPassword.signUp("owner@old.example", "password-1");
    if (up.status !== "OK") throw new Error(up.status);
    return up.user.id;
  }

  async function token(userId: string): Promise<string> {
    const created = await EmailPassword.createResetPasswordToken(userId);
    if (created.status !== "OK") throw new Error(created.status);
    return created.token;
  }

  async function tokenRows(): Promise<number> {
    if (lk === undefined) throw new Error("not started");
    const knex = rawKnex(lk.url);
    try {
      return (await knex(`${lk.prefix}emailpassword_reset_tokens`).select("token_hash")).length;
    } finally {
      await knex.destroy();
    }
  }

  const signsIn = async (email: string, password: string): Promise<boolean> =>
    (await EmailPassword.signIn(email, password)).status === "OK";

  it("changing the email (updateEmailOrPassword) revokes an outstanding reset token: the old mailbox cannot reset", async () => {
    const userId = await start();
    const old = await token(userId);
    expect((await EmailPassword.updateEmailOrPassword({ userId, email: "owner@new.example" })).status).to.equal("OK");
    expect(await tokenRows()).to.equal(0);
    expect((await EmailPassword.resetPasswordUsingToken(old, "attacker-pass-1")).status).to.equal(
      "RESET_PASSWORD_INVALID_TOKEN_ERROR",
    );
    expect(await signsIn("owner@new.example", "password-1")).to.equal(true);
  });

  it("changing the password (updateEmailOrPassword) revokes every outstanding reset token", async () => {
    const userId = await start();
    const [a, b] = [await token(userId), await token(userId)];
    expect((await EmailPassword.updateEmailOrPassword({ userId, password: "password-2" })).status).to.equal("OK");
    for (const t of [a, b]) {
      expect((await EmailPassword.resetPasswordUsingToken(t, "attacker-pass-1")).status).to.equal(
        "RESET_PASSWORD_INVALID_TOKEN_ERROR",
      );
    }
    expect(await signsIn("owner@old.example", "password-2")).to.equal(true);
  });

  it("a reset revokes the user's other tokens; an update that fails (email taken) revokes nothing", async () => {
    const userId = await start();
    await EmailPassword.signUp("taken@old.example", "password-1");
    const [a, b] = [await token(userId), await token(userId)];
    expect((await EmailPassword.updateEmailOrPassword({ userId, email: "taken@old.example" })).status).to.equal(
      "EMAIL_ALREADY_EXISTS_ERROR",
    );
    expect(await tokenRows()).to.equal(2);
    expect((await EmailPassword.resetPasswordUsingToken(a, "password-3")).status).to.equal("OK");
    expect((await EmailPassword.resetPasswordUsingToken(b, "password-4")).status).to.equal(
      "RESET_PASSWORD_INVALID_TOKEN_ERROR",
    );
    expect(await signsIn("owner@old.example", "password-3")).to.equal(true);
  });

  it("a token is valid only while the user's email is the one it was issued for (the email changed behind the recipe)", async () => {
    const userId = await start();
    const old = await token(userId);
    if (lk === undefined) throw new Error("not started");
    // An email change that does not go through the recipe (an admin script, a migration): the token still exists.
    const knex = rawKnex(lk.url);
    try {
      await knex(`${lk.prefix}emailpassword_users`).where({ user_id: userId }).update({ email: "owner@new.example" });
    } finally {
      await knex.destroy();
    }
    expect((await EmailPassword.resetPasswordUsingToken(old, "attacker-pass-1")).status).to.equal(
      "RESET_PASSWORD_INVALID_TOKEN_ERROR",
    );
    expect(await signsIn("owner@new.example", "password-1")).to.equal(true);
    // A token issued now, for the new address, works.
    expect((await EmailPassword.resetPasswordUsingToken(await token(userId), "password-5")).status).to.equal("OK");
  });

  it("the reset route asks for a token for the address it mails: an email changed in between gets no token, no link", async () => {
    const seen: (string | undefined)[] = [];
    const sent: string[] = [];
    const finished: string[] = [];
    const app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            emailDelivery: {
              override: (original) => ({ ...original, sendEmail: async (input) => void sent.push(input.user.email) }),
            },
            override: {
              functions: (original) => ({
                ...original,
                // The user changes their email between the route's lookup and the token's creation.
                createResetPasswordToken: async (input) => {
                  seen.push(input.email);
                  await original.updateEmailOrPassword({ ...input, email: "owner@new.example" });
                  const created = await original.createResetPasswordToken(input);
                  finished.push(created.status);
                  return created;
                },
              }),
            },
          }),
        ],
      },
    );
    try {
      await EmailPassword.signUp("owner@old.example", "password-1");
      const res = await app.client.request("POST", "/auth/user/password/reset/token", {
        body: { formFields: [{ id: "email", value: "owner@old.example" }] },
      });
      expect(res.json.status).to.equal("OK"); // the same answer as for any email
      // The lookup, the token and the email run after the answer (issue 23, finding 5): wait for that work to end.
      for (let i = 0; i < 200 && finished.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(seen).to.deep.equal(["owner@old.example"]);
      expect(finished).to.deep.equal(["UNKNOWN_USER_ID_ERROR"]);
      await new Promise((r) => setTimeout(r, 50));
      expect(sent).to.deep.equal([]);
      const knex = rawKnex(app.lk.url);
      try {
        expect(await knex(`${app.lk.prefix}emailpassword_reset_tokens`).select("token_hash")).to.deep.equal([]);
      } finally {
        await knex.destroy();
      }
    } finally {
      await app.close();
    }
  });
});

describe(`emailpassword: reset tokens from before the email binding are deleted by its migration (${testDbKind()})`, () => {
  it("emailpassword/005_reset_token_email deletes tokens without an email; users are untouched", async () => {
    const url = testDatabaseUrl();
    const prefix = uniquePrefix();
    const knex = rawKnex(url);
    try {
      await runMigrations(knex, prefix, emailPasswordMigrations.slice(0, 3));
      await knex(`${prefix}emailpassword_users`).insert({
        user_id: "u1",
        email: "old@b.co",
        password_hash: "x",
        time_joined: 1,
      });
      await knex(`${prefix}emailpassword_reset_tokens`).insert({
        token_hash: "a".repeat(64),
        user_id: "u1",
        expires_at: Date.now() + 3600_000,
      });
      await runMigrations(knex, prefix, emailPasswordMigrations);
      expect(await knex(`${prefix}emailpassword_reset_tokens`).select("token_hash")).to.deep.equal([]);
      expect(await knex(`${prefix}emailpassword_users`).select("user_id")).to.deep.equal([{ user_id: "u1" }]);
    } finally {
      await dropTablesWithPrefix(knex, prefix);
      await knex.destroy();
    }
  });
});
