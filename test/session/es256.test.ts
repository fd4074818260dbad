import crypto from "node:crypto";
import { expect } from "chai";
import jwt from "jsonwebtoken";
import { resetForTests } from "../../lib/testing";
import Latchkey from "../../lib/index";
import { signWith } from "../../recipes/session/accessToken";
import { APP_INFO, initLatchkey, type TestLatchkey } from "../helpers/app";
import { jwtPayload } from "../helpers/http";
import { Session } from "../helpers/sessionApp";

const header = (token: string): { alg: string; kid: string } =>
  JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { alg: string; kid: string };
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

/** Resolves with the error type getSession rejects with, or fails the test if it accepts the token. */
async function rejection(token: string): Promise<string> {
  return Session.getSession(token).then(
    () => expect.fail("the token was accepted"),
    (err: InstanceType<typeof Session.Error>) => err.type,
  );
}

describe("session: accessTokenSigningAlgorithm ES256", () => {
  let lk: TestLatchkey | undefined;
  afterEach(async () => {
    await lk?.cleanup();
    lk = undefined;
  });

  it("signs ES256 JWTs that jsonwebtoken verifies with the published P-256 JWK; they verify and refresh", async () => {
    lk = initLatchkey([Session.init({ accessTokenSigningAlgorithm: "ES256" })]);
    const session = await Session.createNewSessionWithoutRequestResponse("u1", { role: "admin" });
    const token = session.getAccessToken();
    expect(header(token).alg).to.equal("ES256");
    expect(Buffer.from(token.split(".")[2] ?? "", "base64url").length, "r||s, not DER").to.equal(64);
    const jwk = (await Session.getJWKS()).keys.find((k) => (k as { kid?: string }).kid === header(token).kid) as Record<
      string,
      unknown
    >;
    expect(jwk).to.include({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(jwk.d, "no private part").to.equal(undefined);
    const key = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: "jwk" });
    expect((jwt.verify(token, key, { algorithms: ["ES256"] }) as { sub: string }).sub).to.equal("u1");
    expect((await Session.getSession(token)).getJWTPayload()).to.deep.equal({ role: "admin" });
    const refreshed = await Session.refreshSessionWithoutRequestResponse(
      session.getAllSessionTokensDangerously().refreshToken ?? "",
    );
    const next = refreshed.getAccessToken();
    expect(header(next).alg).to.equal("ES256");
    expect((await Session.getSession(next)).getUserId()).to.equal("u1");
  });

  it("the key decides the algorithm: a header naming the other one, a DER signature or a foreign key is rejected", async () => {
    lk = initLatchkey([Session.init({ accessTokenSigningAlgorithm: "ES256" })]);
    const good = (await Session.createNewSessionWithoutRequestResponse("victim")).getAccessToken();
    const [h, p, s] = good.split(".") as [string, string, string];
    const { kid } = header(good);
    const payload = jwtPayload(good);
    const input = (hd: unknown): Buffer => Buffer.from(`${b64(hd)}.${p}`);
    const foreignEc = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const foreignRsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const derHeader = { alg: "ES256", typ: "JWT", kid };
    const cases: Record<string, string> = {
      "RS256 header on the ES256 key's kid": `${b64({ alg: "RS256", typ: "JWT", kid })}.${p}.${s}`,
      "RS256 signed by a foreign RSA key under our kid": signWith(
        { kid, privateKey: foreignRsa, algorithm: "RS256" },
        payload as never,
      ),
      "ES256 signed by a foreign P-256 key under our kid": signWith(
        { kid, privateKey: foreignEc, algorithm: "ES256" },
        payload as never,
      ),
      "ES384 header": `${b64({ alg: "ES384", typ: "JWT", kid })}.${p}.${s}`,
      "DER-encoded signature": `${b64(derHeader)}.${p}.${crypto.sign("sha256", input(derHeader), foreignEc).toString("base64url")}`,
      "signature bits flipped": `${h}.${p}.${Buffer.from(Buffer.from(s, "base64url").map((x) => x ^ 1)).toString("base64url")}`,
    };
    for (const [name, token] of Object.entries(cases)) {
      expect(await rejection(token), name).to.equal("TRY_REFRESH_TOKEN");
    }
    expect((await Session.getSession(good)).getUserId(), "the genuine token still works").to.equal("victim");
  });

  it("switching RS256 -> ES256 on the same tables makes a new key at once; tokens of the old key keep verifying", async () => {
    lk = initLatchkey([Session.init()]);
    const before = (await Session.createNewSessionWithoutRequestResponse("u1")).getAccessToken();
    expect(header(before).alg).to.equal("RS256");
    await resetForTests();
    Latchkey.init({
      appInfo: APP_INFO,
      database: lk.url,
      tablePrefix: lk.prefix,
      recipeList: [Session.init({ accessTokenSigningAlgorithm: "ES256" })],
    });
    const after = (await Session.createNewSessionWithoutRequestResponse("u2")).getAccessToken();
    expect(header(after).alg).to.equal("ES256");
    expect(header(after).kid).to.not.equal(header(before).kid);
    expect((await Session.getSession(before)).getUserId()).to.equal("u1");
    expect((await Session.getSession(after)).getUserId()).to.equal("u2");
    const algs = (await Session.getJWKS()).keys.map((k) => (k as { alg: string }).alg);
    expect(algs).to.include.members(["RS256", "ES256"]);
    // An RS256 header on the new ES256 key, or an ES256 header on the old RS256 key, is refused.
    const [, p, s] = before.split(".") as [string, string, string];
    expect(await rejection(`${b64({ alg: "ES256", typ: "JWT", kid: header(before).kid })}.${p}.${s}`)).to.equal(
      "TRY_REFRESH_TOKEN",
    );
  });
});
