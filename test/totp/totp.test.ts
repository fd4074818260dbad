import { expect } from "chai";
import sinon from "sinon";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import { resetForTests } from "../../lib/testing";
import EmailPassword from "../../recipes/emailpassword/index";
import Session from "../../recipes/session/index";
import TOTP from "../../recipes/totp/index";
import { base32Decode, totp } from "../../recipes/totp/otp";
import { APP_INFO } from "../helpers/app";
import { rawKnex } from "../helpers/db";
import { HttpClient } from "../helpers/http";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const KEY = "a-totp-test-key-that-is-32-chars-long";
const credentials = (email: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: "password1" },
  ],
});

/** The code of a base32 secret at `offsetSteps` 30 s steps from now. */
function codeFor(secret: string, offsetSteps = 0): string {
  const bytes = base32Decode(secret);
  if (bytes === undefined) throw new Error("not base32");
  return totp(bytes, { algorithm: "SHA1", digits: 6, period: 30 }, Date.now() + offsetSteps * 30_000);
}

/** A six-digit code that is not the device's at any step in the window. */
function wrongCode(secret: string): string {
  const valid = new Set([-1, 0, 1].map((o) => codeFor(secret, o)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, "0");
    if (!valid.has(code)) return code;
  }
}

describe("totp: devices, codes, replay and lock-out over HTTP (on the test database)", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  async function start(totpConfig: Partial<Parameters<typeof TOTP.init>[0]> = {}): Promise<SessionTestApp> {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({ bcryptCost: 4 }),
          TOTP.init({ secretEncryptionKey: KEY, maxAttempts: 3, lockoutSeconds: 60, ...totpConfig }),
        ],
        appInfo: { ...APP_INFO, appName: "Latchkey Shop" },
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    return app;
  }

  async function signedUp(client: HttpClient, email: string): Promise<string> {
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    const up = await client.request("POST", "/auth/signup", { body: credentials(email) });
    expect(up.json.status).to.equal("OK");
    return (up.json.user as { id: string }).id;
  }

  async function enrolled(client: HttpClient, deviceName = "phone"): Promise<string> {
    const created = await client.request("POST", "/auth/totp/device", { body: { deviceName } });
    expect(created.json.status).to.equal("OK");
    const secret = created.json.secret as string;
    const verified = await client.request("POST", "/auth/totp/device/verify", {
      body: { deviceName, totp: codeFor(secret) },
    });
    expect(verified.json).to.deep.equal({ status: "OK", wasAlreadyVerified: false });
    return secret;
  }

  it("verifying a device ends the user's other sessions (a password-only session from before keeps no refresh); the option turns it off", async () => {
    for (const revokeOtherSessionsOnDeviceVerified of [true, false]) {
      const { client, server } = await start({ revokeOtherSessionsOnDeviceVerified });
      const email = `two-sessions-${String(revokeOtherSessionsOnDeviceVerified)}@shop.test`;
      const userId = await signedUp(client, email);
      // The attacker's session: the same password, signed in earlier, from elsewhere.
      const attacker = new HttpClient(server.baseUrl);
      attacker.defaultHeaders = { "st-auth-mode": "cookie" };
      expect((await attacker.request("POST", "/auth/signin", { body: credentials(email) })).json.status).to.equal("OK");
      await enrolled(client);
      const handles = await Session.getAllSessionHandlesForUser(userId);
      expect(handles.length).to.equal(revokeOtherSessionsOnDeviceVerified ? 1 : 2);
      const refreshed = await attacker.request("POST", "/auth/session/refresh");
      expect(refreshed.status).to.equal(revokeOtherSessionsOnDeviceVerified ? 401 : 200);
      // The session that verified the device lives on.
      expect((await client.request("GET", "/protected")).status).to.equal(200);
      await app?.close();
      app = undefined;
    }
  });

  it("creates a device with an otpauth URI (issuer = appName), verifies it, lists, renames and removes it", async () => {
    const { client } = await start();
    await signedUp(client, "alice@shop.test");
    const created = await client.request("POST", "/auth/totp/device", { body: {} });
    expect(created.status).to.equal(200);
    expect(created.json.status).to.equal("OK");
    expect(created.json.deviceName).to.equal("TOTP Device 1");
    const secret = created.json.secret as string;
    expect(base32Decode(secret)?.length).to.equal(20);
    expect(created.json.qrCodeString).to.equal(
      `otpauth://totp/Latchkey%20Shop:alice%40shop.test?secret=${secret}&issuer=Latchkey%20Shop&algorithm=SHA1&digits=6&period=30`,
    );
    let list = await client.request("GET", "/auth/totp/device/list");
    expect(list.json).to.deep.equal({
      status: "OK",
      devices: [{ name: "TOTP Device 1", period: 30, skew: 1, verified: false }],
    });
    // An unverified device does not count for /totp/verify.
    expect((await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret) } })).json).to.deep.equal(
      { status: "UNKNOWN_USER_ID_ERROR" },
    );
    const verified = await client.request("POST", "/auth/totp/device/verify", {
      body: { deviceName: "TOTP Device 1", totp: codeFor(secret) },
    });
    expect(verified.json).to.deep.equal({ status: "OK", wasAlreadyVerified: false });
    list = await client.request("GET", "/auth/totp/device/list");
    expect((list.json.devices as { verified: boolean }[])[0]?.verified).to.equal(true);

    const userId = (await client.request("GET", "/protected")).json.userId as string;
    expect(await TOTP.updateDevice(userId, "TOTP Device 1", "work phone")).to.deep.equal({ status: "OK" });
    expect(await TOTP.updateDevice(userId, "nope", "x")).to.deep.equal({ status: "UNKNOWN_DEVICE_ERROR" });
    // The renamed device's secret still opens (it is sealed for its new name): its next code is accepted.
    expect((await TOTP.verifyTOTP("public", userId, codeFor(secret, 1))).status).to.equal("OK");
    const removed = await client.request("POST", "/auth/totp/device/remove", { body: { deviceName: "work phone" } });
    expect(removed.json).to.deep.equal({ status: "OK", didDeviceExist: true });
    const again = await client.request("POST", "/auth/totp/device/remove", { body: { deviceName: "work phone" } });
    expect(again.json).to.deep.equal({ status: "OK", didDeviceExist: false });
  });

  it("a code accepted once is refused after (replay), in its window and for earlier steps; a later step's works", async () => {
    const { client } = await start({ maxAttempts: 10 });
    await signedUp(client, "replay@shop.test");
    const secret = await enrolled(client);
    // The code that verified the device cannot be used again, nor the previous step's.
    for (const code of [codeFor(secret), codeFor(secret, -1)]) {
      const replayed = await client.request("POST", "/auth/totp/verify", { body: { totp: code } });
      expect(replayed.json.status).to.equal("INVALID_TOTP_ERROR");
    }
    const next = await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, 1) } });
    expect(next.json).to.deep.equal({ status: "OK" });
    const nextAgain = await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, 1) } });
    expect(nextAgain.json.status).to.equal("INVALID_TOTP_ERROR");
  });

  it("accepts one step of clock skew by default, not two; the skew is configurable", async () => {
    const { client } = await start({ maxAttempts: 10 });
    await signedUp(client, "skew@shop.test");
    const secret = await enrolled(client);
    const clock = sinon.useFakeTimers({ now: Date.now() + 5 * 30_000, toFake: ["Date"] });
    const tooOld = await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, -2) } });
    expect(tooOld.json.status).to.equal("INVALID_TOTP_ERROR");
    const late = await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, -1) } });
    expect(late.json.status).to.equal("OK");
    clock.restore();
    await app?.close();
    app = undefined;
    const wide = await start({ maxAttempts: 10, defaultSkew: 2 });
    await signedUp(wide.client, "wide@shop.test");
    const wideSecret = await enrolled(wide.client);
    sinon.useFakeTimers({ now: Date.now() + 5 * 30_000, toFake: ["Date"] });
    const twoBack = await wide.client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(wideSecret, -2) } });
    expect(twoBack.json.status).to.equal("OK");
    const list = await wide.client.request("GET", "/auth/totp/device/list");
    expect((list.json.devices as { skew: number }[])[0]?.skew).to.equal(2);
  });

  it("wrong codes count up, then LIMIT_REACHED_ERROR with retryAfterMs even for the right code; it ends after the lock-out", async () => {
    const { client } = await start({ maxAttempts: 3, lockoutSeconds: 60 });
    await signedUp(client, "lock@shop.test");
    const secret = await enrolled(client);
    for (let i = 1; i <= 3; i++) {
      const wrong = await client.request("POST", "/auth/totp/verify", { body: { totp: wrongCode(secret) } });
      expect(wrong.status).to.equal(200);
      expect(wrong.json).to.deep.equal({
        status: "INVALID_TOTP_ERROR",
        currentNumberOfFailedAttempts: i,
        maxNumberOfFailedAttempts: 3,
      });
    }
    const locked = await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, 1) } });
    expect(locked.json.status).to.equal("LIMIT_REACHED_ERROR");
    expect(locked.json.retryAfterMs).to.be.within(50_000, 60_000);
    // The lock-out is in the database: a fresh Latchkey on the same tables (another process) sees it.
    const { url, prefix } = app!.lk;
    await resetForTests();
    Latchkey.init({
      appInfo: APP_INFO,
      database: url,
      tablePrefix: prefix,
      recipeList: [
        Session.init(),
        EmailPassword.init({ bcryptCost: 4 }),
        TOTP.init({ secretEncryptionKey: KEY, maxAttempts: 3 }),
      ],
    });
    const userId = (await EmailPassword.getUserByEmail("lock@shop.test"))?.id as string;
    expect((await TOTP.verifyTOTP("public", userId, codeFor(secret, 1))).status).to.equal("LIMIT_REACHED_ERROR");
    // Device setup counts toward the same lock-out.
    expect((await TOTP.verifyDevice("public", userId, "phone", codeFor(secret, 1))).status).to.equal(
      "LIMIT_REACHED_ERROR",
    );
    sinon.useFakeTimers({ now: Date.now() + 61_000, toFake: ["Date"] });
    expect(await TOTP.verifyTOTP("public", userId, codeFor(secret, 1))).to.deep.equal({ status: "OK" });
  });

  it("a success resets the count of wrong codes", async () => {
    const { client } = await start({ maxAttempts: 3 });
    await signedUp(client, "reset@shop.test");
    const secret = await enrolled(client);
    await client.request("POST", "/auth/totp/verify", { body: { totp: wrongCode(secret) } });
    await client.request("POST", "/auth/totp/verify", { body: { totp: wrongCode(secret) } });
    expect(
      (await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, 1) } })).json.status,
    ).to.equal("OK");
    const wrong = await client.request("POST", "/auth/totp/verify", { body: { totp: wrongCode(secret) } });
    expect(wrong.json.currentNumberOfFailedAttempts).to.equal(1);
  });

  it("a database dump alone does not yield the secret, nor does another key", async () => {
    const { client, lk } = await start();
    await signedUp(client, "dump@shop.test");
    const created = await client.request("POST", "/auth/totp/device", { body: { deviceName: "d" } });
    const secret = created.json.secret as string;
    const knex = rawKnex(lk.url);
    try {
      const rows = (await knex(`${lk.prefix}totp_devices`).select()) as Record<string, unknown>[];
      expect(rows).to.have.length(1);
      const dump = JSON.stringify(rows);
      expect(dump).not.to.include(secret);
      expect(dump).not.to.include(base32Decode(secret)?.toString("hex"));
      expect(dump).not.to.include(base32Decode(secret)?.toString("base64"));
    } finally {
      await knex.destroy();
    }
    // The same tables under another key: the device's codes are never accepted.
    const { url, prefix } = lk;
    await resetForTests();
    Latchkey.init({
      appInfo: APP_INFO,
      database: url,
      tablePrefix: prefix,
      recipeList: [
        Session.init(),
        EmailPassword.init({ bcryptCost: 4 }),
        TOTP.init({ secretEncryptionKey: "another-key-".repeat(4) }),
      ],
    });
    const userId = (await EmailPassword.getUserByEmail("dump@shop.test"))?.id as string;
    expect((await TOTP.verifyDevice("public", userId, "d", codeFor(secret))).status).to.equal("INVALID_TOTP_ERROR");
  });

  it("bad input: another user's device, a name used twice, wrong types, no session: typed statuses, never a 500", async () => {
    const { client, server } = await start({ maxAttempts: 50 });
    await signedUp(client, "owner@shop.test");
    const secret = await enrolled(client, "mine");
    const dup = await client.request("POST", "/auth/totp/device", { body: { deviceName: "mine" } });
    expect(dup.json).to.deep.equal({ status: "DEVICE_ALREADY_EXISTS_ERROR" });

    const other = new HttpClient(server.baseUrl);
    await signedUp(other, "other@shop.test");
    const foreign = await other.request("POST", "/auth/totp/device/verify", {
      body: { deviceName: "mine", totp: codeFor(secret, 1) },
    });
    expect(foreign.json).to.deep.equal({ status: "UNKNOWN_DEVICE_ERROR" });
    const foreignCode = await other.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, 1) } });
    expect(foreignCode.json).to.deep.equal({ status: "UNKNOWN_USER_ID_ERROR" });
    await enrolled(other, "theirs");
    const crossed = await other.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, 1) } });
    expect(crossed.json.status).to.equal("INVALID_TOTP_ERROR");
    const removeForeign = await other.request("POST", "/auth/totp/device/remove", { body: { deviceName: "mine" } });
    expect(removeForeign.json).to.deep.equal({ status: "OK", didDeviceExist: false });

    const bad: [string, unknown][] = [
      ["/auth/totp/device", { deviceName: 5 }],
      ["/auth/totp/device", { deviceName: "" }],
      ["/auth/totp/device", { deviceName: "x".repeat(257) }],
      ["/auth/totp/device/verify", { deviceName: "mine" }],
      ["/auth/totp/device/verify", { totp: "123456" }],
      ["/auth/totp/device/verify", { deviceName: "mine", totp: 123456 }],
      ["/auth/totp/verify", {}],
      ["/auth/totp/verify", { totp: null }],
      ["/auth/totp/device/remove", {}],
      ["/auth/totp/verify", "not json"],
    ];
    for (const [path, body] of bad) {
      const reply = await client.request("POST", path, { body });
      expect(reply.status, `${path} ${JSON.stringify(body)}`).to.equal(400);
    }
    const letters = await client.request("POST", "/auth/totp/verify", { body: { totp: "abcdef" } });
    expect(letters.json.status).to.equal("INVALID_TOTP_ERROR");

    const anonymous = new HttpClient(server.baseUrl);
    anonymous.defaultHeaders = { "st-auth-mode": "cookie" };
    for (const [method, path, body] of [
      ["POST", "/auth/totp/device", {}],
      ["GET", "/auth/totp/device/list", undefined],
      ["POST", "/auth/totp/device/remove", { deviceName: "mine" }],
      ["POST", "/auth/totp/device/verify", { deviceName: "mine", totp: "123456" }],
      ["POST", "/auth/totp/verify", { totp: "123456" }],
    ] as const) {
      const reply = await anonymous.request(method, path, body === undefined ? {} : { body });
      expect(reply.status, path).to.equal(401);
    }
  });

  it("deleteUser removes the user's devices and counters", async () => {
    const { client, lk } = await start();
    const userId = await signedUp(client, "gone@shop.test");
    await enrolled(client);
    await Latchkey.deleteUser(userId);
    expect((await TOTP.listDevices(userId)).devices).to.deep.equal([]);
    await Core.getInstanceOrThrow().database.whenReady();
    const knex = rawKnex(lk.url);
    try {
      expect(await knex(`${lk.prefix}totp_attempts`).where({ user_id: userId })).to.have.length(0);
    } finally {
      await knex.destroy();
    }
  });

  it("init refuses a missing or short encryption key, naming the field", async () => {
    await resetForTests();
    const init = (config: unknown) => () =>
      Latchkey.init({
        appInfo: APP_INFO,
        database: "sqlite::memory:",
        recipeList: [Session.init(), TOTP.init(config as Parameters<typeof TOTP.init>[0])],
      });
    expect(init({})).to.throw(/TOTP\.init\.secretEncryptionKey: is required/);
    expect(init({ secretEncryptionKey: "short" })).to.throw(/TOTP\.init\.secretEncryptionKey/);
    expect(init({ secretEncryptionKey: KEY, digits: 4 })).to.throw(/TOTP\.init\.digits/);
    await resetForTests();
  });
});
