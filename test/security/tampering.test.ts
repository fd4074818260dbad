import crypto from "node:crypto";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { resolveConnection } from "../../lib/db/connection";
import { Database } from "../../lib/db/database";
import { LatchkeyError } from "../../lib/error";
import { AccessTokenCodec, type AccessTokenPayload, signWith } from "../../recipes/session/accessToken";
import { sessionMigrations } from "../../recipes/session/migrations";
import { SessionRecipe } from "../../recipes/session/recipe";
import { SigningKeyStore } from "../../recipes/session/signingKeys";
import { dropTablesWithPrefix, rawKnex, testDbKind, uniquePrefix } from "../helpers/db";
import { jwtPayload } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { countCases } from "./counts";

const b64 = (v: unknown): string => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const REJECTED = ["TRY_REFRESH_TOKEN", "UNAUTHORISED"];

/** Signs with the keys of another deployment: the same database, another table prefix. */
async function signedByAnotherDeployment(url: string, payload: AccessTokenPayload): Promise<string> {
  const prefix = uniquePrefix();
  const db = new Database(resolveConnection(url), prefix);
  db.setMigrations(sessionMigrations);
  try {
    return await new AccessTokenCodec(new SigningKeyStore(db, 3600_000, 3600_000)).sign(payload);
  } finally {
    await db.close();
    const knex = rawKnex(url);
    await dropTablesWithPrefix(knex, prefix);
    await knex.destroy();
  }
}

describe(`security: tampered access and refresh tokens are rejected (${testDbKind()})`, () => {
  let app: SessionTestApp;
  let good: string;
  let victimRefresh: string;
  let victimHandle: string;
  before(async () => {
    app = await startSessionApp();
    const login = await app.client.request("POST", "/login", {
      body: { userId: "victim" },
      headers: { "st-auth-mode": "header" },
    });
    good = login.headers.get("st-access-token") ?? "";
    victimRefresh = login.headers.get("st-refresh-token") ?? "";
    victimHandle = login.json.handle as string;
  });
  after(() => app.close());

  async function accessCases(): Promise<Record<string, string>> {
    const [h, p, s] = good.split(".") as [string, string, string];
    const payload = jwtPayload(good) as unknown as AccessTokenPayload;
    const header = JSON.parse(Buffer.from(h, "base64url").toString()) as { kid: string };
    const kid = header.kid;
    const jwks = await Session.getJWKS();
    const publicJwk = jwks.keys.find((k) => k.kid === kid) as crypto.JsonWebKey;
    const publicPem = crypto
      .createPublicKey({ key: publicJwk, format: "jwk" })
      .export({ type: "spki", format: "pem" })
      .toString();
    const foreign = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const other = await Session.createNewSessionWithoutRequestResponse("other-user");
    const otherPayload = jwtPayload(other.getAccessToken()) as unknown as AccessTokenPayload;
    const codec = SessionRecipe.getInstanceOrThrow().codec;
    const withKid = (k: string) => signWith({ kid: k, privateKey: foreign }, payload);
    const sig = Buffer.from(s, "base64url");
    return {
      "alg none, no signature": `${b64({ alg: "none", typ: "JWT", kid })}.${p}.`,
      "alg none, the old signature kept": `${b64({ alg: "none", typ: "JWT", kid })}.${p}.${s}`,
      "alg None (case)": `${b64({ alg: "None", kid })}.${p}.`,
      "HS256 signed with the public key as PEM (HS/RS confusion)": jwt.sign(payload, publicPem, {
        algorithm: "HS256",
        keyid: kid,
        noTimestamp: true,
      }),
      "HS256 signed with the public key's n": jwt.sign(payload, Buffer.from(publicJwk.n ?? "", "base64url"), {
        algorithm: "HS256",
        keyid: kid,
        noTimestamp: true,
      }),
      "RS512 header over an RS256 signature": `${b64({ alg: "RS512", typ: "JWT", kid })}.${p}.${s}`,
      "PS256 signed with a foreign key": jwt.sign(
        payload,
        foreign.export({ type: "pkcs8", format: "pem" }).toString(),
        { algorithm: "PS256", keyid: kid, noTimestamp: true },
      ),
      "unknown kid": withKid("k-unknown-key"),
      "kid with a path": withKid("../../../../dev/null"),
      "kid with SQL": withKid("x' OR '1'='1' --"),
      "kid __proto__": withKid("__proto__"),
      "no kid": `${b64({ alg: "RS256", typ: "JWT" })}.${p}.${s}`,
      "kid not a string": `${b64({ alg: "RS256", typ: "JWT", kid: [kid] })}.${p}.${s}`,
      "embedded jwk (key brought by the token)": `${b64({ alg: "RS256", kid, jwk: publicJwk })}.${p}.${s}`,
      "jku header (key fetched from the token's URL)": `${b64({ alg: "RS256", kid, jku: "http://127.0.0.1:1/jwks" })}.${p}.${s}`,
      "x5u header": `${b64({ alg: "RS256", kid, x5u: "http://127.0.0.1:1/cert" })}.${p}.${s}`,
      "signature stripped": `${h}.${p}.`,
      "signature stripped, no dot": `${h}.${p}`,
      "signature of another token": `${h}.${p}.${other.getAccessToken().split(".")[2] ?? ""}`,
      "signature with junk appended": `${h}.${p}.${s}AAAA`,
      "signature with an invalid character appended": `${h}.${p}.${s}!`,
      "signature, last character changed in its unused bits": `${h}.${p}.${s.slice(0, -1)}${sig.toString("base64url").slice(-1) === "A" ? "B" : "A"}`,
      "signature in base64 (not base64url)": `${h}.${p}.${sig.toString("base64")}`,
      "one bit of the signature flipped": `${h}.${p}.${Buffer.from(sig.map((b, i) => (i === 10 ? b ^ 1 : b))).toString("base64url")}`,
      "payload re-encoded: sub changed": `${h}.${b64({ ...payload, sub: "attacker" })}.${s}`,
      "payload re-encoded: sessionHandle of another user's session": `${h}.${b64({ ...payload, sessionHandle: otherPayload.sessionHandle })}.${s}`,
      "payload re-encoded: exp extended": `${h}.${b64({ ...payload, exp: payload.exp + 86400 })}.${s}`,
      "payload re-encoded: same claims, other JSON spacing": `${h}.${Buffer.from(JSON.stringify(payload, null, 1)).toString("base64url")}.${s}`,
      "payload re-encoded: claims in the user payload": `${h}.${b64({ ...payload, up: { sub: "attacker" } })}.${s}`,
      "payload of another user's token under this signature": `${h}.${other.getAccessToken().split(".")[1] ?? ""}.${s}`,
      "header re-encoded with extra spaces": `${Buffer.from(JSON.stringify(header, null, 1)).toString("base64url")}.${p}.${s}`,
      expired: await codec.sign({ ...payload, iat: now - 7200, exp: now - 1 }),
      "expires this very second": await codec.sign({ ...payload, iat: now - 3600, exp: now }),
      "issued in the future (iat one hour ahead)": await codec.sign({ ...payload, iat: now + 3600, exp: now + 7200 }),
      "not yet valid (nbf one hour ahead)": await codec.sign({ ...payload, nbf: now + 3600 } as AccessTokenPayload),
      "exp as a string": await codec.sign({ ...payload, exp: String(now + 3600) } as unknown as AccessTokenPayload),
      "signed by another deployment's key (another table prefix)": await signedByAnotherDeployment(app.lk.url, payload),
      "signed by a foreign key under our kid": withKid(kid),
      "a refresh token sent as an access token": victimRefresh,
      empty: "",
      "three empty parts": "..",
      huge: `${h}.${"A".repeat(12_000)}.${s}`,
    };
  }

  it("every tampered access token is rejected by getSession, by verifySession over a header and over a cookie", async function () {
    this.timeout(60_000);
    const cases = await accessCases();
    countCases("access-token tampering", Object.keys(cases).length);
    const accepted: string[] = [];
    for (const [name, token] of Object.entries(cases)) {
      const outcome = await Session.getSession(token).then(
        (s) => `accepted for ${s.getUserId()}`,
        (err: unknown) =>
          LatchkeyError.isErrorFromAuth(err) && REJECTED.includes(err.type)
            ? "rejected"
            : `failed oddly: ${String(err)}`,
      );
      if (outcome !== "rejected") accepted.push(`getSession: ${name}: ${outcome}`);
      for (const channel of ["header", "cookie"] as const) {
        const headers: Record<string, string> =
          channel === "header"
            ? { authorization: `Bearer ${token}` }
            : { cookie: `sAccessToken=${encodeURIComponent(token)}` };
        const res = await app.client.request("GET", "/protected", { headers, cookies: false });
        const ok =
          res.status === 401 &&
          ["try refresh token", "unauthorised"].includes(res.json.message as string) &&
          res.json.userId === undefined;
        if (!ok) accepted.push(`verifySession (${channel}): ${name}: ${res.status} ${JSON.stringify(res.json)}`);
      }
    }
    expect(accepted).to.deep.equal([]);
    // The genuine token still works, after all that, both ways.
    expect((await Session.getSession(good)).getUserId()).to.equal("victim");
    expect(
      (await app.client.request("GET", "/protected", { headers: { authorization: `Bearer ${good}` }, cookies: false }))
        .json.userId,
    ).to.equal("victim");
  });

  it("forged or mixed refresh tokens are rejected and revoke no one; a replaced one is theft", async function () {
    this.timeout(60_000);
    const other = await Session.createNewSessionWithoutRequestResponse("refresh-neighbour");
    const otherRefresh = other.getAllSessionTokensDangerously().refreshToken ?? "";
    const [handle, parent, random, mac] = victimRefresh.split(".") as [string, string, string, string];
    const [otherHandle, , otherRandom, otherMac] = otherRefresh.split(".") as [string, string, string, string];
    const cases: Record<string, string> = {
      "random bytes": crypto.randomBytes(48).toString("base64url"),
      "victim's handle, made-up random part and MAC": `${handle}.${parent}.${crypto.randomBytes(32).toString("base64url")}.${crypto.randomBytes(32).toString("base64url")}`,
      "victim's token, random part changed": `${handle}.${parent}.${otherRandom}.${mac}`,
      "victim's token, MAC of another session": `${handle}.${parent}.${random}.${otherMac}`,
      "another session's token under the victim's handle": `${handle}.-.${otherRandom}.${otherMac}`,
      "victim's token under another session's handle": `${otherHandle}.${parent}.${random}.${mac}`,
      "victim's token with a made-up parent": `${handle}.${"a".repeat(64)}.${random}.${mac}`,
      "victim's token, MAC stripped": `${handle}.${parent}.${random}.`,
      "victim's token with SQL in the handle": `x' OR '1'='1.${parent}.${random}.${mac}`,
      "an access token sent as a refresh token": good,
      "a session handle sent as a refresh token": victimHandle,
      empty: "",
    };
    const missed: string[] = [];
    for (const [name, token] of Object.entries(cases)) {
      const outcome = await Session.refreshSessionWithoutRequestResponse(token, undefined, true).then(
        (s) => `accepted for ${s.getUserId()}`,
        (err: unknown) =>
          LatchkeyError.isErrorFromAuth(err) && err.type === "UNAUTHORISED"
            ? "rejected"
            : `failed oddly: ${String(err)}`,
      );
      if (outcome !== "rejected") missed.push(`refreshSession: ${name}: ${outcome}`);
      const res = await app.client.request("POST", "/auth/session/refresh", {
        headers: { authorization: `Bearer ${token}`, "st-auth-mode": "header" },
        cookies: false,
      });
      if (
        res.status !== 401 ||
        (res.headers.get("st-access-token") !== null && res.headers.get("st-access-token") !== "")
      ) {
        missed.push(`POST /session/refresh: ${name}: ${res.status} ${JSON.stringify(res.json)}`);
      }
    }
    expect(missed).to.deep.equal([]);
    // No forgery revoked anyone: both sessions still refresh with their genuine tokens.
    expect(await Session.getAllSessionHandlesForUser("victim")).to.deep.equal([victimHandle]);
    expect(await Session.getAllSessionHandlesForUser("refresh-neighbour")).to.deep.equal([other.getHandle()]);
    const refreshed = await Session.refreshSessionWithoutRequestResponse(victimRefresh, undefined, true);
    // The refreshed session's access token is used, so the old refresh token was replaced: replaying it is theft.
    await Session.getSession(refreshed.getAccessToken());
    const replay = await Session.refreshSessionWithoutRequestResponse(victimRefresh, undefined, true).then(
      () => "accepted",
      (err: unknown) => (LatchkeyError.isErrorFromAuth(err) ? err.type : String(err)),
    );
    expect(replay).to.equal("TOKEN_THEFT_DETECTED");
    expect(await Session.getAllSessionHandlesForUser("victim")).to.deep.equal([]);
    expect(await Session.getAllSessionHandlesForUser("refresh-neighbour")).to.deep.equal([other.getHandle()]);
    countCases("refresh-token tampering", Object.keys(cases).length + 1);
  });
});
