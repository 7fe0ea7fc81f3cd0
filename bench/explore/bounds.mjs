#!/usr/bin/env node
// The largest program bounds each target explores exhaustively within a time
// budget (default 60 s wall, 2 worker threads). Each bound
// (--threads, --ops, --pages of `uffdkit explore`) grows alone from the
// programs' own shape until the whole target's exploration is no longer
// exhaustive or takes longer than the budget. "Before" is the programs' own
// shape, the only one the explorer could run before the bounds existed.
//
// Usage: node bench/explore/bounds.mjs [--budget S] [--only SUBSTR]... [--json]
// (run `npm run build` first). The machine may be shared: wall times are
// what this run saw, states/s the search's own rate on one worker.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const argv = process.argv.slice(2);
const json = argv.includes("--json");
const budget = Number(argv[argv.indexOf("--budget") + 1] ?? 60) || 60;
const only = argv.flatMap((a, i) => (a === "--only" ? [argv[i + 1]] : []));
const { open } = await import(join(root, "dist/session/index.js"));
const { programsForKind } = await import(join(root, "dist/plan/explore/programs.js"));
const { boundProgram } = await import(join(root, "dist/plan/explore/bounds.js"));
const { explorePrograms } = await import(join(root, "dist/run/explore/pool.js"));

const specs = [
  ...readdirSync(join(root, "examples")).filter((f) => f.endsWith(".uffd.ts")).map((f) => `examples/${f}`),
  ...readdirSync(join(root, "examples/upstream")).filter((f) => f.endsWith(".uffd.ts")).map((f) => `examples/upstream/${f}`),
].sort();
const targets = [];
for (const spec of specs) {
  if (only.length && !only.some((o) => spec.includes(o))) continue;
  const plan = (await open(join(root, spec))).generation().exploration;
  targets.push({ label: spec, programs: plan.programs, opts: plan.opts });
}
for (const kind of ["anon", "shmem", "hugetlb"]) {
  if (only.length && !only.some((o) => `kind ${kind}`.includes(o))) continue;
  targets.push({ label: `kind ${kind}`, programs: programsForKind(kind), opts: { kernel: "6.18" } });
}

async function run(t, bounds) {
  const programs = t.programs.map((p) => boundProgram(p, bounds));
  const t0 = performance.now();
  const reports = await explorePrograms(programs, t.opts, { workers: 2, bounds: { maxMillis: budget * 1000, maxSchedules: 1e9 } });
  const wall = (performance.now() - t0) / 1000;
  const states = reports.reduce((n, r) => n + r.stats.states, 0);
  const millis = reports.reduce((n, r) => n + r.stats.millis, 0);
  return { wall, exhaustive: reports.every((r) => r.verdict !== "bounded") && wall <= budget, states, statesPerSecond: Math.round(states / Math.max(millis / 1000, 1e-3)) };
}

const rows = [];
for (const t of targets) {
  const own = await run(t, {});
  const row = { target: t.label, before: { shape: "own", ...own }, after: {} };
  for (const [dim, from] of [["threads", 3], ["ops", 2], ["pages", 3]]) {
    let best = null;
    for (let v = from; v <= 8; v++) {
      const r = await run(t, { [dim]: v });
      if (!r.exhaustive) break;
      best = { [dim]: v, ...r };
      if (!json) process.stderr.write(`${t.label}: ${dim} ${v}: ${r.wall.toFixed(1)} s, ${r.states} states, ${r.statesPerSecond} states/s\n`);
    }
    row.after[dim] = best;
  }
  rows.push(row);
}
if (json) console.log(JSON.stringify({ budgetSeconds: budget, workers: 2, rows }));
else {
  console.log(`largest bound explored exhaustively within ${budget} s (2 workers); each bound grown alone`);
  console.log("target                                   own: s / states/s        threads          ops              pages");
  const cell = (b, dim) => (b ? `${b[dim]} (${b.wall.toFixed(0)} s)` : "own only");
  for (const r of rows) console.log(`${r.target.padEnd(40)} ${r.before.wall.toFixed(1).padStart(5)} / ${String(r.before.statesPerSecond).padEnd(12)} ${cell(r.after.threads, "threads").padEnd(16)} ${cell(r.after.ops, "ops").padEnd(16)} ${cell(r.after.pages, "pages")}`);
}
