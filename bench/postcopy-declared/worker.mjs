// One simulator postcopy size on a declared page-cache type (examples/gmem.uffd.ts), its
// callbacks the emitted C, in its own process so its peak RSS is its own. The
// pipeline (load, lower, emit, compile) runs before the clock starts.
import { open } from "../../dist/session/index.js";
import { declaredTypeOf } from "../../dist/plan/planner/declared.js";
import { simulateDeclaredPostcopy } from "../../dist/run/sim/postcopy.js";

const pages = Number(process.argv[2]);
const repeat = Number(process.argv[3] ?? 5);
const spec = process.argv[4] ?? "examples/gmem.uffd.ts";
const g = (await open(spec)).generation();
const compiled = g.compiled;
if (!("wasm" in compiled)) throw new Error(`the C did not compile: ${compiled.error}`);
const declared = declaredTypeOf(g.model, g.lowered);
simulateDeclaredPostcopy(8192, declared, compiled);
let best = null;
for (let i = 0; i < repeat; i++) {
  const r = simulateDeclaredPostcopy(pages, declared, compiled);
  if (!best || r.seconds < best.seconds) best = r;
}
process.stdout.write(JSON.stringify({ ...best, maxRssKB: process.resourceUsage().maxRSS }) + "\n");
