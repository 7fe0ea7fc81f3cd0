// How gen's pipeline (lower, plan, emit, compile (cached), simulate) scales with run.pages:
// examples/gmem.uffd.ts at 64..512 pages (the loader's maximum), in-process, median of 5.
// Usage: node bench/gen/pages.mjs   (run `npm run build` first)
import { loadModel } from "../../dist/load/index.js";
import { openValue } from "../../dist/session/index.js";
import { normalize } from "../../dist/model/normalize.js";

const loaded = await loadModel("examples/gmem.uffd.ts");
const base = loaded.model.spec;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
openValue(normalize({ ...base, run: { ...base.run, pages: 8 } })).generation().simulation; // warm the JIT and the C cache
const rows = [];
for (const pages of [64, 128, 256, 512]) {
  const model = normalize({ ...base, run: { ...base.run, pages } });
  const ms = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    openValue(model).generation().simulation;
    ms.push(performance.now() - t0);
  }
  rows.push({ pages, ms: median(ms) });
}
for (const r of rows) console.log(`${String(r.pages).padStart(4)} pages: ${r.ms.toFixed(0)} ms (${((r.ms * 1000) / r.pages).toFixed(0)} us/page)`);
const first = rows[0];
const last = rows[rows.length - 1];
console.log(`growth 64 -> 512 pages: x${(last.ms / first.ms).toFixed(2)} for x8 pages (linear would be <= x8)`);
