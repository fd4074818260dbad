import { expect } from "chai";
import type express from "express";
import { rawKnex } from "../helpers/db";
import { decodeFrontToken, jwtPayload } from "../helpers/http";
import { Latchkey, Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

// The documents in shared/seeds/, with Latchkey in place of SuperTokens, on the run's database.
describe("session: the seeds' examples", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  // Seed 003's express route, verbatim but for the names.
  async function testSessionAPI(req: express.Request, res: express.Response): Promise<void> {
    const session = await Session.getSession(req, res, true);
    const userId = session.getUserId();
    const getJWTPayload = session.getJWTPayload();
    try {
      const sessionData = await session.getSessionData();
      const newSessionData = { ...sessionData, joke: "Knock, knock" };
      await session.updateSessionData(newSessionData);
    } catch (err) {
      if (Latchkey.Error.isErrorFromAuth(err)) {
        if (err.errType === Latchkey.Error.GENERAL_ERROR) {
          res.status(500).send("Something went wrong");
        } else {
          res.status(440).send("Session expired!");
        }
      } else {
        res.status(500).send(err);
      }
      return;
    }
    const after = await Session.getSessionData(session.getHandle());
    try {
      await session.revokeSession();
    } catch (err) {
      res.status(500).send(Latchkey.Error.isErrorFromAuth(err) ? "Something went wrong" : err);
      return;
    }
    res.json({ userId, getJWTPayload, after });
  }

  it("seed 003: getSession(req, res, true), session data read and written, revokeSession clears the cookies", async () => {
    app = await startSessionApp(
      {},
      {
        addRoutes: (a) => a.post("/seed003", (req, res, next) => void testSessionAPI(req, res).catch(next)),
      },
    );
    const { client } = app;
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    await client.request("POST", "/login", {
      body: { userId: "u-003", jwtPayload: { role: "reader" }, sessionData: { cart: 2 } },
    });
    const res = await client.request("POST", "/seed003", { body: {} });
    expect(res.status).to.equal(200);
    expect(res.json).to.deep.equal({
      userId: "u-003",
      getJWTPayload: { role: "reader" },
      after: { cart: 2, joke: "Knock, knock" },
    });
    // revokeSession cleared both cookies; the session row is gone.
    expect(client.cookie("sAccessToken")).to.equal(undefined);
    expect(client.cookie("sRefreshToken")).to.equal(undefined);
    expect(res.headers.get("front-token")).to.equal("remove");
    expect((await client.request("GET", "/protected")).status).to.equal(401);
  });

  it("seed 003's error branch: a revoked session's data call gives UNAUTHORISED (status 440 in the seed)", async () => {
    app = await startSessionApp(
      {},
      {
        addRoutes: (a) =>
          a.post("/seed003-revoked", async (req, res) => {
            const session = await Session.getSession(req, res, true);
            await Session.revokeSession(session.getHandle());
            try {
              await session.getSessionData();
              res.json({ reached: true });
            } catch (err) {
              if (Latchkey.Error.isErrorFromAuth(err) && err.errType !== Latchkey.Error.GENERAL_ERROR)
                res.status(440).send(err.errType);
              else res.status(500).send("Something went wrong");
            }
          }),
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    await app.client.request("POST", "/login", { body: { userId: "u" } });
    const res = await app.client.request("POST", "/seed003-revoked", { body: {} });
    expect(res.status).to.equal(440);
    expect(res.json.nonJSON).to.equal("UNAUTHORISED");
  });

  it("seeds 000/001: getSession(accessToken, antiCsrfToken) without req/res, then getSessionData/updateSessionData by handle", async () => {
    app = await startSessionApp({ antiCsrf: "VIA_TOKEN" });
    const created = await Session.createNewSessionWithoutRequestResponse("u-001", { plan: "pro" }, { comment: "old" });
    const { accessToken, antiCsrfToken } = created.getAllSessionTokensDangerously();
    // The seeds' code, with Latchkey's names:
    const response = await Session.getSession(accessToken, antiCsrfToken);
    const session = response.session;
    const jwt = session.jwtPayload;
    const sessionData = await Session.getSessionData(session.handle);
    await Session.updateSessionData(session.handle, { comment: "new session data" });
    expect(jwt).to.deep.equal({ plan: "pro" });
    expect(sessionData).to.deep.equal({ comment: "old" });
    expect(await Session.getSessionData(session.handle)).to.deep.equal({ comment: "new session data" });
    expect(session.userId).to.equal("u-001");
    // The seeds' error test: an unknown handle is UNAUTHORISED (errType), not GENERAL_ERROR.
    try {
      await Session.getSessionData("00000000-0000-0000-0000-000000000000");
      expect.fail("should throw");
    } catch (err) {
      expect(Session.Error.isErrorFromAuth(err)).to.equal(true);
      expect((err as InstanceType<typeof Session.Error>).errType).to.equal(Session.Error.UNAUTHORISED);
    }
  });

  it("seed 004: an override of createNewSession puts jwtPayload in the token and front-token, sessionData only in the database", async () => {
    const { client, lk } = (app = await startSessionApp({
      override: {
        functions: (originalImplementation) => ({
          ...originalImplementation,
          createNewSession: async (input) => {
            input.jwtPayload = { ...input.jwtPayload, someKey: "someValue", role: "admin" };
            input.sessionData = { ...input.sessionData, someKey: "someValue", secret: "s3cr3t-session-data" };
            return originalImplementation.createNewSession(input);
          },
        }),
      },
    }));
    client.defaultHeaders = { "st-auth-mode": "header" };
    const login = await client.request("POST", "/login", { body: { userId: "u-004", jwtPayload: { own: 1 } } });
    expect(login.status).to.equal(200);
    const accessToken = login.headers.get("st-access-token") ?? "";
    expect(jwtPayload(accessToken).up).to.deep.equal({ own: 1, someKey: "someValue", role: "admin" });
    expect(decodeFrontToken(login.headers.get("front-token")).up).to.deep.equal({
      own: 1,
      someKey: "someValue",
      role: "admin",
    });
    const protectedRes = await client.request("GET", "/protected", {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(protectedRes.json.payload).to.deep.equal({ own: 1, someKey: "someValue", role: "admin" });
    // In the database, and nowhere in any response (body, headers, cookies, tokens).
    const knex = rawKnex(lk.url);
    try {
      const row = (await knex(`${lk.prefix}sessions`).where({ session_handle: login.json.handle }).first()) as {
        session_data: string;
      };
      expect(JSON.parse(row.session_data)).to.deep.equal({ someKey: "someValue", secret: "s3cr3t-session-data" });
    } finally {
      await knex.destroy();
    }
    const refreshed = await client.request("POST", "/auth/session/refresh", {
      headers: { authorization: `Bearer ${login.headers.get("st-refresh-token")}` },
    });
    expect(refreshed.status).to.equal(200);
    for (const reply of [login, protectedRes, refreshed]) {
      const everything = [
        JSON.stringify(reply.json),
        ...[...reply.headers.entries()].map(([k, v]) => `${k}: ${v}`),
      ].join("\n");
      const decoded = [...reply.headers.values()]
        .map(
          (v) =>
            Buffer.from(v, "base64").toString("utf8") +
            Buffer.from(v.split(".")[1] ?? "", "base64url").toString("utf8"),
        )
        .join("\n");
      expect(everything + decoded).to.not.contain("s3cr3t-session-data");
    }
  });
});
