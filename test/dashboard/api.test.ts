// The dashboard's JSON API on the run's database: who may call it, listing and search, every action, the audit log.
import { expect } from "chai";
import Latchkey from "../../lib/index";
import { CONTENT_SECURITY_POLICY } from "../../recipes/dashboard/page";
import Dashboard from "../../recipes/dashboard/index";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification from "../../recipes/emailverification/index";
import Session from "../../recipes/session/index";
import ThirdParty from "../../recipes/thirdparty/index";
import UserMetadata from "../../recipes/usermetadata/index";
import UserRoles from "../../recipes/userroles/index";
import { initLatchkey, startApp } from "../helpers/app";
import { rawKnex, testDbKind } from "../helpers/db";
import { resetForTests } from "../../lib/testing";
import { API_KEY, type DashboardApp, dashboardRecipes, ok, READ_ONLY_KEY, signUp, startDashboardApp } from "./helpers";

type Row = Record<string, unknown>;

// Every JSON route, with a body that would be valid for the full key.
const API_ROUTES: { method: "GET" | "POST"; path: string; params: Record<string, unknown> }[] = [
  { method: "GET", path: "/api/info", params: {} },
  { method: "GET", path: "/api/users", params: {} },
  { method: "GET", path: "/api/users/count", params: {} },
  { method: "GET", path: "/api/user", params: { userId: "x" } },
  { method: "POST", path: "/api/user/email/verified", params: { userId: "x", email: "a@b.co", verified: true } },
  { method: "POST", path: "/api/user/session/revoke", params: { userId: "x", sessionHandle: "h" } },
  { method: "POST", path: "/api/user/role/add", params: { userId: "x", role: "r" } },
  { method: "POST", path: "/api/user/role/remove", params: { userId: "x", role: "r" } },
  { method: "POST", path: "/api/user/metadata", params: { userId: "x", metadata: {} } },
  { method: "POST", path: "/api/user/delete", params: { userId: "x" } },
  { method: "GET", path: "/api/roles", params: {} },
  { method: "POST", path: "/api/role/create", params: { role: "r", permissions: [] } },
  { method: "POST", path: "/api/role/delete", params: { role: "r" } },
  { method: "GET", path: "/api/audit", params: {} },
];

async function auditRows(app: DashboardApp): Promise<Row[]> {
  return ok(await app.call("GET", "/api/audit", { limit: 500 })).entries as Row[];
}

describe(`dashboard API (${testDbKind()})`, function () {
  let app: DashboardApp;
  beforeEach(async () => {
    app = await startDashboardApp();
  });
  afterEach(() => app.close());

  describe("access", () => {
    it("answers 401 to every API route without a key, with a wrong key, or another scheme; the page needs none", async () => {
      for (const route of API_ROUTES) {
        for (const key of [null, "wrong-key-0123456789abcdef", `${API_KEY}x`, API_KEY.slice(0, -1), ""]) {
          const answer = await app.call(route.method, route.path, route.params, key);
          expect(answer.status, `${route.method} ${route.path} with ${String(key)}`).to.equal(401);
          expect(answer.body.status).to.equal("UNAUTHORISED");
          expect(answer.headers.get("www-authenticate")).to.match(/^Bearer/);
          expect(answer.text).not.to.contain(API_KEY);
        }
        const basic = await fetch(`${app.server.baseUrl}/auth/dashboard${route.path}`, {
          method: route.method,
          headers: { authorization: `Basic ${API_KEY}` },
        });
        expect(basic.status).to.equal(401);
      }
      expect(await auditRows(app)).to.deep.equal([]);
    });

    it("lets the read-only key read and refuses it every change (403), changing nothing", async () => {
      const userId = await signUp("ro@example.com");
      expect(ok(await app.call("GET", "/api/info", {}, READ_ONLY_KEY)).readOnly).to.equal(true);
      expect(ok(await app.call("GET", "/api/info")).readOnly).to.equal(false);
      ok(await app.call("GET", "/api/users", {}, READ_ONLY_KEY));
      ok(await app.call("GET", "/api/user", { userId }, READ_ONLY_KEY));
      for (const route of API_ROUTES.filter((r) => r.method === "POST")) {
        const answer = await app.call("POST", route.path, { ...route.params, userId }, READ_ONLY_KEY);
        expect(answer.status, route.path).to.equal(403);
        expect(answer.body.status).to.equal("READ_ONLY_KEY_ERROR");
      }
      expect(await Latchkey.getUser(userId)).not.to.equal(undefined);
      expect(await auditRows(app)).to.deep.equal([]);
    });

    it("serves the page and its files with a strict Content-Security-Policy, no inline script", async () => {
      const page = await app.call("GET", "", {}, null);
      expect(page.status).to.equal(200);
      expect(page.headers.get("content-type")).to.match(/^text\/html/);
      expect(page.headers.get("content-security-policy")).to.equal(CONTENT_SECURITY_POLICY);
      expect(CONTENT_SECURITY_POLICY).to.contain("script-src 'self'").and.not.contain("unsafe");
      expect(page.headers.get("x-frame-options")).to.equal("DENY");
      expect(page.text).to.contain('src="/auth/dashboard/assets/app.js"');
      expect(page.text).not.to.match(/<script>|\son[a-z]+=/i);
      const script = await app.call("GET", "/assets/app.js", {}, null);
      expect(script.headers.get("content-type")).to.match(/^text\/javascript/);
      expect(script.text).to.contain("textContent");
      expect(script.text).not.to.match(/innerHTML|eval\(|new Function/);
      const styles = await app.call("GET", "/assets/app.css", {}, null);
      expect(styles.headers.get("content-type")).to.match(/^text\/css/);
    });

    it("refuses a config without a key, with a short key, or with the same key twice, never echoing a key", () => {
      const attempts: [unknown, string][] = [
        [undefined, "apiKey"],
        [{}, "apiKey"],
        [{ apiKey: "short-key" }, "Dashboard.init.apiKey"],
        [{ apiKey: 1234567890123456 }, "Dashboard.init.apiKey"],
        [{ apiKey: "with space 0123456789" }, "Dashboard.init.apiKey"],
        [{ apiKey: API_KEY, readOnlyApiKey: API_KEY }, "readOnlyApiKey"],
        [{ apiKey: API_KEY, apiKeys: [] }, "Dashboard.init.apiKeys"],
      ];
      for (const [config, field] of attempts) {
        let caught: unknown;
        try {
          Dashboard.init(config as never)({} as never);
        } catch (err) {
          caught = err;
        }
        expect(Latchkey.Error.isErrorFromAuth(caught), JSON.stringify(config)).to.equal(true);
        expect((caught as Error).message).to.contain(field);
        expect((caught as Error).message)
          .not.to.contain("short-key")
          .and.not.to.contain(API_KEY);
      }
    });
  });

  describe("listing", () => {
    it("pages users newest first by cursor, stable while users join, and counts them", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await signUp(`user${i}@example.com`));
      expect(ok(await app.call("GET", "/api/users/count")).count).to.equal(7);
      const first = ok(await app.call("GET", "/api/users", { limit: 3 }));
      const seen = (first.users as Row[]).map((u) => u.id);
      // Joiners between pages are newer than every listed user: a newest-first listing never shows them later.
      const late = [await signUp("late1@example.com"), await signUp("late2@example.com")];
      let token = first.nextPaginationToken as string | undefined;
      while (token !== undefined) {
        const page = ok(await app.call("GET", "/api/users", { limit: 3, paginationToken: token }));
        seen.push(...(page.users as Row[]).map((u) => u.id));
        token = page.nextPaginationToken as string | undefined;
      }
      expect(seen).to.have.members(ids);
      expect(seen).to.have.length(7);
      for (const id of late) expect(seen).not.to.include(id);
      const oldest = ok(await app.call("GET", "/api/users", { order: "asc", limit: 500 }));
      expect((oldest.users as Row[]).map((u) => u.id).slice(0, 7)).to.have.members(ids);
    });

    it("searches by email, phone and provider", async () => {
      await signUp("anna@example.com");
      await signUp("bert@example.org");
      await ThirdParty.manuallyCreateOrUpdateUser("google", "g-77", "gina@gmail.com", true);
      const emails = async (params: Record<string, unknown>) =>
        (ok(await app.call("GET", "/api/users", params)).users as { emails: string[] }[]).map((u) => u.emails[0]);
      expect(await emails({ email: "ann" })).to.deep.equal(["anna@example.com"]);
      expect(await emails({ email: "anna;bert" })).to.have.members(["anna@example.com", "bert@example.org"]);
      expect(await emails({ provider: "goo" })).to.deep.equal(["gina@gmail.com"]);
      expect(await emails({ phone: "+1" })).to.deep.equal([]);
      expect(await emails({ email: "%" })).to.deep.equal([]);
    });

    it("answers 400 to a bad limit, order, token or query, and to a body that is not a JSON object", async () => {
      for (const params of [
        { limit: 0 },
        { limit: 501 },
        { limit: "ten" },
        { order: "sideways" },
        { paginationToken: "not-a-token" },
        { email: "a\u0000" },
        { email: "x".repeat(300) },
      ]) {
        const answer = await app.call("GET", "/api/users", params);
        expect(answer.status, JSON.stringify(params)).to.equal(400);
        expect(answer.body.status).to.equal("BAD_INPUT_ERROR");
      }
      // A change's body that is not a JSON object.
      for (const body of ["{", "[]", '"x"']) {
        const res = await fetch(`${app.server.baseUrl}/auth/dashboard/api/user/delete`, {
          method: "POST",
          headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
          body,
        });
        expect(res.status, body).to.equal(400);
      }
    });
  });

  describe("a user's page and the actions on it", () => {
    let userId: string;
    beforeEach(async () => {
      userId = await signUp("target@example.com");
      await UserRoles.createNewRoleOrAddPermissions("admin", ["read", "write"]);
      await UserRoles.createNewRoleOrAddPermissions("viewer", ["read"]);
      await UserRoles.addRoleToUser("public", userId, "viewer");
      await UserMetadata.updateUserMetadata(userId, { plan: "free" });
    });

    it("shows login methods, verification, sessions with creation times, roles, metadata and tenants", async () => {
      const before = Date.now();
      const session = await Session.createNewSessionWithoutRequestResponse(userId);
      const detail = ok(await app.call("GET", "/api/user", { userId }));
      expect(detail.user).to.deep.equal(JSON.parse(JSON.stringify(await Latchkey.getUser(userId))));
      const user = detail.user as { tenantIds: string[]; loginMethods: Row[] };
      expect(user.tenantIds).to.deep.equal(["public"]);
      expect(user.loginMethods[0]).to.include({
        recipeId: "emailpassword",
        email: "target@example.com",
        verified: false,
      });
      const sessions = detail.sessions as Row[];
      expect(sessions).to.have.length(1);
      expect(sessions[0]?.sessionHandle).to.equal(session.getHandle());
      expect(sessions[0]?.timeCreated).to.be.within(before - 1000, Date.now() + 1000);
      expect(detail.roles).to.deep.equal({ public: ["viewer"] });
      expect(detail.metadata).to.deep.equal({ plan: "free" });
      expect(JSON.stringify(detail)).not.to.match(/password_?hash|refresh_?token|access_?token/i);
      const unknown = await app.call("GET", "/api/user", { userId: "no-such-user" });
      expect(unknown.status).to.equal(404);
      expect(unknown.body.status).to.equal("UNKNOWN_USER_ERROR");
      expect((await app.call("GET", "/api/user", {})).status).to.equal(400);
    });

    it("marks the email verified and unverified", async () => {
      ok(await app.call("POST", "/api/user/email/verified", { userId, email: "target@example.com", verified: true }));
      expect(await EmailVerification.isEmailVerified(userId, "target@example.com")).to.equal(true);
      ok(await app.call("POST", "/api/user/email/verified", { userId, email: "target@example.com", verified: false }));
      expect(await EmailVerification.isEmailVerified(userId, "target@example.com")).to.equal(false);
      const other = await app.call("POST", "/api/user/email/verified", {
        userId,
        email: "x@example.com",
        verified: true,
      });
      expect(other.status).to.equal(404);
      const bad = await app.call("POST", "/api/user/email/verified", {
        userId,
        email: "target@example.com",
        verified: "yes",
      });
      expect(bad.status).to.equal(400);
    });

    it("revokes one session of the user: its refresh fails after, the other session lives", async () => {
      const one = await Session.createNewSessionWithoutRequestResponse(userId);
      const two = await Session.createNewSessionWithoutRequestResponse(userId);
      const otherUser = await signUp("other@example.com");
      const others = await Session.createNewSessionWithoutRequestResponse(otherUser);
      // Only a session of the user named: another user's handle is unknown here.
      const foreign = await app.call("POST", "/api/user/session/revoke", { userId, sessionHandle: others.getHandle() });
      expect(foreign.status).to.equal(404);
      expect(foreign.body.status).to.equal("UNKNOWN_SESSION_ERROR");
      ok(await app.call("POST", "/api/user/session/revoke", { userId, sessionHandle: one.getHandle() }));
      const refresh = one.getAllSessionTokensDangerously().refreshToken ?? "";
      const err = await Session.refreshSessionWithoutRequestResponse(refresh, undefined, true).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as Latchkey.Error | undefined)?.type).to.equal("UNAUTHORISED");
      expect(await Session.getAllSessionHandlesForUser(userId)).to.deep.equal([two.getHandle()]);
      expect(await Session.getAllSessionHandlesForUser(otherUser)).to.deep.equal([others.getHandle()]);
    });

    it("adds and removes roles; an unknown role is a 404", async () => {
      ok(await app.call("POST", "/api/user/role/add", { userId, role: "admin" }));
      expect((await UserRoles.getRolesForUser("public", userId)).roles).to.have.members(["admin", "viewer"]);
      ok(await app.call("POST", "/api/user/role/remove", { userId, role: "viewer" }));
      expect((await UserRoles.getRolesForUser("public", userId)).roles).to.deep.equal(["admin"]);
      const unknown = await app.call("POST", "/api/user/role/add", { userId, role: "nope" });
      expect(unknown.status).to.equal(404);
      expect(unknown.body.status).to.equal("UNKNOWN_ROLE_ERROR");
      expect((await app.call("POST", "/api/user/role/add", { userId: "ghost", role: "admin" })).status).to.equal(404);
      expect(
        (await app.call("POST", "/api/user/role/add", { userId, role: "admin", tenantId: "\u0000" })).status,
      ).to.equal(400);
    });

    it("replaces metadata; a too-large object is refused and leaves it whole", async () => {
      const set = ok(await app.call("POST", "/api/user/metadata", { userId, metadata: { theme: "dark", n: 1 } }));
      expect(set.metadata).to.deep.equal({ theme: "dark", n: 1 });
      expect((await UserMetadata.getUserMetadata(userId)).metadata).to.deep.equal({ theme: "dark", n: 1 });
      const big = await app.call("POST", "/api/user/metadata", { userId, metadata: { blob: "x".repeat(5000) } });
      expect(big.status).to.equal(400);
      expect(big.body.status).to.equal("METADATA_TOO_LARGE_ERROR");
      expect((await UserMetadata.getUserMetadata(userId)).metadata).to.deep.equal({ theme: "dark", n: 1 });
      for (const metadata of [[], "x", null, 3]) {
        expect((await app.call("POST", "/api/user/metadata", { userId, metadata })).status).to.equal(400);
      }
    });

    it("deletes the user with their sessions, roles and metadata", async () => {
      await Session.createNewSessionWithoutRequestResponse(userId);
      ok(await app.call("POST", "/api/user/delete", { userId }));
      expect(await Latchkey.getUser(userId)).to.equal(undefined);
      expect(await Session.getAllSessionHandlesForUser(userId)).to.deep.equal([]);
      expect((await UserRoles.getRolesForUser("public", userId)).roles).to.deep.equal([]);
      expect((await UserMetadata.getUserMetadata(userId)).metadata).to.deep.equal({});
      expect((await app.call("POST", "/api/user/delete", { userId })).status).to.equal(404);
    });

    it("lists, creates and deletes roles", async () => {
      expect(ok(await app.call("GET", "/api/roles")).roles).to.deep.equal([
        { role: "admin", permissions: ["read", "write"] },
        { role: "viewer", permissions: ["read"] },
      ]);
      ok(await app.call("POST", "/api/role/create", { role: "editor", permissions: ["write"] }));
      expect((await UserRoles.getPermissionsForRole("editor")) as Row).to.deep.include({ permissions: ["write"] });
      ok(await app.call("POST", "/api/role/delete", { role: "editor" }));
      expect((await UserRoles.getAllRoles()).roles).to.have.members(["admin", "viewer"]);
      expect((await app.call("POST", "/api/role/delete", { role: "editor" })).status).to.equal(404);
      expect((await app.call("POST", "/api/role/create", { role: "x", permissions: "write" })).status).to.equal(400);
    });

    it("writes every change to the audit log (who, what, when, target), newest first, paged", async () => {
      const before = Date.now();
      const session = await Session.createNewSessionWithoutRequestResponse(userId);
      ok(await app.call("POST", "/api/user/email/verified", { userId, email: "target@example.com", verified: true }));
      ok(await app.call("POST", "/api/user/session/revoke", { userId, sessionHandle: session.getHandle() }));
      ok(await app.call("POST", "/api/user/role/add", { userId, role: "admin" }));
      ok(await app.call("POST", "/api/user/role/remove", { userId, role: "admin" }));
      ok(await app.call("POST", "/api/user/metadata", { userId, metadata: { a: 1 } }));
      ok(await app.call("POST", "/api/role/create", { role: "temp", permissions: ["p"] }));
      ok(await app.call("POST", "/api/role/delete", { role: "temp" }));
      ok(await app.call("POST", "/api/user/delete", { userId }));
      // Reads and refused changes are not actions.
      await app.call("POST", "/api/user/delete", { userId });
      await app.call("GET", "/api/users");
      const rows = await auditRows(app);
      expect(rows.map((r) => [r.action, r.target])).to.deep.equal([
        ["user.delete", userId],
        ["role.delete", "temp"],
        ["role.create", "temp"],
        ["metadata.replace", userId],
        ["role.unassign", userId],
        ["role.assign", userId],
        ["session.revoke", userId],
        ["email.verify", userId],
      ]);
      for (const row of rows) {
        expect(row.actor).to.match(/^api-key:[0-9a-f]{8}$/);
        expect(row.time).to.be.within(before - 1000, Date.now() + 1000);
      }
      expect(JSON.stringify(rows)).not.to.contain(API_KEY);
      // Paged newest first, no row twice.
      const paged: unknown[] = [];
      let token: string | undefined;
      do {
        const page = ok(
          await app.call("GET", "/api/audit", { limit: 3, ...(token === undefined ? {} : { paginationToken: token }) }),
        );
        paged.push(...(page.entries as Row[]).map((r) => r.id));
        token = page.nextPaginationToken as string | undefined;
      } while (token !== undefined);
      expect(paged).to.deep.equal(rows.map((r) => r.id));
    });
  });
});

describe(`dashboard: what is not listed is not served (${testDbKind()})`, () => {
  afterEach(() => resetForTests());

  it("an app without the dashboard recipe serves none of its routes", async () => {
    const lk = initLatchkey([Session.init(), EmailPassword.init({ bcryptCost: 4 })]);
    const server = await startApp();
    try {
      for (const path of ["", "/assets/app.js", "/api/info", "/api/users"]) {
        const res = await fetch(`${server.baseUrl}/auth/dashboard${path}`, {
          headers: { authorization: `Bearer ${API_KEY}` },
        });
        expect(res.status, path).to.equal(404);
        expect(await res.text()).not.to.contain("Latchkey dashboard");
      }
    } finally {
      await server.close();
      await lk.cleanup();
    }
  });

  it("without UserRoles, UserMetadata or EmailVerification, their actions say FEATURE_NOT_ENABLED_ERROR", async () => {
    const app = await startDashboardApp([
      Session.init(),
      EmailPassword.init({ bcryptCost: 4 }),
      Dashboard.init({ apiKey: API_KEY }),
    ]);
    try {
      const userId = await signUp("plain@example.com");
      const info = ok(await app.call("GET", "/api/info"));
      expect(info.features).to.deep.equal({ roles: false, metadata: false, emailVerification: false, sessions: true });
      const detail = ok(await app.call("GET", "/api/user", { userId }));
      expect(detail.roles).to.equal(null);
      expect(detail.metadata).to.equal(null);
      for (const [path, params] of [
        ["/api/user/role/add", { userId, role: "r" }],
        ["/api/user/metadata", { userId, metadata: {} }],
        ["/api/user/email/verified", { userId, email: "plain@example.com", verified: true }],
        ["/api/role/create", { role: "r" }],
      ] as const) {
        const answer = await app.call("POST", path, params);
        expect(answer.status, path).to.equal(404);
        expect(answer.body.status).to.equal("FEATURE_NOT_ENABLED_ERROR");
      }
      expect((await app.call("GET", "/api/roles")).body.status).to.equal("FEATURE_NOT_ENABLED_ERROR");
      // Nothing was done, so nothing was logged.
      const knex = rawKnex(app.lk.url);
      try {
        const rows = await knex(`${app.lk.prefix}dashboard_audit_log`).count<{ n: number }[]>({ n: "*" });
        expect(Number(rows[0]?.n)).to.equal(0);
      } finally {
        await knex.destroy();
      }
    } finally {
      await app.close();
    }
  });

  it("an API the app's override takes away is not served", async () => {
    const app = await startDashboardApp(
      dashboardRecipes(
        Dashboard.init({
          apiKey: API_KEY,
          override: { apis: (original) => ({ ...original, userDeletePOST: undefined }) },
        }),
      ),
    );
    try {
      const userId = await signUp("kept@example.com");
      expect((await app.call("POST", "/api/user/delete", { userId })).status).to.equal(404);
      expect(await Latchkey.getUser(userId)).not.to.equal(undefined);
    } finally {
      await app.close();
    }
  });
});
