#!/usr/bin/env node
// 5. Resident memory after 100,000 verifications (of 1,000 distinct tokens, so a per-token cache would show) and
// after 10,000 sessions created, each then repeated to show that memory does not keep growing. SQLite file.
// Run with --expose-gc (bench/run.js does) so every reading follows a full collection. One JSON object on stdout.
// Usage: node --expose-gc bench/memory.js [--quick]
"use strict";
require("tsx/cjs");
const Session = require("../recipes/session/index").default;
const c = require("./common");

const mb = (bytes) => +(bytes / 2 ** 20).toFixed(1);

function reading() {
  if (global.gc) {
    global.gc();
    global.gc();
  }
  const m = process.memoryUsage();
  return { rss_mb: mb(m.rss), heap_used_mb: mb(m.heapUsed), external_mb: mb(m.external) };
}

async function main() {
  const dir = c.tempDir();
  const prefix = c.uniquePrefix();
  c.initLatchkey(c.databaseUrl("sqlite", dir), prefix);
  const tokens = [];
  for (let i = 0; i < 1000; i++)
    tokens.push((await Session.createNewSessionWithoutRequestResponse(`user-${i}`, { i })).getAccessToken());
  const verify = async (n) => {
    for (let i = 0; i < n; i++) await Session.getSessionWithoutRequestResponse(tokens[i % tokens.length]);
  };
  const create = async (n) => {
    for (let i = 0; i < n; i++) await Session.createNewSessionWithoutRequestResponse(`user-${i}`, { i });
  };
  const v = c.LENGTHS.memoryVerifications;
  const s = c.LENGTHS.memorySessions;
  await verify(1000); // warm: JIT and the key cache
  const stages = { baseline: reading() };
  await verify(v);
  stages[`after_${v}_verifications`] = reading();
  await verify(v);
  stages[`after_${2 * v}_verifications`] = reading();
  await create(s);
  stages[`after_${s}_sessions_created`] = reading();
  await create(s);
  stages[`after_${2 * s}_sessions_created`] = reading();
  await c.teardownLatchkey(prefix);
  const keys = Object.keys(stages);
  const growthVerify = stages[keys[2]].heap_used_mb - stages[keys[1]].heap_used_mb;
  const growthCreate = stages[keys[4]].heap_used_mb - stages[keys[3]].heap_used_mb;
  c.emit({
    benchmark: "memory",
    gc_exposed: Boolean(global.gc),
    stages,
    heap_growth_second_verification_batch_mb: +growthVerify.toFixed(1),
    heap_growth_second_creation_batch_mb: +growthCreate.toFixed(1),
    // A few MB of slack: V8's heap moves by more than that between readings for reasons of its own.
    bounded: growthVerify < 5 && growthCreate < 5,
  });
}

c.run(main);
