// Latchkey on a real 3-node MariaDB Galera cluster (test/cluster/galera.sh), with one app process per node: the
// README's scenario from several processes at once, a refresh race across nodes, rate limits counted across nodes,
// signing-key rotation from processes on different nodes, migrations when every process starts at once, and a node
// killed under load. Run with `npm run test:cluster` (not part of `npm test`); it starts the cluster, or uses one
// that is already running and Synced.
import crypto from "node:crypto";
import { expect } from "chai";
import knexFactory, { type Knex } from "knex";
import sinon from "sinon";
import { resolveConnection } from "../../lib/db/connection";
import { Database } from "../../lib/db/database";
import { emailPasswordMigrations } from "../../recipes/emailpassword/migrations";
import { sessionMigrations } from "../../recipes/session/migrations";
import { SigningKeyStore } from "../../recipes/session/signingKeys";
import {
  type Answer,
  type AppProcess,
  call,
  freshPrefix,
  galera,
  nodeUrl,
  reinit,
  reports,
  scenario,
  startApp,
  stopApps,
  wrongAnswer,
} from "./harness";

const hash2 = (token: string): string =>
  crypto.createHash("sha256").update(crypto.createHash("sha256").update(token).digest("hex")).digest("hex");
const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});
const fiveHundreds = (answers: Answer[]): string[] =>
  answers
    .filter((a) => a.status >= 500)
    .map((a) => `${a.step} on node ${a.node}: ${a.status} ${JSON.stringify(a.json)}`);

/** Figures the suite prints at the end (boot time, rounds, conflicts retried). */
const figures: string[] = [];

describe("cluster: Latchkey on a 3-node MariaDB Galera cluster, one app process per node", function () {
  this.timeout(120_000);
  let apps: AppProcess[] = [];
  /** A connection per node, for assertions; reads wait until the node has applied every earlier commit. */
  const nodes: Knex[] = [];

  before(async function () {
    this.timeout(300_000);
    const t0 = Date.now();
    const out = await galera("start");
    figures.push(
      `cluster ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${/already running/.test(out) ? "already running" : "started"})`,
    );
    for (const n of [1, 2, 3]) {
      nodes.push(
        knexFactory({
          client: "mysql2",
          connection: nodeUrl(n),
          pool: {
            min: 0,
            max: 2,
            afterCreate: (
              conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
              done: (err: Error | null, conn: unknown) => void,
            ) => conn.query("SET SESSION wsrep_sync_wait = 1", (err) => done(err, conn)),
          },
        }),
      );
    }
  });

  after(async () => {
    await stopApps(apps);
    await Promise.all(nodes.map((k) => k.destroy()));
    console.log(`\n  cluster figures:\n${figures.map((f) => `    ${f}`).join("\n")}`);
  });

  it("processes that start at the same moment on a fresh table prefix apply each migration once, and all serve", async () => {
    const expected = [...sessionMigrations, ...emailPasswordMigrations].map((m) => m.name);
    for (let round = 0; round < 4; round++) {
      const prefix = freshPrefix();
      if (round === 0) {
        // Real new processes, one per node, all started together; their first requests go at the same moment.
        apps = await Promise.all([1, 2, 3].map((n) => startApp(n, prefix)));
      } else {
        await reinit(apps, prefix);
      }
      const first = await Promise.all(
        apps.map((a, i) =>
          call(
            a,
            "signup",
            "POST",
            "/auth/signup",
            undefined,
            form(`first${round}_${i}@example.com`, "correct-horse-1"),
          ),
        ),
      );
      expect(
        first.map((a) => `${a.status} ${String(a.json.status)}`),
        JSON.stringify(first.map((a) => a.json)),
      ).to.deep.equal(Array(3).fill("200 OK"));
      for (const node of nodes) {
        const names = ((await node(`${prefix}migrations`).select("name")) as { name: string }[]).map((r) => r.name);
        expect(names.length, names.join(", ")).to.equal(new Set(names).size);
        expect(names).to.include.members(expected);
        expect(
          ((await node(`${prefix}migrations_lock`).select("is_locked")) as { is_locked: number }[]).map((r) =>
            Number(r.is_locked),
          ),
        ).to.deep.equal([0]);
      }
    }
  });

  it("the README scenario from 3 processes at once, each step on another node: every answer right, no 5xx (fresh prefix each round)", async function () {
    this.timeout(180_000);
    const ROUNDS = 12;
    const t0 = Date.now();
    let answers = 0;
    let retried = 0;
    const wrong: string[] = [];
    for (let round = 0; round < ROUNDS && Date.now() - t0 < 90_000; round++) {
      await reinit(apps, freshPrefix());
      const users = Array.from({ length: 6 }, (_, i) => `r${round}_u${i}`);
      const played = await Promise.all(users.map((u, i) => scenario(apps, u, i % 3)));
      played.forEach((steps, i) => {
        answers += steps.length;
        if (steps.length < 7) wrong.push(`${users[i]} stopped after ${steps.length} steps`);
        for (const a of steps) {
          const why = wrongAnswer(a, users[i] ?? "");
          if (why !== undefined) wrong.push(why);
        }
      });
      for (const r of await reports(apps)) {
        retried += r.retried;
        expect(r.thefts, "no theft in a scenario without replays").to.deep.equal([]);
        expect(r.gaveUp).to.equal(0);
      }
    }
    figures.push(
      `scenario: ${answers} answers from 3 processes in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${wrong.length} wrong, conflicts retried ${retried}`,
    );
    expect(wrong).to.deep.equal([]);
  });

  it("a refresh race across nodes: both refreshes of one token answer, one lineage goes on, no 5xx; a real replay is theft", async () => {
    const prefix = freshPrefix();
    await reinit(apps, prefix);
    const [a1, a2, a3] = apps as [AppProcess, AppProcess, AppProcess];
    const all: Answer[] = [];
    const signedIn = async (user: string): Promise<Answer> => {
      const up = await call(
        a1,
        "signup",
        "POST",
        "/auth/signup",
        undefined,
        form(`${user}@example.com`, "correct-horse-1"),
      );
      expect(up.json.status).to.equal("OK");
      return up;
    };
    const SESSIONS = 8;
    for (let s = 0; s < SESSIONS; s++) {
      const login = await signedIn(`race${s}`);
      // Two tabs of one client refresh with the same token at the same moment, through different nodes.
      const [ra, rb] = await Promise.all([
        call(a2, "refresh", "POST", "/auth/session/refresh", login.refresh ?? ""),
        call(a3, "refresh", "POST", "/auth/session/refresh", login.refresh ?? ""),
      ]);
      all.push(ra, rb);
      expect([ra.status, rb.status], JSON.stringify([ra.json, rb.json])).to.deep.equal([200, 200]);
      expect(ra.refresh).to.not.equal(rb.refresh); // never one refresh token issued twice
      // Each tab uses its new access token at once, again on two nodes: the first use makes its lineage current.
      const [ua, ub] = await Promise.all([
        call(a3, "verify", "GET", "/me", ra.access ?? ""),
        call(a1, "verify", "GET", "/me", rb.access ?? ""),
      ]);
      all.push(ua, ub);
      expect([ua.status, ub.status]).to.deep.equal([200, 200]);
      const row = (await nodes[1]?.(`${prefix}sessions`)
        .where({ session_handle: String((login.refresh ?? "").split(".")[0]) })
        .first()) as {
        refresh_token_hash2: string;
        previous_refresh_token_hash2: string;
      };
      // Exactly one of the two children is current, as the child of the token both refreshed.
      expect([hash2(ra.refresh ?? ""), hash2(rb.refresh ?? "")]).to.include(row.refresh_token_hash2);
      expect(row.previous_refresh_token_hash2).to.equal(hash2(login.refresh ?? ""));
      // The client goes on with the current lineage.
      const current = row.refresh_token_hash2 === hash2(ra.refresh ?? "") ? ra : rb;
      const next = await call(a2, "refresh", "POST", "/auth/session/refresh", current.refresh ?? "");
      all.push(next);
      expect(next.status, JSON.stringify(next.json)).to.equal(200);
    }
    // A real replay: the original token, replaced and its replacement used, comes back through a third node.
    for (let s = 0; s < 4; s++) {
      const login = await signedIn(`replay${s}`);
      const refreshed = await call(a2, "refresh", "POST", "/auth/session/refresh", login.refresh ?? "");
      expect((await call(a3, "verify", "GET", "/me", refreshed.access ?? "")).status).to.equal(200);
      // The thief's replay and the owner's next refresh at the same moment, on different nodes.
      const [replay, owner] = await Promise.all([
        call(a1, "replay", "POST", "/auth/session/refresh", login.refresh ?? ""),
        call(a2, "refresh", "POST", "/auth/session/refresh", refreshed.refresh ?? ""),
      ]);
      all.push(replay, owner);
      expect(replay.status).to.equal(401);
      expect(replay.json).to.deep.equal({ message: "token theft detected" });
      // Whichever committed first, the session ends revoked: no refresh token of it works any more.
      const after = await call(
        a3,
        "refresh",
        "POST",
        "/auth/session/refresh",
        owner.refresh ?? refreshed.refresh ?? "",
      );
      expect(after.status).to.equal(401);
    }
    const seen = await reports(apps);
    expect(seen[0]?.thefts).to.have.length(4); // one report per replay, on the node that saw it, none elsewhere
    expect([...(seen[1]?.thefts ?? []), ...(seen[2]?.thefts ?? [])]).to.deep.equal([]);
    expect(fiveHundreds(all)).to.deep.equal([]);
    figures.push(
      `refresh race: ${SESSIONS} cross-node double refreshes and 4 concurrent replays, conflicts retried ${seen.reduce((n, r) => n + r.retried, 0)}`,
    );
  });

  it("rate limits are counted across nodes: 15 wrong sign-ins at once, 5 per node, with a limit of 5 per email: exactly 5 tried", async () => {
    await reinit(apps, freshPrefix(), { rateLimit: { signIn: { perEmail: 5, perIp: 1000, windowSeconds: 60 } } });
    const up = await call(
      apps[0] as AppProcess,
      "signup",
      "POST",
      "/auth/signup",
      undefined,
      form("limited@example.com", "correct-horse-1"),
    );
    expect(up.json.status).to.equal("OK");
    const tries = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        call(
          apps[i % 3] as AppProcess,
          "signin",
          "POST",
          "/auth/signin",
          undefined,
          form("limited@example.com", "wrong-horse-1"),
        ),
      ),
    );
    const tally = (answers: Answer[]) =>
      answers.map((a) => (a.status === 429 ? "429" : `${a.status} ${String(a.json.status)}`)).sort();
    expect(fiveHundreds(tries)).to.deep.equal([]);
    expect(tally(tries)).to.deep.equal(
      [...Array(10).fill("429"), ...Array(5).fill("200 WRONG_CREDENTIALS_ERROR")].sort(),
    );
    // The right password is refused too until the window ends, on every node.
    const right = await Promise.all(
      apps.map((a) =>
        call(a, "signin", "POST", "/auth/signin", undefined, form("limited@example.com", "correct-horse-1")),
      ),
    );
    expect(right.map((a) => a.status)).to.deep.equal([429, 429, 429]);
    const seen = await reports(apps);
    figures.push(
      `rate limit: 18 concurrent sign-ins over 3 nodes, conflicts retried ${seen.reduce((n, r) => n + r.retried, 0)}`,
    );
  });

  it("signing-key rotation from processes on different nodes at the same moment: one key per slot, every process signs with it", async () => {
    const prefix = freshPrefix();
    const interval = 3600_000;
    // Six key stores, two per node, each with its own pool, as six processes of one deployment would be.
    const databases = [1, 2, 3, 1, 2, 3].map((n) => new Database(resolveConnection(nodeUrl(n)), prefix));
    databases.forEach((d) => d.setMigrations(sessionMigrations));
    try {
      await Promise.all(databases.map((d) => d.whenReady()));
      const stores = databases.map((d) => new SigningKeyStore(d, interval, 60_000));
      const slotStart = (Math.floor(Date.now() / interval) + 1) * interval;
      const clock = sinon.useFakeTimers({ now: slotStart - 1, toFake: ["Date"] });
      try {
        const first = await Promise.all(stores.map((s) => s.getSigningKey()));
        expect(new Set(first.map((k) => k.kid)).size, first.map((k) => k.kid).join(" ")).to.equal(1);
        // The slot ends: every process notices on its next signature, at the same moment, on its own node.
        clock.tick(2);
        const second = await Promise.all(stores.map((s) => s.getSigningKey()));
        expect(new Set(second.map((k) => k.kid)).size, second.map((k) => k.kid).join(" ")).to.equal(1);
        expect(second[0]?.kid).to.not.equal(first[0]?.kid);
        for (const node of nodes) {
          const rows = (await node(`${prefix}session_signing_keys`).select("kid")) as { kid: string }[];
          expect(rows.map((r) => r.kid).sort()).to.deep.equal([first[0]?.kid, second[0]?.kid].sort());
        }
      } finally {
        clock.restore();
      }
      figures.push(
        `key rotation: 6 stores on 3 nodes, conflicts retried ${databases.reduce((n, d) => n + d.conflicts.retried, 0)}`,
      );
    } finally {
      await Promise.all(databases.map((d) => d.close()));
    }
  });

  it("kill -9 of one node under load: the other processes keep serving; the node rejoins with nothing lost", async function () {
    this.timeout(240_000);
    const prefix = freshPrefix();
    // Every sign-in and sign-up comes from 127.0.0.1: the per-address limits would refuse the load.
    await reinit(apps, prefix, { rateLimit: { signIn: { perIp: false }, signUp: { perIp: false } } });
    const [a1, a2, a3] = apps as [AppProcess, AppProcess, AppProcess];
    const survivors = [a1, a2];
    const answers: Answer[] = [];
    const created: string[] = [];
    let stop = false;
    // Bounded load from the processes on nodes 1 and 2: at most 400 scenarios or until stopped.
    const load = async (worker: number): Promise<void> => {
      for (let i = 0; i < 100 && !stop; i++) {
        const user = `kill_w${worker}_${i}`;
        const steps = await scenario(survivors, user, worker);
        answers.push(...steps);
        if (steps[0]?.json.status === "OK") created.push(`${user}@example.com`);
      }
    };
    const loaders = [0, 1, 2, 3].map(load);
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    await galera("kill", "3");
    // The process on the dead node answers GENERAL_ERROR (it cannot reach its database), never a wrong success.
    const orphan = await call(
      a3,
      "signup",
      "POST",
      "/auth/signup",
      undefined,
      form("orphan@example.com", "correct-horse-1"),
    );
    expect(orphan.status).to.equal(500);
    await new Promise((r) => setTimeout(r, 4000));
    const t0 = Date.now();
    await galera("rejoin", "3");
    const rejoinMs = Date.now() - t0;
    stop = true;
    await Promise.all(loaders);
    const wrong = answers.map((a) => wrongAnswer(a, "")).filter((w) => w !== undefined);
    expect(fiveHundreds(answers), "no 5xx from the processes whose node stayed up").to.deep.equal([]);
    expect(wrong).to.deep.equal([]);
    // The process on the rejoined node serves again, and every user made while its node was down is there.
    let back: Answer | undefined;
    for (let i = 0; i < 20; i++) {
      back = await call(a3, "signin", "POST", "/auth/signin", undefined, form(created[0] ?? "", "correct-horse-1"));
      if (back.status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(back?.json.status).to.equal("OK");
    const counts = await Promise.all(
      nodes.map(async (node) => Number((await node(`${prefix}emailpassword_users`).count({ n: "*" }).first())?.n)),
    );
    expect(counts).to.deep.equal([created.length, created.length, created.length]);
    figures.push(
      `kill -9: ${answers.length} answers from the 2 other processes over ${((Date.now() - killedAt) / 1000).toFixed(1)} s, none 5xx; ` +
        `${created.length} users, all on the rejoined node; rejoin (IST) ${(rejoinMs / 1000).toFixed(1)} s`,
    );
  });
});
