// Turns bench/run.js's results into REPORT.md (tables, the issue's targets as met / not met) and chart.svg (each
// measured ratio as a bar beside its target), with no browser and no dependency.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const DBS = ["sqlite", "mysql", "postgres"];
const DB_NAME = { sqlite: "SQLite (file, WAL)", mysql: "MySQL (MariaDB)", postgres: "PostgreSQL" };
const n = (x) => (x === undefined ? "-" : x >= 100 ? Math.round(x).toLocaleString("en-US") : String(+x.toFixed(2)));
const x = (r) => (r === undefined ? "-" : `${r.toFixed(2)}x`);
const row = (cells) => `| ${cells.join(" | ")} |`;
const table = (head, rows) => [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");

const FRAMEWORK_NAME = {
  express: "express",
  fastify: "Fastify",
  koa: "Koa",
  hono: "Hono",
  fetch_node_http: "fetch handler on node:http",
};

/** The issue's targets, each with the figure that decides it: [{ name, figure, target, met, note }]. */
function targets(all) {
  const b = Object.fromEntries(Object.entries(all).filter(([, v]) => !v.failed));
  const t = [];
  const add = (name, value, target, note = "", atLeast = true) =>
    t.push({ name, value, target, met: atLeast ? value >= target : value <= target, note });
  for (const db of DBS) {
    const v = b.verify?.databases[db];
    if (!v) continue;
    add(
      `Verification (RS256) / raw crypto.verify, ${db}`,
      v.rs256.ratio_latchkey_to_raw,
      0.7,
      `${n(v.rs256.latchkey)}/s vs ${n(v.rs256.raw_crypto_verify)}/s; jsonwebtoken ${x(v.rs256.ratio_jsonwebtoken_to_raw)}`,
    );
    if (v.es256)
      add(
        `Verification (ES256) / raw crypto.verify, ${db}`,
        v.es256.ratio_latchkey_to_raw,
        0.7,
        `${n(v.es256.latchkey)}/s vs ${n(v.es256.raw_crypto_verify)}/s`,
      );
    if (db !== "sqlite") {
      add(
        `Verification / better-auth getSession (database), ${db}`,
        v.rs256.ratio_latchkey_to_better_auth_db,
        3,
        `${n(v.rs256.latchkey)}/s vs ${n(v.rs256.better_auth_getSession_db)}/s`,
      );
      add(
        `Verification with blacklisting / better-auth getSession (database), ${db}`,
        v.rs256_blacklisting.ratio_latchkey_to_better_auth_db,
        3,
        `${n(v.rs256_blacklisting.latchkey_blacklisting)}/s vs ${n(v.rs256_blacklisting.better_auth_getSession_db)}/s (both one read per check; raw select ${n(v.rs256_blacklisting.raw_driver_select)}/s)`,
      );
    }
  }
  for (const db of DBS) {
    const h = b.http?.databases[db];
    if (h)
      add(
        `HTTP behind verifySession() / no auth, ${db}`,
        h.ratio_latchkey_to_no_auth,
        0.6,
        `${n(h.latchkey_verifySession.rps)} vs ${n(h.no_auth.rps)} req/s`,
      );
  }
  for (const db of DBS) {
    for (const [alg, s] of Object.entries(b.session?.databases[db] ?? {})) {
      const limit = Math.min(s.raw_sign, s.raw_driver_update);
      add(
        `Session creation (${alg}) / slower limit, ${db}`,
        s.ratio_create_to_limit,
        0.5,
        `${n(s.latchkey_create)}/s vs ${n(limit)}/s (${s.limit})`,
      );
      add(
        `Refresh (${alg}) / slower limit, ${db}`,
        s.ratio_refresh_to_limit,
        0.5,
        `${n(s.latchkey_refresh)}/s vs ${n(limit)}/s (${s.limit})`,
      );
    }
  }
  for (const db of DBS) {
    const s = b.signin?.databases[db];
    if (!s) continue;
    add(
      `Sign-in / raw bcrypt compare, one at a time, ${db}`,
      s.sequential.ratio_signin_to_raw_compare,
      0.9,
      `${n(s.sequential.latchkey_signin)}/s vs ${n(s.sequential.raw_bcrypt_compare)}/s`,
    );
    if (s.concurrent_4) {
      add(
        `Sign-in / raw bcrypt compare, four at a time, ${db}`,
        s.concurrent_4.ratio_signin_to_raw_compare,
        0.9,
        `${n(s.concurrent_4.latchkey_signin)}/s vs ${n(s.concurrent_4.raw_bcrypt_compare)}/s`,
      );
    }
  }
  for (const db of DBS) {
    const g = b.scale?.refresh_vs_table_size[db];
    if (!g) continue;
    const sizes = Object.keys(g).filter((k) => k.startsWith("rows_"));
    add(
      `Refresh flat from 10^3 to ${sizes.at(-1).slice(5)} sessions (max/min), ${db}`,
      g.ratio_max_to_min,
      1.5,
      sizes.map((k) => `${k.slice(5)}: ${n(g[k].refreshes_per_s)}/s`).join(", "),
      false,
    );
  }
  for (const [name, f] of Object.entries(b.frameworks?.frameworks ?? {})) {
    add(
      `HTTP behind verifySession / no auth, ${FRAMEWORK_NAME[name] ?? name} (SQLite, median of per-round ratios)`,
      f.ratio[1],
      0.6,
      `${n(f.verifySession_rps[1])} vs ${n(f.no_auth_rps[1])} req/s (medians); per-round ratio ${f.ratio.map((r) => r.toFixed(2)).join(" / ")}`,
    );
  }
  for (const db of DBS) {
    const v = b.roles?.results?.[db]?.verifySession;
    if (!v?.verifySessionRequestPath) continue;
    const p = v.verifySessionRequestPath;
    // Per CPU second when measured (steadier on a shared machine), else per wall second.
    const q = p.perCpuSecond ?? p;
    add(
      `verifySession with UserRoleClaim.includes vs without (issue 15), ${db}`,
      q.medianRatio,
      0.95,
      `${p.perCpuSecond ? "per CPU second; " : ""}per-round ratio ${q.roundRatio.join(" / ")} (min / median / max); ` +
        `wall-clock ratio ${p.medianRatio}; ${v.queriesPerVerifyWithIncludes.requestPath} queries`,
    );
  }
  if (b.memory) {
    t.push({
      name: "Memory bounded (no growth on a second batch)",
      value: b.memory.heap_growth_second_verification_batch_mb + b.memory.heap_growth_second_creation_batch_mb,
      target: 5,
      met: b.memory.bounded,
      note: "heap growth in MB over a second batch of verifications and of creations",
    });
  }
  return t;
}

/** A horizontal bar chart of every target's measured value against its target (log scale, 0.1x to 100x). */
function chart(ts) {
  const W = 900;
  const rowH = 22;
  const left = 430;
  const plotW = W - left - 20;
  const H = 60 + ts.length * rowH;
  const lo = Math.log10(0.1);
  const hi = Math.log10(100);
  const px = (v) => left + ((Math.log10(Math.min(Math.max(v, 0.1), 100)) - lo) / (hi - lo)) * plotW;
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">Latchkey / reference (ratio, log scale). Bar: measured; black tick: target. Green met, red not met.</text>`,
  ];
  for (const v of [0.1, 0.5, 1, 2, 5, 10, 50, 100]) {
    parts.push(
      `<line x1="${px(v)}" y1="30" x2="${px(v)}" y2="${H - 10}" stroke="#ddd"/>`,
      `<text x="${px(v)}" y="${H - 1}" text-anchor="middle" fill="#666">${v}x</text>`,
    );
  }
  ts.forEach((t, i) => {
    const y = 34 + i * rowH;
    parts.push(
      `<text x="${left - 6}" y="${y + 13}" text-anchor="end">${esc(t.name)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${Math.max(px(t.value) - left, 1)}" height="${rowH - 8}" fill="${t.met ? "#3a3" : "#c33"}"/>`,
      `<line x1="${px(t.target)}" y1="${y}" x2="${px(t.target)}" y2="${y + rowH - 2}" stroke="black" stroke-width="2"/>`,
      `<text x="${Math.min(px(t.value), W - 60) + 4}" y="${y + 13}">${t.value.toFixed(2)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function sections(r) {
  const b = Object.fromEntries(Object.entries(r.benchmarks).filter(([, v]) => !v.failed));
  const out = Object.entries(r.benchmarks)
    .filter(([, v]) => v.failed)
    .map(([k, v]) => `**bench/${k}.js failed (${v.failed}); its figures are missing.**\n`);
  const v = b.verify;
  if (v) {
    const rows = [];
    for (const db of DBS) {
      const d = v.databases[db];
      if (!d) continue;
      rows.push([
        DB_NAME[db],
        n(d.rs256.raw_crypto_verify),
        n(d.rs256.jsonwebtoken_verify),
        n(d.rs256.latchkey),
        x(d.rs256.ratio_latchkey_to_raw),
        n(d.rs256_blacklisting.latchkey_blacklisting),
        n(d.rs256_blacklisting.raw_driver_select),
        n(d.rs256.better_auth_getSession_db),
        n(d.rs256.better_auth_getSession_cookie_cache),
        x(d.rs256.ratio_latchkey_to_better_auth_db),
        x(d.rs256_blacklisting.ratio_latchkey_to_better_auth_db),
      ]);
    }
    out.push(
      "## 1. Session verification (in process, verifications/s, one core)",
      "",
      "Same token and key for raw `crypto.verify`, `jsonwebtoken.verify` (given the parsed key object, its best case) and " +
        "`Session.getSessionWithoutRequestResponse`; better-auth's `auth.api.getSession` on the same database with one signed-up user.",
      "",
      table(
        [
          "Database",
          "raw crypto.verify",
          "jsonwebtoken",
          "Latchkey",
          "Latchkey / raw",
          "Latchkey, blacklisting",
          "raw pk select",
          "better-auth (db)",
          "better-auth (cookie cache)",
          "Latchkey / better-auth db",
          "blacklisting / better-auth db",
        ],
        rows,
      ),
      "",
    );
    const es = DBS.map((db) => [db, v.databases[db]?.es256]).filter(([, e]) => e);
    if (es.length > 0) {
      out.push(
        "ES256:",
        "",
        table(
          ["Database", "raw crypto.verify", "jsonwebtoken", "Latchkey", "Latchkey / raw"],
          es.map(([db, e]) => [
            DB_NAME[db],
            n(e.raw_crypto_verify),
            n(e.jsonwebtoken_verify),
            n(e.latchkey),
            x(e.ratio_latchkey_to_raw),
          ]),
        ),
        "",
      );
    }
  }
  const h = b.http;
  if (h) {
    const rows = DBS.filter((db) => h.databases[db]).map((db) => {
      const d = h.databases[db];
      return [
        DB_NAME[db],
        n(d.no_auth.rps),
        n(d.latchkey_verifySession.rps),
        x(d.ratio_latchkey_to_no_auth),
        n(d.better_auth_getSession_db.rps),
        n(d.better_auth_getSession_cookie_cache.rps),
        x(d.ratio_latchkey_to_better_auth_db),
        `${d.latchkey_verifySession.latency_p50_ms} / ${d.latchkey_verifySession.latency_p99_ms}`,
      ];
    });
    out.push(
      `## 2. HTTP (requests/s, autocannon, ${h.connections} connections, ${h.seconds_per_run} s per run, server in its own process)`,
      "",
      table(
        [
          "Database",
          "no auth",
          "verifySession()",
          "/ no auth",
          "better-auth (db)",
          "better-auth (cookie cache)",
          "Latchkey / better-auth db",
          "Latchkey p50 / p99 ms",
        ],
        rows,
      ),
      "",
    );
  }
  const s = b.session;
  if (s) {
    const rows = [];
    for (const db of DBS) {
      for (const [alg, d] of Object.entries(s.databases[db] ?? {})) {
        rows.push([
          DB_NAME[db],
          alg,
          n(d.raw_sign),
          n(d.raw_driver_insert),
          n(d.raw_driver_update),
          n(d.raw_driver_delete),
          n(d.latchkey_create),
          x(d.ratio_create_to_limit),
          n(d.latchkey_refresh),
          x(d.ratio_refresh_to_limit),
          n(d.latchkey_revoke),
          x(d.ratio_revoke_to_raw_delete),
          d.better_auth_signIn === undefined ? "-" : n(d.better_auth_signIn),
        ]);
      }
    }
    out.push(
      "## 3. Session creation, refresh and revoke (operations/s, one at a time)",
      "",
      "Limits measured beside them: a raw signature of the algorithm and a raw driver one-row insert / update / delete by primary key " +
        "on the same database. The ratio is to the slower of the raw signature and the raw update, as the issue defines it. " +
        "better-auth's sign-in (its closest way to create a session) includes its password hash (scrypt), so it is not a like-for-like figure.",
      "",
      table(
        [
          "Database",
          "Alg",
          "raw sign",
          "raw insert",
          "raw update",
          "raw delete",
          "create",
          "/ limit",
          "refresh",
          "/ limit",
          "revoke",
          "/ raw delete",
          "better-auth sign-in",
        ],
        rows,
      ),
      "",
    );
  }
  const si = b.signin;
  if (si) {
    const rows = [];
    for (const db of DBS) {
      const d = si.databases[db];
      if (!d) continue;
      for (const [mode, f] of [
        ["one at a time", d.sequential],
        ["four at a time", d.concurrent_4],
      ]) {
        if (!f) continue;
        rows.push([
          DB_NAME[db],
          mode,
          n(f.raw_bcrypt_hash),
          n(f.latchkey_signup),
          x(f.ratio_signup_to_raw_hash),
          n(f.raw_bcrypt_compare),
          n(f.latchkey_signin),
          x(f.ratio_signin_to_raw_compare),
        ]);
      }
    }
    out.push(
      `## 4. Sign-up and sign-in over HTTP (operations/s, bcrypt cost ${si.bcrypt_cost})`,
      "",
      table(
        [
          "Database",
          "Concurrency",
          "raw bcrypt hash",
          "sign-up",
          "/ raw hash",
          "raw bcrypt compare",
          "sign-in",
          "/ raw compare",
        ],
        rows,
      ),
      "",
    );
  }
  const m = b.memory;
  if (m) {
    out.push(
      "## 5. Memory (SQLite, after a full garbage collection)",
      "",
      table(
        ["Stage", "RSS MB", "heap used MB"],
        Object.entries(m.stages).map(([k, st]) => [k.replace(/_/g, " "), n(st.rss_mb), n(st.heap_used_mb)]),
      ),
      "",
    );
  }
  const sc = b.scale;
  if (sc) {
    const cl = sc.cluster_mysql;
    out.push(
      "## 6. Scale",
      "",
      "Verification with node cluster workers sharing one MySQL database (verifications/s, all workers together):",
      "",
      table(
        ["Mode", "1 worker", "2 workers", "2 / 1"],
        Object.entries(cl).map(([k, d]) => [k.replace(/_/g, " "), n(d.workers_1), n(d.workers_2), x(d.ratio_2_to_1)]),
      ),
      "",
    );
    const sizes = Object.keys(Object.values(sc.refresh_vs_table_size)[0] ?? {}).filter((k) => k.startsWith("rows_"));
    out.push(
      "Refresh (one at a time, refreshes/s) as the sessions table grows (filler rows bulk-inserted with the raw driver):",
      "",
      table(
        ["Database", ...sizes.map((k) => `${Number(k.slice(5)).toLocaleString("en-US")} rows`), "max / min"],
        DBS.filter((db) => sc.refresh_vs_table_size[db]).map((db) => {
          const g = sc.refresh_vs_table_size[db];
          return [DB_NAME[db], ...sizes.map((k) => n(g[k]?.refreshes_per_s)), x(g.ratio_max_to_min)];
        }),
      ),
      "",
    );
  }
  const ro = b.roles;
  if (ro?.results) {
    const pairRow = (db, label, p) => [
      DB_NAME[db],
      label,
      n(p.opsPerSecond.plain.median),
      n(p.opsPerSecond.withUserRoleClaimIncludes.median),
      x(p.medianRatio),
      p.roundRatio.map((r) => r.toFixed(2)).join(" / "),
      p.addedMicroseconds === undefined ? "-" : String(p.addedMicroseconds),
    ];
    const rows = (db, label, p) => [
      pairRow(db, `${label}, wall clock`, p),
      ...(p.perCpuSecond ? [pairRow(db, `${label}, per CPU second`, p.perCpuSecond)] : []),
    ];
    const dbs = DBS.filter((db) => ro.results[db]?.verifySession?.verifySessionRequestPath);
    out.push(
      "## 7. Roles (issue 15)",
      "",
      'Session verification with and without a `UserRoleClaim.includes("admin")` validator (verifications/s, medians of interleaved rounds; the per-round ratio as min / median / max), per wall-clock second and per second of the process\'s CPU time (the steadier figure when other work shares the machine):',
      "",
      table(
        ["Database", "Path", "without", "with includes", "ratio", "per round", "added µs"],
        dbs.flatMap((db) => [
          ...rows(db, "verifySession request path", ro.results[db].verifySession.verifySessionRequestPath),
          ...rows(
            db,
            "getSessionWithoutRequestResponse",
            ro.results[db].verifySession.getSessionWithoutRequestResponse,
          ),
        ]),
      ),
      "",
      table(
        ["Database", "getRolesForUser of a user with 50 roles, calls/s", "roles in all", "queries per call"],
        dbs.map((db) => [
          DB_NAME[db],
          n(ro.results[db].getRolesForUser.opsPerSecond),
          n(ro.results[db].getRolesForUser.roles),
          String(ro.results[db].getRolesForUser.queriesPerCall),
        ]),
      ),
      "",
    );
  }
  const pl = b.passwordless;
  if (pl?.databases) {
    out.push(
      "## 8. Passwordless codes (issue 16)",
      "",
      "Operations/s, median of interleaved runs, one at a time:",
      "",
      table(
        ["Database", "raw sha256 + INSERT", "createCode", "consumeCode", "create / raw", "consume / raw"],
        DBS.filter((db) => pl.databases[db]).map((db) => {
          const d = pl.databases[db];
          return [
            DB_NAME[db],
            n(d.raw_sha256_insert.median),
            n(d.latchkey_create_code.median),
            n(d.latchkey_consume_code.median),
            x(d.ratio_create_to_raw),
            x(d.ratio_consume_to_raw),
          ];
        }),
      ),
      "",
    );
  }
  const fw = b.frameworks;
  if (fw) {
    const spreadOf = (xs) => xs.map(n).join(" / ");
    out.push(
      `## 9. HTTP per framework (requests/s, autocannon, ${fw.connections} connections, ${fw.rounds} rounds of ${fw.seconds_per_run} s, servers in their own process)`,
      "",
      "The same route with no auth and behind the framework's `verifySession` (fetch: `getSession`), Latchkey's " +
        "middleware in front of both, a Bearer access token; the pair run back to back, frameworks in turn. " +
        `Load average ${fw.loadavg.at_start.join(", ")} at the start, ${fw.loadavg.at_end.join(", ")} at the end ` +
        `(1-minute figure after each round: ${fw.loadavg.after_round.join(", ")}).`,
      "",
      table(
        [
          "Framework",
          "no auth (min / median / max)",
          "verifySession",
          "ratio per round (min / median / max)",
          "p99 ms",
        ],
        Object.entries(fw.frameworks).map(([name, f]) => [
          name === fw.headline ? `**${FRAMEWORK_NAME[name]}**` : (FRAMEWORK_NAME[name] ?? name),
          spreadOf(f.no_auth_rps),
          spreadOf(f.verifySession_rps),
          f.ratio.map((r) => r.toFixed(2)).join(" / "),
          n(f.verifySession_p99_ms),
        ]),
      ),
      "",
    );
  }
  return out;
}

/** Writes REPORT.md and chart.svg for a run's results into `dir`. */
function writeReport(r, dir) {
  const ts = targets(r.benchmarks);
  fs.writeFileSync(path.join(dir, "chart.svg"), chart(ts));
  const notes = fs.existsSync(path.join(__dirname, "NOTES.md"))
    ? fs.readFileSync(path.join(__dirname, "NOTES.md"), "utf8")
    : "";
  const md = [
    "# Latchkey benchmarks",
    "",
    `Generated by \`npm run bench\` on ${r.generated_at}${r.quick ? " (QUICK RUN: short runs, figures are rough)" : ""}. ` +
      "Raw figures are in [results.json](results.json). Each figure is the median of several runs; each Latchkey figure was measured " +
      "in the same process run as its references, their runs interleaved." +
      (r.merged
        ? ` Rerun later and merged in: ${r.merged.map((m) => `${m.benchmarks.join(", ")} (${m.at})`).join("; ")}.`
        : ""),
    "",
    "**Read the ratios, not the absolute figures.** This machine was shared with other engineers' test runs while the benchmark ran " +
      `(load average ${r.machine.loadavg_at_start.join(", ")} at the start, ${(r.machine.loadavg_at_end ?? []).join(", ")} at the end, on ${r.machine.cores} cores), ` +
      "so absolute rates are lower and noisier than on an idle machine; a ratio measured side by side is far less affected.",
    "",
    "## Machine",
    "",
    table(
      ["", ""],
      [
        ["CPU", `${r.machine.cpu} (${r.machine.cores} cores)`],
        ["Memory", `${r.machine.memory_gb} GB`],
        ["Node", r.machine.node],
        ["OS", r.machine.platform],
        ["SQLite", r.database_versions.sqlite],
        ["MySQL", r.database_versions.mysql],
        ["PostgreSQL", r.database_versions.postgres],
        [
          "Runs per figure",
          `${r.lengths.runs} (median), in-process verification runs of ${r.lengths.verifyMs} ms, ${r.lengths.ops} operations per storage run`,
        ],
      ],
    ),
    "",
    "## Targets (from issue 10)",
    "",
    "![Each target's measured ratio against the target](chart.svg)",
    "",
    table(
      ["Target", "Measured", "Target", "Met", "Figures"],
      ts.map((t) => [
        t.name,
        t.value.toFixed(2),
        `${t.name.includes("flat") || t.name.includes("Memory") ? "<=" : ">="} ${t.target}`,
        t.met ? "met" : "**not met**",
        t.note,
      ]),
    ),
    "",
    notes,
    ...sections(r),
  ].join("\n");
  fs.writeFileSync(path.join(dir, "REPORT.md"), `${md.trim()}\n`);
}

module.exports = { writeReport, targets };
