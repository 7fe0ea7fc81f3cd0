// Cold `uffdkit gen examples/gmem.uffd.ts` against a cold `node -e "require('typescript')"`,
// alternating in one run, medians of N each, with the system clang and with the WebAssembly
// toolchain (@yowasp/clang, UFFDKIT_TOOLCHAIN=wasm) side by side. Targets: ratio <= 2 with the
// system clang (the tool adds little to the cost of loading a compiler); with the WebAssembly
// toolchain the first gen (empty module cache: the C is compiled) <= 15 s, later ones (cached)
// as fast as with clang. Usage: node bench/gen/run.mjs [N] [spec]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const n = Number(process.argv[2] ?? 15);
const spec = process.argv[3] ?? "examples/gmem.uffd.ts";
const out = mkdtempSync(join(tmpdir(), "uffdkit-bench-"));

function timeRun(args, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, stderr: r.stderr };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** gen into a fresh output directory (every file written: the cold, full path). */
function gen1(env) {
  rmSync(out, { recursive: true, force: true });
  const g = timeRun(["bin/uffdkit.js", "gen", spec, "-o", out], env);
  if (g.status !== 0 && g.status !== 1) {
    console.error(`gen failed (exit ${g.status}):\n${g.stderr}`);
    process.exit(2);
  }
  return g.ms;
}

// First gens, each toolchain with an empty module cache of its own: the compile is paid.
const caches = { system: join(out + "-cache", "system"), wasm: join(out + "-cache", "wasm") };
const envOf = { system: { UFFDKIT_CWASM_CACHE: caches.system }, wasm: { UFFDKIT_CWASM_CACHE: caches.wasm, UFFDKIT_TOOLCHAIN: "wasm" } };
const first = { system: gen1(envOf.system), wasm: gen1(envOf.wasm) };

const gen = { system: [], wasm: [] };
const tsc = [];
for (let i = 0; i < n; i++) {
  gen.system.push(gen1(envOf.system));
  gen.wasm.push(gen1(envOf.wasm));
  tsc.push(timeRun(["-e", "require('typescript')"]).ms);
}
rmSync(out, { recursive: true, force: true });
rmSync(out + "-cache", { recursive: true, force: true });
const mt = median(tsc);
const ms = median(gen.system);
const mw = median(gen.wasm);
const ratio = ms / mt;
console.log(`first uffdkit gen ${spec} (empty module cache): system clang ${first.system.toFixed(0)} ms, WebAssembly toolchain ${first.wasm.toFixed(0)} ms (target <= 15000: ${first.wasm <= 15000 ? "met" : "NOT met"})`);
console.log(`cold uffdkit gen ${spec}, module cached: system clang median ${ms.toFixed(0)} ms, WebAssembly toolchain median ${mw.toFixed(0)} ms over ${n} (x${(mw / ms).toFixed(2)})`);
console.log(`cold node -e "require('typescript')": median ${mt.toFixed(0)} ms over ${n}`);
console.log(`ratio ${ratio.toFixed(2)} (system clang; target <= 2): ${ratio <= 2 ? "met" : "NOT met"}; WebAssembly toolchain cached ${(mw / mt).toFixed(2)}`);
