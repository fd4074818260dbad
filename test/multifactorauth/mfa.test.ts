import { expect } from "chai";
import sinon from "sinon";
import Latchkey from "../../lib/index";
import { resetForTests } from "../../lib/testing";
import EmailPassword from "../../recipes/emailpassword/index";
import MultiFactorAuth, { MultiFactorAuthClaim } from "../../recipes/multifactorauth/index";
import Multitenancy from "../../recipes/multitenancy/index";
import type { TypeInput as MFAInput } from "../../recipes/multifactorauth/types";
import Session from "../../recipes/session/index";
import type { TypeInput as SessionInput } from "../../recipes/session/types";
import ThirdParty from "../../recipes/thirdparty/index";
import TOTP from "../../recipes/totp/index";
import { base32Decode, totp } from "../../recipes/totp/otp";
import type { RecipeListFunction } from "../../lib/recipeModule";
import { rawKnex } from "../helpers/db";
import { HttpClient } from "../helpers/http";
import { initLatchkey, startApp, type TestLatchkey, type TestServer } from "../helpers/app";
import type { AppRoute } from "../helpers/frameworks";
import { SESSION_ROUTES, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const KEY = "an-mfa-test-key-that-is-32-chars-long";
const credentials = (email: string, password = "password1") => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
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
  const valid = new Set([-2, -1, 0, 1, 2].map((o) => codeFor(secret, o)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, "0");
    if (!valid.has(code)) return code;
  }
}

type MFAValue = { c: Record<string, number>; v: boolean };

describe("multifactorauth: the st-mfa claim, /mfa/info, setting up and completing factors (on the test database)", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  async function start(
    options: { mfa?: MFAInput; session?: SessionInput; extra?: RecipeListFunction[]; maxAttempts?: number } = {},
  ): Promise<SessionTestApp> {
    app = await startSessionApp(options.session ?? {}, {
      extraRecipes: [
        EmailPassword.init({ bcryptCost: 4 }),
        TOTP.init({ secretEncryptionKey: KEY, maxAttempts: options.maxAttempts ?? 5, lockoutSeconds: 60 }),
        MultiFactorAuth.init(options.mfa),
        ...(options.extra ?? []),
      ],
    });
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    return app;
  }

  function newClient(): HttpClient {
    if (app === undefined) throw new Error("no app");
    const client = new HttpClient(app.server.baseUrl);
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    return client;
  }

  async function signUp(client: HttpClient, email: string): Promise<string> {
    const up = await client.request("POST", "/auth/signup", { body: credentials(email) });
    expect(up.json.status).to.equal("OK");
    return (up.json.user as { id: string }).id;
  }

  async function signIn(client: HttpClient, email: string): Promise<void> {
    const res = await client.request("POST", "/auth/signin", { body: credentials(email) });
    expect(res.json.status).to.equal("OK");
  }

  /** The session's st-mfa claim, read by the server from the current access token. */
  async function claimOf(client: HttpClient): Promise<MFAValue | undefined> {
    const session = await Session.getSessionWithoutRequestResponse(client.cookie("sAccessToken") ?? "", undefined, {
      overrideGlobalClaimValidators: () => [],
    });
    return session.getClaimValue(MultiFactorAuthClaim);
  }

  async function enrol(client: HttpClient, deviceName = "phone"): Promise<string> {
    const created = await client.request("POST", "/auth/totp/device", { body: { deviceName } });
    expect(created.json.status).to.equal("OK");
    const secret = created.json.secret as string;
    const verified = await client.request("POST", "/auth/totp/device/verify", {
      body: { deviceName, totp: codeFor(secret) },
    });
    expect(verified.json).to.deep.equal({ status: "OK", wasAlreadyVerified: false });
    return secret;
  }

  it("a new session carries st-mfa with the first factor and v: true when nothing is required", async () => {
    const { client } = await start();
    const before = Date.now();
    await signUp(client, "plain@shop.test");
    const value = await claimOf(client);
    expect(value?.v).to.equal(true);
    expect(Object.keys(value?.c ?? {})).to.deep.equal(["emailpassword"]);
    expect(value?.c.emailpassword).to.be.within(before, Date.now());
    expect((await client.request("GET", "/protected")).status).to.equal(200);
    const info = await client.request("PUT", "/auth/mfa/info");
    expect(info.status).to.equal(200);
    expect(info.json).to.deep.equal({
      status: "OK",
      factors: { next: [], alreadySetup: [], allowedToSetup: ["totp"] },
      emails: {},
      phoneNumbers: {},
    });
    // GET answers the same (for people reading the route by hand).
    expect((await client.request("GET", "/auth/mfa/info")).json.status).to.equal("OK");
  });

  it("a required factor: verifySession refuses (403 st-mfa) until it is set up and completed in the same session", async () => {
    const session: SessionInput = {
      override: {
        functions: (original) => ({
          ...original,
          // Seed 004's pattern: the app puts its own values in the payload and the session data.
          createNewSession: (input) =>
            original.createNewSession({
              ...input,
              jwtPayload: { ...input.jwtPayload, plan: "gold" },
              sessionData: { cart: ["tea"] },
            }),
        }),
      },
    };
    const { client } = await start({ session });
    const userId = await signUp(client, "required@shop.test");
    await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, "totp");
    await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, "totp");
    expect(await MultiFactorAuth.getRequiredSecondaryFactorsForUser(userId)).to.deep.equal(["totp"]);
    await client.request("POST", "/auth/signout");
    await signIn(client, "required@shop.test");
    expect((await claimOf(client))?.v).to.equal(false);
    const refused = await client.request("GET", "/protected");
    expect(refused.status).to.equal(403);
    expect(refused.json.message).to.equal("invalid claim");
    expect((refused.json.claimValidationErrors as { id: string }[])[0]?.id).to.equal("st-mfa");

    const info = await client.request("PUT", "/auth/mfa/info");
    expect(info.json.factors).to.deep.equal({ next: ["totp"], alreadySetup: [], allowedToSetup: ["totp"] });
    const handle = await handleOf(client);
    // A device that was never verified is no factor yet: the session setting one up may remove it and start again.
    expect((await client.request("POST", "/auth/totp/device", { body: { deviceName: "draft" } })).json.status).to.equal(
      "OK",
    );
    const dropped = await client.request("POST", "/auth/totp/device/remove", { body: { deviceName: "draft" } });
    expect(dropped.json).to.deep.equal({ status: "OK", didDeviceExist: true });
    // The user has no TOTP yet and it is the factor they must complete: they may set it up now.
    await enrol(client);
    expect(await handleOf(client)).to.equal(handle);
    const value = await claimOf(client);
    expect(value?.v).to.equal(true);
    expect(Object.keys(value?.c ?? {}).sort()).to.deep.equal(["emailpassword", "totp"]);
    const ok = await client.request("GET", "/protected");
    expect(ok.status).to.equal(200);
    // The same session: the override's payload and session data are still there.
    expect(ok.json.handle).to.equal(handle);
    expect((ok.json.payload as { plan?: string }).plan).to.equal("gold");
    expect(await Session.getSessionData(handle)).to.deep.equal({ cart: ["tea"] });
  });

  it("with TOTP set up, a password alone cannot enrol another device; a right code completes the factor", async () => {
    const { client } = await start();
    const userId = await signUp(client, "owner@shop.test");
    const secret = await enrol(client, "owner's phone");
    await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, "totp");

    // The attacker knows the password only.
    const attacker = newClient();
    await signIn(attacker, "owner@shop.test");
    const info = await attacker.request("PUT", "/auth/mfa/info");
    expect(info.json.factors).to.deep.equal({ next: ["totp"], alreadySetup: ["totp"], allowedToSetup: [] });
    for (const [method, path, body] of [
      ["POST", "/auth/totp/device", { deviceName: "attacker" }],
      ["POST", "/auth/totp/device/verify", { deviceName: "owner's phone", totp: "000000" }],
      ["POST", "/auth/totp/device/remove", { deviceName: "owner's phone" }],
    ] as const) {
      const res = await attacker.request(method, path, { body });
      expect(res.status, path).to.equal(403);
      expect((res.json.claimValidationErrors as { id: string }[])[0]?.id).to.equal("st-mfa");
    }
    expect((await TOTP.listDevices(userId)).devices.map((d) => d.name)).to.deep.equal(["owner's phone"]);

    // The owner's code: wrong, then right; the session is the same one and now passes.
    const handle = await handleOf(client);
    await client.request("POST", "/auth/signout");
    await signIn(client, "owner@shop.test");
    const signedInHandle = await handleOf(client);
    expect(signedInHandle).to.not.equal(handle);
    const wrong = await client.request("POST", "/auth/totp/verify", { body: { totp: wrongCode(secret) } });
    expect(wrong.json).to.deep.equal({
      status: "INVALID_TOTP_ERROR",
      currentNumberOfFailedAttempts: 1,
      maxNumberOfFailedAttempts: 5,
    });
    expect((await client.request("GET", "/protected")).status).to.equal(403);
    const right = await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, 1) } });
    expect(right.json).to.deep.equal({ status: "OK" });
    expect(await handleOf(client)).to.equal(signedInHandle);
    expect((await client.request("GET", "/protected")).status).to.equal(200);
    // Now complete, the owner may add a second device.
    expect(
      (await client.request("POST", "/auth/totp/device", { body: { deviceName: "tablet" } })).json.status,
    ).to.equal("OK");
    // The replayed code completes nothing for the attacker.
    const replay = await attacker.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, 1) } });
    expect(replay.json.status).to.equal("INVALID_TOTP_ERROR");
    expect((await attacker.request("GET", "/protected")).status).to.equal(403);
  });

  it("'required once enrolled': an override of getMFARequirementsForAuth asks for the factors the user set up", async () => {
    const mfa: MFAInput = {
      override: {
        functions: (original) => ({
          ...original,
          getMFARequirementsForAuth: async (input) => [{ oneOf: await input.factorsSetUpForUser }],
        }),
      },
    };
    const { client } = await start({ mfa });
    await signUp(client, "optin@shop.test");
    expect((await client.request("GET", "/protected")).status).to.equal(200);
    const secret = await enrol(client);
    await client.request("POST", "/auth/signout");
    await signIn(client, "optin@shop.test");
    expect((await client.request("GET", "/protected")).status).to.equal(403);
    expect((await client.request("PUT", "/auth/mfa/info")).json.factors).to.deep.equal({
      next: ["totp"],
      alreadySetup: ["totp"],
      allowedToSetup: [],
    });
    expect(
      (await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret, 1) } })).json.status,
    ).to.equal("OK");
    expect((await client.request("GET", "/protected")).status).to.equal(200);
  });

  it("per tenant: a tenant's requiredSecondaryFactors (Multitenancy) apply to every user of the tenant", async () => {
    const { client } = await start({ extra: [Multitenancy.init()] });
    await Multitenancy.createOrUpdateTenant("public", { requiredSecondaryFactors: ["totp"] });
    await signUp(client, "tenant@shop.test");
    expect((await claimOf(client))?.v).to.equal(false);
    expect((await client.request("GET", "/protected")).status).to.equal(403);
    await enrol(client);
    expect((await client.request("GET", "/protected")).status).to.equal(200);
  });

  it("step-up: hasCompletedFactorWithin refuses a factor completed too long ago, and a fresh code satisfies it", async () => {
    const { client } = await start({ maxAttempts: 10 });
    await signUp(client, "stepup@shop.test");
    const secret = await enrol(client);
    const stepUp = MultiFactorAuthClaim.validators.hasCompletedFactorWithin("totp", 300);
    const check = async () => {
      const session = await Session.getSessionWithoutRequestResponse(client.cookie("sAccessToken") ?? "");
      await session.assertClaims([stepUp]);
    };
    await check();
    const clock = sinon.useFakeTimers({ now: Date.now() + 10 * 60_000, toFake: ["Date"] });
    const err = await check().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Latchkey.Error.isErrorFromAuth(err) && err.type).to.equal("INVALID_CLAIMS");
    const reason = (err as { payload: { claimValidationErrors: { reason: object }[] } }).payload
      .claimValidationErrors[0]?.reason;
    expect(reason).to.include({ factorId: "totp", maxAgeInSeconds: 300 });
    const fresh = await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret) } });
    expect(fresh.json.status).to.equal("OK");
    await check();
    clock.restore();
  });

  it("a second device name twice, another user's device, and a missing or broken session get typed answers", async () => {
    const { client } = await start();
    await signUp(client, "alice@shop.test");
    await enrol(client, "phone");
    const again = await client.request("POST", "/auth/totp/device", { body: { deviceName: "phone" } });
    expect(again.json).to.deep.equal({ status: "DEVICE_ALREADY_EXISTS_ERROR" });
    const bob = newClient();
    await signUp(bob, "bob@shop.test");
    const foreign = await bob.request("POST", "/auth/totp/device/verify", {
      body: { deviceName: "phone", totp: "123456" },
    });
    expect(foreign.json).to.deep.equal({ status: "UNKNOWN_DEVICE_ERROR" });
    expect((await bob.request("POST", "/auth/totp/verify", { body: { totp: "123456" } })).json).to.deep.equal({
      status: "UNKNOWN_USER_ID_ERROR",
    });

    const anonymous = newClient();
    for (const [method, path] of [
      ["PUT", "/auth/mfa/info"],
      ["GET", "/auth/mfa/info"],
      ["POST", "/auth/totp/device"],
      ["POST", "/auth/totp/verify"],
      ["POST", "/auth/totp/device/verify"],
    ] as const) {
      const body = method === "GET" ? {} : { body: { deviceName: "x", totp: "123456" } };
      const res = await anonymous.request(method, path, body);
      expect(res.status, `${method} ${path}`).to.equal(401);
      expect(res.json.message).to.be.a("string");
    }
    // An expired access token: try refresh (401), not a 500.
    const clock = sinon.useFakeTimers({ now: Date.now() + 2 * 3600_000, toFake: ["Date"] });
    const expired = await client.request("PUT", "/auth/mfa/info");
    expect(expired.status).to.equal(401);
    expect(expired.json.message).to.equal("try refresh token");
    clock.restore();
    // A token that is not one.
    const bad = await client.request("PUT", "/auth/mfa/info", {
      cookies: false,
      headers: { cookie: "sAccessToken=not-a-token" },
    });
    expect(bad.status).to.equal(401);
  });

  it("required factors: stored per user, idempotent, validated, and removed with the user", async () => {
    await start();
    const userId = "user-with-factors";
    await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, "totp");
    await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, "otp-email");
    await MultiFactorAuth.removeFromRequiredSecondaryFactorsForUser(userId, "otp-phone");
    expect(await MultiFactorAuth.getRequiredSecondaryFactorsForUser(userId)).to.have.members(["totp", "otp-email"]);
    await MultiFactorAuth.removeFromRequiredSecondaryFactorsForUser(userId, "totp");
    expect(await MultiFactorAuth.getRequiredSecondaryFactorsForUser(userId)).to.deep.equal(["otp-email"]);
    for (const factorId of ["", "x".repeat(65), "a\u0000b"]) {
      const err = await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, factorId).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Latchkey.Error.isErrorFromAuth(err) && err.type, JSON.stringify(factorId)).to.equal("BAD_INPUT_ERROR");
    }
    await Latchkey.deleteUser(userId);
    expect(await MultiFactorAuth.getRequiredSecondaryFactorsForUser(userId)).to.deep.equal([]);
    const knex = rawKnex(app?.lk.url ?? "");
    try {
      const rows = await knex(`${app?.lk.prefix ?? ""}mfa_required_factors`).count<{ n: number }[]>({ n: "*" });
      expect(Number(rows[0]?.n)).to.equal(0);
    } finally {
      await knex.destroy();
    }
  });

  it("firstFactors: an empty list is refused at init; a login method outside the list answers 401 and never runs", async () => {
    const init = () =>
      Latchkey.init({
        appInfo: { appName: "x", apiDomain: "http://localhost:1", websiteDomain: "http://localhost:2" },
        database: "sqlite::memory:",
        recipeList: [Session.init(), MultiFactorAuth.init({ firstFactors: [] })],
      });
    expect(init).to.throw(/firstFactors/);
    await resetForTests();
    const { client } = await start({
      mfa: { firstFactors: ["thirdparty"] },
      extra: [
        ThirdParty.init({
          signInAndUpFeature: {
            providers: [
              { config: { thirdPartyId: "idp", issuer: "http://127.0.0.1:9", clients: [{ clientId: "shop" }] } },
            ],
          },
        }),
      ],
    });
    // The frontend is told which factors start a session: emailpassword is offered, but only thirdparty is first.
    const methods = await client.request("GET", "/auth/loginmethods");
    expect(methods.json.emailPassword).to.deep.equal({ enabled: true });
    expect(methods.json.firstFactors).to.deep.equal(["thirdparty"]);
    // A login method that is not a first factor never runs (401, as SuperTokens answers): no user, no session.
    const refused = await client.request("POST", "/auth/signup", { body: credentials("wrongfirst@shop.test") });
    expect(refused.status).to.equal(401);
    expect(await EmailPassword.getUserByEmail("wrongfirst@shop.test")).to.equal(undefined);
    expect(client.cookie("sAccessToken")).to.equal(undefined);
    expect((await client.request("GET", "/protected")).status).to.equal(401);
  });

  it("a session cannot grant itself the claim: st-mfa in createNewSession's or updateJWTPayload's payload is ignored", async () => {
    const { client } = await start();
    const userId = "custom-login-user";
    await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, "totp");
    const forged = { c: { totp: Date.now() }, v: true };
    const login = await client.request("POST", "/login", { body: { userId, jwtPayload: { "st-mfa": forged } } });
    expect(login.status).to.equal(200);
    // No login method knows the user: no first factor, and the required one is missing.
    expect(await claimOf(client)).to.deep.equal({ c: {}, v: false });
    expect((await client.request("GET", "/protected")).status).to.equal(403);
    const handle = login.json.handle as string;
    await Session.updateJWTPayload(handle, { "st-mfa": forged, other: 1 });
    expect((await Session.getJWTPayload(handle))["st-mfa"]).to.deep.equal({ c: {}, v: false });
  });

  it("a session from before MultiFactorAuth was added gets its claim on first use, from its login method", async () => {
    const { client } = await start();
    const userId = await signUp(client, "older@shop.test");
    const handle = await handleOf(client);
    // As if issued before the recipe was in the list: the claim is not in the stored payload or the token.
    const knex = rawKnex(app?.lk.url ?? "");
    try {
      await knex(`${app?.lk.prefix ?? ""}sessions`)
        .where({ session_handle: handle })
        .update({ jwt_payload: "{}" });
    } finally {
      await knex.destroy();
    }
    await client.request("POST", "/auth/session/refresh");
    expect(await Session.getJWTPayload(handle)).to.deep.equal({});
    await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, "totp");
    const refused = await client.request("GET", "/protected");
    expect(refused.status).to.equal(403);
    const value = (await Session.getJWTPayload(handle))["st-mfa"] as MFAValue;
    expect(Object.keys(value.c)).to.deep.equal(["emailpassword"]);
    expect(value.v).to.equal(false);
  });

  it("a factor outside the next unmet requirement cannot be set up (no skipping a required factor)", async () => {
    const mfa: MFAInput = {
      override: {
        functions: (original) => ({ ...original, getMFARequirementsForAuth: () => ["otp-phone", "totp"] }),
      },
    };
    const { client } = await start({ mfa });
    await signUp(client, "skip@shop.test");
    const res = await client.request("POST", "/auth/totp/device", { body: { deviceName: "phone" } });
    expect(res.status).to.equal(403);
    const reason = (res.json.claimValidationErrors as { reason: string }[])[0]?.reason;
    expect(reason).to.equal("Not allowed to setup factor that is not in the next set of unsatisfied factors");
  });

  async function handleOf(client: HttpClient): Promise<string> {
    const session = await Session.getSessionWithoutRequestResponse(client.cookie("sAccessToken") ?? "", undefined, {
      overrideGlobalClaimValidators: () => [],
    });
    return session.getHandle();
  }
});

describe("multifactorauth: step-up on an API over HTTP (any framework, on the test database)", () => {
  let lk: TestLatchkey | undefined;
  let server: TestServer | undefined;
  afterEach(async () => {
    sinon.restore();
    await server?.close();
    await lk?.cleanup();
    server = lk = undefined;
  });

  it("a route demanding TOTP within 5 minutes answers 403 naming the factor, then 200 after a fresh code", async () => {
    lk = initLatchkey([
      Session.init(),
      EmailPassword.init({ bcryptCost: 4 }),
      TOTP.init({ secretEncryptionKey: KEY }),
      MultiFactorAuth.init(),
    ]);
    const transfer: AppRoute = {
      method: "POST",
      path: "/transfer",
      verify: {
        overrideGlobalClaimValidators: (globals) => [
          ...globals,
          MultiFactorAuthClaim.validators.hasCompletedFactorWithin("totp", 300),
        ],
      },
      handle: () => ({ transferred: true }),
    };
    server = await startApp({ routes: [...SESSION_ROUTES, transfer] });
    const client = new HttpClient(server.baseUrl);
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    await client.request("POST", "/auth/signup", { body: credentials("stepup-http@shop.test") });
    const before = await client.request("POST", "/transfer");
    expect(before.status).to.equal(403);
    expect((before.json.claimValidationErrors as { reason: { factorId: string } }[])[0]?.reason.factorId).to.equal(
      "totp",
    );
    const created = await client.request("POST", "/auth/totp/device", { body: { deviceName: "phone" } });
    const secret = created.json.secret as string;
    await client.request("POST", "/auth/totp/device/verify", { body: { deviceName: "phone", totp: codeFor(secret) } });
    expect((await client.request("POST", "/transfer")).json).to.deep.equal({ transferred: true });
    sinon.useFakeTimers({ now: Date.now() + 6 * 60_000, toFake: ["Date"] });
    const stale = await client.request("POST", "/transfer");
    expect(stale.status).to.equal(403);
    expect(
      (stale.json.claimValidationErrors as { reason: { ageInSeconds: number } }[])[0]?.reason.ageInSeconds,
    ).to.be.at.least(360);
    // The rest of the app is unaffected: the session has met its requirements.
    expect((await client.request("GET", "/protected")).status).to.equal(200);
    expect(
      (await client.request("POST", "/auth/totp/verify", { body: { totp: codeFor(secret) } })).json.status,
    ).to.equal("OK");
    expect((await client.request("POST", "/transfer")).status).to.equal(200);
  });
});
