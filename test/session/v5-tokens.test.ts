import crypto from "node:crypto";
import { expect } from "chai";
import { SessionRecipe } from "../../recipes/session/recipe";
import { decodeFrontToken, jwtPayload } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

type SessionErr = InstanceType<typeof Session.Error>;

async function failure(promise: Promise<unknown>): Promise<SessionErr> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as SessionErr,
  );
}

describe("session: supertokens-node v5 access tokens", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("the header carries version 5, the payload the custom claims at the top level, and the front-token all of it", async () => {
    app = await startSessionApp();
    app.client.defaultHeaders = { "st-auth-mode": "header" };
    const login = await app.client.request("POST", "/login", { body: { userId: "u1", jwtPayload: { role: "admin" } } });
    const token = login.headers.get("st-access-token") ?? "";
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as Record<
      string,
      unknown
    >;
    expect(header).to.include({ version: "5", typ: "JWT", alg: "RS256" });
    const payload = jwtPayload(token);
    expect(payload).to.include({ sub: "u1", role: "admin", tId: "public", iss: "http://localhost:3001/auth" });
    expect(payload).to.have.keys("sub", "exp", "iat", "sessionHandle", "tId", "iss", "role");
    const front = decodeFrontToken(login.headers.get("front-token"));
    expect(front.up).to.deep.equal(payload);
    expect(front.uid).to.equal("u1");
    expect(front.ate).to.equal((payload.exp as number) * 1000);
    const protectedRes = await app.client.request("GET", "/protected", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(protectedRes.json.payload).to.deep.equal({ role: "admin" });
  });

  it("updateJWTPayload, mergeIntoAccessTokenPayload and the module's updateJWTPayload refuse a protected claim, naming it", async () => {
    app = await startSessionApp();
    const session = await Session.createNewSessionWithoutRequestResponse("u1", { role: "user" });
    const viaUpdate = await failure(session.updateJWTPayload({ role: "x", sessionHandle: "other" }));
    expect(viaUpdate.type).to.equal("PROTECTED_CLAIM_IN_PAYLOAD");
    expect(viaUpdate.payload).to.deep.equal({ key: "sessionHandle" });
    const viaMerge = await failure(session.mergeIntoAccessTokenPayload({ exp: null }));
    expect(viaMerge.type).to.equal("PROTECTED_CLAIM_IN_PAYLOAD");
    expect(viaMerge.payload).to.deep.equal({ key: "exp" });
    const viaModule = await failure(Session.updateJWTPayload(session.getHandle(), { iss: "https://evil.example" }));
    expect(viaModule.type).to.equal("PROTECTED_CLAIM_IN_PAYLOAD");
    expect(viaModule.message).to.include('"iss"');
    // Nothing was written: the stored payload is unchanged.
    expect(await Session.getJWTPayload(session.getHandle())).to.deep.equal({ role: "user" });
  });

  it("an access token of the shape before v5 (no version, claims under up) is refused with try-refresh, and the refresh issues a v5 token", async () => {
    app = await startSessionApp();
    app.client.defaultHeaders = { "st-auth-mode": "header" };
    const login = await app.client.request("POST", "/login", { body: { userId: "u1", jwtPayload: { role: "admin" } } });
    const v5 = jwtPayload(login.headers.get("st-access-token") ?? "");
    const kid = (
      JSON.parse(
        Buffer.from((login.headers.get("st-access-token") ?? "").split(".")[0] ?? "", "base64url").toString(),
      ) as {
        kid: string;
      }
    ).kid;
    const key = await SessionRecipe.getInstanceOrThrow().keys.getSigningKey();
    // The old format, signed by the deployment's own key: header without "version", custom claims under `up`.
    const oldHeader = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT", kid })).toString("base64url");
    const oldBody = Buffer.from(
      JSON.stringify({ sub: "u1", sessionHandle: v5.sessionHandle, iat: v5.iat, exp: v5.exp, up: { role: "admin" } }),
    ).toString("base64url");
    const oldSignature = crypto.sign("sha256", Buffer.from(`${oldHeader}.${oldBody}`), key.privateKey);
    const oldToken = `${oldHeader}.${oldBody}.${oldSignature.toString("base64url")}`;
    expect((await failure(Session.getSession(oldToken))).type).to.equal("TRY_REFRESH_TOKEN");
    const refused = await app.client.request("GET", "/protected", { headers: { authorization: `Bearer ${oldToken}` } });
    expect(refused.status).to.equal(401);
    const refreshed = await app.client.request("POST", "/auth/session/refresh", {
      headers: { authorization: `Bearer ${login.headers.get("st-refresh-token") ?? ""}` },
    });
    expect(refreshed.status).to.equal(200);
    const renewed = refreshed.headers.get("st-access-token") ?? "";
    expect(jwtPayload(renewed)).to.include({ role: "admin", sub: "u1" });
    const ok = await app.client.request("GET", "/protected", { headers: { authorization: `Bearer ${renewed}` } });
    expect(ok.json.payload).to.deep.equal({ role: "admin" });
  });

  it("a custom key that shadows a protected claim in a stored payload (written before v5) never reaches the token's claim", async () => {
    app = await startSessionApp();
    const session = await Session.createNewSessionWithoutRequestResponse("u1", { role: "user" });
    const codec = SessionRecipe.getInstanceOrThrow().codec;
    const token = await codec.sign({
      ...jwtPayload(session.getAccessToken()),
      up: { sub: "attacker", role: "user" },
    } as never);
    expect(jwtPayload(token).sub).to.equal("u1");
    expect((await Session.getSession(token)).getUserId()).to.equal("u1");
  });
});
