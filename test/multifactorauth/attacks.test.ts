import { expect } from "chai";
import sinon from "sinon";
import EmailPassword from "../../recipes/emailpassword/index";
import MultiFactorAuth, { MultiFactorAuthClaim } from "../../recipes/multifactorauth/index";
import Session from "../../recipes/session/index";
import TOTP from "../../recipes/totp/index";
import { base32Decode, totp } from "../../recipes/totp/otp";
import { HttpClient } from "../helpers/http";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const KEY = "an-mfa-attack-key-that-is-32-chars-long";
const credentials = (email: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: "password1" },
  ],
});

function codeFor(secret: string, offsetSteps = 0): string {
  const bytes = base32Decode(secret);
  if (bytes === undefined) throw new Error("not base32");
  return totp(bytes, { algorithm: "SHA1", digits: 6, period: 30 }, Date.now() + offsetSteps * 30_000);
}

function wrongCode(secret: string): string {
  const valid = new Set([-2, -1, 0, 1, 2].map((o) => codeFor(secret, o)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, "0");
    if (!valid.has(code)) return code;
  }
}

describe("multifactorauth: attacks by a user who knows only the password (on the test database)", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  async function start(maxAttempts = 5): Promise<SessionTestApp> {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({ bcryptCost: 4 }),
          TOTP.init({ secretEncryptionKey: KEY, maxAttempts, lockoutSeconds: 60 }),
          MultiFactorAuth.init(),
        ],
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    return app;
  }

  function newClient(): HttpClient {
    if (app === undefined) throw new Error("no app");
    const client = new HttpClient(app.server.baseUrl);
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    return client;
  }

  /** The owner signs up, enrols TOTP and is required to use it; returns the user id and the device secret. */
  async function owner(client: HttpClient, email: string): Promise<{ userId: string; secret: string }> {
    const up = await client.request("POST", "/auth/signup", { body: credentials(email) });
    expect(up.json.status).to.equal("OK");
    const userId = (up.json.user as { id: string }).id;
    const created = await client.request("POST", "/auth/totp/device", { body: { deviceName: "phone" } });
    const secret = created.json.secret as string;
    const verified = await client.request("POST", "/auth/totp/device/verify", {
      body: { deviceName: "phone", totp: codeFor(secret) },
    });
    expect(verified.json.status).to.equal("OK");
    await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, "totp");
    return { userId, secret };
  }

  async function signIn(client: HttpClient, email: string): Promise<void> {
    const res = await client.request("POST", "/auth/signin", { body: credentials(email) });
    expect(res.json.status).to.equal("OK");
  }

  it("a password-only session stays refused after a refresh, and via getSession without a request", async () => {
    const { client } = await start();
    await owner(client, "refresh@shop.test");
    const attacker = newClient();
    await signIn(attacker, "refresh@shop.test");
    expect((await attacker.request("GET", "/protected")).status).to.equal(403);
    const refreshed = await attacker.request("POST", "/auth/session/refresh");
    expect(refreshed.status).to.equal(200);
    expect((await attacker.request("GET", "/protected")).status).to.equal(403);
    const token = attacker.cookie("sAccessToken") ?? "";
    const err = await Session.getSessionWithoutRequestResponse(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { type?: string } | undefined)?.type).to.equal("INVALID_CLAIMS");
    const viaGetSession = await Session.getSession(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((viaGetSession as { type?: string } | undefined)?.type).to.equal("INVALID_CLAIMS");
  });

  it("one code in two sessions at once: exactly one completes the factor", async () => {
    const { client } = await start();
    const { secret } = await owner(client, "race@shop.test");
    const a = newClient();
    const b = newClient();
    await signIn(a, "race@shop.test");
    await signIn(b, "race@shop.test");
    const code = codeFor(secret, 1);
    const answers = await Promise.all(
      [a, b, a, b].map((c) => c.request("POST", "/auth/totp/verify", { body: { totp: code } })),
    );
    expect(answers.map((r) => r.status)).to.deep.equal([200, 200, 200, 200]);
    expect(answers.filter((r) => r.json.status === "OK")).to.have.length(1);
    const passing = await Promise.all([a, b].map(async (c) => (await c.request("GET", "/protected")).status));
    expect(passing.filter((s) => s === 200)).to.have.length(1);
  });

  it("wrong codes in parallel cannot outrun the lock-out; the right code then waits too", async () => {
    const { client } = await start(3);
    const { secret } = await owner(client, "burst@shop.test");
    const attacker = newClient();
    await signIn(attacker, "burst@shop.test");
    const wrong = wrongCode(secret);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => attacker.request("POST", "/auth/totp/verify", { body: { totp: wrong } })),
    );
    expect(answers.filter((r) => r.json.status === "INVALID_TOTP_ERROR")).to.have.length(3);
    expect(answers.filter((r) => r.json.status === "LIMIT_REACHED_ERROR")).to.have.length(5);
    const right = await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret) } });
    expect(right.json.status).to.equal("LIMIT_REACHED_ERROR");
  });

  it("fetchAndSetClaim neither satisfies the claim nor makes the password look fresh for a step-up", async () => {
    const { client } = await start();
    await owner(client, "fetch@shop.test");
    const attacker = newClient();
    await signIn(attacker, "fetch@shop.test");
    const before = await Session.getSessionWithoutRequestResponse(attacker.cookie("sAccessToken") ?? "", undefined, {
      overrideGlobalClaimValidators: () => [],
    });
    const signedInAt = before.getClaimValue(MultiFactorAuthClaim)?.c.emailpassword;
    expect(signedInAt).to.be.a("number");
    // Ten minutes later the app re-reads the claim (SuperTokens' documented way after changing requirements).
    const clock = sinon.useFakeTimers({ now: Date.now() + 10 * 60_000, toFake: ["Date"] });
    await before.fetchAndSetClaim(MultiFactorAuthClaim);
    const after = before.getClaimValue(MultiFactorAuthClaim);
    clock.restore();
    // Still unsatisfied, and a step-up on the password must not pass on the strength of the re-read.
    expect(after?.v).to.equal(false);
    expect(after?.c.emailpassword).to.equal(signedInAt);
  });

  it("bodies of the wrong type on every second-factor route: 4xx, never a 500", async () => {
    const { client } = await start();
    await owner(client, "types@shop.test");
    const attacker = newClient();
    await signIn(attacker, "types@shop.test");
    const bodies: unknown[] = [
      [],
      "x",
      7,
      null,
      { deviceName: 7 },
      { deviceName: null },
      { deviceName: ["phone"] },
      { deviceName: { toString: "phone" } },
      { deviceName: "a".repeat(10_000) },
      { deviceName: "nul\u0000name" },
      { deviceName: "\ud800" },
      { deviceName: "phone", totp: 123456 },
      { deviceName: "phone", totp: ["123456"] },
      { totp: null },
      { totp: { length: 6 } },
      { totp: "1".repeat(100_000) },
      { __proto__: { deviceName: "phone" } },
    ];
    const routes = [
      ["POST", "/auth/totp/device"],
      ["POST", "/auth/totp/device/remove"],
      ["POST", "/auth/totp/device/verify"],
      ["POST", "/auth/totp/verify"],
      ["PUT", "/auth/mfa/info"],
    ] as const;
    const sendAll = async (who: HttpClient) => {
      for (const [method, path] of routes)
        for (const body of bodies) {
          const res = await who.request(method, path, { body });
          expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).to.be.below(500);
        }
    };
    await sendAll(attacker);
    // The password alone added, removed and renamed nothing.
    expect((await TOTP.listDevices((await ids())[0] ?? "")).devices.map((d) => d.name)).to.deep.equal(["phone"]);
    await sendAll(client);

    async function ids(): Promise<string[]> {
      const session = await Session.getSessionWithoutRequestResponse(client.cookie("sAccessToken") ?? "", undefined, {
        overrideGlobalClaimValidators: () => [],
      });
      return [session.getUserId()];
    }
  });
});
