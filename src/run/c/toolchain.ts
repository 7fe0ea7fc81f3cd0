/**
 * Which C toolchain compiles the emitted C to wasm32 for the simulator, found
 * by probing rather than by a distribution's name for it:
 *
 *   1. UFFDKIT_CLANG (and UFFDKIT_WASM_LD), when set: used as given;
 *   2. an installed clang whose `--print-targets` lists wasm32, with a wasm-ld
 *      beside it: `clang`, then `clang-NN` newest first, on PATH and in
 *      Homebrew's keg-only llvm folders (Apple's own clang has no wasm32);
 *   3. otherwise @yowasp/clang (an optional npm dependency): LLVM's clang and
 *      lld compiled to WebAssembly, run by Node in a child process
 *      (./wasm-clang.ts), so a machine with no C toolchain at all can run the
 *      simulator. Its first compile in a process loads a 75 MB module (a few
 *      seconds); compiled modules are cached by content, so later runs skip it.
 *
 * Probing runs only when a compile is needed (a cache miss): a cached `gen`
 * pays nothing for it. The cache key is the translation unit, not the
 * toolchain: every toolchain here compiles the same C to the same behaviour.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, readFileSync } from "node:fs";
import { platform } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../../emit/template-store.js";
import { cacheDir } from "../cache-dir.js";

export interface SystemToolchain {
  readonly kind: "system";
  readonly clang: string;
  readonly wasmLd: string;
  /** `clang --version`'s first line. */
  readonly version: string;
}

export interface WasmToolchain {
  readonly kind: "wasm";
  /** The @yowasp/clang entry module (a file path). */
  readonly module: string;
  readonly version: string;
}

export type CToolchain = SystemToolchain | WasmToolchain;

export interface ToolchainProbe {
  /** The toolchain in use, or undefined when none is usable. */
  readonly toolchain?: CToolchain;
  /** Every candidate looked at and why it was or was not taken (for `doctor`). */
  readonly tried: readonly string[];
}

/** One tool invocation; paths in args are real paths. */
export interface ToolStep {
  readonly tool: "clang" | "wasm-ld";
  readonly args: readonly string[];
}

/** A step failed: the tool, and what it printed. */
export class ToolchainStepError extends Error {
  constructor(
    readonly tool: string,
    readonly output: string,
  ) {
    super(`${tool} failed`);
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Directories searched for clang and wasm-ld: PATH, then Homebrew's keg-only llvm and lld. */
function searchDirs(env: NodeJS.ProcessEnv): string[] {
  const path = (env.PATH ?? "").split(delimiter).filter(Boolean);
  const brew = platform() === "darwin" ? ["/opt/homebrew/opt/llvm/bin", "/opt/homebrew/opt/lld/bin", "/usr/local/opt/llvm/bin", "/usr/local/opt/lld/bin"] : [];
  return [...new Set([...path, ...brew])];
}

function which(name: string, dirs: readonly string[]): string | undefined {
  for (const d of dirs) {
    const p = join(d, name);
    if (executable(p)) return p;
  }
  return undefined;
}

/** clang, then clang-NN (newest first), each once, as found in the search directories. */
export function clangCandidates(dirs: readonly string[]): string[] {
  const versioned = new Map<number, string>();
  for (const d of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = /^clang-(\d+)$/.exec(n);
      if (m && !versioned.has(Number(m[1])) && executable(join(d, n))) versioned.set(Number(m[1]), join(d, n));
    }
  }
  const plain = which("clang", dirs);
  return [...(plain ? [plain] : []), ...[...versioned.entries()].sort((a, b) => b[0] - a[0]).map(([, p]) => p)];
}

function output(cmd: string, args: readonly string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return r.status === 0 ? `${r.stdout}` : undefined;
}

/** The wasm-ld that goes with a clang: same version suffix, or beside it, or on the search path. */
function wasmLdFor(clang: string, dirs: readonly string[]): string | undefined {
  const suffix = /clang(-\d+)?$/.exec(clang)?.[1] ?? "";
  const beside = [join(dirname(clang), `wasm-ld${suffix}`), join(dirname(clang), "wasm-ld")];
  for (const p of beside) if (executable(p)) return p;
  return (suffix ? which(`wasm-ld${suffix}`, dirs) : undefined) ?? which("wasm-ld", dirs);
}

/** An installed clang with the wasm32 target and a wasm-ld. */
function probeSystem(tried: string[], env: NodeJS.ProcessEnv): SystemToolchain | undefined {
  const envClang = env.UFFDKIT_CLANG;
  const dirs = searchDirs(env);
  const candidates = envClang ? [envClang] : clangCandidates(dirs);
  if (candidates.length === 0) tried.push("no clang on PATH");
  for (const clang of candidates) {
    const version = output(clang, ["--version"])?.split("\n")[0]?.trim();
    if (!version) {
      tried.push(`${clang}: does not run`);
      continue;
    }
    if (!/\bwasm32\b/.test(output(clang, ["--print-targets"]) ?? "")) {
      tried.push(`${clang} (${version}): no wasm32 target`);
      continue;
    }
    const wasmLd = env.UFFDKIT_WASM_LD ?? wasmLdFor(clang, dirs);
    if (!wasmLd || output(wasmLd, ["--version"]) === undefined) {
      tried.push(`${clang} (${version}): no wasm-ld beside it (lld)`);
      continue;
    }
    tried.push(`${clang} (${version}) with ${wasmLd}: usable`);
    return { kind: "system", clang, wasmLd, version };
  }
  return undefined;
}

/** @yowasp/clang, when it is installed (resolved from uffdkit's own package). */
function probeWasm(tried: string[], env: NodeJS.ProcessEnv): WasmToolchain | undefined {
  if (env.UFFDKIT_NO_WASM_CLANG) {
    tried.push("@yowasp/clang: turned off (UFFDKIT_NO_WASM_CLANG)");
    return undefined;
  }
  let module: string;
  try {
    module = fileURLToPath(import.meta.resolve("@yowasp/clang"));
  } catch {
    tried.push("@yowasp/clang: not installed (npm i @yowasp/clang)");
    return undefined;
  }
  let version = "?";
  try {
    const pj = join(module, "..", "..", "package.json");
    version = (JSON.parse(readFileSync(pj, "utf8")) as { version: string }).version;
  } catch {
    /* the version is only shown to people */
  }
  tried.push(`@yowasp/clang ${version}: usable (clang and wasm-ld in WebAssembly)`);
  return { kind: "wasm", module, version };
}

let probed: ToolchainProbe | undefined;

/** The toolchain in use (probed once per process). */
export function probeToolchain(): ToolchainProbe {
  probed ??= findToolchain(process.env);
  return probed;
}

/**
 * Look for a toolchain in this environment (PATH, UFFDKIT_CLANG, UFFDKIT_WASM_LD;
 * UFFDKIT_TOOLCHAIN=wasm skips the installed clang, UFFDKIT_NO_WASM_CLANG the
 * WebAssembly one).
 */
export function findToolchain(env: NodeJS.ProcessEnv): ToolchainProbe {
  const tried: string[] = [];
  const system = env.UFFDKIT_TOOLCHAIN === "wasm" ? undefined : probeSystem(tried, env);
  const toolchain = system ?? probeWasm(tried, env);
  return toolchain ? { toolchain, tried } : { tried };
}

/** How to get a toolchain, for an error message. */
export const TOOLCHAIN_HINT =
  "install clang and lld (Debian/Ubuntu: apt install clang lld; Fedora: dnf install clang lld; Arch: pacman -S clang lld; macOS: brew install llvm lld), " +
  "or reinstall uffdkit with its optional dependency @yowasp/clang (npm i @yowasp/clang); `uffdkit doctor` shows what was found";

export function describeToolchain(t: CToolchain): string {
  return t.kind === "system" ? `${t.clang} + ${t.wasmLd} (${t.version})` : `@yowasp/clang ${t.version} (clang and wasm-ld in WebAssembly, run by Node)`;
}

/**
 * Run the steps (clang, then wasm-ld) in `workDir`; `readDirs` are the other
 * directories the arguments name (the contract model's headers). Throws
 * ToolchainStepError with the tool's output when a step fails.
 */
export function runToolSteps(t: CToolchain, steps: readonly ToolStep[], workDir: string, readDirs: readonly string[]): void {
  if (t.kind === "system") {
    for (const s of steps) {
      const r = spawnSync(s.tool === "clang" ? t.clang : t.wasmLd, s.args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      if (r.status !== 0) throw new ToolchainStepError(s.tool, `${r.stdout ?? ""}${r.stderr ?? ""}` || String(r.error ?? `exit ${r.status}`));
    }
    return;
  }
  const job = JSON.stringify({ module: t.module, workDir, readDirs, steps });
  // Lazy compilation: V8 compiles only the functions clang and wasm-ld call, not the whole 75 MB module.
  const r = spawnSync(process.execPath, ["--wasm-lazy-compilation", wasmRunner()], { input: job, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const m = /^uffdkit-wasm-clang: (clang|wasm-ld) failed\n/.exec(r.stderr ?? "");
    throw new ToolchainStepError(m?.[1] ?? "@yowasp/clang", m ? r.stderr.slice(m[0].length) : `${r.stderr ?? ""}` || String(r.error));
  }
}

/** The runner's compiled file (dist/run/c/wasm-clang.js), also when this module runs from src/. */
function wasmRunner(): string {
  const here = fileURLToPath(new URL("./wasm-clang.js", import.meta.url));
  return existsSync(here) ? here : join(packageRoot(), "dist", "run", "c", "wasm-clang.js");
}

/** Where compiled modules are cached: UFFDKIT_CWASM_CACHE, or ../cache-dir.ts's "cwasm". */
export function cwasmCacheDir(root = packageRoot()): string {
  return process.env.UFFDKIT_CWASM_CACHE ?? cacheDir("cwasm", root);
}
