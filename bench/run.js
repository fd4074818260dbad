#!/usr/bin/env node
// `npm run bench`: runs every benchmark in bench/ one after another (each a child process printing one JSON object),
// then writes results.json, REPORT.md and chart.svg. A full run writes them in bench/; --quick (short runs, to check
// that everything works) writes them to a temporary directory, so quick figures never land in the report.
// Usage: npm run bench [-- --quick] [-- --only=verify,http] [-- sqlite,mysql,postgres] [-- --out=DIR] [-- --report-only] [-- --merge]
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const c = require("./common");
const { writeReport } = require("./report");

const BENCHMARKS = [
  { name: "verify", args: [] },
  { name: "http", args: [] },
  { name: "session", args: [] },
  { name: "signin", args: [] },
  { name: "memory", args: [], node: ["--expose-gc"] },
  { name: "scale", args: [] },
  // Issue 15: verifySession with a UserRoleClaim.includes validator against without it, and getRolesForUser.
  { name: "roles", args: [] },
  // Issue 16: passwordless codes created and consumed per second against a raw sha256 + INSERT.
  { name: "passwordless", args: [] },
  // Its own lengths: 5 rounds of 4 s per route and framework (1 round of 1 s with --quick), SQLite only.
  { name: "frameworks", args: [] },
  // The soak takes its own options (one database, a set time), not the others' pass-through arguments.
  {
    name: "soak",
    node: ["--expose-gc"],
    ownArgs: c.QUICK ? ["--seconds", "3", "--workers", "4", "--bcrypt-cost", "4"] : ["--seconds", "60"],
  },
];

function option(name) {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? undefined : hit.slice(name.length + 3);
}

async function main() {
  if (process.argv.includes("--report-only")) {
    // Rewrites REPORT.md and chart.svg from an existing results.json (after editing NOTES.md or report.js).
    const out = option("out") ?? __dirname;
    writeReport(JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")), out);
    return;
  }
  const only = option("only")?.split(",");
  const out = option("out") ?? (c.QUICK ? fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-bench-quick-")) : __dirname);
  fs.mkdirSync(out, { recursive: true });
  const passThrough = process.argv
    .slice(2)
    .filter((a) => !a.startsWith("--only=") && !a.startsWith("--out=") && a !== "--merge");
  const dir = c.tempDir();
  // --merge: rerun some benchmarks (with --only) into an existing results.json, keeping the others' figures.
  const previous = process.argv.includes("--merge")
    ? JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8"))
    : undefined;
  const results = previous ?? {
    generated_at: new Date().toISOString(),
    quick: c.QUICK,
    lengths: c.LENGTHS,
    machine: c.machine(),
    database_versions: await c.databaseVersions(dir),
    benchmarks: {},
  };
  for (const b of BENCHMARKS) {
    if (only !== undefined && !only.includes(b.name)) continue;
    const start = Date.now();
    process.stderr.write(`bench: ${b.name} ...\n`);
    const run = spawnSync(
      process.execPath,
      [...(b.node ?? []), path.join(__dirname, `${b.name}.js`), ...(b.ownArgs ?? [...b.args, ...passThrough])],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 64 * 2 ** 20,
      },
    );
    if (run.status !== 0) {
      // One broken benchmark must not cost the others' figures: record it and go on.
      results.benchmarks[b.name] = {
        failed: `exit status ${run.status}`,
        seconds: Math.round((Date.now() - start) / 1000),
      };
      process.stderr.write(`bench: ${b.name} FAILED (status ${run.status})\n`);
      continue;
    }
    const result = JSON.parse(run.stdout);
    delete result.quick;
    delete result.lengths;
    results.benchmarks[b.name] = { ...result, seconds: Math.round((Date.now() - start) / 1000) };
    process.stderr.write(`bench: ${b.name} done in ${results.benchmarks[b.name].seconds} s\n`);
  }
  results.machine.loadavg_at_end = os.loadavg().map((x) => +x.toFixed(2));
  if (previous !== undefined)
    results.merged = [...(results.merged ?? []), { at: new Date().toISOString(), benchmarks: only }];
  fs.writeFileSync(path.join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeReport(results, out);
  process.stderr.write(`bench: wrote results.json, REPORT.md and chart.svg in ${out}\n`);
  // A broken benchmark fails the run (CI runs --quick as a smoke test), after the others' figures are written.
  const failed = Object.entries(results.benchmarks).filter(([, r]) => r.failed !== undefined);
  const ran = Object.keys(results.benchmarks).length;
  process.stderr.write(`bench: ${ran - failed.length} passed, ${failed.length} failed\n`);
  if (failed.length > 0) process.exitCode = 1;
}

c.run(main);
