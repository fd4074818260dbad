import { expect } from "chai";
import { SessionClaim } from "../../lib/claims";
import Latchkey from "../../lib/index";
import { toBaseRequest, toBaseResponse } from "../../lib/framework/wrap";
import { Latchkey as Core } from "../../lib/latchkey";
import { DEFAULT_TENANT_ID, Sessions, UserDataOwners } from "../../lib/seams";
import type { JSONValue } from "../../lib/types";
import { SessionError } from "../../recipes/session/error";
import { rawKnex } from "../helpers/db";
import { jwtPayload } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe("session: what the recipe provides other recipes (Sessions, UserDataOwners)", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("Sessions.createNewSession goes through the overridden createNewSession and writes the tokens; getSession reads them back", async () => {
    const seen: string[] = [];
    app = await startSessionApp(
      {
        override: {
          functions: (original) => ({
            ...original,
            createNewSession: async (input) => {
              seen.push(`${input.tenantId}:${input.userId}`);
              input.jwtPayload = { ...input.jwtPayload, viaOverride: true };
              return original.createNewSession(input);
            },
          }),
        },
      },
      {
        addRoutes: (a) => {
          a.post("/capability-login", async (req, res, next) => {
            try {
              const sessions = Core.getInstanceOrThrow().capabilities.required(Sessions);
              const session = await sessions.createNewSession({
                req: toBaseRequest(req),
                res: toBaseResponse(res),
                userId: "u-cap",
                accessTokenPayload: { plan: "gold" },
                tenantId: DEFAULT_TENANT_ID,
                userContext: {},
              });
              res.json({ handle: session.getHandle() });
            } catch (err) {
              next(err);
            }
          });
          a.get("/capability-session", async (req, res, next) => {
            try {
              const sessions = Core.getInstanceOrThrow().capabilities.required(Sessions);
              const session = await sessions.getSession({
                req: toBaseRequest(req),
                res: toBaseResponse(res),
                options: { sessionRequired: false },
                userContext: {},
              });
              res.json({ userId: session?.getUserId() ?? null, payload: session?.getAccessTokenPayload() ?? null });
            } catch (err) {
              next(err);
            }
          });
        },
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "header" };
    const login = await app.client.request("POST", "/capability-login", { body: {} });
    expect(login.status).to.equal(200);
    expect(seen).to.deep.equal(["public:u-cap"]);
    const token = login.headers.get("st-access-token") ?? "";
    expect(jwtPayload(token).up).to.deep.equal({ plan: "gold", viaOverride: true });
    const anonymous = await app.client.request("GET", "/capability-session");
    expect(anonymous.json).to.deep.equal({ userId: null, payload: null });
    const read = await app.client.request("GET", "/capability-session", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.json).to.deep.equal({ userId: "u-cap", payload: { plan: "gold", viaOverride: true } });
  });

  it("Sessions.revokeAllSessionsForUser revokes the user's sessions; UserDataOwners deletes them in the caller's transaction", async () => {
    app = await startSessionApp();
    const core = Core.getInstanceOrThrow();
    const a = await Session.createNewSessionWithoutRequestResponse("u-a");
    await Session.createNewSessionWithoutRequestResponse("u-b");
    await Session.createNewSessionWithoutRequestResponse("u-b", {}, {}, {}, "acme");
    expect(
      await core.capabilities.required(Sessions).revokeAllSessionsForUser({ userId: "u-a", userContext: {} }),
    ).to.deep.equal([a.getHandle()]);
    const owners = core.capabilities.all(UserDataOwners);
    expect(owners).to.have.length(1);
    const knex = await core.database.whenReady();
    // Rolled back: nothing is deleted unless the caller's transaction commits.
    await knex
      .transaction(async (trx) => {
        for (const owner of owners) await owner.deleteUserData({ userId: "u-b", trx, userContext: {} });
        await trx.rollback();
      })
      .catch(() => undefined);
    expect(await Session.getAllSessionHandlesForUser("u-b")).to.have.length(2);
    await knex.transaction(async (trx) => {
      for (const owner of owners) await owner.deleteUserData({ userId: "u-b", trx, userContext: {} });
    });
    expect(await Session.getAllSessionHandlesForUser("u-b")).to.deep.equal([]);
    const raw = rawKnex(app.lk.url);
    try {
      expect(await raw(`${app.lk.prefix}sessions`).count({ n: "*" }).first()).to.satisfy(
        (r: { n: number | string }) => Number(r.n) === 0,
      );
    } finally {
      await raw.destroy();
    }
  });
});

describe("session: typed errors", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("Session.Error is the session's class: its statics, errType, isErrorFromAuth for every Latchkey error, and a typed payload", async () => {
    app = await startSessionApp();
    expect(Session.Error).to.equal(SessionError);
    const err = await Session.getSessionData("00000000-0000-0000-0000-000000000000").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Session.Error.isErrorFromAuth(err)).to.equal(true);
    expect(Session.Error.isErrorFromAuth(new Latchkey.Error("GENERAL_ERROR", "x"))).to.equal(true);
    expect(Latchkey.Error.isErrorFromAuth(err)).to.equal(true);
    expect(err).to.be.instanceOf(Session.Error);
    expect(err).to.be.instanceOf(Latchkey.Error);
    if (!SessionError.isSessionError(err)) throw new Error("not a session error");
    expect(err.errType).to.equal(Session.Error.UNAUTHORISED);
    // Narrowing on type gives the payload its type, with no cast.
    if (err.type === "UNAUTHORISED") expect(err.payload.clearTokens).to.equal(true);
    else expect.fail(`unexpected ${err.type}`);
  });

  it("TOKEN_THEFT_DETECTED carries sessionHandle and userId; INVALID_CLAIMS carries claimValidationErrors", async () => {
    app = await startSessionApp();
    const created = await Session.createNewSessionWithoutRequestResponse("victim");
    const first = created.getAllSessionTokensDangerously().refreshToken ?? "";
    const second = await Session.refreshSessionWithoutRequestResponse(first);
    await Session.getSession(second.getAccessToken()); // the new tokens are used
    const theft = await Session.refreshSessionWithoutRequestResponse(first).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!SessionError.isSessionError(theft) || theft.type !== "TOKEN_THEFT_DETECTED")
      throw new Error(`expected theft, got ${String(theft)}`);
    expect(theft.payload).to.deep.equal({ sessionHandle: created.getHandle(), userId: "victim" });

    const session = await Session.createNewSessionWithoutRequestResponse("u1");
    const failing = {
      id: "always-fails",
      claim: new SessionClaim<JSONValue>("x", () => true),
      shouldRefetch: () => false,
      validate: () => ({ isValid: false as const, reason: "no" }),
    };
    const invalid = await session.assertClaims([failing]).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!SessionError.isSessionError(invalid) || invalid.type !== "INVALID_CLAIMS")
      throw new Error(`expected INVALID_CLAIMS, got ${String(invalid)}`);
    expect(invalid.payload.claimValidationErrors).to.deep.equal([{ id: "always-fails", reason: "no" }]);
  });

  it("a plain Latchkey.Error of a session type thrown by the app is still answered as the session answers it", async () => {
    app = await startSessionApp(
      {},
      {
        addRoutes: (a) => {
          a.get("/plain-unauthorised", () => {
            throw new Latchkey.Error("UNAUTHORISED", "the app says no", { payload: { clearTokens: false } });
          });
          a.get("/plain-invalid-claims", () => {
            throw new Latchkey.Error("INVALID_CLAIMS", "old payload shape", { payload: [{ id: "role", reason: "x" }] });
          });
        },
      },
    );
    const unauthorised = await app.client.request("GET", "/plain-unauthorised");
    expect(unauthorised.status).to.equal(401);
    expect(unauthorised.json).to.deep.equal({ message: "unauthorised" });
    expect(unauthorised.setCookies).to.deep.equal([]);
    const invalid = await app.client.request("GET", "/plain-invalid-claims");
    expect(invalid.status).to.equal(403);
    expect(invalid.json).to.deep.equal({
      message: "invalid claim",
      claimValidationErrors: [{ id: "role", reason: "x" }],
    });
  });
});
