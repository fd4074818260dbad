import { expect } from "chai";
import Latchkey from "../../lib/index";
import Passwordless from "../../recipes/passwordless/index";
import type { FlowType, TypeInput } from "../../recipes/passwordless/types";
import Session from "../../recipes/session/index";
import { initLatchkey, startApp, type TestLatchkey, type TestServer } from "../helpers/app";
import { HttpClient } from "../helpers/http";
import { captureLogs } from "../helpers/logCapture";
import { TestSMTPServer } from "../helpers/smtp";

describe("passwordless: delivery (SMTP templates for code, link and both; SMS log) and config", () => {
  let smtp: TestSMTPServer;
  let lk: TestLatchkey | undefined;
  let server: TestServer | undefined;
  before(async () => {
    smtp = await new TestSMTPServer().start();
  });
  after(async () => {
    await smtp.close();
  });
  afterEach(async () => {
    await server?.close();
    await lk?.cleanup();
    server = lk = undefined;
  });

  async function start(config: Partial<TypeInput>): Promise<HttpClient> {
    lk = initLatchkey([
      Session.init(),
      Passwordless.init({ contactMethod: "EMAIL_OR_PHONE", flowType: "USER_INPUT_CODE", ...config }),
    ]);
    server = await startApp();
    const client = new HttpClient(server.baseUrl);
    client.defaultHeaders = { rid: "passwordless" };
    return client;
  }

  const cases: [FlowType, boolean, boolean][] = [
    ["USER_INPUT_CODE", true, false],
    ["MAGIC_LINK", false, true],
    ["USER_INPUT_CODE_AND_MAGIC_LINK", true, true],
  ];
  for (const [flowType, hasCode, hasLink] of cases) {
    it(`${flowType}: the email over SMTP carries ${hasCode && hasLink ? "the code and the link" : hasCode ? "the code only" : "the link only"}`, async () => {
      const client = await start({
        flowType,
        emailDelivery: {
          smtpSettings: { host: "127.0.0.1", port: smtp.port, from: { name: "Test", email: "no-reply@test.example" } },
        },
      });
      const arriving = smtp.nextEmail();
      const res = await client.request("POST", "/auth/signinup/code", { body: { email: `${flowType}@example.com` } });
      expect(res.json.status).to.equal("OK");
      const mail = await arriving;
      expect(mail.to).to.contain(`${flowType.toLowerCase()}@example.com`);
      expect(/\b\d{6}\b/.test(mail.text)).to.equal(hasCode);
      expect(mail.text.includes(`/auth/verify?preAuthSessionId=${String(res.json.preAuthSessionId)}`)).to.equal(
        hasLink,
      );
      expect(mail.html.includes("href=")).to.equal(hasLink);
      expect(mail.text).to.contain("expires in 15 minutes");
    });
  }

  it("without an SMS service the code is logged in development, and only 'none sent' in production", async () => {
    const client = await start({ contactMethod: "PHONE" });
    const dev = await captureLogs(async () => {
      await client.request("POST", "/auth/signinup/code", { body: { phoneNumber: "+33612345672" } });
      await new Promise((r) => setTimeout(r, 100));
    });
    expect(dev.logs).to.match(/passwordless login for \+33612345672: code \d{6}/);
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      const prod = await captureLogs(async () => {
        await client.request("POST", "/auth/signinup/code", { body: { phoneNumber: "+33612345672" } });
        await new Promise((r) => setTimeout(r, 100));
      });
      expect(prod.logs).to.contain("none sent");
      expect(prod.logs).to.not.match(/code \d{6}/);
    } finally {
      process.env.NODE_ENV = saved;
    }
  });

  it("a failing SMS service is logged without the code; the answer is still OK", async () => {
    let code = "";
    const client = await start({
      contactMethod: "PHONE",
      smsDelivery: {
        service: {
          sendSms: (input) => {
            code = input.userInputCode ?? "";
            return Promise.reject(new Error(`provider refused ${code}`));
          },
        },
      },
    });
    const { result, logs } = await captureLogs(async () => {
      const res = await client.request("POST", "/auth/signinup/code", { body: { phoneNumber: "+33612345673" } });
      await new Promise((r) => setTimeout(r, 100));
      return res;
    });
    expect(result.json.status).to.equal("OK");
    expect(logs).to.contain("provider refused");
    expect(code).to.match(/^\d{6}$/);
    expect(logs).to.not.contain(code);
  });

  it("init refuses a missing or unknown contactMethod or flowType, and unknown options, naming the field", () => {
    const bad: unknown[] = [
      undefined,
      { flowType: "MAGIC_LINK" },
      { contactMethod: "EMAIL", flowType: "SMOKE_SIGNAL" },
      { contactMethod: "EMAIL", flowType: "MAGIC_LINK", codeLifetime: 0 },
      { contactMethod: "EMAIL", flowType: "MAGIC_LINK", smsDelivery: { service: {} } },
      { contactMethod: "EMAIL", flowType: "MAGIC_LINK", colour: "red" },
    ];
    for (const config of bad) {
      let caught: unknown;
      try {
        Latchkey.init({
          appInfo: { appName: "t", apiDomain: "http://localhost:1", websiteDomain: "http://localhost:2" },
          database: "sqlite::memory:",
          recipeList: [Session.init(), Passwordless.init(config as TypeInput)],
        });
      } catch (err) {
        caught = err;
      }
      expect((caught as { type?: string }).type, JSON.stringify(config)).to.equal("INVALID_CONFIG");
      expect((caught as Error).message).to.match(/^Passwordless\.init/);
    }
  });
});
