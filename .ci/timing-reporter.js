// mocha's spec reporter, followed by the run's slowest test files and tests, so CI shows where its minutes go.
// Used by .ci/run (`npm test -- --reporter .ci/timing-reporter.js`). A file's time runs from its first suite's start to
// its last suite's end (hooks included); under CI's side-by-side runs it is wall time on a shared machine, so compare
// shares rather than absolute figures. LATCHKEY_TIMING_JSON=path also writes every file's and test's time as JSON.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Mocha = require(require.resolve("mocha", { paths: [process.cwd()] }));

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_END, EVENT_RUN_END } = Mocha.Runner.constants;
const SHOWN = 10;

class TimingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const files = new Map();
    const tests = [];
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.file !== undefined && !files.has(suite.file)) files.set(suite.file, { start: Date.now(), end: 0 });
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const file = suite.file === undefined ? undefined : files.get(suite.file);
      if (file !== undefined) file.end = Date.now();
    });
    runner.on(EVENT_TEST_END, (test) => {
      tests.push({ file: test.file, title: test.fullTitle(), ms: test.duration ?? 0 });
    });
    // After the spec epilogue (registered first), so "N passing" stays where CI's tally looks for it.
    runner.once(EVENT_RUN_END, () => {
      const rel = (f) => (f === undefined ? "?" : path.relative(process.cwd(), f));
      const byFile = [...files].map(([file, t]) => ({ file: rel(file), ms: Math.max(0, t.end - t.start) }));
      byFile.sort((a, b) => b.ms - a.ms);
      const total = byFile.reduce((n, f) => n + f.ms, 0);
      const lines = [`  slowest files (of ${byFile.length}, ${(total / 1000).toFixed(0)} s in all):`];
      for (const f of byFile.slice(0, SHOWN)) {
        lines.push(`    ${(f.ms / 1000).toFixed(1).padStart(6)} s  ${f.file}`);
      }
      const slowTests = [...tests].sort((a, b) => b.ms - a.ms).slice(0, SHOWN);
      lines.push("  slowest tests:");
      for (const t of slowTests) {
        lines.push(`    ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${rel(t.file)}: ${t.title.slice(0, 110)}`);
      }
      console.log(`${lines.join("\n")}\n`);
      const out = process.env.LATCHKEY_TIMING_JSON;
      if (out) {
        const json = { files: byFile, tests: tests.map((t) => ({ ...t, file: rel(t.file) })) };
        fs.writeFileSync(out, JSON.stringify(json, null, 1));
      }
    });
  }
}

module.exports = TimingReporter;
