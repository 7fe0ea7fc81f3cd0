// One simulator postcopy size in its own process, so its peak RSS is its own.
// Warm the JIT on a small run, then measure; best of
// `repeat` runs (this machine is shared, and the best run is the one least
// disturbed by others).
import { simulatePostcopy } from "../../dist/run/sim/postcopy.js";

const pages = Number(process.argv[2]);
const repeat = Number(process.argv[3] ?? 5);
simulatePostcopy(8192);
let best = null;
for (let i = 0; i < repeat; i++) {
  const r = simulatePostcopy(pages);
  if (!best || r.seconds < best.seconds) best = r;
}
const maxRssKB = process.resourceUsage().maxRSS;
process.stdout.write(JSON.stringify({ ...best, maxRssKB }) + "\n");
