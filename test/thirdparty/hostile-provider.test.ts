import crypto from "node:crypto";
import { expect } from "chai";
import sinon from "sinon";
import ThirdParty from "../../recipes/thirdparty/index";
import { verifyIdToken } from "../../recipes/thirdparty/providers/idToken";
import { nonceFor } from "../../recipes/thirdparty/providers/pkce";
import { testDbKind } from "../helpers/db";
import { signJWT, startFakeProvider, type FakeProvider, type TokenEndpointMode } from "../helpers/fakeProvider";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { rowCounts } from "../helpers/thirdparty";

const REDIRECT = "http://localhost:3000/auth/callback/fake";
const TABLES = ["thirdparty_users", "sessions"];

describe(`thirdparty: a hostile or broken provider gets a clear answer and writes nothing (${testDbKind()})`, () => {
  let fake: FakeProvider;
  let app: SessionTestApp;
  const otherKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const verifiedSeen = new Map<string, boolean>();

  const oauth2Endpoints = () => ({
    authorizationEndpoint: `${fake.issuer}/authorize`,
    tokenEndpoint: `${fake.issuer}/token`,
    userInfoEndpoint: `${fake.issuer}/userinfo`,
  });

  before(async () => {
    fake = await startFakeProvider();
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          ThirdParty.init({
            // Records what each sign-in says of the email's verification (EmailVerification would trust it).
            override: {
              functions: (original) => ({
                ...original,
                signInUp: (input) => {
                  verifiedSeen.set(input.thirdPartyUserId, input.isVerified);
                  return original.signInUp(input);
                },
              }),
            },
            signInAndUpFeature: {
              providers: [
                {
                  config: {
                    thirdPartyId: "fake",
                    issuer: fake.issuer,
                    requestTimeout: 500,
                    clients: [{ clientId: fake.clientId, clientSecret: "s3cret-of-the-client" }],
                  },
                },
                // Its discovery document (the fake's) names the fake's issuer, not this one.
                {
                  config: {
                    thirdPartyId: "impostor",
                    issuer: `${fake.issuer}/impostor`,
                    oidcDiscoveryEndpoint: `${fake.issuer}/.well-known/openid-configuration`,
                    requestTimeout: 500,
                    clients: [{ clientId: fake.clientId }],
                  },
                },
                {
                  config: {
                    thirdPartyId: "gone",
                    issuer: "http://127.0.0.1:9",
                    requestTimeout: 500,
                    clients: [{ clientId: "x" }],
                  },
                },
                // OAuth 2.0 without OpenID: the user comes from the userinfo endpoint, with an access token.
                {
                  config: {
                    thirdPartyId: "plain-oauth2",
                    ...oauth2Endpoints(),
                    clients: [{ clientId: fake.clientId, scope: ["profile"] }],
                  },
                },
                {
                  config: {
                    thirdPartyId: "checked-oauth2",
                    ...oauth2Endpoints(),
                    validateAccessToken: ({ accessToken, clientConfig }) => {
                      if (accessToken !== `ours-${clientConfig.clientId}`) throw new Error("issued to another app");
                    },
                    clients: [{ clientId: fake.clientId, scope: ["profile"] }],
                  },
                },
              ],
            },
          }),
        ],
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
  });
  beforeEach(() => {
    ThirdParty.clearCaches();
    fake.discovery = "ok";
  });
  after(async () => {
    await app.close();
    await fake.close();
  });

  // Starts a flow at /authorisationurl, sets the token endpoint's behaviour, and posts the provider's "answer".
  async function signInWith(
    mode: TokenEndpointMode,
    options: { nonce?: "own" | "other" | "none"; sendVerifier?: false } = {},
  ) {
    const query = new URLSearchParams({ thirdPartyId: "fake", redirectURIOnProviderDashboard: REDIRECT });
    const url = await app.client.request("GET", `/auth/authorisationurl?${query}`);
    expect(url.json.status).to.equal("OK");
    const verifier = String(url.json.pkceCodeVerifier);
    const nonce =
      options.nonce === "none"
        ? undefined
        : options.nonce === "other"
          ? nonceFor(crypto.randomBytes(32).toString("base64url"))
          : nonceFor(verifier);
    fake.mode = mode;
    return app.client.request("POST", "/auth/signinup", {
      body: {
        thirdPartyId: "fake",
        redirectURIInfo: {
          redirectURIOnProviderDashboard: REDIRECT,
          redirectURIQueryParams: { code: nonce === undefined ? "plain" : `nonce:${nonce}`, state: "s" },
          pkceCodeVerifier: options.sendVerifier === false ? undefined : verifier,
        },
      },
    });
  }

  const signed = (
    change: (claims: Record<string, unknown>) => Record<string, unknown>,
    header: Record<string, unknown> = { alg: "RS256", kid: "k1" },
    key?: crypto.KeyObject | Buffer | null,
  ): TokenEndpointMode => ({
    kind: "idToken",
    token: (claims) => signJWT(header, change(claims), key === null ? undefined : (key ?? fake.key)),
  });
  const now = () => Math.floor(Date.now() / 1000);

  const refusals: [string, () => TokenEndpointMode, { nonce?: "own" | "other" | "none"; sendVerifier?: false }?][] = [
    ["an ID token signed by another key under the provider's kid", () => signed((c) => c, undefined, otherKey)],
    ["an ID token for another client (aud)", () => signed((c) => ({ ...c, aud: "someone-else" }))],
    ["an ID token from another issuer (iss)", () => signed((c) => ({ ...c, iss: "https://evil.example" }))],
    ["an expired ID token", () => signed((c) => ({ ...c, iat: now() - 7200, exp: now() - 3600 }))],
    ["an ID token issued in the future", () => signed((c) => ({ ...c, iat: now() + 3600, exp: now() + 7200 }))],
    ["an ID token with alg none", () => signed((c) => c, { alg: "none", kid: "k1" }, null)],
    [
      "an HS256 ID token keyed with the provider's public key (algorithm confusion)",
      () =>
        signed(
          (c) => c,
          { alg: "HS256", kid: "k1" },
          Buffer.from(crypto.createPublicKey(fake.key).export({ format: "pem", type: "spki" })),
        ),
    ],
    ["an ID token naming an unknown kid", () => signed((c) => c, { alg: "RS256", kid: "k2" })],
    [
      "an ID token naming a kid with path characters",
      () => signed((c) => c, { alg: "RS256", kid: "../../etc/passwd" }),
    ],
    [
      "an ID token with the signature stripped",
      () => ({
        kind: "idToken",
        token: (c) => `${signJWT({ alg: "RS256", kid: "k1" }, c, fake.key).split(".").slice(0, 2).join(".")}.`,
      }),
    ],
    [
      "an ID token whose payload was re-encoded (sub changed)",
      () => ({
        kind: "idToken",
        token: (c) => {
          const [h, , s] = signJWT({ alg: "RS256", kid: "k1" }, c, fake.key).split(".");
          return `${h}.${Buffer.from(JSON.stringify({ ...c, sub: "admin" })).toString("base64url")}.${s}`;
        },
      }),
    ],
    ["an ID token from another sign-in attempt (nonce)", () => signed((c) => c), { nonce: "other" }],
    ["an ID token without the nonce", () => signed((c) => c), { nonce: "none" }],
    // A code stolen from a flow this backend started, sent back without that flow's verifier: the provider does not
    // enforce PKCE (Apple), so only the nonce the ID token carries ties it to the victim's browser.
    [
      "a code sent back without its flow's verifier, whose ID token carries the flow's nonce",
      () => signed((c) => c),
      { sendVerifier: false },
    ],
    [
      "an ID token whose sub ends with a space (MySQL would find the user without it)",
      () => signed((c) => ({ ...c, sub: "fake-user-1 " })),
    ],
    ["an ID token not valid before a time an hour ahead (nbf)", () => signed((c) => ({ ...c, nbf: now() + 3600 }))],
    [
      "an ID token expired two minutes ago (beyond the 60 s of clock skew)",
      () => signed((c) => ({ ...c, exp: now() - 120 })),
    ],
    ["an ID token longer than 16 kB", () => signed((c) => ({ ...c, padding: "x".repeat(16 * 1024) }))],
    // The same RSA key verifies PS256 too, but the JWKS says it signs RS256 only.
    [
      "a PS256 ID token under a key published for RS256",
      () => ({
        kind: "idToken",
        token: (c) => {
          const unsigned = `${Buffer.from(JSON.stringify({ alg: "PS256", kid: "k1" })).toString("base64url")}.${Buffer.from(JSON.stringify(c)).toString("base64url")}`;
          const signature = crypto.sign("sha256", Buffer.from(unsigned), {
            key: fake.key,
            padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
            saltLength: 32,
          });
          return `${unsigned}.${signature.toString("base64url")}`;
        },
      }),
    ],
    // OpenID Connect Core 5.3.2: the userinfo answer (read for the email) is about another user.
    [
      "an ID token without email whose userinfo answer names another user",
      () => signed((c) => ({ ...c, email: undefined })),
    ],
    ["an ID token with several audiences and no azp", () => signed((c) => ({ ...c, aud: [fake.clientId, "other"] }))],
    ["an ID token without sub", () => signed((c) => ({ ...c, sub: undefined }))],
    ["an ID token that is not a JWT", () => ({ kind: "idToken", token: () => "garbage" })],
    [
      "a token endpoint refusing the code (invalid_grant)",
      () => ({ kind: "status", status: 400, body: JSON.stringify({ error: "invalid_grant" }) }),
    ],
  ];
  for (const [name, mode, options] of refusals) {
    it(`refuses ${name}: SIGN_IN_UP_NOT_ALLOWED`, async () => {
      const before = await rowCounts(app, TABLES);
      const reply = await signInWith(mode(), options);
      expect(reply.status).to.equal(200);
      expect(reply.json.status, JSON.stringify(reply.json)).to.equal("SIGN_IN_UP_NOT_ALLOWED");
      expect(JSON.stringify(reply.json)).not.to.include("s3cret-of-the-client");
      expect(reply.setCookies).to.have.length(0);
      expect(await rowCounts(app, TABLES)).to.deep.equal(before);
    });
  }

  const failures: [string, () => TokenEndpointMode][] = [
    ["a token endpoint answering 500", () => ({ kind: "status", status: 500, body: "{}" })],
    [
      "a token endpoint answering HTML",
      () => ({ kind: "status", status: 200, body: "<html>oops</html>", contentType: "text/html" }),
    ],
    ["a token endpoint answering a JSON array", () => ({ kind: "status", status: 200, body: "[1,2]" })],
    ["a token endpoint that never answers (the call times out)", () => ({ kind: "hang" })],
    [
      "a token endpoint answering more than 1 MB",
      () => ({ kind: "status", status: 200, body: JSON.stringify({ access_token: "x".repeat(1024 * 1024) }) }),
    ],
  ];
  for (const [name, mode] of failures) {
    it(`answers ${name} with GENERAL_ERROR and a message`, async () => {
      const before = await rowCounts(app, TABLES);
      const reply = await signInWith(mode());
      expect(reply.status).to.equal(200);
      expect(reply.json.status).to.equal("GENERAL_ERROR");
      expect(reply.json.message)
        .to.be.a("string")
        .and.match(/login provider/);
      expect(await rowCounts(app, TABLES)).to.deep.equal(before);
    });
  }

  it("answers a provider that is down, or whose discovery hangs or is garbage, with GENERAL_ERROR at /authorisationurl", async () => {
    const gone = await app.client.request(
      "GET",
      `/auth/authorisationurl?${new URLSearchParams({ thirdPartyId: "gone", redirectURIOnProviderDashboard: REDIRECT })}`,
    );
    expect(gone.status).to.equal(200);
    expect(gone.json).to.deep.equal({
      status: "GENERAL_ERROR",
      message: "The login provider could not be reached (discovery)",
    });
    for (const discovery of ["hang", "garbage"] as const) {
      ThirdParty.clearCaches();
      fake.discovery = discovery;
      const reply = await app.client.request(
        "GET",
        `/auth/authorisationurl?${new URLSearchParams({ thirdPartyId: "fake", redirectURIOnProviderDashboard: REDIRECT })}`,
      );
      expect(reply.json.status, discovery).to.equal("GENERAL_ERROR");
    }
  });

  it("answers a discovery document that names another issuer with GENERAL_ERROR (OpenID Connect Discovery 4.3)", async () => {
    const query = new URLSearchParams({ thirdPartyId: "impostor", redirectURIOnProviderDashboard: REDIRECT });
    const reply = await app.client.request("GET", `/auth/authorisationurl?${query}`);
    expect(reply.status).to.equal(200);
    expect(reply.json).to.deep.equal({
      status: "GENERAL_ERROR",
      message: "The login provider's discovery document names another issuer",
    });
  });

  it("signs in with a correct ID token from the same provider (the cases above fail for their one fault only)", async () => {
    const before = await rowCounts(app, TABLES);
    const reply = await signInWith(signed((c) => c));
    expect(reply.json).to.deep.include({ status: "OK", createdNewRecipeUser: true });
    expect(await rowCounts(app, TABLES)).to.deep.equal({
      thirdparty_users: (before.thirdparty_users ?? 0) + 1,
      sessions: (before.sessions ?? 0) + 1,
    });
  });

  const badRequests: [string, string, string, unknown][] = [
    [
      "no thirdPartyId",
      "GET",
      `/auth/authorisationurl?redirectURIOnProviderDashboard=${encodeURIComponent(REDIRECT)}`,
      undefined,
    ],
    [
      "an unknown thirdPartyId",
      "GET",
      `/auth/authorisationurl?thirdPartyId=nope&redirectURIOnProviderDashboard=${encodeURIComponent(REDIRECT)}`,
      undefined,
    ],
    ["no redirect URI", "GET", "/auth/authorisationurl?thirdPartyId=fake", undefined],
    [
      "a javascript: redirect URI",
      "GET",
      `/auth/authorisationurl?thirdPartyId=fake&redirectURIOnProviderDashboard=${encodeURIComponent("javascript:alert(1)")}`,
      undefined,
    ],
    ["signinup without a body", "POST", "/auth/signinup", undefined],
    ["signinup with neither redirectURIInfo nor oAuthTokens", "POST", "/auth/signinup", { thirdPartyId: "fake" }],
    [
      "signinup with query params that are not an object",
      "POST",
      "/auth/signinup",
      {
        thirdPartyId: "fake",
        redirectURIInfo: { redirectURIOnProviderDashboard: REDIRECT, redirectURIQueryParams: "code=1" },
      },
    ],
    [
      "signinup without a code",
      "POST",
      "/auth/signinup",
      {
        thirdPartyId: "fake",
        redirectURIInfo: { redirectURIOnProviderDashboard: REDIRECT, redirectURIQueryParams: {} },
      },
    ],
    [
      "signinup with a malformed verifier",
      "POST",
      "/auth/signinup",
      {
        thirdPartyId: "fake",
        redirectURIInfo: {
          redirectURIOnProviderDashboard: REDIRECT,
          redirectURIQueryParams: { code: "c" },
          pkceCodeVerifier: "short'--",
        },
      },
    ],
    [
      "signinup with a thirdPartyId of the wrong type",
      "POST",
      "/auth/signinup",
      { thirdPartyId: { $ne: "" }, oAuthTokens: {} },
    ],
  ];
  for (const [name, method, path, body] of badRequests) {
    it(`answers ${name} with 400 and a message, writing nothing`, async () => {
      const before = await rowCounts(app, TABLES);
      const reply = await app.client.request(method, path, { body });
      expect(reply.status).to.equal(400);
      expect(reply.json.message).to.be.a("string");
      expect(await rowCounts(app, TABLES)).to.deep.equal(before);
    });
  }

  it("accepts ID tokens a native app got itself (oAuthTokens), verified the same way", async () => {
    const valid = signJWT({ alg: "RS256", kid: "k1" }, { ...fake.claims(undefined), sub: "native-user" }, fake.key);
    const ok = await app.client.request("POST", "/auth/signinup", {
      body: { thirdPartyId: "fake", oAuthTokens: { id_token: valid } },
    });
    expect(ok.json).to.deep.include({ status: "OK", createdNewRecipeUser: true });
    const before = await rowCounts(app, TABLES);
    const forged = signJWT({ alg: "RS256", kid: "k1" }, { ...fake.claims(undefined), sub: "native-user-2" }, otherKey);
    const refused = await app.client.request("POST", "/auth/signinup", {
      body: { thirdPartyId: "fake", oAuthTokens: { id_token: forged } },
    });
    expect(refused.json.status).to.equal("SIGN_IN_UP_NOT_ALLOWED");
    expect(await rowCounts(app, TABLES)).to.deep.equal(before);
  });

  it("refuses a native app's access token alone when the provider cannot say it was issued to this client", async () => {
    const before = await rowCounts(app, TABLES);
    const refused = await app.client.request("POST", "/auth/signinup", {
      body: { thirdPartyId: "plain-oauth2", oAuthTokens: { access_token: "from-another-app" } },
    });
    expect(refused.json.status, JSON.stringify(refused.json)).to.equal("SIGN_IN_UP_NOT_ALLOWED");
    const foreign = await app.client.request("POST", "/auth/signinup", {
      body: { thirdPartyId: "checked-oauth2", oAuthTokens: { access_token: "from-another-app" } },
    });
    expect(foreign.json).to.deep.equal({
      status: "SIGN_IN_UP_NOT_ALLOWED",
      reason: "The access token was not issued to this app",
    });
    expect(refused.setCookies.length + foreign.setCookies.length).to.equal(0);
    expect(await rowCounts(app, TABLES)).to.deep.equal(before);
    const ours = await app.client.request("POST", "/auth/signinup", {
      body: { thirdPartyId: "checked-oauth2", oAuthTokens: { access_token: `ours-${fake.clientId}` } },
    });
    expect(ours.json).to.deep.include({ status: "OK", createdNewRecipeUser: true });
    expect(ours.json.user).to.deep.include({
      thirdParty: [{ id: "checked-oauth2", userId: `owner-of-ours-${fake.clientId}` }],
    });
  });

  it("trusts the access token of a code this backend exchanged itself, without an access-token check", async () => {
    const query = new URLSearchParams({ thirdPartyId: "plain-oauth2", redirectURIOnProviderDashboard: REDIRECT });
    const url = await app.client.request("GET", `/auth/authorisationurl?${query}`);
    fake.mode = {
      kind: "status",
      status: 200,
      body: JSON.stringify({ access_token: "exchanged", token_type: "Bearer" }),
    };
    const reply = await app.client.request("POST", "/auth/signinup", {
      body: {
        thirdPartyId: "plain-oauth2",
        redirectURIInfo: {
          redirectURIOnProviderDashboard: REDIRECT,
          redirectURIQueryParams: { code: "c" },
          pkceCodeVerifier: url.json.pkceCodeVerifier,
        },
      },
    });
    expect(reply.json).to.deep.include({ status: "OK", createdNewRecipeUser: true });
    expect(reply.json.user).to.deep.include({ thirdParty: [{ id: "plain-oauth2", userId: "owner-of-exchanged" }] });
  });

  it("keeps provider user ids apart byte for byte: a trailing space is refused, never matched to another user", async () => {
    const alice = await ThirdParty.manuallyCreateOrUpdateUser("fake", "alice-pad", "alice@example.com", false);
    const before = await rowCounts(app, TABLES);
    let caught: unknown;
    try {
      await ThirdParty.manuallyCreateOrUpdateUser("fake", "alice-pad ", "mallory@example.com", false);
    } catch (err) {
      caught = err;
    }
    expect(caught)
      .to.be.instanceOf(Error)
      .with.property("message")
      .that.matches(/white space/);
    expect(await ThirdParty.getUserByThirdPartyInfo("fake", "alice-pad ")).to.equal(undefined);
    expect((await ThirdParty.getUserByThirdPartyInfo("fake", "alice-pad"))?.id).to.equal(alice.user.id);
    expect((await ThirdParty.getUserById(alice.user.id))?.email).to.equal("alice@example.com");
    expect(await rowCounts(app, TABLES)).to.deep.equal(before);
  });

  // oauth4webapi's policy: an unknown kid refetches the key set only when the cached one is a minute old or more.
  it("refetches the JWKS for an unknown kid at most once a minute, however many forged kids arrive", async () => {
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    try {
      const idToken = (kid: string) =>
        signJWT({ alg: "RS256", kid }, { ...fake.claims(undefined), sub: `kid-${kid}` }, fake.key);
      const first = await app.client.request("POST", "/auth/signinup", {
        body: { thirdPartyId: "fake", oAuthTokens: { id_token: idToken("k1") } },
      });
      expect(first.json.status).to.equal("OK");
      const fetches = fake.jwksFetches;
      for (const kid of ["forged-1", "forged-2", "forged-3"]) {
        const reply = await app.client.request("POST", "/auth/signinup", {
          body: { thirdPartyId: "fake", oAuthTokens: { id_token: idToken(kid) } },
        });
        expect(reply.json).to.deep.equal({
          status: "SIGN_IN_UP_NOT_ALLOWED",
          reason: "The ID token was signed by an unknown key",
        });
      }
      expect(fake.jwksFetches).to.equal(fetches);
      clock.tick(31_000);
      await app.client.request("POST", "/auth/signinup", {
        body: { thirdPartyId: "fake", oAuthTokens: { id_token: idToken("forged-4") } },
      });
      expect(fake.jwksFetches).to.equal(fetches);
      clock.tick(30_000);
      await app.client.request("POST", "/auth/signinup", {
        body: { thirdPartyId: "fake", oAuthTokens: { id_token: idToken("forged-5") } },
      });
      expect(fake.jwksFetches).to.equal(fetches + 1);
    } finally {
      clock.restore();
    }
  });

  it("counts a provider's email as verified only when it says so (true, or Apple's \"true\")", async () => {
    const cases: [unknown, boolean][] = [
      [true, true],
      ["true", true],
      [false, false],
      ["false", false],
      [undefined, false],
      [1, false],
    ];
    for (const [i, [claim]] of cases.entries()) {
      const idToken = signJWT(
        { alg: "RS256", kid: "k1" },
        { ...fake.claims(undefined), sub: `ev-${i}`, email_verified: claim },
        fake.key,
      );
      const reply = await app.client.request("POST", "/auth/signinup", {
        body: { thirdPartyId: "fake", oAuthTokens: { id_token: idToken } },
      });
      expect(reply.json.status).to.equal("OK");
    }
    expect(cases.map((_, i) => verifiedSeen.get(`ev-${i}`))).to.deep.equal(cases.map(([, verified]) => verified));
  });

  it("matches a multi-tenant issuer ({tenantid}) to the token's own tid, literally", async () => {
    const expectations = {
      jwksURI: `${fake.issuer}/jwks`,
      issuers: ["https://login.example/{tenantid}/v2.0"],
      clientId: fake.clientId,
      nonce: undefined,
      timeoutMs: 500,
    };
    const token = (iss: string, tid: string) =>
      signJWT({ alg: "RS256", kid: "k1" }, { ...fake.claims(undefined), iss, tid }, fake.key);
    expect(await verifyIdToken(token("https://login.example/t1/v2.0", "t1"), expectations)).to.include({ tid: "t1" });
    const outcomes: string[] = [];
    // Another tenant's issuer, and a tid that a string replacement would read as a pattern ($` = "what came before").
    for (const [iss, tid] of [
      ["https://login.example/t1/v2.0", "t2"],
      ["https://login.example/https://login.example//v2.0", "$`"],
    ] as const) {
      outcomes.push(
        await verifyIdToken(token(iss, tid), expectations).then(
          () => "accepted",
          (err: Error) => err.message,
        ),
      );
    }
    expect(outcomes).to.deep.equal([
      "The ID token was issued by another issuer",
      "The ID token was issued by another issuer",
    ]);
  });

  it("answers a provider's error redirect (the user cancelled) with GENERAL_ERROR", async () => {
    const reply = await app.client.request("POST", "/auth/signinup", {
      body: {
        thirdPartyId: "fake",
        redirectURIInfo: {
          redirectURIOnProviderDashboard: REDIRECT,
          redirectURIQueryParams: { error: "access_denied" },
        },
      },
    });
    expect(reply.json).to.deep.equal({
      status: "GENERAL_ERROR",
      message: "The login provider did not complete the sign-in",
    });
  });
});
