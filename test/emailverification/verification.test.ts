import { expect } from "chai";
import sinon from "sinon";
import { Latchkey as Core } from "../../lib/latchkey";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification, { EmailVerificationClaim } from "../../recipes/emailverification/index";
import { PrimitiveArrayClaim } from "../../recipes/session/index";
import { rawKnex } from "../helpers/db";
import { decodeFrontToken } from "../helpers/http";
import { TestSMTPServer } from "../helpers/smtp";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const credentials = (email: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: "password1" },
  ],
});

describe("emailverification: claims gate routes until the email is verified", () => {
  let smtp: TestSMTPServer;
  let app: SessionTestApp | undefined;
  beforeEach(async () => {
    smtp = await new TestSMTPServer().start();
  });
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
    await smtp.close();
  });

  async function start(mode: "REQUIRED" | "OPTIONAL" = "REQUIRED"): Promise<SessionTestApp> {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({ bcryptCost: 4 }),
          EmailVerification.init({
            mode,
            emailDelivery: {
              smtpSettings: { host: "127.0.0.1", port: smtp.port, from: { name: "Shop", email: "no-reply@shop.test" } },
            },
          }),
        ],
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    return app;
  }

  it("sign up, 403 INVALID_CLAIMS, the email over SMTP, follow the token, and the same session passes with no query per request", async () => {
    const { client } = await start();
    const up = await client.request("POST", "/auth/signup", { body: credentials("verify@b.co") });
    expect(up.json.status).to.equal("OK");
    expect(decodeFrontToken(up.headers.get("front-token")).up["st-ev"]).to.deep.include({ v: false });
    const blocked = await client.request("GET", "/protected");
    expect(blocked.status).to.equal(403);
    expect(blocked.json).to.deep.equal({
      message: "invalid claim",
      claimValidationErrors: [
        { id: "st-ev", reason: { message: "wrong value", expectedValue: true, actualValue: false } },
      ],
    });
    const arriving = smtp.nextEmail();
    expect((await client.request("POST", "/auth/user/email/verify/token", { body: {} })).json).to.deep.equal({
      status: "OK",
    });
    const email = await arriving;
    expect(email.to).to.equal("verify@b.co");
    const link = new URL(/https?:\/\/\S+/.exec(email.text)?.[0] ?? "");
    expect(`${link.origin}${link.pathname}`).to.equal("http://localhost:3000/auth/verify-email");
    const token = link.searchParams.get("token") ?? "";
    const verified = await client.request("POST", "/auth/user/email/verify", { body: { method: "token", token } });
    expect(verified.json.status).to.equal("OK");
    expect(decodeFrontToken(verified.headers.get("front-token")).up["st-ev"]).to.deep.include({ v: true });
    // The same session, no new sign-in, and no database query per request now that the claim is true.
    const knex = Core.getInstanceOrThrow().database.knex;
    let queries = 0;
    const count = (): void => void queries++;
    knex.on("query", count);
    const passed = await client.request("GET", "/protected");
    knex.off("query", count);
    expect(passed.status).to.equal(200);
    expect(queries).to.equal(0);
    // The claim survives a refresh.
    await client.request("POST", "/auth/session/refresh");
    expect((await client.request("GET", "/protected")).status).to.equal(200);
    expect((await client.request("GET", "/auth/user/email/verify")).json).to.deep.equal({
      status: "OK",
      isVerified: true,
    });
    // Reused token.
    expect(
      (await client.request("POST", "/auth/user/email/verify", { body: { method: "token", token } })).json,
    ).to.deep.equal({
      status: "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR",
    });
    expect((await client.request("POST", "/auth/user/email/verify/token", { body: {} })).json).to.deep.equal({
      status: "EMAIL_ALREADY_VERIFIED_ERROR",
    });
  });

  it("expired, foreign and garbage tokens are invalid and write nothing; the verify-token request needs a session", async () => {
    const { client, lk } = await start();
    const up = await client.request("POST", "/auth/signup", { body: credentials("late@b.co") });
    const userId = (up.json.user as { id: string }).id;
    const created = await EmailVerification.createEmailVerificationToken(userId, "late@b.co");
    if (created.status !== "OK") throw new Error("no token");
    const clock = sinon.useFakeTimers({ now: Date.now() + 25 * 3600_000, toFake: ["Date"] });
    const expired = await client.request("POST", "/auth/user/email/verify", {
      body: { method: "token", token: created.token },
      cookies: false,
    });
    clock.restore();
    expect(expired.json).to.deep.equal({ status: "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR" });
    for (const token of ["x", "A".repeat(43), "' OR 1=1 --", "é".repeat(300)]) {
      expect(
        (await client.request("POST", "/auth/user/email/verify", { body: { method: "token", token }, cookies: false }))
          .json.status,
      ).to.equal("EMAIL_VERIFICATION_INVALID_TOKEN_ERROR");
    }
    expect((await client.request("POST", "/auth/user/email/verify", { body: { method: "token" } })).status).to.equal(
      400,
    );
    expect(await EmailVerification.isEmailVerified(userId, "late@b.co")).to.equal(false);
    const knex = rawKnex(lk.url);
    try {
      expect(await knex(`${lk.prefix}emailverification_verified`).select("user_id")).to.deep.equal([]);
    } finally {
      await knex.destroy();
    }
    expect(
      (await client.request("POST", "/auth/user/email/verify/token", { body: {}, cookies: false })).status,
    ).to.equal(401);
  });

  it("sign-out works for an unverified user, and OPTIONAL mode only adds the claim", async () => {
    const { client } = await start("OPTIONAL");
    await client.request("POST", "/auth/signup", { body: credentials("opt@b.co") });
    expect((await client.request("GET", "/protected")).status).to.equal(200);
    expect((await client.request("POST", "/auth/signout", { body: {} })).json).to.deep.equal({ status: "OK" });
  });

  it("a user-defined RoleClaim gates a route with includes, beside plain jwtPayload keys from a createNewSession override", async () => {
    const roles = new Map<string, string[]>();
    const RoleClaim = new PrimitiveArrayClaim<string>("role", (userId) => roles.get(userId) ?? []);
    app = await startSessionApp(
      {
        override: {
          functions: (original) => ({
            ...original,
            createNewSession: async (input) => {
              input.jwtPayload = {
                ...input.jwtPayload,
                plan: "pro",
                "st-ev": "forged",
                ...(await RoleClaim.build(input.userId, input.userContext)),
              };
              return original.createNewSession(input);
            },
          }),
        },
      },
      {
        extraRecipes: [EmailPassword.init({ bcryptCost: 4 }), EmailVerification.init({ mode: "OPTIONAL" })],
        routes: [
          {
            method: "GET",
            path: "/admin",
            verify: {
              overrideGlobalClaimValidators: (globals) => [...globals, RoleClaim.validators.includes("admin")],
            },
            handle: ({ session }) => ({ ok: true, payload: session?.getJWTPayload() }),
          },
        ],
      },
    );
    const { client } = app;
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    const admin = await EmailPassword.signUp("admin@b.co", "password1");
    if (admin.status !== "OK") throw new Error("sign-up failed");
    roles.set(admin.user.id, ["admin"]);
    await client.request("POST", "/auth/signin", { body: credentials("admin@b.co") });
    const ok = await client.request("GET", "/admin");
    expect(ok.status).to.equal(200);
    const payload = ok.json.payload as Record<string, { v: unknown } | string>;
    expect(payload.plan).to.equal("pro");
    expect((payload.role as { v: unknown }).v).to.deep.equal(["admin"]);
    // The forged protected key was dropped; the recipe's own claim value is there.
    expect((payload["st-ev"] as { v: unknown }).v).to.equal(false);
    client.jar.clear();
    await client.request("POST", "/auth/signup", { body: credentials("user@b.co") });
    const denied = await client.request("GET", "/admin");
    expect(denied.status).to.equal(403);
    expect(denied.json.claimValidationErrors).to.deep.equal([
      { id: "role", reason: { message: "wrong value", expectedToInclude: "admin", actualValue: [] } },
    ]);
    expect(EmailVerificationClaim.key).to.equal("st-ev");
  });
});
