#!/usr/bin/env node
// Postcopy through a declared page-cache type's compiled callbacks, side by side
// with this machine's kernel doing shmem postcopy (a MAP_SHARED memfd): every page
// a MISSING fault resolved by UFFDIO_COPY. Target: the simulator at least 10x the
// kernel's shmem fault rate. Best of 5 runs each, 64 MiB and 256 MiB.
//
// Usage: node bench/postcopy-declared/run.mjs [--json]   (run `npm run build` first)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const json = process.argv.includes("--json");
const outDir = join(root, ".cache/bench");
mkdirSync(outDir, { recursive: true });
const exe = join(outDir, "postcopy");
execFileSync("gcc", ["-O2", "-Wall", "-Werror", "-pthread", "-o", exe, join(root, "bench/postcopy/postcopy.c")], { stdio: "inherit" });

const runJson = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: root, maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
};

const rows = [];
for (const [label, pages] of [["64 MiB", 64 << 8], ["256 MiB", 256 << 8]]) {
  const sim = runJson(process.execPath, [join(here, "worker.mjs"), String(pages), "5"]);
  let kern = null;
  for (let i = 0; i < 5; i++) {
    const k = runJson(exe, [String(pages), "shmem"]);
    if (!kern || k.seconds < kern.seconds) kern = k;
  }
  const simRate = sim.faults / sim.seconds;
  const kernRate = kern.faults / kern.seconds;
  rows.push({ size: label, pages, sim: { ...sim, faultsPerSec: simRate, peakRssMB: sim.maxRssKB / 1024 }, kernelShmem: { ...kern, faultsPerSec: kernRate }, ratio: simRate / kernRate });
}
if (json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
else {
  for (const r of rows) {
    console.log(
      `${r.size}: declared type (emitted C) ${Math.round(r.sim.faultsPerSec).toLocaleString()} faults/s (${r.sim.violations} violations, verified ${r.sim.verified}), ` +
        `kernel shmem ${Math.round(r.kernelShmem.faultsPerSec).toLocaleString()} faults/s, ratio ${r.ratio.toFixed(1)}x (target >= 10x), sim peak RSS ${r.sim.peakRssMB.toFixed(0)} MB`,
    );
  }
}
