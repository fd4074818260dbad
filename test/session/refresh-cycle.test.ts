// Issue 24: the refresh cycle at the limit. The write is sent before the signature, which is made with the
// asynchronous crypto.sign; the first use of a refreshed access token records its lineage with one compare-and-set and
// signs nothing; the hot statements are prepared. Theft detection and the lost-response tolerance must still hold.
import crypto from "node:crypto";
import { expect } from "chai";
import sinon from "sinon";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import { resetForTests } from "../../lib/testing";
import { APP_INFO, initLatchkey, type TestLatchkey } from "../helpers/app";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl } from "../helpers/db";
import { jwtPayload } from "../helpers/http";
import { Session } from "../helpers/sessionApp";

function sessionsTable() {
  const db = Core.getInstanceOrThrow().database;
  return db.knex(db.table("sessions"));
}

async function errorType(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e as { type?: string }).type,
  );
}

describe("session: the refresh cycle (issue 24)", () => {
  let lk: TestLatchkey | undefined;
  afterEach(async () => {
    sinon.restore();
    await lk?.cleanup();
    lk = undefined;
  });

  it("refresh and creation send their write before the signature starts, and sign with the asynchronous crypto.sign", async () => {
    lk = initLatchkey([Session.init()]);
    const created = await Session.createNewSessionWithoutRequestResponse("u1"); // keys and tables ready
    const knex = Core.getInstanceOrThrow().database.knex;
    const events: string[] = [];
    const onQuery = (q: { method?: string }): void => void events.push(`query:${q.method}`);
    knex.on("query", onQuery);
    const sign = sinon.spy(crypto, "sign");
    try {
      await Session.createNewSessionWithoutRequestResponse("u2");
      await Session.refreshSessionWithoutRequestResponse(created.getAllSessionTokensDangerously().refreshToken ?? "");
    } finally {
      knex.off("query", onQuery);
    }
    const signs = sign.getCalls().map((c) => ({ async: typeof c.args[3] === "function" }));
    expect(signs).to.have.length(2);
    expect(signs.every((s) => s.async)).to.equal(true);
    // Creation: insert, then the signature. Refresh: read, compare-and-set, then the signature.
    sign.restore();
    const order: string[] = [];
    knex.on("query", onQueryOrder);
    const traced = sinon.stub(crypto, "sign").callsFake(((...args: Parameters<typeof crypto.sign>) => {
      order.push("sign");
      return traced.wrappedMethod.apply(crypto, args);
    }) as typeof crypto.sign);
    function onQueryOrder(q: { method?: string }): void {
      order.push(q.method ?? "?");
    }
    try {
      const again = await Session.createNewSessionWithoutRequestResponse("u3");
      await Session.refreshSessionWithoutRequestResponse(again.getAllSessionTokensDangerously().refreshToken ?? "");
    } finally {
      knex.off("query", onQueryOrder);
    }
    expect(order).to.deep.equal(["insert", "sign", "select", "update", "sign"]);
  });

  it("the first use of a refreshed access token costs one compare-and-set and no signature", async () => {
    lk = initLatchkey([Session.init()]);
    const created = await Session.createNewSessionWithoutRequestResponse("u1");
    const refreshed = (
      await Session.refreshSessionWithoutRequestResponse(created.getAllSessionTokensDangerously().refreshToken ?? "")
    ).getAllSessionTokensDangerously();
    const sign = sinon.spy(crypto, "sign");
    const used = await Session.getSession(refreshed.accessToken);
    expect(sign.callCount).to.equal(0);
    expect(used.getAllSessionTokensDangerously().accessToken).to.equal(refreshed.accessToken);
    const row = await sessionsTable().where({ session_handle: created.getHandle() }).first();
    expect(row.refresh_token_hash2).to.equal(jwtPayload(refreshed.accessToken).rth);
    expect(row.previous_refresh_token_hash2).to.equal(jwtPayload(refreshed.accessToken).prh);
  });

  it("theft: the replaced refresh token presented after the new access token was used revokes the session", async () => {
    lk = initLatchkey([Session.init()]);
    const created = await Session.createNewSessionWithoutRequestResponse("victim");
    const stolen = created.getAllSessionTokensDangerously().refreshToken ?? "";
    const refreshed = await Session.refreshSessionWithoutRequestResponse(stolen);
    await Session.getSession(refreshed.getAccessToken()); // the victim's first request with the new token
    expect(await errorType(Session.refreshSessionWithoutRequestResponse(stolen))).to.equal("TOKEN_THEFT_DETECTED");
    expect(await Session.getSessionInformation(created.getHandle())).to.equal(undefined);
    const victimsNext = refreshed.getAllSessionTokensDangerously().refreshToken ?? "";
    expect(await errorType(Session.refreshSessionWithoutRequestResponse(victimsNext))).to.equal("UNAUTHORISED");
  });

  it("a lost refresh response: the old refresh token works again until the new tokens are used, then it is theft", async () => {
    lk = initLatchkey([Session.init()]);
    const created = await Session.createNewSessionWithoutRequestResponse("u1");
    const old = created.getAllSessionTokensDangerously().refreshToken ?? "";
    await Session.refreshSessionWithoutRequestResponse(old); // its response never reaches the client
    const retried = await Session.refreshSessionWithoutRequestResponse(old);
    expect(retried.getUserId()).to.equal("u1");
    expect((await Session.getSession(retried.getAccessToken())).getUserId()).to.equal("u1");
    expect(await errorType(Session.refreshSessionWithoutRequestResponse(old))).to.equal("TOKEN_THEFT_DETECTED");
  });

  it("a token whose first use the previous code already recorded (and renewed) is accepted without a write", async () => {
    lk = initLatchkey([Session.init()]);
    const created = await Session.createNewSessionWithoutRequestResponse("u1");
    const refreshed = (
      await Session.refreshSessionWithoutRequestResponse(created.getAllSessionTokensDangerously().refreshToken ?? "")
    ).getAllSessionTokensDangerously();
    const { prh, rth } = jwtPayload(refreshed.accessToken) as { prh: string; rth: string };
    // The row as the code before issue 24 left it after the first use (it then handed out a renewed token).
    await sessionsTable()
      .where({ session_handle: created.getHandle() })
      .update({ refresh_token_hash2: rth, previous_refresh_token_hash2: prh, refresh_token_updated_at: 1234 });
    const before = await sessionsTable().where({ session_handle: created.getHandle() }).first();
    expect((await Session.getSession(refreshed.accessToken)).getUserId()).to.equal("u1");
    expect(await sessionsTable().where({ session_handle: created.getHandle() }).first()).to.deep.equal(before);
    const next = await Session.refreshSessionWithoutRequestResponse(refreshed.refreshToken ?? "");
    expect(next.getUserId()).to.equal("u1");
  });

  it("with blacklisting, the first use of a refreshed token of a revoked session is refused", async () => {
    lk = initLatchkey([Session.init({ enableBlacklisting: true })]);
    const created = await Session.createNewSessionWithoutRequestResponse("u1");
    const refreshed = await Session.refreshSessionWithoutRequestResponse(
      created.getAllSessionTokensDangerously().refreshToken ?? "",
    );
    expect((await Session.getSession(refreshed.getAccessToken())).getUserId()).to.equal("u1");
    await Session.revokeSession(created.getHandle());
    expect(await errorType(Session.getSession(refreshed.getAccessToken()))).to.equal("UNAUTHORISED");
  });

  it("the prepared statements quote the table: a prefix with capitals works on every database", async () => {
    const url = testDatabaseUrl();
    const prefix = `LkUp_${crypto.randomBytes(3).toString("hex")}_`;
    Latchkey.init({
      appInfo: APP_INFO,
      database: url,
      tablePrefix: prefix,
      recipeList: [Session.init({ enableBlacklisting: true })],
    });
    try {
      const created = await Session.createNewSessionWithoutRequestResponse("u1");
      const refreshed = await Session.refreshSessionWithoutRequestResponse(
        created.getAllSessionTokensDangerously().refreshToken ?? "",
      );
      expect((await Session.getSession(refreshed.getAccessToken())).getUserId()).to.equal("u1");
      expect((await Session.getSession(refreshed.getAccessToken())).getUserId()).to.equal("u1");
    } finally {
      await resetForTests();
      const knex = rawKnex(url);
      try {
        await dropTablesWithPrefix(knex, prefix);
      } finally {
        await knex.destroy();
      }
    }
  });
});
