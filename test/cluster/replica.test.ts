// The readReplica setting on a real PostgreSQL streaming replica (test/cluster/pgreplica.sh): reads that tolerate
// lag (the JWKS, session listings) go to the replica, except right after this process wrote; every read that decides
// (sign-in, refresh, theft, rate limits) goes to the primary. The replica's replay is paused, so it lags for sure.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import knexFactory, { type Knex } from "knex";
import { READ_YOUR_WRITES_MS } from "../../lib/db/database";
import { type AppProcess, call, freshPrefix, startApp, stopApps } from "./harness";

const run = promisify(execFile);
const PRIMARY = "postgres://postgres@127.0.0.1:5441/test";
const REPLICA = "postgres://postgres@127.0.0.1:5442/test";
const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Long enough that this process's last write no longer sends lag-tolerant reads to the primary. */
const settle = () => pause(READ_YOUR_WRITES_MS + 300);

describe("cluster: PostgreSQL with a streaming replica (readReplica)", function () {
  this.timeout(120_000);
  let app: AppProcess | undefined;
  let replica: Knex;
  const prefix = freshPrefix();

  before(async function () {
    this.timeout(300_000);
    await run("bash", [path.resolve(__dirname, "pgreplica.sh"), "start"], { timeout: 240_000 });
    replica = knexFactory({ client: "pg", connection: REPLICA, pool: { min: 0, max: 1 } });
  });
  after(async () => {
    await replica.raw("select pg_wal_replay_resume()").catch(() => undefined);
    await replica.destroy();
    if (app !== undefined) await stopApps([app]);
  });

  it("lag-tolerant reads use the lagging replica, but not right after this process wrote; decisions use the primary", async () => {
    app = await startApp(PRIMARY, prefix, {
      readReplica: REPLICA,
      rateLimit: { signIn: { perEmail: 3, perIp: false, windowSeconds: 60 } },
    });
    const a = app;
    // The first request migrates (on the primary); wait until the replica has the tables, then freeze it.
    expect(
      (await call(a, "signup", "POST", "/auth/signup", undefined, form("early@example.com", "correct-horse-1"))).json
        .status,
    ).to.equal("OK");
    for (let i = 0; i < 40 && !(await replica.schema.hasTable(`${prefix}sessions`)); i++) await pause(100);
    await replica.raw("select pg_wal_replay_pause()");
    // The request is taken at the next WAL record: wait until replay has actually stopped.
    for (let i = 0; i < 50; i++) {
      const state = (await replica.raw("select pg_get_wal_replay_pause_state() as s")) as { rows: { s: string }[] };
      if (state.rows[0]?.s === "paused") break;
      await pause(100);
    }

    const up = await call(a, "signup", "POST", "/auth/signup", undefined, form("late@example.com", "correct-horse-1"));
    expect(up.json.status).to.equal("OK");
    const userId = String((up.json.user as { id: string }).id);
    // Read after write: this process just wrote, so the listing reads the primary and sees the new session.
    const signUpSession = (await call(a, "list", "GET", `/__sessions/${userId}`)).json.handles as string[];
    expect(signUpSession).to.have.length(1);
    // Later, the listing reads the replica, which has not replayed the sign-up: the lag is real, and tolerated here.
    await settle();
    expect((await call(a, "list", "GET", `/__sessions/${userId}`)).json.handles).to.deep.equal([]);
    const jwks = await call(a, "jwks", "GET", "/auth/jwt/jwks.json");
    expect((jwks.json.keys as unknown[]).length).to.be.greaterThan(0);

    // Each decision below comes first after a quiet spell, when a lag-tolerant read would go to the replica, which
    // knows neither the user nor the session: had any of them read there, it would fail.
    await settle();
    const signin = await call(
      a,
      "signin",
      "POST",
      "/auth/signin",
      undefined,
      form("late@example.com", "correct-horse-1"),
    );
    expect(signin.json.status).to.equal("OK");
    await settle();
    const refreshed = await call(a, "refresh", "POST", "/auth/session/refresh", signin.refresh ?? "");
    expect(refreshed.status, JSON.stringify(refreshed.json)).to.equal(200);
    expect((await call(a, "verify", "GET", "/me", refreshed.access ?? "")).status).to.equal(200);
    await settle();
    const replay = await call(a, "replay", "POST", "/auth/session/refresh", signin.refresh ?? "");
    expect(replay.json).to.deep.equal({ message: "token theft detected" });
    await settle();
    const wrong = [];
    for (let i = 0; i < 4; i++)
      wrong.push(await call(a, "signin", "POST", "/auth/signin", undefined, form("late@example.com", "wrong-horse-1")));
    expect(wrong.map((w) => w.status)).to.deep.equal([200, 200, 200, 429]);

    const reads = (await call(a, "reads", "GET", "/__reads")).json as { replica: number; primary: number };
    expect(reads.replica).to.be.greaterThanOrEqual(2); // the stale listing and the JWKS
    expect(reads.primary).to.be.greaterThanOrEqual(1); // the read after write
    // Once the replica replays again, the listing there is current: the sign-up's session; the sign-in's session
    // was revoked as theft.
    await replica.raw("select pg_wal_replay_resume()");
    await settle();
    expect((await call(a, "list", "GET", `/__sessions/${userId}`)).json.handles).to.deep.equal(signUpSession);
  });
});
