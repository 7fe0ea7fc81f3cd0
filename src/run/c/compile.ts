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
import { instrumentBranches, type BranchSite, type ReturnSite } from "./instrument.js";
import { harnessNamesOf, prelude, standInCallNotes, trailer, type HarnessNames } from "./harness.js";
import type { CSource } from "../../ir/c-source.js";
import { cwasmCacheDir, probeToolchain, runToolSteps, TOOLCHAIN_HINT, ToolchainStepError } from "./toolchain.js";
import type { ApiGenerationId } from "../../kernel/generations.js";
import type { DeclaredC } from "../../ir/scenario.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const KMODEL_INCLUDE = join(ROOT, "kmodel", "include");
const CACHE = cwasmCacheDir(ROOT);

export interface CompiledType {
  readonly wasm: Uint8Array;
  readonly sites: readonly BranchSite[];
  /** Every `return` statement, by id: the host reads the last one taken (the word at uk_last_return_slot()). */
  readonly returns: readonly ReturnSite[];
  /** The emitted file's path as findings name it. */
  readonly fileName: string;
  readonly names: HarnessNames;
  /** The text of each C file compiled in, by path (to point a finding at a call's first line). */
  readonly texts?: Readonly<Record<string, string>>;
  /** Where each ops member's function is defined in the callbacks file (member → function and line). */
  readonly members?: Readonly<Record<string, { readonly fn: string; readonly line: number }>>;
  /** The type's own C compiled in, and which of the spec's type functions it defines. */
  readonly typeC?: {
    readonly path: string;
    /** The spec's type functions it defines (the rest stay stand-ins). */
    readonly defines: readonly string[];
    /** Every function it defines, so a finding inside one names the type C's file. */
    readonly functions: readonly string[];
  };
}

export type { CSource };

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

/**
 * Compile the emitted callbacks, with the type's own C when there is some
 * (`typeC`: the functions the spec names that the type defines). A type
 * function the type C defines runs as written; the others stay imports the
 * simulator answers from the scenario (stand-ins).
 */
export function compileEmittedC(source: string, fileName: string, names: HarnessNames, typeC?: CSource): CompiledType {
  const inst = instrumentBranches(source, fileName);
  const typeInst = typeC ? instrumentBranches(typeC.text, typeC.path, inst.sites.length, typeC.path, inst.returns.length) : undefined;
  const defines = typeC ? definedFunctions(typeC.text, names.typeFunctions.map((t) => t.name)) : [];
  const sites = [...inst.sites, ...(typeInst?.sites ?? [])];
  const returns = [...inst.returns, ...(typeInst?.returns ?? [])];
  const tu = [
    prelude(names, defines),
    // Branch counters live in the module's memory (no call out per branch); the host reads them.
    `static unsigned int uk_branch_counts[${Math.max(1, sites.length) * 2}];`,
    "static inline int uk_br(int id, int taken) { uk_branch_counts[2 * id + taken]++; return taken; }",
    "#define UK_BR(id, c) uk_br((id), !!(c))",
    // The last `return` taken, so a finding about what a callback left behind names the return that left.
    "static int uk_last_ret = -1;",
    "#define UK_RET(id) (uk_last_ret = (id))",
    '__attribute__((visibility("default"))) int *uk_last_return_slot(void) { return &uk_last_ret; }',
    // The type's functions come first, as they do above the callbacks in the type's own file.
    ...(typeInst ? [typeInst.text] : []),
    standInCallNotes(names, defines),
    inst.text,
    trailer(names, defines),
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
    wasm = build(tu, names.typeFunctions.map((t) => t.name).filter((n) => !defines.includes(n)));
    mkdirSync(CACHE, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, wasm);
    renameSync(tmp, cached);
  }
  const texts = { [fileName]: source, ...(typeC ? { [typeC.path]: typeC.text } : {}) };
  const out = { wasm, sites, returns, fileName, names, texts, members: membersOf(source, names.ops), ...(typeC ? { typeC: { path: typeC.path, defines, functions: allFunctions(typeC.text) } } : {}) };
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

/** The names among `wanted` that `text` defines (a name, its parameters, then a body). */
export function definedFunctions(text: string, wanted: readonly string[]): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  return wanted.filter((n) => new RegExp(`\\b${n}\\s*\\([^;{}]*\\)\\s*\\{`).test(code));
}

/** Every function a C text defines at file scope (a line that starts a definition). */
export function allFunctions(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, " ");
  return [...code.matchAll(/^[A-Za-z_][^;{}()\n]*?\b([A-Za-z_]\w*)\s*\([^;{}]*\)\s*\{/gm)].map((m) => m[1]!);
}

/** `.member = fn,` of the ops struct `ops`, each with the line fn's definition starts on. */
export function membersOf(text: string, ops: string): Record<string, { fn: string; line: number }> {
  const at = new RegExp(`\\b${ops}\\s*=\\s*\\{([\\s\\S]*?)\\}`).exec(text);
  const out: Record<string, { fn: string; line: number }> = {};
  if (!at) return out;
  const lines = text.split("\n");
  for (const m of at[1]!.matchAll(/\.(\w+)\s*=\s*(\w+)/g)) {
    const def = lines.findIndex((l, i) => new RegExp(`\\b${m[2]}\\s*\\(`).test(l) && !/;\s*$/.test(l) && /^\S/.test(l) && (lines[i + 1] !== undefined));
    if (def >= 0) out[m[1]!] = { fn: m[2]!, line: def + 1 };
  }
  return out;
}

/** A callee the contract model lacks, where the C calls it (from clang's or wasm-ld's message). */
export interface UnknownCallee {
  readonly name: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

/** The callees the compiler or linker could not find, positioned when clang said where. */
export function unknownCallees(diagnostics: string): UnknownCallee[] {
  const out: UnknownCallee[] = [];
  for (const m of diagnostics.matchAll(/^(.+?):(\d+):(\d+): error: call to undeclared (?:library )?function '(\w+)'/gm)) {
    if (!out.some((u) => u.name === m[4])) out.push({ name: m[4]!, file: m[1]!, line: Number(m[2]), column: Number(m[3]) });
  }
  for (const m of diagnostics.matchAll(/undefined symbol: (\w+)/g)) {
    if (!out.some((u) => u.name === m[1])) out.push({ name: m[1]! });
  }
  return out;
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
export function compileTypeC(
  source: string,
  fileName: string,
  api: ApiGenerationId,
  c: DeclaredC,
  separator = ":\n",
  typeC?: CSource,
): CompiledType | { readonly error: string; readonly unknown?: readonly UnknownCallee[] } {
  try {
    return compileEmittedC(source, fileName, harnessNamesOf(api, c), typeC);
  } catch (e) {
    if (!(e instanceof CCompileError)) throw e;
    return { error: `${e.message}${e.diagnostics ? `${separator}${e.diagnostics.trim()}` : ""}`, unknown: unknownCallees(e.diagnostics) };
  }
}
