import { expect } from "chai";
import type express from "express";
import sinon from "sinon";
import { Latchkey as Core } from "../../lib/latchkey";
import Session from "../../recipes/session/index";
import UserRoles, { PermissionClaim, UserRoleClaim } from "../../recipes/userroles/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { testDbKind } from "../helpers/db";
import { decodeFrontToken } from "../helpers/http";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

/** The statements knex sends while `fn` runs, and what `fn` returned. */
async function withQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const knex = Core.getInstanceOrThrow().database.knex;
  const queries: string[] = [];
  const record = (q: { sql: string }): void => void queries.push(q.sql);
  knex.on("query", record);
  try {
    return { result: await fn(), queries };
  } finally {
    knex.removeListener("query", record);
  }
}

function addRoutes(app: express.Express): void {
  app.get(
    "/admin",
    verifySession({
      overrideGlobalClaimValidators: (globals) => [...globals, UserRoleClaim.validators.includes("admin")],
    }),
    (_req: SessionRequest, res) => void res.json({ ok: true }),
  );
  app.get(
    "/orders",
    verifySession({
      overrideGlobalClaimValidators: (globals) => [...globals, PermissionClaim.validators.includes("orders:write")],
    }),
    (_req: SessionRequest, res) => void res.json({ ok: true }),
  );
}

const roleIn = (front: string | null): unknown => (decodeFrontToken(front).up["st-role"] as { v: unknown }).v;

describe(`userroles: roles and permissions in the token go stale after 300 s and are fetched again (${testDbKind()})`, () => {
  let app: SessionTestApp;
  let clock: sinon.SinonFakeTimers | undefined;

  beforeEach(async () => {
    app = await startSessionApp({}, { addRoutes, extraRecipes: [UserRoles.init()] });
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    await UserRoles.createNewRoleOrAddPermissions("admin", ["orders:read", "orders:write"]);
    await UserRoles.addRoleToUser("public", "staff-1", "admin");
  });
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await app.close();
  });

  it("the validators default to SuperTokens' max age of 300 s; an explicit one wins", () => {
    expect(UserRoleClaim.defaultMaxAgeInSeconds).to.equal(300);
    expect(PermissionClaim.defaultMaxAgeInSeconds).to.equal(300);
    const byDefault = UserRoleClaim.validators.includes("admin") as unknown as { maxAgeInSeconds: unknown };
    expect(byDefault.maxAgeInSeconds).to.equal(300);
    const explicit = PermissionClaim.validators.excludesAll(["x"], 30) as unknown as { maxAgeInSeconds: unknown };
    expect(explicit.maxAgeInSeconds).to.equal(30);
  });

  it("a removed role passes, with no query, while the token's list is fresh; after 300 s the next request fetches it (one query), gets 403 and the new token", async () => {
    clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    const login = await app.client.request("POST", "/login", { body: { userId: "staff-1" } });
    expect(roleIn(login.headers.get("front-token"))).to.deep.equal(["admin"]);
    const fresh = await withQueries(() => app.client.request("GET", "/admin"));
    expect(fresh.result.status).to.equal(200);
    expect(fresh.queries).to.deep.equal([]);

    expect(await UserRoles.removeUserRole("public", "staff-1", "admin")).to.deep.equal({
      status: "OK",
      didUserHaveRole: true,
    });
    clock.tick(299_000);
    // Still within the max age: the token's list is trusted, as SuperTokens trusts it, at no database cost. (The
    // session recipe re-reads its signing keys after this long; that read is the keys', not the claim's.)
    const stillFresh = await withQueries(() => app.client.request("GET", "/admin"));
    expect(stillFresh.result.status).to.equal(200);
    expect(stillFresh.queries.filter((sql) => !/session_signing_keys/.test(sql))).to.deep.equal([]);

    clock.tick(2_000);
    const stale = await withQueries(() => app.client.request("GET", "/admin"));
    expect(stale.result.status).to.equal(403);
    expect(stale.result.json).to.deep.equal({
      message: "invalid claim",
      claimValidationErrors: [
        { id: "st-role", reason: { message: "wrong value", expectedToInclude: "admin", actualValue: [] } },
      ],
    });
    // One read of the roles, then the session's payload is stored for later refreshes (the claim-update path).
    const reads = stale.queries.filter((sql) => /userroles_user_roles/.test(sql));
    expect(reads).to.have.length(1);
    expect(stale.queries.filter((sql) => /userroles_permissions/.test(sql))).to.deep.equal([]);
    expect(stale.queries.filter((sql) => /sessions/.test(sql)).length).to.be.at.least(1);
    const front = stale.result.headers.get("front-token");
    expect(roleIn(front)).to.deep.equal([]);
    expect((decodeFrontToken(front).up["st-role"] as { t: number }).t).to.equal(Date.now());

    // The new token is fresh again: the next request is a 403 without a query.
    const after = await withQueries(() => app.client.request("GET", "/admin"));
    expect(after.result.status).to.equal(403);
    expect(after.queries).to.deep.equal([]);
    // And a refresh carries the refetched list, not the one of sign-in.
    const refreshed = await app.client.request("POST", "/auth/session/refresh", { body: {} });
    expect(refreshed.status).to.equal(200);
    expect(roleIn(refreshed.headers.get("front-token"))).to.deep.equal([]);
  });

  it("a role added after sign-in passes once the list is 300 s old, without fetchAndSetClaim", async () => {
    clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    await app.client.request("POST", "/login", { body: { userId: "newcomer" } });
    expect((await app.client.request("GET", "/admin")).status).to.equal(403);
    await UserRoles.addRoleToUser("public", "newcomer", "admin");
    expect((await app.client.request("GET", "/admin")).status).to.equal(403);
    clock.tick(301_000);
    expect((await app.client.request("GET", "/admin")).status).to.equal(200);
  });

  it("PermissionClaim goes stale the same way: a permission removed from the role stops passing after 300 s", async () => {
    clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    await app.client.request("POST", "/login", { body: { userId: "staff-1" } });
    expect((await app.client.request("GET", "/orders")).status).to.equal(200);
    await UserRoles.removePermissionsFromRole("admin", ["orders:write"]);
    expect((await app.client.request("GET", "/orders")).status).to.equal(200);
    clock.tick(301_000);
    const stale = await withQueries(() => app.client.request("GET", "/orders"));
    expect(stale.result.status).to.equal(403);
    expect(stale.result.json.claimValidationErrors).to.deep.equal([
      {
        id: "st-perm",
        reason: { message: "wrong value", expectedToInclude: "orders:write", actualValue: ["orders:read"] },
      },
    ]);
    // The roles, then every role's permissions in one statement.
    expect(stale.queries.filter((sql) => /userroles_/.test(sql))).to.have.length(2);
  });

  it("maxAgeInSeconds Infinity never refetches: the list of sign-in stands until fetchAndSetClaim", async () => {
    clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    const created = await Session.createNewSessionWithoutRequestResponse("staff-1", {});
    const session = await Session.getSessionWithoutRequestResponse(created.getAccessToken());
    await UserRoles.removeUserRole("public", "staff-1", "admin");
    clock.tick(3_000_000);
    const never = await withQueries(() => session.assertClaims([UserRoleClaim.validators.includes("admin", Infinity)]));
    expect(never.queries).to.deep.equal([]);
    let failure: unknown;
    try {
      await session.assertClaims([UserRoleClaim.validators.includes("admin")]);
    } catch (err) {
      failure = err;
    }
    expect(Session.Error.isSessionError(failure) && failure.type).to.equal("INVALID_CLAIMS");
    expect(session.getClaimValue(UserRoleClaim)).to.deep.equal([]);
  });
});

describe(`userroles: PermissionClaim costs two queries however many roles (${testDbKind()})`, () => {
  let lk: TestLatchkey | undefined;
  afterEach(async () => {
    await lk?.cleanup();
    lk = undefined;
  });

  it("a user with 12 roles: getRolesForUser, then one statement for all their permissions, deduplicated and sorted", async () => {
    lk = initLatchkey([Session.init(), UserRoles.init()]);
    for (let i = 0; i < 12; i++) {
      await UserRoles.createNewRoleOrAddPermissions(`role-${i}`, [`perm-${i}`, "shared", `perm-${(i + 1) % 12}`]);
      await UserRoles.addRoleToUser("public", "many", `role-${i}`);
    }
    await UserRoles.createNewRoleOrAddPermissions("other", ["not-mine"]);
    const { result, queries } = await withQueries(async () => PermissionClaim.fetchValue("many", {}, "public"));
    expect(queries).to.have.length(2);
    const expected = ["shared", ...Array.from({ length: 12 }, (_, i) => `perm-${i}`)].sort();
    expect(result).to.deep.equal(expected);
    // A user with no role: only the roles are read.
    const none = await withQueries(async () => PermissionClaim.fetchValue("nobody", {}, "public"));
    expect(none).to.deep.equal({ result: [], queries: none.queries });
    expect(none.queries).to.have.length(1);
  });

  it("an override of getPermissionsForRole is still asked, role by role, as SuperTokens asks it", async () => {
    lk = initLatchkey([
      Session.init(),
      UserRoles.init({
        override: {
          functions: (original) => ({
            ...original,
            getPermissionsForRole: async (input) => {
              const result = await original.getPermissionsForRole(input);
              return result.status === "OK" ? { ...result, permissions: [...result.permissions, "audited"] } : result;
            },
          }),
        },
      }),
    ]);
    await UserRoles.createNewRoleOrAddPermissions("a", ["read"]);
    await UserRoles.createNewRoleOrAddPermissions("b", ["write"]);
    await UserRoles.addRoleToUser("public", "u", "a");
    await UserRoles.addRoleToUser("public", "u", "b");
    expect(await PermissionClaim.fetchValue("u", {}, "public")).to.deep.equal(["audited", "read", "write"]);
  });

  it("an override of getRolesForUser decides which roles' permissions go in", async () => {
    lk = initLatchkey([
      Session.init(),
      UserRoles.init({
        override: {
          functions: (original) => ({
            ...original,
            getRolesForUser: async () => ({ status: "OK", roles: ["b", "ghost"] }),
          }),
        },
      }),
    ]);
    await UserRoles.createNewRoleOrAddPermissions("a", ["read"]);
    await UserRoles.createNewRoleOrAddPermissions("b", ["write"]);
    await UserRoles.addRoleToUser("public", "u", "a");
    expect(await PermissionClaim.fetchValue("u", {}, "public")).to.deep.equal(["write"]);
  });
});
