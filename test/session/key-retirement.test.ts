// Issue 23, finding 2: a retired signing key stops verifying in a long-running process. SECURITY.md promises that a
// leaked key is worth its slot plus the access-token lifetime; the verifier's header -> key cache must not stretch it.
import crypto from "node:crypto";
import { expect } from "chai";
import sinon from "sinon";
import { type AccessTokenPayload, signWith } from "../../recipes/session/accessToken";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { rawKnex } from "../helpers/db";
import { jwtPayload } from "../helpers/http";
import { Session } from "../helpers/sessionApp";

const HOUR = 3600 * 1000;
const kidOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { kid: string }).kid;

describe("session: a retired signing key stops verifying (issue 23)", () => {
  let lk: TestLatchkey | undefined;
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await lk?.cleanup();
    lk = undefined;
  });

  /** A token for `real`'s session signed with its key (as a thief of the key would), valid for a year. */
  async function forgeWithLeakedKey(real: string): Promise<string> {
    if (lk === undefined) throw new Error("not initialised");
    const knex = rawKnex(lk.url);
    try {
      const row = (await knex(`${lk.prefix}session_signing_keys`)
        .where({ kid: kidOf(real) })
        .first()) as {
        private_key: string;
      };
      const payload = { ...jwtPayload(real), exp: Math.floor(Date.now() / 1000) + 365 * 24 * 3600 };
      return signWith(
        { kid: kidOf(real), privateKey: crypto.createPrivateKey(row.private_key) },
        payload as unknown as AccessTokenPayload,
      );
    } finally {
      await knex.destroy();
    }
  }

  const refused = (token: string): Promise<void> =>
    Session.getSession(token).then(
      () => {
        expect.fail("a token signed by a retired key verified");
      },
      (err: InstanceType<typeof Session.Error>) => {
        expect(err.type).to.equal("TRY_REFRESH_TOKEN");
      },
    );

  it("a token forged with a leaked key verifies while the key may, and not once rotation retired it (fake clock, one process)", async () => {
    clock = sinon.useFakeTimers({ now: Math.ceil(Date.now() / HOUR) * HOUR + 1000, toFake: ["Date"] });
    lk = initLatchkey([Session.init({ accessTokenSigningKeyUpdateInterval: 1, accessTokenValidity: 3600 })]);
    const real = (await Session.createNewSessionWithoutRequestResponse("u1")).getAccessToken();
    const forged = await forgeWithLeakedKey(real);
    // Verified once: the header -> key lookup is now cached in this process.
    expect((await Session.getSession(forged)).getUserId()).to.equal("u1");
    clock.tick(HOUR); // next slot: a new key signs, the old one still verifies what it signed
    const next = (await Session.createNewSessionWithoutRequestResponse("u2")).getAccessToken();
    expect(kidOf(next)).to.not.equal(kidOf(real));
    expect((await Session.getSession(forged)).getUserId()).to.equal("u1");
    clock.tick(HOUR + 1000); // past the old key's verify window (its slot plus the access-token lifetime)
    await refused(forged);
    // Rotation deletes it and drops it from the JWKS; the cached lookup must not bring it back either.
    await Session.createNewSessionWithoutRequestResponse("u3");
    expect((await Session.getJWKS()).keys.map((k) => (k as { kid: string }).kid)).to.not.include(kidOf(real));
    await refused(forged);
  });

  it("a key deleted from the database stops verifying within a minute, with no rotation or JWKS read in between", async () => {
    clock = sinon.useFakeTimers({ now: Math.ceil(Date.now() / HOUR) * HOUR + 1000, toFake: ["Date"] });
    lk = initLatchkey([Session.init({ accessTokenSigningKeyUpdateInterval: 1, accessTokenValidity: 3600 })]);
    const real = (await Session.createNewSessionWithoutRequestResponse("u1")).getAccessToken();
    const forged = await forgeWithLeakedKey(real);
    expect((await Session.getSession(forged)).getUserId()).to.equal("u1");
    // An operator deletes the leaked key long before its verify window ends.
    const knex = rawKnex(lk.url);
    try {
      await knex(`${lk.prefix}session_signing_keys`)
        .where({ kid: kidOf(real) })
        .del();
    } finally {
      await knex.destroy();
    }
    clock.tick(61_000);
    // The recheck runs behind the verification that found it due; within a few verifications it has landed.
    let verified = 0;
    for (let i = 0; i < 50; i++) {
      const ok = await Session.getSession(forged).then(
        () => true,
        () => false,
      );
      if (!ok) break;
      verified++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(verified, "verifications after the recheck was due").to.be.below(50);
    await refused(forged);
  });
});
