#!/usr/bin/env node
// Interleaving exploration (uffdkit explore): for every example spec and the
// kernel's own kinds, the wall-clock time to explore all of its programs on two
// worker threads (target: each under 60 s, exhaustive), schedules and states per
// second, and the reduction of sleep sets + the state cache against enumerating
// every schedule of the same programs.
//
// Usage: node bench/explore/run.mjs [--json]   (run `npm run build` first)
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const json = process.argv.includes("--json");
const { open } = await import(join(root, "dist/session/index.js"));
const { programsForKind } = await import(join(root, "dist/plan/explore/programs.js"));
const { explorePrograms } = await import(join(root, "dist/run/explore/pool.js"));
const { search } = await import(join(root, "dist/run/explore/search.js"));
const { exploreWeak } = await import(join(root, "dist/run/explore/weak.js"));

const specs = [
  ...readdirSync(join(root, "examples")).filter((f) => f.endsWith(".uffd.ts")).map((f) => `examples/${f}`),
  ...readdirSync(join(root, "examples/upstream")).filter((f) => f.endsWith(".uffd.ts")).map((f) => `examples/upstream/${f}`),
].sort();
const targets = [];
for (const spec of specs) {
  const plan = (await open(join(root, spec))).generation().exploration;
  targets.push({ label: spec, programs: plan.programs, weak: plan.weak, opts: plan.opts });
}
for (const kind of ["anon", "shmem", "hugetlb"]) targets.push({ label: `kind ${kind}`, programs: programsForKind(kind), weak: [], opts: { kernel: "6.18" } });

const rows = [];
const sum = { schedules: 0, states: 0, transitions: 0, millis: 0, naiveSchedules: 0, naiveTransitions: 0, naiveMillis: 0 };
for (const t of targets) {
  const t0 = performance.now();
  const reports = await explorePrograms(t.programs, t.opts, { workers: 2 });
  for (const w of t.weak) reports.push(exploreWeak(w, t.opts));
  const wall = performance.now() - t0;
  const exhaustive = reports.every((r) => r.verdict === "exhaustive");
  let naive = { schedules: 0, transitions: 0, millis: 0 };
  for (const p of t.programs) {
    const n = search(p, t.opts, {}, false);
    naive = { schedules: naive.schedules + n.stats.schedules, transitions: naive.transitions + n.stats.transitions, millis: naive.millis + n.stats.millis };
  }
  const reduced = reports.filter((r) => r.reduction);
  const st = reduced.reduce((a, r) => ({ schedules: a.schedules + r.stats.schedules, states: a.states + r.stats.states, transitions: a.transitions + r.stats.transitions, millis: a.millis + r.stats.millis }), { schedules: 0, states: 0, transitions: 0, millis: 0 });
  const violations = reports.reduce((n, r) => n + r.counterexamples.length, 0);
  rows.push({ target: t.label, programs: reports.length, wallSeconds: wall / 1000, exhaustive, violations, ...st, naiveSchedules: naive.schedules, naiveTransitions: naive.transitions });
  for (const k of ["schedules", "states", "transitions", "millis"]) sum[k] += st[k];
  sum.naiveSchedules += naive.schedules;
  sum.naiveTransitions += naive.transitions;
  sum.naiveMillis += naive.millis;
}
const perSec = (n, ms) => Math.round(n / (ms / 1000));
const result = {
  rows,
  totals: {
    schedulesPerSecond: perSec(sum.schedules, sum.millis),
    statesPerSecond: perSec(sum.states, sum.millis),
    reductionSchedules: +(sum.naiveSchedules / sum.schedules).toFixed(2),
    reductionTransitions: +(sum.naiveTransitions / sum.transitions).toFixed(2),
    slowestWallSeconds: Math.max(...rows.map((r) => r.wallSeconds)),
    allExhaustive: rows.every((r) => r.exhaustive),
  },
};
if (json) {
  console.log(JSON.stringify(result));
} else {
  console.log("target                                   programs  wall s  exhaustive  violations  schedules  states  naive schedules");
  for (const r of rows) {
    console.log(`${r.target.padEnd(40)} ${String(r.programs).padStart(8)}  ${r.wallSeconds.toFixed(2).padStart(6)}  ${String(r.exhaustive).padStart(10)}  ${String(r.violations).padStart(10)}  ${String(r.schedules).padStart(9)}  ${String(r.states).padStart(6)}  ${String(r.naiveSchedules).padStart(15)}`);
  }
  const t = result.totals;
  console.log(`schedules/s ${t.schedulesPerSecond}, states/s ${t.statesPerSecond} (search time on one worker each)`);
  console.log(`reduction against every schedule of the same programs: ${t.reductionSchedules}x fewer schedules, ${t.reductionTransitions}x fewer transitions`);
  console.log(`targets: every example exhaustive: ${t.allExhaustive}; slowest example ${t.slowestWallSeconds.toFixed(2)} s < 60 s: ${t.slowestWallSeconds < 60}`);
}
