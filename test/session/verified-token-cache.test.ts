// The verified-token cache: a token seen again skips crypto.verify, and nothing else. Each test verifies a token
// once (so it is cached) and then shows that a check other than the signature still refuses it on a cache hit.
import { expect } from "chai";
import sinon from "sinon";
import { SessionRecipe } from "../../recipes/session/recipe";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { rawKnex } from "../helpers/db";
import { Session } from "../helpers/sessionApp";

const HOUR = 3600 * 1000;
const kidOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { kid: string }).kid;
const cachedCount = (): number => SessionRecipe.getInstanceOrThrow().codec.verifiedTokenCount;

describe("session: verified-token cache (issue 21/24)", () => {
  let lk: TestLatchkey | undefined;
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await lk?.cleanup();
    lk = undefined;
  });

  /** Resolves with the refusal's type; fails the test if the token verified. */
  const refusal = (token: string, antiCsrf?: string): Promise<string> =>
    Session.getSessionWithoutRequestResponse(token, antiCsrf).then(
      () => expect.fail("the token verified"),
      (err: InstanceType<typeof Session.Error>) => err.type,
    );

  it("a cached token is refused once its exp has passed (the clock is read on every hit)", async () => {
    clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    lk = initLatchkey([Session.init({ accessTokenValidity: 60 })]);
    const token = (await Session.createNewSessionWithoutRequestResponse("u1")).getAccessToken();
    expect((await Session.getSessionWithoutRequestResponse(token)).getUserId()).to.equal("u1");
    expect(cachedCount()).to.equal(1);
    clock.tick(59_000);
    expect((await Session.getSessionWithoutRequestResponse(token)).getUserId()).to.equal("u1");
    clock.tick(1_000);
    expect(await refusal(token)).to.equal("TRY_REFRESH_TOKEN");
  });

  it("a cached token of a key deleted from the database stops verifying as an uncached one does", async () => {
    clock = sinon.useFakeTimers({ now: Math.ceil(Date.now() / HOUR) * HOUR + 1000, toFake: ["Date"] });
    lk = initLatchkey([Session.init({ accessTokenSigningKeyUpdateInterval: 1, accessTokenValidity: 3600 })]);
    const token = (await Session.createNewSessionWithoutRequestResponse("u1")).getAccessToken();
    expect((await Session.getSessionWithoutRequestResponse(token)).getUserId()).to.equal("u1");
    expect(cachedCount()).to.equal(1);
    const knex = rawKnex(lk.url);
    try {
      await knex(`${lk.prefix}session_signing_keys`)
        .where({ kid: kidOf(token) })
        .del();
    } finally {
      await knex.destroy();
    }
    clock.tick(61_000);
    // The recheck runs behind the verification that found it due (as without the cache, key-retirement.test.ts).
    let verified = 0;
    for (let i = 0; i < 50; i++) {
      const ok = await Session.getSessionWithoutRequestResponse(token).then(
        () => true,
        () => false,
      );
      if (!ok) break;
      verified++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(verified, "verifications after the recheck was due").to.be.below(50);
    expect(await refusal(token)).to.equal("TRY_REFRESH_TOKEN");
  });

  it("a cached token of a rotated-out key is refused once the key's verify window closes", async () => {
    clock = sinon.useFakeTimers({ now: Math.ceil(Date.now() / HOUR) * HOUR + 1000, toFake: ["Date"] });
    lk = initLatchkey([Session.init({ accessTokenSigningKeyUpdateInterval: 1, accessTokenValidity: 7200 })]);
    const token = (await Session.createNewSessionWithoutRequestResponse("u1")).getAccessToken();
    expect((await Session.getSessionWithoutRequestResponse(token)).getUserId()).to.equal("u1");
    clock.tick(HOUR);
    const next = (await Session.createNewSessionWithoutRequestResponse("u2")).getAccessToken();
    expect(kidOf(next)).to.not.equal(kidOf(token));
    expect((await Session.getSessionWithoutRequestResponse(token)).getUserId()).to.equal("u1");
    // The token's exp (2 h) is later than its key's window (its 1 h slot + 2 h): the key, not the exp, ends it.
    clock.tick(2 * HOUR);
    expect(await refusal(token)).to.equal("TRY_REFRESH_TOKEN");
  });

  it("a token that differs from a cached one in any character is verified in full and refused", async () => {
    lk = initLatchkey([Session.init()]);
    const token = (await Session.createNewSessionWithoutRequestResponse("u1", { role: "user" })).getAccessToken();
    expect((await Session.getSessionWithoutRequestResponse(token)).getUserId()).to.equal("u1");
    const [header = "", body = "", signature = ""] = token.split(".");
    const forgedBody = Buffer.from(
      JSON.stringify({
        ...(JSON.parse(Buffer.from(body, "base64url").toString()) as object),
        role: "admin",
      }),
    ).toString("base64url");
    const flip = (c: string): string => (c === "A" ? "B" : "A");
    const tampered = [
      `${header}.${forgedBody}.${signature}`, // same header and signature as the cached token
      `${token.slice(0, -1)}${flip(token.slice(-1))}`, // same prefix
      `${flip(token[0] ?? "")}${token.slice(1)}`, // same suffix
      `${token}A`,
      `${token}.`,
      ` ${token}`,
    ];
    for (const t of tampered) expect(await refusal(t), t.slice(-8)).to.equal("TRY_REFRESH_TOKEN");
    expect(cachedCount()).to.equal(1);
    expect((await Session.getSessionWithoutRequestResponse(token)).getJWTPayload()).to.deep.include({ role: "user" });
  });

  it("a request that mutates its payload does not change the next request's", async () => {
    lk = initLatchkey([Session.init()]);
    const token = (await Session.createNewSessionWithoutRequestResponse("u1", { role: "user" })).getAccessToken();
    await Session.getSessionWithoutRequestResponse(token);
    const first = await Session.getSessionWithoutRequestResponse(token);
    const payload = first.getJWTPayload() as Record<string, unknown>;
    payload.role = "admin";
    payload.extra = true;
    const second = await Session.getSessionWithoutRequestResponse(token);
    expect(second.getJWTPayload()).to.deep.equal({ role: "user" });
    expect(second.getUserId()).to.equal("u1");
  });

  it("holds at most verifiedTokenCacheSize tokens; an evicted token still verifies in full; 0 turns it off", async () => {
    lk = initLatchkey([Session.init({ verifiedTokenCacheSize: 3 })]);
    const tokens: string[] = [];
    for (let i = 0; i < 8; i++)
      tokens.push((await Session.createNewSessionWithoutRequestResponse(`u${i}`)).getAccessToken());
    for (const t of tokens) await Session.getSessionWithoutRequestResponse(t);
    expect(cachedCount()).to.equal(3);
    expect((await Session.getSessionWithoutRequestResponse(tokens[0] ?? "")).getUserId()).to.equal("u0");
    expect(cachedCount()).to.equal(3);
    await lk.cleanup();
    lk = initLatchkey([Session.init({ verifiedTokenCacheSize: 0 })]);
    const token = (await Session.createNewSessionWithoutRequestResponse("u1")).getAccessToken();
    await Session.getSessionWithoutRequestResponse(token);
    await Session.getSessionWithoutRequestResponse(token);
    expect(cachedCount()).to.equal(0);
  });

  it("a bad verifiedTokenCacheSize is a configuration error", () => {
    for (const bad of [-1, 1.5, "10", 2_000_000]) {
      expect(() => initLatchkey([Session.init({ verifiedTokenCacheSize: bad as number })])).to.throw(
        /verifiedTokenCacheSize/,
      );
    }
  });

  it("the anti-CSRF check still runs on a cache hit", async () => {
    lk = initLatchkey([Session.init({ antiCsrf: "VIA_TOKEN" })]);
    const session = await Session.createNewSessionWithoutRequestResponse("u1");
    const { accessToken, antiCsrfToken } = session.getAllSessionTokensDangerously();
    expect(antiCsrfToken).to.be.a("string");
    expect((await Session.getSessionWithoutRequestResponse(accessToken, antiCsrfToken)).getUserId()).to.equal("u1");
    expect(cachedCount()).to.equal(1);
    expect(await refusal(accessToken, "wrong")).to.equal("TRY_REFRESH_TOKEN");
    expect(await refusal(accessToken)).to.equal("TRY_REFRESH_TOKEN");
  });

  it("with blacklisting, a cached token of a revoked session is refused", async () => {
    lk = initLatchkey([Session.init({ enableBlacklisting: true })]);
    const session = await Session.createNewSessionWithoutRequestResponse("u1");
    const token = session.getAccessToken();
    await Session.getSessionWithoutRequestResponse(token);
    expect(cachedCount()).to.equal(1);
    await Session.revokeSession(session.getHandle());
    expect(await refusal(token)).to.equal("UNAUTHORISED");
  });
});
