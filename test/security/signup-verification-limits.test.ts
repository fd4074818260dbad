import { expect } from "chai";
import sinon from "sinon";
import EmailPassword, { type TypeInput as EmailPasswordInput } from "../../recipes/emailpassword/index";
import EmailVerification, { type TypeInput as EmailVerificationInput } from "../../recipes/emailverification/index";
import ThirdParty from "../../recipes/thirdparty/index";
import { rawKnex, testDbKind } from "../helpers/db";
import { HttpClient, type Reply } from "../helpers/http";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { countCases } from "./counts";

const form = (email: string, password = "password1") => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});

function expectLimited(reply: Reply, maxWait: number): void {
  expect(reply.status, JSON.stringify(reply.json)).to.equal(429);
  expect(reply.json).to.deep.equal({ message: "Too many requests" });
  expect(Number(reply.headers.get("retry-after"))).to.be.within(1, maxWait);
  expect(reply.headers.get("access-control-expose-headers")).to.contain("Retry-After");
  expect(reply.setCookies, "a refused request sets no cookie").to.deep.equal([]);
}

describe(`security: limits on sign-up and on sending verification emails (${testDbKind()})`, () => {
  let app: SessionTestApp | undefined;
  const sent: string[] = [];
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  async function start(
    epRateLimit: EmailPasswordInput["rateLimit"],
    evRateLimit?: EmailVerificationInput["rateLimit"],
  ): Promise<HttpClient> {
    sent.length = 0;
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({ bcryptCost: 4, rateLimit: epRateLimit }),
          ThirdParty.init({ signInAndUpFeature: { providers: [] } }),
          EmailVerification.init({
            mode: "OPTIONAL",
            ...(evRateLimit !== undefined ? { rateLimit: evRateLimit } : {}),
            emailDelivery: {
              override: (o) => ({ ...o, sendEmail: ({ user }) => Promise.resolve(void sent.push(user.email)) }),
            },
          }),
        ],
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "header" };
    return app.client;
  }

  async function count(table: string): Promise<number> {
    const knex = rawKnex(app?.lk.url ?? "");
    try {
      const [row] = (await knex(`${app?.lk.prefix ?? ""}${table}`).count({ n: "*" })) as { n: number | string }[];
      return Number(row?.n ?? 0);
    } finally {
      await knex.destroy();
    }
  }

  /** A client signed in (header mode) as the user with this id. */
  async function sessionFor(userId: string): Promise<HttpClient> {
    const login = await app!.client.request("POST", "/login", {
      body: { userId },
      headers: { "st-auth-mode": "header" },
      cookies: false,
    });
    const client = new HttpClient(app!.client.baseUrl);
    client.defaultHeaders = { authorization: `Bearer ${login.headers.get("st-access-token") ?? ""}` };
    return client;
  }

  it("sign-up: by default one client address makes at most 30 accounts an hour; the refused one writes no row", async function () {
    this.timeout(120_000);
    countCases("rate limits");
    const client = await start(undefined);
    for (let i = 0; i < 30; i++)
      expect((await client.request("POST", "/auth/signup", { body: form(`bulk${i}@b.co`) })).json.status).to.equal(
        "OK",
      );
    expectLimited(await client.request("POST", "/auth/signup", { body: form("bulk30@b.co") }), 3600);
    expect(await count("emailpassword_users")).to.equal(30);
  });

  it("sign-up: limited per target email too, and configurable (EmailPassword.init({ rateLimit: { signUp } }))", async () => {
    countCases("rate limits");
    const client = await start({ signUp: { perEmail: 2, perIp: false, windowSeconds: 60 } });
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    expect((await client.request("POST", "/auth/signup", { body: form("taken@b.co") })).json.status).to.equal("OK");
    expect((await client.request("POST", "/auth/signup", { body: form("Taken@b.co") })).json.status).to.equal(
      "FIELD_ERROR",
    );
    expectLimited(await client.request("POST", "/auth/signup", { body: form("TAKEN@b.co") }), 60);
    // Another email is not affected; the window ends and the email may try again.
    expect((await client.request("POST", "/auth/signup", { body: form("other@b.co") })).json.status).to.equal("OK");
    clock.tick(61_000);
    expect((await client.request("POST", "/auth/signup", { body: form("taken@b.co") })).json.status).to.equal(
      "FIELD_ERROR",
    );
    clock.restore();
    await app?.close();
    app = undefined;
    const off = await start({ signUp: false });
    for (let i = 0; i < 35; i++)
      expect((await off.request("POST", "/auth/signup", { body: form(`n${i}@b.co`) })).status).to.equal(200);
  });

  it("verification emails: at most N per user, whatever the session; the refused request makes no token and sends nothing", async () => {
    countCases("rate limits");
    await start(undefined, { perUser: 2, perEmail: false });
    const user = await EmailPassword.signUp("own@b.co", "password1");
    if (user.status !== "OK") throw new Error(user.status);
    const first = await sessionFor(user.user.id);
    for (let i = 0; i < 2; i++)
      expect((await first.request("POST", "/auth/user/email/verify/token", { body: {} })).json).to.deep.equal({
        status: "OK",
      });
    const tokens = await count("emailverification_tokens");
    expectLimited(await first.request("POST", "/auth/user/email/verify/token", { body: {} }), 3600);
    // A new session of the same user does not start a new count.
    const second = await sessionFor(user.user.id);
    expectLimited(await second.request("POST", "/auth/user/email/verify/token", { body: {} }), 3600);
    await new Promise((r) => setTimeout(r, 100));
    expect(sent).to.deep.equal(["own@b.co", "own@b.co"]);
    expect(await count("emailverification_tokens")).to.equal(tokens);
  });

  it("verification emails: at most N to one address, however many accounts claim it; default 5 per user", async () => {
    countCases("rate limits");
    await start(undefined, { perUser: 10, perEmail: 3 });
    const a = await ThirdParty.manuallyCreateOrUpdateUser("google", "victim-claim-1", "Victim@b.co", false);
    const b = await ThirdParty.manuallyCreateOrUpdateUser("github", "victim-claim-2", "victim@b.co", false);
    if (a.status !== "OK" || b.status !== "OK") throw new Error("no users");
    const asA = await sessionFor(a.user.id);
    const asB = await sessionFor(b.user.id);
    for (const c of [asA, asB, asA])
      expect((await c.request("POST", "/auth/user/email/verify/token", { body: {} })).status).to.equal(200);
    expectLimited(await asB.request("POST", "/auth/user/email/verify/token", { body: {} }), 3600);
    await app?.close();
    app = undefined;
    await start(undefined);
    const c = await ThirdParty.manuallyCreateOrUpdateUser("google", "default-1", "d@b.co", false);
    if (c.status !== "OK") throw new Error(c.status);
    const asC = await sessionFor(c.user.id);
    for (let i = 0; i < 5; i++)
      expect((await asC.request("POST", "/auth/user/email/verify/token", { body: {} })).status).to.equal(200);
    expectLimited(await asC.request("POST", "/auth/user/email/verify/token", { body: {} }), 3600);
  });

  it("bad rateLimit options are INVALID_CONFIG naming the field; rateLimit: false writes no counter", async () => {
    countCases("rate limits");
    const bad: [unknown, string][] = [
      ["yes", "EmailVerification.init.rateLimit"],
      [{ perSession: 1 }, "EmailVerification.init.rateLimit.perSession"],
      [{ perUser: 0 }, "EmailVerification.init.rateLimit.perUser"],
      [{ windowSeconds: 1.5 }, "EmailVerification.init.rateLimit.windowSeconds"],
    ];
    for (const [rateLimit, field] of bad) {
      const build = EmailVerification.init({ mode: "OPTIONAL", rateLimit } as never);
      expect(
        () =>
          build({ appInfo: {} as never, database: { table: (n: string) => n } as never, capabilities: {} as never }),
        JSON.stringify(rateLimit),
      )
        .to.throw(/./)
        .with.property("message")
        .that.matches(new RegExp(`^${field.replace(/\./g, "\\.")}`));
    }
    const build = EmailPassword.init({ rateLimit: { signUp: { perIp: -1 } } });
    expect(() =>
      build({ appInfo: {} as never, database: { table: (n: string) => n } as never, capabilities: {} as never }),
    )
      .to.throw(/./)
      .with.property("message")
      .that.matches(/^EmailPassword\.init\.rateLimit\.signUp\.perIp/);
    await start(undefined, false);
    const user = await EmailPassword.signUp("free@b.co", "password1");
    if (user.status !== "OK") throw new Error(user.status);
    const client = await sessionFor(user.user.id);
    for (let i = 0; i < 8; i++)
      expect((await client.request("POST", "/auth/user/email/verify/token", { body: {} })).status).to.equal(200);
    expect(await count("emailverification_rate_limits")).to.equal(0);
  });
});
