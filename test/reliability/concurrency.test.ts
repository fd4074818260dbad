// Races a real deployment sees: many sign-ups for the same emails, a client refreshing in parallel, sign-out racing a
// refresh, and processes rotating the signing key at the same moment. Run on every database (SQLite serialises
// writers, so there the same assertions check that nothing fails or doubles under contention).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import sinon from "sinon";
import type { Knex } from "knex";
import { resolveConnection } from "../../lib/db/connection";
import { Database } from "../../lib/db/database";
import EmailPassword from "../../recipes/emailpassword/index";
import { sessionMigrations } from "../../recipes/session/migrations";
import { SigningKeyStore } from "../../recipes/session/signingKeys";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, testDbKind, uniquePrefix } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const run = promisify(execFile);

interface Answer {
  status: number;
  json: Record<string, unknown>;
  access: string | null;
  refresh: string | null;
}

/** A header-mode request (no cookie jar: each caller holds its own tokens, as parallel tabs or retries do). */
async function call(baseUrl: string, method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { "st-auth-mode": "header" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    access: res.headers.get("st-access-token"),
    refresh: res.headers.get("st-refresh-token"),
  };
}

const statusesOf = (answers: Answer[]): Record<string, number> => {
  const tally: Record<string, number> = {};
  for (const a of answers) {
    const key = `${a.status} ${String(a.json.status ?? a.json.message ?? "")}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
};

describe(`reliability: concurrency (${testDbKind()})`, () => {
  let app: SessionTestApp | undefined;
  let knex: Knex | undefined;
  afterEach(async () => {
    sinon.restore();
    await knex?.destroy();
    knex = undefined;
    await app?.close();
    app = undefined;
  });

  async function start(sessionConfig: Parameters<typeof startSessionApp>[0] = {}): Promise<SessionTestApp> {
    app = await startSessionApp(sessionConfig, { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] });
    knex = rawKnex(app.lk.url);
    return app;
  }

  async function count(table: string, where: Record<string, string> = {}): Promise<number> {
    const [row] = await (knex as Knex)(`${app?.lk.prefix}${table}`).where(where).count({ n: "*" });
    return Number(row?.n);
  }

  it("100 parallel sign-ups with 10 distinct emails make exactly 10 users and 10 sessions; the other 90 get FIELD_ERROR", async function () {
    this.timeout(60_000);
    const { server } = await start();
    const emails = Array.from({ length: 10 }, (_, i) => `racer${i}@example.com`);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call(server.baseUrl, "POST", "/auth/signup", undefined, {
          formFields: [
            { id: "email", value: emails[i % 10] },
            { id: "password", value: "racepass123" },
          ],
        }),
      ),
    );
    expect(statusesOf(answers)).to.deep.equal({ "200 OK": 10, "200 FIELD_ERROR": 90 });
    const winners = answers.filter((a) => a.json.status === "OK").map((a) => (a.json.user as { email: string }).email);
    expect(winners.sort()).to.deep.equal([...emails].sort());
    expect(await count("emailpassword_users")).to.equal(10);
    expect(await count("sessions")).to.equal(10);
  });

  it("50 parallel refreshes of one session: never theft; the 50 new access tokens all work at once; one lineage goes on", async function () {
    this.timeout(60_000);
    const { server } = await start();
    const login = await call(server.baseUrl, "POST", "/login", undefined, { userId: "u1" });
    const refreshes = await Promise.all(
      Array.from({ length: 50 }, () => call(server.baseUrl, "POST", "/auth/session/refresh", login.refresh ?? "")),
    );
    expect(statusesOf(refreshes)).to.deep.equal({ "200 ": 50 });
    // Requests already in flight carry whichever new access token their tab got: all pass.
    const uses = await Promise.all(refreshes.map((r) => call(server.baseUrl, "GET", "/protected", r.access ?? "")));
    expect(uses.map((u) => u.json.userId)).to.deep.equal(Array(50).fill("u1"));
    // The client keeps one answer (its storage is shared, the last write wins) and goes on with it.
    let held = refreshes[17] as Answer;
    for (let round = 0; round < 3; round++) {
      const next = await call(server.baseUrl, "POST", "/auth/session/refresh", held.refresh ?? "");
      expect(next.status, `round ${round}: ${JSON.stringify(next.json)}`).to.equal(200);
      expect((await call(server.baseUrl, "GET", "/protected", next.access ?? "")).json.userId).to.equal("u1");
      held = next;
    }
    expect(await count("sessions", { user_id: "u1" })).to.equal(1);
  });

  it("four processes starting at once on a fresh database all serve their first request (the migration lock)", async function () {
    this.timeout(60_000);
    const url = testDatabaseUrl();
    const prefix = uniquePrefix();
    const script = path.resolve(__dirname, "../fixtures/migrateAt.ts");
    const startAt = String(Date.now() + 3000);
    const raw = rawKnex(url);
    try {
      const outputs = await Promise.all(
        Array.from({ length: 4 }, () =>
          run(process.execPath, ["--require", "tsx/cjs", script, url, prefix, startAt], { timeout: 50_000 }),
        ),
      );
      expect(outputs.map((o) => o.stdout.trim())).to.deep.equal(["ok", "ok", "ok", "ok"]);
    } finally {
      await dropTablesWithPrefix(raw, prefix);
      await raw.destroy();
    }
  });

  it("a migration lock SQLite refuses at once (knex's MigrationLocked: 'database is locked') is waited for, not a failed request", async () => {
    const url = testDatabaseUrl();
    const prefix = uniquePrefix();
    const database = new Database(resolveConnection(url), prefix);
    database.setMigrations(sessionMigrations);
    // Fault injection: the first attempt meets the error knex raises when another process's deferred transaction
    // holds SQLite's write lock (it has no code, only this name and message); the retry goes through to the database.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- knex does not export its Migrator class
    const { Migrator } = require("knex/lib/migrations/migrate/Migrator") as {
      Migrator: { prototype: { latest: () => Promise<unknown> } };
    };
    const locked = Object.assign(
      new Error("update `x_migrations_lock` set `is_locked` = ? where `is_locked` = ? - database is locked"),
      { name: "MigrationLocked" },
    );
    const latest = sinon.stub(Migrator.prototype, "latest").callThrough();
    latest.onFirstCall().rejects(locked);
    const raw = rawKnex(url);
    try {
      expect(await database.migrate()).to.include("session/001_create_sessions");
      expect(latest.callCount).to.equal(2);
    } finally {
      sinon.restore();
      await database.close();
      await dropTablesWithPrefix(raw, prefix);
      await raw.destroy();
    }
  });

  it("sign-out racing a refresh (20 sessions): every session ends revoked and no token of it works any more", async function () {
    this.timeout(60_000);
    // Blacklisting, so "no live token" covers access tokens too (without it they live until they expire, by design).
    const { server } = await start({ enableBlacklisting: true });
    const logins = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(server.baseUrl, "POST", "/login", undefined, { userId: `racer${i}` })),
    );
    const raced = await Promise.all(
      logins.map((l) =>
        Promise.all([
          call(server.baseUrl, "POST", "/auth/signout", l.access ?? "", {}),
          call(server.baseUrl, "POST", "/auth/session/refresh", l.refresh ?? ""),
        ]),
      ),
    );
    for (const [i, [signOut, refresh]] of raced.entries()) {
      expect(signOut.status, `sign-out ${i}`).to.equal(200);
      expect([200, 401], `refresh ${i}: ${refresh.status} ${JSON.stringify(refresh.json)}`).to.include(refresh.status);
      const tokens = [logins[i]?.access, refresh.access].filter((t): t is string => typeof t === "string" && t !== "");
      for (const token of tokens)
        expect((await call(server.baseUrl, "GET", "/protected", token)).status, `access token of ${i}`).to.equal(401);
      for (const token of [logins[i]?.refresh, refresh.refresh].filter(
        (t): t is string => typeof t === "string" && t !== "",
      )) {
        expect(
          (await call(server.baseUrl, "POST", "/auth/session/refresh", token)).status,
          `refresh token of ${i}`,
        ).to.equal(401);
      }
    }
    expect(await count("sessions")).to.equal(0);
  });
});

// Six key stores on six pools in one process stand for six processes. On SQLite that would measure better-sqlite3's
// synchronous busy wait blocking the one event loop, not Latchkey: there, separate processes agreeing on one key is
// test/session/keys.test.ts ("two processes started at once ... agree on one signing key").
if (testDbKind() === "sqlite") {
  console.log(
    "  (reliability: the signing-key rotation race with separate pools runs on mysql/postgres only; SQLite's is in keys.test.ts)",
  );
} else {
  describe(`reliability: signing-key rotation race (mysql/postgres only: ${testDbKind()})`, () => {
    it("processes rotating the signing key at the same moment create one key per slot and all sign with it", async function () {
      this.timeout(60_000);
      const url = testDatabaseUrl();
      const prefix = uniquePrefix();
      const interval = 3600_000;
      // Six stores, each on its own pool, as six processes of one deployment would be.
      const databases = Array.from({ length: 6 }, () => new Database(resolveConnection(url), prefix));
      databases.forEach((d) => d.setMigrations(sessionMigrations));
      const raw = rawKnex(url);
      try {
        await databases[0]?.whenReady();
        const stores = databases.map((d) => new SigningKeyStore(d, interval, 60_000));
        const slotStart = (Math.floor(Date.now() / interval) + 1) * interval;
        const clock = sinon.useFakeTimers({ now: slotStart - 1, toFake: ["Date"] });
        const first = await Promise.all(stores.map((s) => s.getSigningKey()));
        expect(new Set(first.map((k) => k.kid)).size).to.equal(1);
        // The slot ends: every process notices on its next signature, at the same moment.
        clock.tick(2);
        const second = await Promise.all(stores.map((s) => s.getSigningKey()));
        expect(new Set(second.map((k) => k.kid)).size, second.map((k) => k.kid).join(" ")).to.equal(1);
        expect(second[0]?.kid).to.not.equal(first[0]?.kid);
        const rows = (await raw(`${prefix}session_signing_keys`).select("kid")) as { kid: string }[];
        expect(rows.map((r) => r.kid).sort()).to.deep.equal([first[0]?.kid, second[0]?.kid].sort());
      } finally {
        sinon.restore();
        for (const d of databases) await d.close();
        await dropTablesWithPrefix(raw, prefix);
        await raw.destroy();
      }
    });
  });
}
