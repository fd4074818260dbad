import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import sinon from "sinon";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { rawKnex, testDatabaseUrl, testDbKind, uniquePrefix, dropTablesWithPrefix } from "../helpers/db";
import { Session, startSessionApp } from "../helpers/sessionApp";

const run = promisify(execFile);
const kidOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { kid: string }).kid;

describe("session: signing keys", () => {
  let lk: TestLatchkey | undefined;
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await lk?.cleanup();
    lk = undefined;
  });

  it("rotates on schedule; a token signed by the previous key verifies until it expires; old keys leave the JWKS", async () => {
    const HOUR = 3600 * 1000;
    // Start just after a slot boundary so the slot arithmetic below is exact.
    clock = sinon.useFakeTimers({ now: Math.ceil(Date.now() / HOUR) * HOUR + 1000, toFake: ["Date"] });
    lk = initLatchkey([Session.init({ accessTokenSigningKeyUpdateInterval: 1, accessTokenValidity: 2 * 3600 })]);
    const first = (await Session.createNewSessionWithoutRequestResponse("u1")).getAccessToken();
    clock.tick(HOUR);
    const second = (await Session.createNewSessionWithoutRequestResponse("u2")).getAccessToken();
    expect(kidOf(second)).to.not.equal(kidOf(first));
    expect((await Session.getSession(first)).getUserId()).to.equal("u1"); // previous key, token not expired
    expect((await Session.getJWKS()).keys.map((k) => (k as { kid: string }).kid)).to.include.members([
      kidOf(first),
      kidOf(second),
    ]);
    clock.tick(HOUR + 1000); // first token expired now
    await Session.getSession(first).then(
      () => expect.fail("expired"),
      (err: InstanceType<typeof Session.Error>) => expect(err.type).to.equal("TRY_REFRESH_TOKEN"),
    );
    clock.tick(2 * HOUR); // past the first key's verify window: it is no longer published
    await Session.createNewSessionWithoutRequestResponse("u3");
    expect((await Session.getJWKS()).keys.map((k) => (k as { kid: string }).kid)).to.not.include(kidOf(first));
  });

  it("GET /auth/jwt/jwks.json publishes the keys", async () => {
    const app = await startSessionApp();
    try {
      const token = (await Session.createNewSessionWithoutRequestResponse("u1")).getAccessToken();
      const res = await app.client.request("GET", "/auth/jwt/jwks.json");
      expect(res.status).to.equal(200);
      const keys = res.json.keys as { kid: string; kty: string; alg: string; d?: string }[];
      expect(keys.map((k) => k.kid)).to.include(kidOf(token));
      for (const k of keys) {
        expect(k.kty).to.equal("RSA");
        expect(k.alg).to.equal("RS256");
        expect(k.d, "no private part").to.equal(undefined);
      }
    } finally {
      await app.close();
    }
  });

  it(`two processes started at once on one database agree on one signing key (${testDbKind()})`, async function () {
    this.timeout(60_000);
    const url = testDatabaseUrl();
    const prefix = uniquePrefix();
    const script = path.resolve(__dirname, "../fixtures/signOnce.ts");
    const startAt = String(Date.now() + 2500);
    const spawn = () =>
      run(process.execPath, ["--require", "tsx/cjs", script, url, prefix, startAt], { timeout: 50_000 });
    const knex = rawKnex(url);
    try {
      const [a, b, c] = await Promise.all([spawn(), spawn(), spawn()]);
      const kids = [a.stdout.trim(), b.stdout.trim(), c.stdout.trim()];
      expect(new Set(kids).size, kids.join(" ")).to.equal(1);
      const rows = (await knex(`${prefix}session_signing_keys`).select("kid")) as { kid: string }[];
      expect(rows.map((r) => r.kid)).to.deep.equal([kids[0]]);
    } finally {
      await dropTablesWithPrefix(knex, prefix);
      await knex.destroy();
    }
  });
});
