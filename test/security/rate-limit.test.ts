import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import sinon from "sinon";
import type { BaseRequest } from "../../lib/framework/request";
import EmailPassword, { type TypeInput } from "../../recipes/emailpassword/index";
import { clientAddress, normaliseAddress } from "../../lib/rateLimit/clientAddress";
import { rawKnex, tablesWithPrefix, testDbKind } from "../helpers/db";
import { HttpClient, type Reply } from "../helpers/http";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { countCases } from "./counts";

const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});
const resetRequest = (email: string) => ({ formFields: [{ id: "email", value: email }] });
const resetSubmit = (token: string) => ({
  method: "token",
  token,
  formFields: [{ id: "password", value: "newpassword9" }],
});

function expectLimited(reply: Reply, maxWait: number): void {
  expect(reply.status, JSON.stringify(reply.json)).to.equal(429);
  expect(reply.json).to.deep.equal({ message: "Too many requests" });
  const wait = Number(reply.headers.get("retry-after"));
  expect(wait).to.be.within(1, maxWait);
  expect(reply.headers.get("access-control-expose-headers")).to.contain("Retry-After");
  expect(reply.setCookies, "a refused request sets no cookie").to.deep.equal([]);
}

describe(`security: brute-force limits on sign-in and password reset (${testDbKind()})`, () => {
  let app: SessionTestApp | undefined;
  const sent: string[] = [];
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  async function start(rateLimit: TypeInput["rateLimit"]): Promise<HttpClient> {
    sent.length = 0;
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            rateLimit,
            emailDelivery: {
              override: (original) => ({
                ...original,
                sendEmail: ({ user }) => Promise.resolve(void sent.push(user.email)),
              }),
            },
          }),
        ],
      },
    );
    await EmailPassword.signUp("victim@b.co", "rightpassword1");
    await EmailPassword.signUp("attacker@b.co", "attackerpass1");
    return app.client;
  }

  /** Row counts of every table but the counters, to show a refused request wrote nothing else. */
  async function rowCounts(): Promise<Record<string, number>> {
    if (app === undefined) throw new Error("no app");
    const knex = rawKnex(app.lk.url);
    try {
      const out: Record<string, number> = {};
      for (const table of await tablesWithPrefix(knex, app.lk.prefix)) {
        if (table.endsWith("rate_limits") || table.endsWith("migrations_lock")) continue;
        const [row] = (await knex(table).count({ n: "*" })) as { n: number | string }[];
        out[table] = Number(row?.n ?? 0);
      }
      return out;
    } finally {
      await knex.destroy();
    }
  }

  it("sign-in: the limit trips after N attempts per email, even with the right password, and lifts when the window ends", async () => {
    countCases("rate limits");
    const client = await start({ signIn: { perEmail: 3, perIp: false, windowSeconds: 60 } });
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    for (let i = 0; i < 3; i++)
      expect(
        (await client.request("POST", "/auth/signin", { body: form("victim@b.co", "wrong-guess1") })).json.status,
      ).to.equal("WRONG_CREDENTIALS_ERROR");
    const before = await rowCounts();
    expectLimited(await client.request("POST", "/auth/signin", { body: form("victim@b.co", "rightpassword1") }), 60);
    expect(await rowCounts(), "no session row for a refused sign-in").to.deep.equal(before);
    // Another email is not affected: the limit is per email here.
    expect(
      (await client.request("POST", "/auth/signin", { body: form("attacker@b.co", "attackerpass1") })).json.status,
    ).to.equal("OK");
    clock.tick(30_000);
    const later = await client.request("POST", "/auth/signin", { body: form("victim@b.co", "rightpassword1") });
    expectLimited(later, 30);
    clock.tick(31_000);
    expect(
      (await client.request("POST", "/auth/signin", { body: form("victim@b.co", "rightpassword1") })).json.status,
    ).to.equal("OK");
  });

  it("sign-in: the per-address limit counts every attempt, so signing in to one's own account between guesses clears nothing", async () => {
    countCases("rate limits");
    const client = await start({ signIn: { perEmail: 100, perIp: 4, windowSeconds: 600 } });
    expect(
      (await client.request("POST", "/auth/signin", { body: form("attacker@b.co", "attackerpass1") })).json.status,
    ).to.equal("OK");
    expect(
      (await client.request("POST", "/auth/signin", { body: form("victim@b.co", "guess-number1") })).json.status,
    ).to.equal("WRONG_CREDENTIALS_ERROR");
    expect(
      (await client.request("POST", "/auth/signin", { body: form("attacker@b.co", "attackerpass1") })).json.status,
    ).to.equal("OK");
    expect(
      (await client.request("POST", "/auth/signin", { body: form("victim@b.co", "guess-number2") })).json.status,
    ).to.equal("WRONG_CREDENTIALS_ERROR");
    expectLimited(await client.request("POST", "/auth/signin", { body: form("attacker@b.co", "attackerpass1") }), 600);
    expectLimited(
      await client.request("POST", "/auth/signin", { body: form("someone-else@b.co", "guess-number3") }),
      600,
    );
  });

  it("sign-in: a successful sign-in clears the per-email count of that email only", async () => {
    countCases("rate limits");
    const client = await start({ signIn: { perEmail: 3, perIp: false } });
    for (let i = 0; i < 2; i++)
      await client.request("POST", "/auth/signin", { body: form("victim@b.co", "typo-password1") });
    expect(
      (await client.request("POST", "/auth/signin", { body: form("victim@b.co", "rightpassword1") })).json.status,
    ).to.equal("OK");
    for (let i = 0; i < 3; i++)
      expect(
        (await client.request("POST", "/auth/signin", { body: form("victim@b.co", "typo-password1") })).status,
      ).to.equal(200);
    expectLimited(
      await client.request("POST", "/auth/signin", { body: form("victim@b.co", "rightpassword1") }),
      15 * 60,
    );
  });

  it("per email and per address are independent; X-Forwarded-For is ignored unless trusted", async () => {
    countCases("rate limits");
    const client = await start({ signIn: { perEmail: 2, perIp: 3 } });
    const spoofed = (n: number) => ({ headers: { "x-forwarded-for": `203.0.113.${n}` } });
    // Untrusted: a made-up X-Forwarded-For does not give each attempt a new address.
    await client.request("POST", "/auth/signin", { body: form("a1@b.co", "guess-number1"), ...spoofed(1) });
    await client.request("POST", "/auth/signin", { body: form("a2@b.co", "guess-number1"), ...spoofed(2) });
    expect(
      (await client.request("POST", "/auth/signin", { body: form("a3@b.co", "guess-number1"), ...spoofed(3) })).status,
    ).to.equal(200);
    expectLimited(
      await client.request("POST", "/auth/signin", { body: form("a4@b.co", "guess-number1"), ...spoofed(4) }),
      15 * 60,
    );
    await app?.close();
    app = undefined;
    // Trusted (one proxy): the proxy's entry names the client, so addresses count apart and emails still count.
    const trusted = await start({ signIn: { perEmail: 2, perIp: 3 }, trustForwardedFor: true });
    for (let n = 1; n <= 2; n++)
      expect(
        (await trusted.request("POST", "/auth/signin", { body: form("victim@b.co", "guess-number1"), ...spoofed(n) }))
          .status,
      ).to.equal(200);
    expectLimited(
      await trusted.request("POST", "/auth/signin", { body: form("victim@b.co", "rightpassword1"), ...spoofed(3) }),
      15 * 60,
    );
    for (let i = 0; i < 3; i++)
      expect(
        (await trusted.request("POST", "/auth/signin", { body: form(`x${i}@b.co`, "guess-number1"), ...spoofed(9) }))
          .status,
      ).to.equal(200);
    expectLimited(
      await trusted.request("POST", "/auth/signin", { body: form("x9@b.co", "guess-number1"), ...spoofed(9) }),
      15 * 60,
    );
    expect(
      (await trusted.request("POST", "/auth/signin", { body: form("attacker@b.co", "attackerpass1"), ...spoofed(10) }))
        .json.status,
    ).to.equal("OK");
  });

  it("password reset: token requests are limited per email and per address; a refused one sends no email and stores no token", async () => {
    countCases("rate limits");
    const client = await start({ passwordReset: { perEmail: 2, perIp: 5, windowSeconds: 3600 } });
    for (let i = 0; i < 2; i++)
      expect(
        (await client.request("POST", "/auth/user/password/reset/token", { body: resetRequest("victim@b.co") })).json
          .status,
      ).to.equal("OK");
    await new Promise((r) => setTimeout(r, 100)); // the emails go out in the background
    expect(sent).to.deep.equal(["victim@b.co", "victim@b.co"]);
    const before = await rowCounts();
    expectLimited(
      await client.request("POST", "/auth/user/password/reset/token", { body: resetRequest("victim@b.co") }),
      3600,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(sent).to.have.length(2);
    expect(await rowCounts()).to.deep.equal(before);
    // Two more for another email reach the per-address limit of 5 (the refused one counted too).
    for (let i = 0; i < 2; i++)
      expect(
        (await client.request("POST", "/auth/user/password/reset/token", { body: resetRequest("attacker@b.co") }))
          .status,
      ).to.equal(200);
    expectLimited(
      await client.request("POST", "/auth/user/password/reset/token", { body: resetRequest("third@b.co") }),
      3600,
    );
  });

  it("password reset: token submissions are limited per address, before the token is looked at", async () => {
    countCases("rate limits");
    const client = await start({ passwordReset: { perEmail: 100, perIp: 3 } });
    const victim = await EmailPassword.getUserByEmail("victim@b.co");
    const created = await EmailPassword.createResetPasswordToken(victim?.id ?? "");
    if (created.status !== "OK") throw new Error("no token");
    for (let i = 0; i < 3; i++) {
      expect(
        (await client.request("POST", "/auth/user/password/reset", { body: resetSubmit(`guess${i}`) })).json.status,
      ).to.equal("RESET_PASSWORD_INVALID_TOKEN_ERROR");
    }
    const before = await rowCounts();
    expectLimited(
      await client.request("POST", "/auth/user/password/reset", { body: resetSubmit(created.token) }),
      3600,
    );
    expect(await rowCounts(), "the token was not consumed").to.deep.equal(before);
    expect((await EmailPassword.signIn("victim@b.co", "rightpassword1")).status).to.equal("OK");
  });

  it("parallel attempts are counted atomically: exactly N of them get through", async function () {
    this.timeout(60_000);
    countCases("rate limits");
    const client = await start({ signIn: { perEmail: 5, perIp: false } });
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.request("POST", "/auth/signin", { body: form("victim@b.co", "wrong-guess1") }),
      ),
    );
    expect(replies.filter((r) => r.status === 200)).to.have.length(5);
    expect(replies.filter((r) => r.status === 429)).to.have.length(15);
  });

  it("the count is in the database: two processes on one database share it", async function () {
    this.timeout(60_000);
    countCases("rate limits");
    const client = await start({ signIn: { perEmail: 4, perIp: false } });
    if (app === undefined) throw new Error("no app");
    const script = path.resolve(__dirname, "../fixtures/rateLimitServer.ts");
    const child: ChildProcess = spawn(
      process.execPath,
      [
        "--require",
        "tsx/cjs",
        script,
        app.lk.url,
        app.lk.prefix,
        JSON.stringify({ signIn: { perEmail: 4, perIp: false } }),
      ],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      const port = await new Promise<string>((resolve, reject) => {
        child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
        child.once("exit", (code) => reject(new Error(`the second process exited (${code})`)));
      });
      const other = new HttpClient(`http://127.0.0.1:${port}`);
      for (const c of [client, other, client, other]) {
        expect(
          (await c.request("POST", "/auth/signin", { body: form("victim@b.co", "wrong-guess1") })).json.status,
        ).to.equal("WRONG_CREDENTIALS_ERROR");
      }
      expectLimited(
        await other.request("POST", "/auth/signin", { body: form("victim@b.co", "rightpassword1") }),
        15 * 60,
      );
      expectLimited(
        await client.request("POST", "/auth/signin", { body: form("victim@b.co", "rightpassword1") }),
        15 * 60,
      );
    } finally {
      child.kill();
    }
  });

  it("rateLimit: false turns every limit off and writes no counter", async () => {
    countCases("rate limits");
    const client = await start(false);
    for (let i = 0; i < 15; i++)
      expect(
        (await client.request("POST", "/auth/signin", { body: form("victim@b.co", "wrong-guess1") })).status,
      ).to.equal(200);
    const knex = rawKnex(app?.lk.url ?? "");
    try {
      expect(await knex(`${app?.lk.prefix ?? ""}emailpassword_rate_limits`).count({ n: "*" })).to.deep.equal([
        { n: testDbKind() === "postgres" ? "0" : 0 },
      ]);
    } finally {
      await knex.destroy();
    }
  });

  it("counters store hashes, never the email or the address", async () => {
    countCases("rate limits");
    const client = await start({});
    await client.request("POST", "/auth/signin", { body: form("victim@b.co", "wrong-guess1") });
    const knex = rawKnex(app?.lk.url ?? "");
    try {
      const rows = (await knex(`${app?.lk.prefix ?? ""}emailpassword_rate_limits`).select("limit_key")) as {
        limit_key: string;
      }[];
      expect(rows.map((r) => r.limit_key.replace(/[0-9a-f]{64}$/, "#")).sort()).to.deep.equal([
        "signin:email:#",
        "signin:ip:#",
      ]);
      expect(JSON.stringify(rows)).to.not.contain("victim").and.not.contain("127.0.0.1");
    } finally {
      await knex.destroy();
    }
  });

  it("bad rateLimit options are INVALID_CONFIG naming the field", () => {
    countCases("rate limits");
    const bad: [unknown, string][] = [
      ["yes", "EmailPassword.init.rateLimit"],
      [{ signin: {} }, "EmailPassword.init.rateLimit.signin"],
      [{ signIn: { perEmail: 0 } }, "EmailPassword.init.rateLimit.signIn.perEmail"],
      [{ passwordReset: { windowSeconds: 1.5 } }, "EmailPassword.init.rateLimit.passwordReset.windowSeconds"],
      [{ trustForwardedFor: "yes" }, "EmailPassword.init.rateLimit.trustForwardedFor"],
    ];
    for (const [rateLimit, field] of bad) {
      const build = EmailPassword.init({ rateLimit } as TypeInput);
      expect(
        () =>
          build({ appInfo: {} as never, database: { table: (n: string) => n } as never, capabilities: {} as never }),
        JSON.stringify(rateLimit),
      )
        .to.throw(/./)
        .with.property("message")
        .that.matches(new RegExp(`^${field.replace(/\./g, "\\.")}`));
    }
  });

  it("the client address: socket by default, n hops back along X-Forwarded-For when trusted, IPv6 per /64", () => {
    countCases("rate limits");
    const req = (peer: string | undefined, xff?: string): BaseRequest =>
      ({
        getRemoteAddress: () => peer,
        getHeader: (name: string) => (name === "x-forwarded-for" ? xff : undefined),
      }) as unknown as BaseRequest;
    expect(clientAddress(req("10.0.0.1", "1.2.3.4"), 0)).to.equal("10.0.0.1");
    expect(clientAddress(req("10.0.0.1", "6.6.6.6, 1.2.3.4"), 1)).to.equal("1.2.3.4");
    expect(clientAddress(req("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2"), 2)).to.equal("1.2.3.4");
    expect(clientAddress(req("10.0.0.1", "not-an-ip"), 1)).to.equal("10.0.0.1");
    expect(clientAddress(req("::ffff:127.0.0.1"), 0)).to.equal("127.0.0.1");
    expect(clientAddress(req(undefined), 0)).to.equal(undefined);
    expect(normaliseAddress("2001:db8:1:2:3:4:5:6")).to.equal("2001:db8:1:2::/64");
    expect(normaliseAddress("2001:db8::1")).to.equal("2001:db8:0:0::/64");
    expect(normaliseAddress("2001:DB8:0:0:ffff::9")).to.equal(normaliseAddress("2001:db8::1"));
  });
});
