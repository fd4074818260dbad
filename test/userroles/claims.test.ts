import { expect } from "chai";
import { Latchkey as Core } from "../../lib/latchkey";
import EmailPassword from "../../recipes/emailpassword/index";
import ThirdParty from "../../recipes/thirdparty/index";
import UserRoles, { PermissionClaim, UserRoleClaim } from "../../recipes/userroles/index";
import { testDbKind } from "../helpers/db";
import { decodeFrontToken } from "../helpers/http";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc";
import { providerRedirect } from "../helpers/thirdparty";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import type { AppRoute } from "../helpers/frameworks";

const credentials = (email: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: "password1" },
  ],
});

// A route only admins pass; /refresh-roles fetches the roles claim again into the session (after a change). Written
// once for every framework (LATCHKEY_TEST_FRAMEWORK picks the one the file runs on).
const ROUTES: AppRoute[] = [
  {
    method: "GET",
    path: "/admin",
    verify: { overrideGlobalClaimValidators: (globals) => [...globals, UserRoleClaim.validators.includes("admin")] },
    handle: ({ session }) => ({ ok: true, userId: session?.getUserId() }),
  },
  {
    method: "POST",
    path: "/refresh-roles",
    verify: {},
    handle: async ({ session }) => {
      await session?.fetchAndSetClaim(UserRoleClaim);
      await session?.fetchAndSetClaim(PermissionClaim);
      return { ok: true };
    },
  },
  {
    method: "GET",
    path: "/assert",
    verify: {},
    handle: async ({ session, req }) => {
      const validators = {
        excludes: UserRoleClaim.validators.excludes("banned"),
        includesAll: UserRoleClaim.validators.includesAll(["admin", "editor"]),
        includesAny: UserRoleClaim.validators.includesAny(["admin", "editor"]),
        excludesAll: UserRoleClaim.validators.excludesAll(["banned", "admin"]),
        perm: PermissionClaim.validators.includes("orders:write"),
      };
      await session?.assertClaims([validators[(req.getQuery("v") ?? "") as keyof typeof validators]]);
      return { ok: true };
    },
  },
];

describe(`userroles: st-role and st-perm in the access token, checked by claim validators (${testDbKind()})`, () => {
  let idp: TestOidcProvider;
  let app: SessionTestApp;

  before(async () => {
    idp = await startOidcProvider();
    app = await startSessionApp(
      {},
      {
        routes: ROUTES,
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            override: {
              functions: (original) => ({
                ...original,
                signUp: async (input) => {
                  const result = await original.signUp(input);
                  if (result.status === "OK") await UserRoles.addRoleToUser(input.tenantId, result.user.id, "customer");
                  return result;
                },
              }),
            },
          }),
          ThirdParty.init({
            signInAndUpFeature: {
              providers: [
                {
                  config: {
                    thirdPartyId: "test-oidc",
                    issuer: idp.issuer,
                    clients: [{ clientId: idp.clientId, clientSecret: idp.clientSecret, scope: ["openid", "email"] }],
                  },
                },
              ],
            },
            override: {
              functions: (original) => ({
                ...original,
                signInUp: async (input) => {
                  const result = await original.signInUp(input);
                  if (result.status === "OK" && result.createdNewUser) {
                    await UserRoles.addRoleToUser(input.tenantId, result.user.id, "customer");
                  }
                  return result;
                },
              }),
            },
          }),
          UserRoles.init(),
        ],
      },
    );
    await UserRoles.createNewRoleOrAddPermissions("customer", ["orders:read"]);
    await UserRoles.createNewRoleOrAddPermissions("admin", ["orders:read", "orders:write"]);
    await UserRoles.createNewRoleOrAddPermissions("editor", []);
  });
  beforeEach(() => {
    app.client.jar.clear();
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
  });
  after(async () => {
    await app.close();
    await idp.close();
  });

  it("EmailPassword sign-up: roles and permissions in the token in SuperTokens' shape; 403 for /admin, a pass after addRoleToUser + fetchAndSetClaim", async () => {
    const up = await app.client.request("POST", "/auth/signup", { body: credentials("shopper@b.co") });
    expect(up.json.status).to.equal("OK");
    const payload = decodeFrontToken(up.headers.get("front-token")).up;
    expect(payload["st-role"]).to.have.keys(["v", "t"]);
    expect((payload["st-role"] as { v: unknown }).v).to.deep.equal(["customer"]);
    expect((payload["st-perm"] as { v: unknown }).v).to.deep.equal(["orders:read"]);
    expect((payload["st-role"] as { t: unknown }).t).to.be.a("number");

    const denied = await app.client.request("GET", "/admin");
    expect(denied.status).to.equal(403);
    expect(denied.json).to.deep.equal({
      message: "invalid claim",
      claimValidationErrors: [
        { id: "st-role", reason: { message: "wrong value", expectedToInclude: "admin", actualValue: ["customer"] } },
      ],
    });

    const userId = (up.json.user as { id: string }).id;
    expect(await UserRoles.addRoleToUser("public", userId, "admin")).to.deep.equal({
      status: "OK",
      didUserAlreadyHaveRole: false,
    });
    // The token still says "customer" until the claim is fetched again: no database read per request.
    expect((await app.client.request("GET", "/admin")).status).to.equal(403);
    const refreshed = await app.client.request("POST", "/refresh-roles", { body: {} });
    expect(refreshed.status).to.equal(200);
    const newPayload = decodeFrontToken(refreshed.headers.get("front-token")).up;
    expect((newPayload["st-role"] as { v: unknown }).v).to.deep.equal(["admin", "customer"]);
    expect((newPayload["st-perm"] as { v: string[] }).v.sort()).to.deep.equal(["orders:read", "orders:write"]);
    const ok = await app.client.request("GET", "/admin");
    expect(ok.status).to.equal(200);
    expect(ok.json.userId).to.equal(userId);
  });

  it("verifySession with UserRoleClaim.includes makes no database query when the claim is in the token", async () => {
    const up = await app.client.request("POST", "/auth/signup", { body: credentials("quiet@b.co") });
    await UserRoles.addRoleToUser("public", (up.json.user as { id: string }).id, "admin");
    await app.client.request("POST", "/refresh-roles", { body: {} });
    const knex = Core.getInstanceOrThrow().database.knex;
    let queries = 0;
    const count = (): void => void queries++;
    knex.on("query", count);
    try {
      for (let i = 0; i < 5; i++) expect((await app.client.request("GET", "/admin")).status).to.equal(200);
    } finally {
      knex.removeListener("query", count);
    }
    expect(queries).to.equal(0);
  });

  it("ThirdParty sign-up: the first token carries the roles given at sign-up", async () => {
    const flow = await providerRedirect(app, idp, "rolesuser");
    const up = await app.client.request("POST", "/auth/signinup", { body: flow.body });
    expect(up.json).to.deep.include({ status: "OK", createdNewRecipeUser: true });
    const payload = decodeFrontToken(up.headers.get("front-token")).up;
    expect((payload["st-role"] as { v: unknown }).v).to.deep.equal(["customer"]);
    expect((payload["st-perm"] as { v: unknown }).v).to.deep.equal(["orders:read"]);
    expect((await app.client.request("GET", "/admin")).status).to.equal(403);
  });

  it("the other validators pass and fail with SuperTokens' reasons in session.assertClaims", async () => {
    const up = await app.client.request("POST", "/auth/signup", { body: credentials("validators@b.co") });
    expect(up.json.status).to.equal("OK");
    const status = async (v: string) => (await app.client.request("GET", `/assert?v=${v}`)).status;
    expect(await status("excludes")).to.equal(200);
    expect(await status("excludesAll")).to.equal(200);
    const any = await app.client.request("GET", "/assert?v=includesAny");
    expect(any.status).to.equal(403);
    expect(any.json.claimValidationErrors).to.deep.equal([
      {
        id: "st-role",
        reason: {
          message: "wrong value",
          expectedToIncludeAtLeastOneOf: ["admin", "editor"],
          actualValue: ["customer"],
        },
      },
    ]);
    const all = await app.client.request("GET", "/assert?v=includesAll");
    expect(all.json.claimValidationErrors).to.deep.equal([
      {
        id: "st-role",
        reason: { message: "wrong value", expectedToInclude: ["admin", "editor"], actualValue: ["customer"] },
      },
    ]);
    const perm = await app.client.request("GET", "/assert?v=perm");
    expect(perm.json.claimValidationErrors).to.deep.equal([
      {
        id: "st-perm",
        reason: { message: "wrong value", expectedToInclude: "orders:write", actualValue: ["orders:read"] },
      },
    ]);
    await UserRoles.addRoleToUser("public", (up.json.user as { id: string }).id, "admin");
    await app.client.request("POST", "/refresh-roles", { body: {} });
    expect(await status("includesAny")).to.equal(200);
    expect(await status("perm")).to.equal(200);
    const excludesAll = await app.client.request("GET", "/assert?v=excludesAll");
    expect(excludesAll.json.claimValidationErrors).to.deep.equal([
      {
        id: "st-role",
        reason: {
          message: "wrong value",
          expectedToNotInclude: ["banned", "admin"],
          actualValue: ["admin", "customer"],
        },
      },
    ]);
  });
});

describe(`userroles: the design card's scenario the other way, and tokens without the claim (${testDbKind()})`, () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("skipAdding... leaves the claims out; a createNewSession override adds `role` from getRolesForUser (seed 004); includes fetches the missing claim once", async () => {
    app = await startSessionApp(
      {
        override: {
          functions: (original) => ({
            ...original,
            createNewSession: async (input) => {
              const { roles } = await UserRoles.getRolesForUser(input.tenantId ?? "public", input.userId);
              input.jwtPayload = { ...input.jwtPayload, role: roles[0] ?? "guest" };
              return original.createNewSession(input);
            },
          }),
        },
      },
      {
        routes: ROUTES,
        extraRecipes: [
          UserRoles.init({ skipAddingRolesToAccessToken: true, skipAddingPermissionsToAccessToken: true }),
        ],
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    await UserRoles.createNewRoleOrAddPermissions("admin", []);
    await UserRoles.addRoleToUser("public", "app-user-7", "admin");
    const login = await app.client.request("POST", "/login", { body: { userId: "app-user-7" } });
    const payload = decodeFrontToken(login.headers.get("front-token")).up;
    expect(payload.role).to.equal("admin");
    expect(payload).to.not.have.property("st-role");
    expect(payload).to.not.have.property("st-perm");
    // The validator finds no st-role in the token (as in a token issued before the recipe): fetched, then passed.
    const first = await app.client.request("GET", "/admin");
    expect(first.status).to.equal(200);
    expect((decodeFrontToken(first.headers.get("front-token")).up["st-role"] as { v: unknown }).v).to.deep.equal([
      "admin",
    ]);
    const second = await app.client.request("GET", "/admin");
    expect(second.status).to.equal(200);
    expect(second.headers.get("front-token")).to.equal(null);
  });
});
