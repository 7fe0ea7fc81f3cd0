// One simulator postcopy size on a declared page-cache type (examples/gmem.uffd.ts), its
// callbacks the emitted C, in its own process so its peak RSS is its own. The
// pipeline (load, lower, emit, compile) runs before the clock starts.
import { loadModel } from "../../dist/load/index.js";
import { check, runType } from "../../dist/pipeline.js";
import { declaredTypeOf } from "../../dist/plan/planner/declared.js";
import { simulateDeclaredPostcopy } from "../../dist/run/sim/postcopy.js";

const pages = Number(process.argv[2]);
const repeat = Number(process.argv[3] ?? 5);
const spec = process.argv[4] ?? "examples/gmem.uffd.ts";
const loaded = await loadModel(spec);
const run = runType(check(loaded.model, loaded.diagnostics));
if (!("wasm" in run.compiled)) throw new Error(`the C did not compile: ${run.compiled.error}`);
const declared = declaredTypeOf(loaded.model, run.lowered);
simulateDeclaredPostcopy(8192, declared, run.compiled);
let best = null;
for (let i = 0; i < repeat; i++) {
  const r = simulateDeclaredPostcopy(pages, declared, run.compiled);
  if (!best || r.seconds < best.seconds) best = r;
}
process.stdout.write(JSON.stringify({ ...best, maxRssKB: process.resourceUsage().maxRSS }) + "\n");
