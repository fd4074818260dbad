import { expect } from "chai";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import { SessionRecipe } from "../../recipes/session/recipe";
import { rawKnex } from "../helpers/db";
import { jwtPayload } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe("session: tenant scope", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function tenantOfRow(handle: string): Promise<string | undefined> {
    if (app === undefined) throw new Error("no app");
    const knex = rawKnex(app.lk.url);
    try {
      const row = (await knex(`${app.lk.prefix}sessions`).where({ session_handle: handle }).first()) as
        { tenant_id: string } | undefined;
      return row?.tenant_id;
    } finally {
      await knex.destroy();
    }
  }

  it("the seeds' call form creates sessions in the public tenant: row, token (tId) and getTenantId()", async () => {
    app = await startSessionApp();
    app.client.defaultHeaders = { "st-auth-mode": "header" };
    const login = await app.client.request("POST", "/login", { body: { userId: "u1", jwtPayload: { a: 1 } } });
    const token = login.headers.get("st-access-token") ?? "";
    expect(jwtPayload(token).tId).to.equal(DEFAULT_TENANT_ID);
    expect(await tenantOfRow(String(login.json.handle))).to.equal("public");
    expect((await Session.getSession(token)).getTenantId()).to.equal("public");
  });

  it("today's SuperTokens call form createNewSession(req, res, tenantId, userId, accessTokenPayload, sessionData)", async () => {
    app = await startSessionApp(
      {},
      {
        addRoutes: (a) =>
          a.post("/tenant-login", async (req, res, next) => {
            try {
              const session = await Session.createNewSession(req, res, "acme", "u-acme", { plan: "gold" }, { cart: 1 });
              res.json({ handle: session.getHandle(), tenantId: session.getTenantId() });
            } catch (err) {
              next(err);
            }
          }),
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "header" };
    const login = await app.client.request("POST", "/tenant-login", { body: {} });
    expect(login.status).to.equal(200);
    expect(login.json.tenantId).to.equal("acme");
    const token = login.headers.get("st-access-token") ?? "";
    expect(jwtPayload(token)).to.deep.include({ sub: "u-acme", tId: "acme", up: { plan: "gold" } });
    expect(await Session.getSessionData(String(login.json.handle))).to.deep.equal({ cart: 1 });
    expect(await tenantOfRow(String(login.json.handle))).to.equal("acme");
    const info = await Session.getSessionInformation(String(login.json.handle));
    expect(info?.tenantId).to.equal("acme");
    // A refresh keeps the tenant.
    const refreshed = await app.client.request("POST", "/auth/session/refresh", {
      headers: { authorization: `Bearer ${login.headers.get("st-refresh-token")}` },
    });
    expect(refreshed.status).to.equal(200);
    expect(jwtPayload(refreshed.headers.get("st-access-token") ?? "").tId).to.equal("acme");
    const protectedRes = await app.client.request("GET", "/protected", {
      headers: { authorization: `Bearer ${refreshed.headers.get("st-access-token")}` },
    });
    expect(protectedRes.json.userId).to.equal("u-acme");
  });

  it("an access token issued before tenants (no tId) still verifies, and belongs to the public tenant", async () => {
    app = await startSessionApp();
    const created = await Session.createNewSessionWithoutRequestResponse("u-old", { a: 1 });
    const { tId: _tId, ...oldShape } = jwtPayload(created.getAccessToken());
    expect(oldShape).to.not.have.property("tId");
    const oldToken = await SessionRecipe.getInstanceOrThrow().codec.sign(oldShape as never);
    const session = await Session.getSession(oldToken);
    expect(session.getUserId()).to.equal("u-old");
    expect(session.getTenantId()).to.equal("public");
    expect(session.getJWTPayload()).to.deep.equal({ a: 1 });
  });

  it("a token whose tId is not a string is not one Latchkey issues (try refresh token)", async () => {
    app = await startSessionApp();
    const created = await Session.createNewSessionWithoutRequestResponse("u1");
    const odd = await SessionRecipe.getInstanceOrThrow().codec.sign({
      ...jwtPayload(created.getAccessToken()),
      tId: 7,
    } as never);
    const err = await Session.getSession(odd).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as InstanceType<typeof Session.Error>).type).to.equal("TRY_REFRESH_TOKEN");
  });

  it("revokeAllSessionsForUser / getAllSessionHandlesForUser: one tenant when given, every tenant when left out", async () => {
    app = await startSessionApp();
    const pub = await Session.createNewSessionWithoutRequestResponse("u1");
    const acme = await Session.createNewSessionWithoutRequestResponse("u1", {}, {}, {}, "acme");
    const other = await Session.createNewSessionWithoutRequestResponse("u1", {}, {}, {}, "other");
    expect(acme.getTenantId()).to.equal("acme");
    expect((await Session.getAllSessionHandlesForUser("u1")).sort()).to.deep.equal(
      [pub, acme, other].map((s) => s.getHandle()).sort(),
    );
    expect(await Session.getAllSessionHandlesForUser("u1", {}, "acme")).to.deep.equal([acme.getHandle()]);
    expect(await Session.revokeAllSessionsForUser("u1", {}, "acme")).to.deep.equal([acme.getHandle()]);
    expect((await Session.getAllSessionHandlesForUser("u1")).sort()).to.deep.equal(
      [pub, other].map((s) => s.getHandle()).sort(),
    );
    expect((await Session.revokeAllSessionsForUser("u1")).sort()).to.deep.equal(
      [pub, other].map((s) => s.getHandle()).sort(),
    );
    expect(await Session.getAllSessionHandlesForUser("u1")).to.deep.equal([]);
  });

  it("refuses a tenantId the table cannot hold with BAD_INPUT_ERROR, writing nothing", async () => {
    app = await startSessionApp();
    for (const tenantId of ["", "t".repeat(65), "a\u0000b"]) {
      const err = await Session.createNewSessionWithoutRequestResponse("u1", {}, {}, {}, tenantId).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as { type?: string }).type, JSON.stringify(tenantId)).to.equal("BAD_INPUT_ERROR");
    }
    expect(await Session.getAllSessionHandlesForUser("u1")).to.deep.equal([]);
  });
});
