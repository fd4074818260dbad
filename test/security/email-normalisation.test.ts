import { expect } from "chai";
import { runMigrations } from "../../lib/db/migrations";
import { emailProblem, normaliseEmail } from "../../lib/email/address";
import EmailPassword from "../../recipes/emailpassword/index";
import { emailPasswordMigrations } from "../../recipes/emailpassword/migrations";
import EmailVerification from "../../recipes/emailverification/index";
import { emailVerificationMigrations } from "../../recipes/emailverification/migrations";
import ThirdParty from "../../recipes/thirdparty/index";
import { thirdPartyMigrations } from "../../recipes/thirdparty/migrations";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, testDbKind, uniquePrefix } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { countCases } from "./counts";

const form = (email: string, password = "password1") => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});
const quiet = { override: (o: { sendEmail: unknown }) => ({ ...o, sendEmail: () => Promise.resolve() }) };
// The same letter composed (U+00C4) and decomposed (A + U+0308).
const COMPOSED = "\u00c4nne@b.co";
const DECOMPOSED = "A\u0308nne@b.co";
const INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u0000", "\u0007", "\u3164"];

describe(`security: one address, one account (email normalisation) (${testDbKind()})`, () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("normaliseEmail trims, lower-cases the whole address and composes Unicode; emailProblem refuses invisible and control characters", () => {
    countCases("email normalisation");
    expect(normaliseEmail("  Alice.Smith@Example.COM \n")).to.equal("alice.smith@example.com");
    expect(normaliseEmail(DECOMPOSED)).to.equal(normaliseEmail(COMPOSED));
    expect(normaliseEmail(COMPOSED)).to.equal("\u00e4nne@b.co");
    for (const ch of INVISIBLE) expect(emailProblem(`ali${ch}ce@b.co`), JSON.stringify(ch)).to.be.a("string");
    expect(emailProblem("ali ce@b.co")).to.be.a("string");
    expect(emailProblem(" alice@b.co ")).to.equal(undefined);
    expect(emailProblem("\u00e4nne@b.co")).to.equal(undefined);
    expect(emailProblem("no-at-sign")).to.be.a("string");
    expect(emailProblem(`${"a".repeat(250)}@b.co`)).to.be.a("string");
  });

  it("EmailPassword: Alice@ and alice@, composed and decomposed Ä are one account; a zero-width space is refused; sign-in, exists, reset and update use the same spelling", async () => {
    countCases("email normalisation");
    const sent: string[] = [];
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            rateLimit: false,
            emailDelivery: {
              override: (o) => ({ ...o, sendEmail: async ({ user }) => void sent.push(user.email) }),
            },
          }),
        ],
      },
    );
    const { client } = app;
    const up = await client.request("POST", "/auth/signup", { body: form("alice@b.co") });
    expect(up.json.status).to.equal("OK");
    for (const twin of ["Alice@b.co", "ALICE@B.CO", " alice@B.co "]) {
      const again = await client.request("POST", "/auth/signup", { body: form(twin) });
      expect(again.json, twin).to.deep.equal({
        status: "FIELD_ERROR",
        formFields: [{ id: "email", error: "This email already exists. Please sign in instead." }],
      });
    }
    expect((await client.request("POST", "/auth/signup", { body: form(COMPOSED) })).json.status).to.equal("OK");
    expect((await client.request("POST", "/auth/signup", { body: form(DECOMPOSED) })).json.status).to.equal(
      "FIELD_ERROR",
    );
    for (const ch of INVISIBLE.slice(0, 6)) {
      const zw = await client.request("POST", "/auth/signup", { body: form(`ali${ch}ce@b.co`) });
      expect(zw.status, JSON.stringify(ch)).to.equal(200);
      expect(zw.json, JSON.stringify(ch)).to.deep.equal({
        status: "FIELD_ERROR",
        formFields: [{ id: "email", error: "Email is invalid" }],
      });
    }
    expect((await client.request("POST", "/auth/signin", { body: form("ALICE@b.co") })).json.status).to.equal("OK");
    expect((await client.request("POST", "/auth/signin", { body: form(DECOMPOSED) })).json.status).to.equal("OK");
    expect((await EmailPassword.signIn("Alice@B.co", "password1")).status).to.equal("OK");
    expect((await client.request("GET", "/auth/emailpassword/email/exists?email=ALICE%40b.co")).json).to.deep.equal({
      status: "OK",
      exists: true,
    });
    await client.request("POST", "/auth/user/password/reset/token", {
      body: { formFields: [{ id: "email", value: "ALICE@B.CO" }] },
    });
    // The reset work runs after the answer: wait for its email rather than for a fixed time.
    for (let i = 0; i < 200 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(sent).to.deep.equal(["alice@b.co"]);
    // updateEmailOrPassword stores the one spelling and sees the twin as taken.
    const anne = await EmailPassword.getUserByEmail(DECOMPOSED);
    expect(anne?.email).to.equal("\u00e4nne@b.co");
    expect(
      (await EmailPassword.updateEmailOrPassword({ userId: anne?.id ?? "", email: "Alice@B.CO" })).status,
    ).to.equal("EMAIL_ALREADY_EXISTS_ERROR");
    expect(
      (await EmailPassword.updateEmailOrPassword({ userId: anne?.id ?? "", email: "Anne2@B.CO" })).status,
    ).to.equal("OK");
    expect((await EmailPassword.getUserById(anne?.id ?? ""))?.email).to.equal("anne2@b.co");
  });

  it("ThirdParty and EmailVerification use the same spelling", async () => {
    countCases("email normalisation");
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          ThirdParty.init({ signInAndUpFeature: { providers: [] } }),
          EmailVerification.init({ mode: "OPTIONAL", emailDelivery: quiet as never }),
        ],
      },
    );
    const created = await ThirdParty.manuallyCreateOrUpdateUser("google", "g-1", " Bob@B.CO", false);
    if (created.status !== "OK") throw new Error(created.status);
    expect(created.user.email).to.equal("bob@b.co");
    expect((await ThirdParty.getUsersByEmail("BOB@b.co")).map((u) => u.id)).to.deep.equal([created.user.id]);
    let refused = false;
    await ThirdParty.manuallyCreateOrUpdateUser("google", "g-2", "b\u200bob@b.co", false).catch(() => (refused = true));
    expect(refused, "a zero-width space is refused").to.equal(true);
    const token = await EmailVerification.createEmailVerificationToken(created.user.id, "BOB@b.co");
    if (token.status !== "OK") throw new Error(token.status);
    const verified = await EmailVerification.verifyEmailUsingToken(token.token);
    expect(verified.status === "OK" && verified.user.email).to.equal("bob@b.co");
    expect(await EmailVerification.isEmailVerified(created.user.id, "bob@b.co")).to.equal(true);
    expect(await EmailVerification.isEmailVerified(created.user.id, "Bob@B.co")).to.equal(true);
  });

  it("the migration rewrites stored emails; where two accounts differ only in case, the first keeps the address, the other its old spelling, named in the log", async () => {
    countCases("email normalisation");
    const knex = rawKnex(testDatabaseUrl());
    const prefix = uniquePrefix();
    const warned: string[] = [];
    const saved = console.warn;
    try {
      const before = (name: string) => name !== "emailpassword/004_normalise_emails";
      await runMigrations(
        knex,
        prefix,
        emailPasswordMigrations.filter((m) => before(m.name)),
      );
      await runMigrations(knex, prefix, thirdPartyMigrations.slice(0, 2));
      await runMigrations(knex, prefix, emailVerificationMigrations.slice(0, 2));
      const users = `${prefix}emailpassword_users`;
      const row = (user_id: string, email: string) => ({
        user_id,
        email,
        password_hash: "x",
        time_joined: 1,
        tenant_id: "public",
      });
      await knex(users).insert([
        row("u1", "Mixed.Case@Example.com"),
        row("u2", "Twin@b.co"),
        row("u3", "twin@b.co"),
        row("u4", "TWIN@b.co"),
        row("u5", DECOMPOSED),
        row("u6", "plain@b.co"),
      ]);
      await knex(`${prefix}thirdparty_users`).insert({
        user_id: "t1",
        tenant_id: "public",
        third_party_id: "google",
        third_party_user_id: "g1",
        email: "Tp@B.co",
        email_verified: true,
        time_joined: 1,
      });
      await knex(`${prefix}emailverification_verified`).insert([
        { user_id: "u1", email: "Mixed.Case@Example.com", verified_at: 1, tenant_id: "public" },
        { user_id: "u3", email: "twin@b.co", verified_at: 1, tenant_id: "public" },
        { user_id: "u3", email: "Twin@b.co", verified_at: 1, tenant_id: "public" },
      ]);
      console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(" "));
      await runMigrations(knex, prefix, emailPasswordMigrations);
      await runMigrations(knex, prefix, thirdPartyMigrations);
      await runMigrations(knex, prefix, emailVerificationMigrations);
      console.warn = saved;
      const emails = Object.fromEntries(
        ((await knex(users).select("user_id", "email")) as { user_id: string; email: string }[]).map((r) => [
          r.user_id,
          r.email,
        ]),
      );
      expect(emails.u1).to.equal("mixed.case@example.com");
      expect(emails.u3).to.equal("twin@b.co");
      expect(emails.u5).to.equal("\u00e4nne@b.co");
      expect(emails.u6).to.equal("plain@b.co");
      // u2 and u4 collide with u3 (already lower-case): they keep their spelling and are named for the operator.
      expect([emails.u2, emails.u4]).to.deep.equal(["Twin@b.co", "TWIN@b.co"]);
      expect(warned.join("\n")).to.contain("u2").and.contain("u4").and.not.contain("u3,");
      expect(await knex(`${prefix}thirdparty_users`).where({ user_id: "t1" }).first("email")).to.deep.equal({
        email: "tp@b.co",
      });
      const verified = (await knex(`${prefix}emailverification_verified`)
        .select("user_id", "email")
        .orderBy(["user_id", "email"])) as { user_id: string; email: string }[];
      expect(verified).to.deep.equal([
        { user_id: "u1", email: "mixed.case@example.com" },
        { user_id: "u3", email: "twin@b.co" },
      ]);
    } finally {
      console.warn = saved;
      await dropTablesWithPrefix(knex, prefix);
      await knex.destroy();
    }
  });
});
