import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import Latchkey from "../../lib/index";
import { resetForTests } from "../../lib/testing";
import Session from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";
import ThirdParty from "../../recipes/thirdparty/index";
import ThirdPartyEmailPassword from "../../recipes/thirdpartyemailpassword/index";
import type { ProviderInput } from "../../recipes/thirdparty/index";
import { APP_INFO } from "../helpers/app";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { signJWT, startFakeProvider, type FakeProvider } from "../helpers/fakeProvider";
import { rowCounts } from "../helpers/thirdparty";

const REDIRECT = "https://shop.example/auth/callback/x";

// init with only these providers, on an in-memory database: nothing here touches storage.
function initWith(providers: ProviderInput[]): void {
  Latchkey.init({
    appInfo: APP_INFO,
    database: "sqlite::memory:",
    recipeList: [Session.init(), ThirdParty.init({ signInAndUpFeature: { providers } })],
  });
}

const APPLE_KEY = crypto
  .generateKeyPairSync("ec", { namedCurve: "P-256" })
  .privateKey.export({ format: "pem", type: "pkcs8" })
  .toString();
// "oops" is what the test checks the message never quotes; a PEM carries no such word otherwise.
const RSA_KEY_WITH_OOPS = `${crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" }).toString()}\noops`;

describe("thirdparty: built-in providers and config validation", () => {
  afterEach(() => resetForTests());

  it("GitHub builds its authorisation URL from its preset: PKCE, its scopes, no OpenID nonce", async () => {
    initWith([{ config: { thirdPartyId: "github", clients: [{ clientId: "gh-client", clientSecret: "s" }] } }]);
    const github = await ThirdParty.getProvider("github");
    const { urlWithQueryParams, pkceCodeVerifier } = await github!.getAuthorisationRedirectURL({
      redirectURIOnProviderDashboard: REDIRECT,
      userContext: {},
    });
    const url = new URL(urlWithQueryParams);
    expect(url.origin + url.pathname).to.equal("https://github.com/login/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).to.deep.include({
      client_id: "gh-client",
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: "read:user user:email",
      code_challenge_method: "S256",
    });
    // OAuth 2.0 only: no OpenID nonce.
    expect(url.searchParams.has("nonce")).to.equal(false);
    expect(pkceCodeVerifier).to.match(/^[A-Za-z0-9_-]{43}$/);
  });

  it("fills in names and issuers of the built-in providers", async () => {
    initWith([
      { config: { thirdPartyId: "google", clients: [{ clientId: "g" }] } },
      {
        config: {
          thirdPartyId: "apple",
          clients: [{ clientId: "a", additionalConfig: { keyId: "k", teamId: "t", privateKey: APPLE_KEY } }],
        },
      },
      {
        config: {
          thirdPartyId: "microsoft",
          clients: [{ clientId: "m", additionalConfig: { directoryId: "contoso-tenant" } }],
        },
      },
    ]);
    const google = await ThirdParty.getProvider("google");
    expect(google!.config).to.deep.include({ name: "Google", issuer: "https://accounts.google.com" });
    expect(google!.config.client.scope).to.deep.equal(["openid", "email"]);
    const apple = await ThirdParty.getProvider("apple");
    expect(apple!.config).to.deep.include({ name: "Apple", issuer: "https://appleid.apple.com" });
    expect(apple!.config.client.forcePKCE).to.equal(false);
    const microsoft = await ThirdParty.getProvider("microsoft");
    expect(microsoft!.config).to.deep.include({
      name: "Microsoft",
      issuer: "https://login.microsoftonline.com/contoso-tenant/v2.0",
    });
    expect(await ThirdParty.getProvider("facebook")).to.equal(undefined);
  });

  const invalid: [string, unknown, RegExp][] = [
    ["no providers key", { signInAndUpFeature: {} }, /providers: must be an array/],
    [
      "providers that are not a list",
      { signInAndUpFeature: { providers: { google: {} } } },
      /providers: must be an array/,
    ],
    [
      "a provider without clients",
      { signInAndUpFeature: { providers: [{ config: { thirdPartyId: "google" } }] } },
      /clients: must be a non-empty array/,
    ],
    [
      "an unknown provider without endpoints",
      { signInAndUpFeature: { providers: [{ config: { thirdPartyId: "acme", clients: [{ clientId: "x" }] } }] } },
      /not a built-in provider/,
    ],
    [
      "an http endpoint off this machine",
      {
        signInAndUpFeature: {
          providers: [{ config: { thirdPartyId: "acme", issuer: "http://idp.example", clients: [{ clientId: "x" }] } }],
        },
      },
      /https URL/,
    ],
    [
      "the same provider twice",
      {
        signInAndUpFeature: {
          providers: [
            { config: { thirdPartyId: "google", clients: [{ clientId: "x" }] } },
            { config: { thirdPartyId: "google", clients: [{ clientId: "y" }] } },
          ],
        },
      },
      /listed twice/,
    ],
    [
      "two clients without clientType",
      {
        signInAndUpFeature: {
          providers: [{ config: { thirdPartyId: "google", clients: [{ clientId: "x" }, { clientId: "y" }] } }],
        },
      },
      /clientType/,
    ],
    [
      "an unknown option",
      {
        signInAndUpFeature: {
          providers: [{ config: { thirdPartyId: "google", clients: [{ clientId: "x" }], clientSecret: "oops" } }],
        },
      },
      /clientSecret/,
    ],
    [
      "a thirdPartyId with odd characters",
      { signInAndUpFeature: { providers: [{ config: { thirdPartyId: "a b", clients: [{ clientId: "x" }] } }] } },
      /thirdPartyId/,
    ],
    [
      "an Apple privateKey that cannot sign ES256 (an RSA key)",
      {
        signInAndUpFeature: {
          providers: [
            {
              config: {
                thirdPartyId: "apple",
                clients: [
                  { clientId: "x", additionalConfig: { keyId: "k", teamId: "t", privateKey: RSA_KEY_WITH_OOPS } },
                ],
              },
            },
          ],
        },
      },
      /privateKey: must be the PEM/,
    ],
    [
      "an Apple privateKey that is no key at all",
      {
        signInAndUpFeature: {
          providers: [
            {
              config: {
                thirdPartyId: "apple",
                clients: [{ clientId: "x", additionalConfig: { privateKey: "oops-not-a-key" } }],
              },
            },
          ],
        },
      },
      /privateKey: must be the PEM/,
    ],
    [
      "a sessionFeature hook that is not a function",
      {
        signInAndUpFeature: { providers: [{ config: { thirdPartyId: "google", clients: [{ clientId: "x" }] } }] },
        sessionFeature: { setJwtPayload: 1 },
      },
      /setJwtPayload: must be a function/,
    ],
  ];
  it("refuses ThirdPartyEmailPassword beside EmailPassword or ThirdParty (it includes them)", async () => {
    const providers = { providers: [{ config: { thirdPartyId: "google", clients: [{ clientId: "x" }] } }] };
    for (const other of [EmailPassword.init(), ThirdParty.init({ signInAndUpFeature: providers })]) {
      expect(() =>
        Latchkey.init({
          appInfo: APP_INFO,
          database: "sqlite::memory:",
          recipeList: [Session.init(), other, ThirdPartyEmailPassword.init(providers)],
        }),
      ).to.throw(/already includes (emailpassword|thirdparty): list only one/);
      await resetForTests();
    }
  });

  for (const [name, config, message] of invalid) {
    it(`refuses ${name} at init with INVALID_CONFIG`, () => {
      try {
        Latchkey.init({
          appInfo: APP_INFO,
          database: "sqlite::memory:",
          recipeList: [Session.init(), ThirdParty.init(config as never)],
        });
      } catch (err) {
        expect(Latchkey.Error.isErrorFromAuth(err)).to.equal(true);
        expect((err as InstanceType<typeof Latchkey.Error>).type).to.equal("INVALID_CONFIG");
        expect((err as Error).message).to.match(message);
        expect((err as Error).message).not.to.include("oops");
        return;
      }
      expect.fail("init accepted the config");
    });
  }
});

describe(`thirdparty: GitHub's OAuth 2.0 flow against a stand-in for its API on loopback (${testDbKind()})`, () => {
  let github: http.Server;
  let app: SessionTestApp;
  let emails: unknown = [{ email: "Octo@Example.com", primary: true, verified: true }];
  const seen: { token?: string; auth?: string } = {};

  before(async () => {
    github = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        if (req.url === "/login/oauth/access_token") {
          seen.token = body;
          return res.end(
            JSON.stringify({ access_token: "gho_test", token_type: "bearer", scope: "read:user,user:email" }),
          );
        }
        if (req.url === "/applications/gh-client/token") {
          // GitHub's "check a token": authenticated as the app, answers 404 for a token of another app.
          const ours =
            req.headers.authorization === `Basic ${Buffer.from("gh-client:gh-secret").toString("base64")}` &&
            (JSON.parse(body) as { access_token?: unknown }).access_token === "gho_test";
          res.statusCode = ours ? 200 : 404;
          return res.end(
            JSON.stringify(ours ? { token: "gho_test", app: { client_id: "gh-client" } } : { message: "Not Found" }),
          );
        }
        seen.auth = req.headers.authorization;
        if (req.url === "/user") return res.end(JSON.stringify({ id: 583231, login: "octocat" }));
        if (req.url === "/user/emails") return res.end(JSON.stringify(emails));
        res.statusCode = 404;
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          ThirdParty.init({
            signInAndUpFeature: {
              providers: [
                {
                  config: {
                    thirdPartyId: "github",
                    authorizationEndpoint: `${base}/login/oauth/authorize`,
                    tokenEndpoint: `${base}/login/oauth/access_token`,
                    userInfoEndpoint: `${base}/user`,
                    clients: [{ clientId: "gh-client", clientSecret: "gh-secret" }],
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
  after(async () => {
    await app.close();
    await new Promise((resolve) => github.close(resolve));
  });

  async function signIn() {
    const url = await app.client.request(
      "GET",
      `/auth/authorisationurl?${new URLSearchParams({ thirdPartyId: "github", redirectURIOnProviderDashboard: REDIRECT })}`,
    );
    return app.client.request("POST", "/auth/signinup", {
      body: {
        thirdPartyId: "github",
        redirectURIInfo: {
          redirectURIOnProviderDashboard: REDIRECT,
          redirectURIQueryParams: { code: "gh-code", state: "s" },
          pkceCodeVerifier: url.json.pkceCodeVerifier,
        },
      },
    });
  }

  it("exchanges the code with the PKCE verifier, reads the user and their primary verified email", async () => {
    const reply = await signIn();
    expect(reply.json).to.deep.include({ status: "OK", createdNewRecipeUser: true });
    expect(reply.json.user).to.deep.include({
      emails: ["octo@example.com"],
      thirdParty: [{ id: "github", userId: "583231" }],
    });
    const form = new URLSearchParams(seen.token);
    expect(Object.fromEntries(form)).to.deep.include({
      grant_type: "authorization_code",
      code: "gh-code",
      client_id: "gh-client",
      client_secret: "gh-secret",
      redirect_uri: REDIRECT,
    });
    expect(form.get("code_verifier")).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(seen.auth).to.equal("Bearer gho_test");
  });

  it("takes a native app's access token only once GitHub says it was issued to this app", async () => {
    const before = await rowCounts(app, ["thirdparty_users", "sessions"]);
    // Any GitHub token reads its owner's profile: one from another app must not sign its owner in here.
    for (const oAuthTokens of [
      { access_token: "gho_other_app" },
      { access_token: "gho_other_app", id_token: "not.checked.here" },
    ]) {
      const refused = await app.client.request("POST", "/auth/signinup", {
        body: { thirdPartyId: "github", oAuthTokens },
      });
      expect(refused.json).to.deep.equal({
        status: "SIGN_IN_UP_NOT_ALLOWED",
        reason: "The access token was not issued to this app",
      });
      expect(refused.setCookies).to.have.length(0);
    }
    expect(await rowCounts(app, ["thirdparty_users", "sessions"])).to.deep.equal(before);
    const ours = await app.client.request("POST", "/auth/signinup", {
      body: { thirdPartyId: "github", oAuthTokens: { access_token: "gho_test" } },
    });
    expect(ours.json).to.deep.include({ status: "OK" });
    expect(ours.json.user).to.deep.include({ thirdParty: [{ id: "github", userId: "583231" }] });
  });

  it("answers NO_EMAIL_GIVEN_BY_PROVIDER when GitHub gives no email, writing nothing", async () => {
    emails = [];
    try {
      const before = await rowCounts(app, ["thirdparty_users", "sessions"]);
      const reply = await signIn();
      expect(reply.json).to.deep.equal({ status: "NO_EMAIL_GIVEN_BY_PROVIDER" });
      expect(await rowCounts(app, ["thirdparty_users", "sessions"])).to.deep.equal(before);
    } finally {
      emails = [{ email: "Octo@Example.com", primary: true, verified: true }];
    }
  });
});

describe(`thirdparty: Microsoft's shared directory ({tenantid} issuer) on a stand-in discovery document (${testDbKind()})`, () => {
  let fake: FakeProvider;
  let directory: http.Server;
  let app: SessionTestApp;

  before(async () => {
    fake = await startFakeProvider();
    // What login.microsoftonline.com/common answers: a template issuer, whatever the directory asked for.
    directory = http.createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
          authorization_endpoint: `${fake.issuer}/authorize`,
          token_endpoint: `${fake.issuer}/token`,
          jwks_uri: `${fake.issuer}/jwks`,
        }),
      );
    });
    await new Promise<void>((resolve) => directory.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(directory.address() as AddressInfo).port}`;
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          ThirdParty.init({
            signInAndUpFeature: {
              providers: [
                {
                  config: {
                    thirdPartyId: "microsoft",
                    oidcDiscoveryEndpoint: `${base}/common/v2.0/.well-known/openid-configuration`,
                    clients: [{ clientId: fake.clientId }],
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
  after(async () => {
    await app.close();
    await fake.close();
    await new Promise((resolve) => directory.close(resolve));
  });

  it("accepts the template document, and an ID token whose iss is its own tid's directory, not another's", async () => {
    const token = (iss: string, tid: string, sub: string) =>
      signJWT({ alg: "RS256", kid: "k1" }, { ...fake.claims(undefined), iss, tid, sub }, fake.key);
    const signIn = (idToken: string) =>
      app.client.request("POST", "/auth/signinup", {
        body: { thirdPartyId: "microsoft", oAuthTokens: { id_token: idToken } },
      });
    const ok = await signIn(token("https://login.microsoftonline.com/t1/v2.0", "t1", "ms-user"));
    expect(ok.json, JSON.stringify(ok.json)).to.deep.include({ status: "OK", createdNewRecipeUser: true });
    const other = await signIn(token("https://login.microsoftonline.com/t1/v2.0", "t2", "ms-user-2"));
    expect(other.json).to.deep.equal({
      status: "SIGN_IN_UP_NOT_ALLOWED",
      reason: "The ID token was issued by another issuer",
    });
  });
});
