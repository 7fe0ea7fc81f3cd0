/**
 * Compile an emitted C file for the simulator: clang --target=wasm32 and
 * wasm-ld, from whichever toolchain ./toolchain.ts finds (an installed clang
 * with the wasm32 target, or @yowasp/clang in WebAssembly).
 *
 * Why WebAssembly: the code runs inside the simulator's process, under its
 * scheduler, deterministic and sandboxed (it can reach nothing but the
 * imports the contract model gives it), and a module instantiates in well
 * under a millisecond, so every scenario gets a fresh instance.
 *
 * Results are cached by content (toolchain.ts's cwasmCacheDir(): .cache/cwasm/
 * in a checkout, the user's cache folder for an installed package), so a second
 * `gen` of the same C pays nothing for the compile, nor for finding a compiler.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { instrumentBranches, type BranchSite } from "./instrument.js";
import { harnessNamesOf, prelude, trailer, type HarnessNames } from "./harness.js";
import { cwasmCacheDir, probeToolchain, runToolSteps, TOOLCHAIN_HINT, ToolchainStepError } from "./toolchain.js";
import type { ApiGenerationId } from "../../kernel/generations.js";
import type { DeclaredC } from "../../ir/scenario.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const KMODEL_INCLUDE = join(ROOT, "kmodel", "include");
const CACHE = cwasmCacheDir(ROOT);

export interface CompiledType {
  readonly wasm: Uint8Array;
  readonly sites: readonly BranchSite[];
  /** The emitted file's path as findings name it. */
  readonly fileName: string;
  readonly names: HarnessNames;
}

/** The C did not compile or link against the contract model: what the compiler said. */
export class CCompileError extends Error {
  constructor(
    message: string,
    readonly diagnostics: string,
  ) {
    super(message);
  }
}

const memo = new Map<string, CompiledType>();

export function compileEmittedC(source: string, fileName: string, names: HarnessNames): CompiledType {
  const inst = instrumentBranches(source, fileName);
  const tu = [
    prelude(names),
    // Branch counters live in the module's memory (no call out per branch); the host reads them.
    `static unsigned int uk_branch_counts[${Math.max(1, inst.sites.length) * 2}];`,
    "static inline int uk_br(int id, int taken) { uk_branch_counts[2 * id + taken]++; return taken; }",
    "#define UK_BR(id, c) uk_br((id), !!(c))",
    inst.text,
    trailer(names),
    '__attribute__((visibility("default"))) unsigned int *uk_branch_counters(void) { return uk_branch_counts; }',
  ].join("\n");
  const key = createHash("sha256").update(tu).update(kmodelHeader()).digest("hex").slice(0, 32);
  const hit = memo.get(key);
  if (hit) return hit;
  const cached = join(CACHE, `${key}.wasm`);
  let wasm: Uint8Array;
  if (existsSync(cached)) {
    wasm = readFileSync(cached);
  } else {
    wasm = build(tu, names.typeFunctions.map((t) => t.name));
    mkdirSync(CACHE, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, wasm);
    renameSync(tmp, cached);
  }
  const out = { wasm, sites: inst.sites, fileName, names };
  memo.set(key, out);
  return out;
}

function build(tu: string, typeFunctions: readonly string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "uffdkit-c-"));
  try {
    const c = join(dir, "tu.c");
    const o = join(dir, "tu.o");
    const w = join(dir, "tu.wasm");
    const allow = join(dir, "type-functions.txt");
    writeFileSync(c, tu);
    // Only the type's own functions may stay undefined (they become imports the simulator answers).
    writeFileSync(allow, typeFunctions.map((n) => `${n}\n`).join(""));
    const clangArgs = [
      "--target=wasm32",
      "-O1",
      "-nostdlib",
      "-ffreestanding",
      "-fno-builtin",
      "-fvisibility=hidden",
      "-std=gnu11",
      "-Wall",
      "-Wno-unused-function",
      "-Wno-unused-variable",
      "-Werror=implicit-function-declaration",
      "-Werror=incompatible-pointer-types",
      "-Werror=int-conversion",
      "-Werror=return-type",
      "-I",
      KMODEL_INCLUDE,
      "-c",
      c,
      "-o",
      o,
    ];
    run([{ tool: "clang", args: clangArgs }, { tool: "wasm-ld", args: ["--no-entry", "--export-dynamic", `--allow-undefined-file=${allow}`, "-o", w, o] }], dir);
    return readFileSync(w);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The contract model's header (part of the key): a clear error when the package lacks it. */
function kmodelHeader(): Buffer {
  const h = join(KMODEL_INCLUDE, "uffdkit", "kmodel.h");
  if (!existsSync(h)) throw new CCompileError(`uffdkit's package is incomplete: ${h} is missing (reinstall uffdkit)`, "");
  return readFileSync(h);
}

function run(steps: Parameters<typeof runToolSteps>[1], dir: string): void {
  const { toolchain } = probeToolchain();
  if (!toolchain) throw new CCompileError(`no C toolchain for the simulator: ${TOOLCHAIN_HINT}`, "");
  try {
    runToolSteps(toolchain, steps, dir, [KMODEL_INCLUDE]);
  } catch (e) {
    if (!(e instanceof ToolchainStepError)) throw e;
    throw new CCompileError(`${e.tool} failed on the emitted C`, e.output);
  }
}

/**
 * A declared type's C compiled for the simulator, or why it cannot be: the one
 * compile the session (its `compiled` stage) and `uffdkit sim` (a scenario
 * file's setup.declared.c) share. A compile error is a value, not a throw.
 */
export function compileTypeC(source: string, fileName: string, api: ApiGenerationId, c: DeclaredC, separator = ":\n"): CompiledType | { readonly error: string } {
  try {
    return compileEmittedC(source, fileName, harnessNamesOf(api, c));
  } catch (e) {
    if (!(e instanceof CCompileError)) throw e;
    return { error: `${e.message}${e.diagnostics ? `${separator}${e.diagnostics.trim()}` : ""}` };
  }
}
