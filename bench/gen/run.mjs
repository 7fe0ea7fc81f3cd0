// Cold `uffdkit gen examples/gmem.uffd.ts` against a cold `node -e "require('typescript')"`,
// alternating in one run, medians of N each. Target: ratio <= 2 (the tool adds little to
// the cost of loading a compiler). Usage: node bench/gen/run.mjs [N] [spec]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const n = Number(process.argv[2] ?? 15);
const spec = process.argv[3] ?? "examples/gmem.uffd.ts";
const out = mkdtempSync(join(tmpdir(), "uffdkit-bench-"));

function timeRun(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, stderr: r.stderr };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const gen = [];
const tsc = [];
for (let i = 0; i < n; i++) {
  // A fresh output directory each time, so every gen writes all its files (the cold, full path).
  rmSync(out, { recursive: true, force: true });
  const g = timeRun(["bin/uffdkit.js", "gen", spec, "-o", out]);
  if (g.status !== 0 && g.status !== 1) {
    console.error(`gen failed (exit ${g.status}):\n${g.stderr}`);
    process.exit(2);
  }
  gen.push(g.ms);
  tsc.push(timeRun(["-e", "require('typescript')"]).ms);
}
rmSync(out, { recursive: true, force: true });
const mg = median(gen);
const mt = median(tsc);
const ratio = mg / mt;
console.log(`cold uffdkit gen ${spec}: median ${mg.toFixed(0)} ms over ${n}`);
console.log(`cold node -e "require('typescript')": median ${mt.toFixed(0)} ms over ${n}`);
console.log(`ratio ${ratio.toFixed(2)} (target <= 2): ${ratio <= 2 ? "met" : "NOT met"}`);
