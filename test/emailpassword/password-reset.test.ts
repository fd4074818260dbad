import { expect } from "chai";
import sinon from "sinon";
import EmailPassword from "../../recipes/emailpassword/index";
import { captureLogs } from "../helpers/logCapture";
import { TestSMTPServer } from "../helpers/smtp";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const resetRequest = (email: string) => ({ formFields: [{ id: "email", value: email }] });
const resetSubmit = (token: string, password: string) => ({
  method: "token",
  token,
  formFields: [{ id: "password", value: password }],
});
const credentials = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});

describe("emailpassword: password reset by email", () => {
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

  async function start(extra: Parameters<typeof EmailPassword.init>[0] = {}): Promise<SessionTestApp> {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            emailDelivery: {
              smtpSettings: { host: "127.0.0.1", port: smtp.port, from: { name: "Shop", email: "no-reply@shop.test" } },
            },
            ...extra,
          }),
        ],
      },
    );
    return app;
  }

  it("the email arrives over SMTP with a working link; the token works once; nothing secret reaches the logs", async () => {
    const { client } = await start();
    const { logs, result: secrets } = await captureLogs(async () => {
      const up = await client.request("POST", "/auth/signup", {
        body: credentials("reset@b.co", "oldpassword1"),
        headers: { "st-auth-mode": "cookie" },
      });
      const refreshToken = client.cookie("sRefreshToken") ?? "";
      const arriving = smtp.nextEmail();
      expect(
        (await client.request("POST", "/auth/user/password/reset/token", { body: resetRequest("reset@b.co") })).json,
      ).to.deep.equal({ status: "OK" });
      const email = await arriving;
      expect(email.to).to.equal("reset@b.co");
      expect(email.subject).to.contain("Reset your Test password");
      const link = /https?:\/\/\S+/.exec(email.text)?.[0] ?? "";
      const url = new URL(link);
      expect(`${url.origin}${url.pathname}`).to.equal("http://localhost:3000/auth/reset-password");
      expect(url.searchParams.get("rid")).to.equal("emailpassword");
      expect(email.html).to.contain(link.replace(/&/g, "&amp;"));
      const token = url.searchParams.get("token") ?? "";
      expect(token.length).to.be.greaterThan(40);
      const reset = await client.request("POST", "/auth/user/password/reset", {
        body: resetSubmit(token, "newpassword2"),
      });
      expect(reset.json).to.deep.equal({ status: "OK" });
      const reused = await client.request("POST", "/auth/user/password/reset", {
        body: resetSubmit(token, "newpassword3"),
      });
      expect(reused.json).to.deep.equal({ status: "RESET_PASSWORD_INVALID_TOKEN_ERROR" });
      expect(
        (await client.request("POST", "/auth/signin", { body: credentials("reset@b.co", "oldpassword1") })).json.status,
      ).to.equal("WRONG_CREDENTIALS_ERROR");
      expect(
        (await client.request("POST", "/auth/signin", { body: credentials("reset@b.co", "newpassword2") })).json.status,
      ).to.equal("OK");
      // Sessions are kept unless configured otherwise.
      expect(await Session.getAllSessionHandlesForUser((up.json.user as { id: string }).id)).to.have.length(2);
      return [token, refreshToken, "oldpassword1", "newpassword2", "newpassword3"];
    });
    for (const secret of secrets) expect(logs).to.not.contain(secret);
  });

  it("an unknown email answers the same OK and sends nothing", async () => {
    const { client } = await start();
    expect(
      (await client.request("POST", "/auth/user/password/reset/token", { body: resetRequest("nobody@b.co") })).json,
    ).to.deep.equal({ status: "OK" });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received).to.deep.equal([]);
  });

  it("an expired token gets RESET_PASSWORD_INVALID_TOKEN_ERROR and changes nothing", async () => {
    const { client } = await start({ passwordResetTokenValidity: 60 });
    const signUp = await EmailPassword.signUp("late@b.co", "oldpassword1");
    if (signUp.status !== "OK") throw new Error("sign-up failed");
    const created = await EmailPassword.createResetPasswordToken(signUp.user.id);
    if (created.status !== "OK") throw new Error("no token");
    const clock = sinon.useFakeTimers({ now: Date.now() + 61 * 60_000, toFake: ["Date"] });
    const res = await client.request("POST", "/auth/user/password/reset", {
      body: resetSubmit(created.token, "newpassword2"),
    });
    clock.restore();
    expect(res.json).to.deep.equal({ status: "RESET_PASSWORD_INVALID_TOKEN_ERROR" });
    expect((await EmailPassword.signIn("late@b.co", "oldpassword1")).status).to.equal("OK");
  });

  it("revokeSessionsOnPasswordReset revokes every session of the user", async () => {
    await start({ revokeSessionsOnPasswordReset: true });
    const signUp = await EmailPassword.signUp("rev@b.co", "oldpassword1");
    if (signUp.status !== "OK") throw new Error("sign-up failed");
    await Session.createNewSessionWithoutRequestResponse(signUp.user.id);
    const created = await EmailPassword.createResetPasswordToken(signUp.user.id);
    if (created.status !== "OK") throw new Error("no token");
    const res = await app!.client.request("POST", "/auth/user/password/reset", {
      body: resetSubmit(created.token, "newpassword2"),
    });
    expect(res.json.status).to.equal("OK");
    expect(await Session.getAllSessionHandlesForUser(signUp.user.id)).to.deep.equal([]);
  });

  it("an emailDelivery override receives the link instead of SMTP", async () => {
    const sent: { email: string; link: string }[] = [];
    await start({
      emailDelivery: {
        override: (original) => ({
          ...original,
          sendEmail: async (input) => void sent.push({ email: input.user.email, link: input.passwordResetLink }),
        }),
      },
    });
    await EmailPassword.signUp("own@b.co", "oldpassword1");
    await app!.client.request("POST", "/auth/user/password/reset/token", { body: resetRequest("own@b.co") });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).to.have.length(1);
    expect(sent[0]?.link).to.match(/^http:\/\/localhost:3000\/auth\/reset-password\?token=/);
    expect(smtp.received).to.deep.equal([]);
  });

  it("without SMTP, development logs the link and production logs only that no email was sent", async () => {
    app = await startSessionApp({}, { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] });
    await EmailPassword.signUp("dev@b.co", "oldpassword1");
    const request = async (): Promise<string> =>
      (
        await captureLogs(async () => {
          await app!.client.request("POST", "/auth/user/password/reset/token", { body: resetRequest("dev@b.co") });
          await new Promise((r) => setTimeout(r, 50));
        })
      ).logs;
    const saved = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = "development";
      expect(await request()).to.match(/reset-password\?token=/);
      process.env.NODE_ENV = "production";
      const prod = await request();
      expect(prod).to.contain("no email sent");
      expect(prod).to.not.contain("token=");
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
});
