import { expect } from "chai";
import type { RecipeInterface } from "../../recipes/session/types";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe("session: every caller goes through the (overridden) RecipeInterface", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("module functions, the session object and the HTTP APIs all call the overridden functions", async () => {
    const calls: string[] = [];
    app = await startSessionApp(
      {
        override: {
          functions: (original) => {
            const traced = { ...original } as Record<string, unknown>;
            for (const name of Object.keys(original) as (keyof RecipeInterface)[]) {
              traced[name] = (input: never) => {
                calls.push(name);
                return (original[name] as (i: never) => Promise<unknown>)(input);
              };
            }
            return traced as unknown as RecipeInterface;
          },
        },
      },
      {
        addRoutes: (a) =>
          a.post("/touch", async (req, res) => {
            const session = await Session.getSession(req, res);
            await session.updateSessionData({ n: 1 });
            await session.getSessionData();
            await session.updateJWTPayload({ p: 1 });
            await session.getTimeCreated();
            res.json({ ok: true });
          }),
      },
    );
    const { client } = app;
    client.defaultHeaders = { "st-auth-mode": "cookie" };
    await client.request("POST", "/login", { body: { userId: "u1" } });
    await client.request("POST", "/touch", { body: {} });
    await client.request("POST", "/auth/session/refresh");
    await client.request("POST", "/auth/signout", { body: {} });
    const s = await Session.createNewSessionWithoutRequestResponse("u2");
    await Session.getJWTPayload(s.getHandle());
    await Session.updateJWTPayload(s.getHandle(), {});
    await Session.getAllSessionHandlesForUser("u2");
    await Session.revokeMultipleSessions([s.getHandle()]);
    await Session.revokeAllSessionsForUser("u2");
    expect(calls).to.deep.equal([
      "createNewSession",
      "getSession",
      "updateSessionData",
      "getSessionData",
      "updateJWTPayload",
      "getSessionInformation",
      "refreshSession",
      "getSession",
      "revokeSession",
      "createNewSession",
      "getJWTPayload",
      "updateJWTPayload",
      "getAllSessionHandlesForUser",
      "revokeMultipleSessions",
      "revokeAllSessionsForUser",
    ]);
  });

  it("an overridden signOutPOST and a disabled refresh route", async () => {
    app = await startSessionApp({
      override: {
        apis: (original) => ({
          ...original,
          refreshPOST: undefined,
          signOutPOST: async (input) => {
            await original.signOutPOST!(input);
            return { status: "OK" };
          },
        }),
      },
    });
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    await app.client.request("POST", "/login", { body: { userId: "u1" } });
    expect((await app.client.request("POST", "/auth/session/refresh")).status).to.equal(404);
    expect((await app.client.request("POST", "/auth/signout", { body: {} })).json).to.deep.equal({ status: "OK" });
  });
});
