import { expect } from "chai";
import type express from "express";
import type { JSONValue } from "../../lib/types";
import type { SessionContainer } from "../../recipes/session/index";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

// A type the app states for its access token payload.
type ShopPayload = { role: string; level: number };

// Type-level checks, never run: `npm run lint` type-checks tests, so a wrong type here fails the build (the
// expect-error lines fail if their error goes away, i.e. if the payload were untyped).
export async function typeChecks(
  req: express.Request,
  res: express.Response,
): Promise<{ role: string; level: number }> {
  const session = await Session.getSession<ShopPayload>(req, res);
  const role: string = session.getJWTPayload().role;
  const level: number = session.getAccessTokenPayload().level;
  // @ts-expect-error role is a string
  const wrong: number = session.getJWTPayload().role;
  // @ts-expect-error ShopPayload has no such key
  void session.getAccessTokenPayload().missing;
  const optional = await Session.getSession<ShopPayload>(req, res, { sessionRequired: false });
  // @ts-expect-error without a required session the result may be undefined
  void optional.getJWTPayload();
  const byToken: SessionContainer<ShopPayload> = await Session.getSession<ShopPayload>("token");
  const withoutReq: SessionContainer<ShopPayload> =
    await Session.getSessionWithoutRequestResponse<ShopPayload>("token");
  // Without a type argument the payload is any JSON object.
  const plain = await Session.getSession(req, res);
  const anyKey: JSONValue | undefined = plain.getJWTPayload().whatever;
  void [wrong, byToken, withoutReq, anyKey];
  return { role, level };
}

describe("session: a typed access token payload (getSession<MyPayload>)", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("getSession<ShopPayload>(req, res) gives the payload the app put there, typed", async () => {
    const route = async (req: express.Request, res: express.Response): Promise<void> => {
      const typed = await Session.getSession<ShopPayload>(req, res);
      const level: number = typed.getAccessTokenPayload().level;
      res.json({ role: typed.getJWTPayload().role, nextLevel: level + 1 });
    };
    app = await startSessionApp(
      {},
      { addRoutes: (a) => a.get("/typed", (req, res, next) => void route(req, res).catch(next)) },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    await app.client.request("POST", "/login", { body: { userId: "u1", jwtPayload: { role: "admin", level: 3 } } });
    expect((await app.client.request("GET", "/typed")).json).to.deep.equal({ role: "admin", nextLevel: 4 });
    const session = await Session.getSessionWithoutRequestResponse<ShopPayload>(
      app.client.cookie("sAccessToken") ?? "",
      undefined,
      { antiCsrfCheck: false },
    );
    expect(session.getJWTPayload().role).to.equal("admin");
    expect(session.getAccessTokenPayload().level).to.equal(3);
  });
});
