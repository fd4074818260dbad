import crypto from "node:crypto";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { Latchkey as Core } from "../../lib/latchkey";
import { type AccessTokenPayload, signWith } from "../../recipes/session/accessToken";
import { SessionRecipe } from "../../recipes/session/recipe";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { jwtPayload } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

/** Counts the queries knex sends while `fn` runs. */
async function countQueries(fn: () => Promise<unknown>): Promise<number> {
  const knex = Core.getInstanceOrThrow().database.knex;
  let count = 0;
  const onQuery = (): void => void count++;
  knex.on("query", onQuery);
  try {
    await fn();
  } finally {
    knex.off("query", onQuery);
  }
  return count;
}

describe("session: verification", () => {
  let lk: TestLatchkey | undefined;
  afterEach(async () => {
    await lk?.cleanup();
    lk = undefined;
  });

  it("getSession makes no database query without blacklisting", async () => {
    lk = initLatchkey([Session.init()]);
    const { accessToken } = (
      await Session.createNewSessionWithoutRequestResponse("u1", { role: "admin" })
    ).getAllSessionTokensDangerously();
    expect(
      await countQueries(async () => {
        for (let i = 0; i < 20; i++)
          expect((await Session.getSession(accessToken)).getJWTPayload()).to.deep.equal({ role: "admin" });
      }),
    ).to.equal(0);
  });

  it("with blacklisting, getSession makes one query, and a revoked session's token is rejected at once", async () => {
    lk = initLatchkey([Session.init({ enableBlacklisting: true })]);
    const session = await Session.createNewSessionWithoutRequestResponse("u1");
    const { accessToken } = session.getAllSessionTokensDangerously();
    expect(await countQueries(() => Session.getSession(accessToken))).to.equal(1);
    await Session.revokeSession(session.getHandle());
    try {
      await Session.getSession(accessToken);
      expect.fail("a revoked session must be rejected");
    } catch (err) {
      expect((err as InstanceType<typeof Session.Error>).type).to.equal("UNAUTHORISED");
    }
  });

  it("without blacklisting a revoked session's token works until it expires (documented)", async () => {
    lk = initLatchkey([Session.init()]);
    const session = await Session.createNewSessionWithoutRequestResponse("u1");
    await Session.revokeSession(session.getHandle());
    expect((await Session.getSession(session.getAccessToken())).getUserId()).to.equal("u1");
  });

  it("the first use of an access token from a refresh makes the new refresh token current with one query and no new token; later uses are query-free", async () => {
    lk = initLatchkey([Session.init()]);
    const created = await Session.createNewSessionWithoutRequestResponse("u1");
    const refreshed = await Session.refreshSessionWithoutRequestResponse(
      created.getAllSessionTokensDangerously().refreshToken ?? "",
    );
    const afterRefresh = refreshed.getAllSessionTokensDangerously();
    expect(jwtPayload(afterRefresh.accessToken)).to.include.keys("prh", "rth");
    let firstUse: Awaited<ReturnType<typeof Session.getSession>> | undefined;
    expect(await countQueries(async () => (firstUse = await Session.getSession(afterRefresh.accessToken)))).to.equal(1);
    const kept = firstUse?.getAllSessionTokensDangerously();
    // The token keeps its lineage claims and is not signed again (issue 24): nothing new goes back to the client.
    expect(kept?.accessAndFrontTokenUpdated).to.equal(false);
    expect(kept?.accessToken).to.equal(afterRefresh.accessToken);
    expect(firstUse?.getAccessTokenPayload()).to.not.include.any.keys("prh", "rth");
    const row = await Core.getInstanceOrThrow()
      .database.knex(Core.getInstanceOrThrow().database.table("sessions"))
      .where({ session_handle: created.getHandle() })
      .first<{ refresh_token_hash2: string }>();
    expect(row?.refresh_token_hash2).to.equal(jwtPayload(afterRefresh.accessToken).rth);
    expect(await countQueries(() => Session.getSession(afterRefresh.accessToken))).to.equal(0);
  });

  it("tokens are standard RS256 JWTs that jsonwebtoken verifies with the published JWKS, and user keys never overwrite claims", async () => {
    lk = initLatchkey([Session.init()]);
    // v5: a payload that sets a protected claim is refused, naming the key, rather than kept apart.
    for (const key of ["sub", "exp", "sessionHandle", "iss", "tId", "antiCsrfToken", "refreshTokenHash1"]) {
      const refused = await Session.createNewSessionWithoutRequestResponse("u1", { [key]: "x", role: "admin" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused, key).to.be.instanceOf(Session.Error);
      expect((refused as InstanceType<typeof Session.Error>).type).to.equal("PROTECTED_CLAIM_IN_PAYLOAD");
      expect((refused as InstanceType<typeof Session.Error>).payload).to.deep.equal({ key });
      expect((refused as Error).message).to.include(`"${key}"`);
    }
    const session = await Session.createNewSessionWithoutRequestResponse("u1", { role: "admin", nested: { a: 1 } });
    const token = session.getAccessToken();
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as {
      kid: string;
      alg: string;
    };
    const jwks = await Session.getJWKS();
    const jwk = jwks.keys.find((k) => (k as { kid?: string }).kid === header.kid);
    expect(jwk, "the signing key is published").to.not.equal(undefined);
    const key = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: "jwk" });
    const verified = jwt.verify(token, key, { algorithms: ["RS256"] }) as Record<string, unknown>;
    expect(verified.sub).to.equal("u1");
    expect(verified.sessionHandle).to.equal(session.getHandle());
    // The custom claims sit at the top level beside the protected ones, as a backend with any JWT library expects.
    expect(verified.role).to.equal("admin");
    expect(verified.nested).to.deep.equal({ a: 1 });
    expect(verified).to.not.have.property("up");
    expect(verified.iss).to.equal("http://localhost:3001/auth");
    expect(verified.tId).to.equal("public");
    expect(header).to.include({ version: "5" });
    expect((await Session.getSession(token)).getUserId()).to.equal("u1");
  });
});

describe("session: tampered tokens are rejected, never 500", () => {
  let app: SessionTestApp | undefined;
  after(async () => {
    await app?.close();
    app = undefined;
  });

  it("rejects every tampering as 401 (UNAUTHORISED or try refresh token)", async () => {
    app = await startSessionApp();
    const login = await app.client.request("POST", "/login", {
      body: { userId: "victim" },
      headers: { "st-auth-mode": "header" },
    });
    const good = login.headers.get("st-access-token") ?? "";
    const [h, p, s] = good.split(".") as [string, string, string];
    const payload = jwtPayload(good);
    const b64 = (v: unknown): string =>
      Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
    const jwks = await Session.getJWKS();
    const publicPem = crypto
      .createPublicKey({ key: jwks.keys[0] as crypto.JsonWebKey, format: "jwk" })
      .export({ type: "spki", format: "pem" });
    const kid = (JSON.parse(Buffer.from(h, "base64url").toString()) as { kid: string }).kid;
    const foreign = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const other = (await Session.createNewSessionWithoutRequestResponse("other-user")).getAccessToken();
    const recipe = SessionRecipe.getInstanceOrThrow();
    const cases: Record<string, string> = {
      "bad signature": `${h}.${p}.${s.slice(0, -4)}AAAA`,
      "alg none": `${b64({ alg: "none", typ: "JWT", kid })}.${p}.`,
      "alg none with a signature": `${b64({ alg: "none", kid })}.${p}.${s}`,
      "HS256 signed with the public key": jwt.sign(payload, publicPem.toString(), {
        algorithm: "HS256",
        keyid: kid,
        noTimestamp: true,
      }),
      "unknown kid": signWith({ kid: "k-unknown", privateKey: foreign }, payload as never),
      "kid injection": `${b64({ alg: "RS256", kid: "../../etc/passwd' OR 1=1 --" })}.${p}.${s}`,
      "embedded jwk": `${b64({ alg: "RS256", kid, jwk: { kty: "RSA" } })}.${p}.${s}`,
      "signed by another deployment's key with our kid": signWith({ kid, privateKey: foreign }, payload as never),
      "re-encoded payload": `${h}.${b64({ ...payload, sub: "attacker" })}.${s}`,
      "payload swapped from another user's token": `${h}.${other.split(".")[1]}.${s}`,
      expired: await recipe.codec.sign({ ...(payload as unknown as AccessTokenPayload), iat: now - 100, exp: now - 1 }),
      truncated: good.slice(0, good.length - 10),
      "two parts": `${h}.${p}`,
      "four parts": `${good}.x`,
      "not base64": "%%%.@@@.!!!",
      "payload not JSON": `${h}.${b64("not json")}.${s}`,
      "payload an array": `${h}.${b64([1, 2])}.${s}`,
      "header not JSON": `${b64("nope")}.${p}.${s}`,
      empty: "",
      huge: "a".repeat(9000),
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await app.client.request("GET", "/protected", { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, `${name}: ${JSON.stringify(res.json)}`).to.equal(401);
      expect(["try refresh token", "unauthorised"], name).to.include(res.json.message);
      expect(res.json.userId, name).to.equal(undefined);
    }
    // The genuine token still works after all that.
    expect(
      (await app.client.request("GET", "/protected", { headers: { authorization: `Bearer ${good}` } })).json.userId,
    ).to.equal("victim");
  });
});
