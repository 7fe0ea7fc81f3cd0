/**
 * The C `verify` runs, as the developer has it, and how it differs from what
 * gen writes, function by function.
 *
 * From a kernel tree (`--tree DIR`): the type's own file (the spec's `file`)
 * is read with the tree-sitter parser the splicer uses. The callbacks (every
 * function gen emits, and the ops struct) and the type's functions are kept
 * at their own lines and everything else is blanked, so each finding and each
 * branch names the tree file's real line. A function gen emits that the tree
 * does not have as a function of its own (the fault glue, which `series`
 * splices into the type's ->fault handler) is gen's, appended under a #line
 * directive that names gen's file, and reported as such.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CSource } from "../ir/c-source.js";
import { declaredName, functionDefinitions, loadCParser, type Node } from "../series/c-syntax.js";

/** Top-level function definitions of a C text: name, text, first line (1-based). */
export interface CFunction {
  readonly name: string;
  readonly text: string;
  readonly line: number;
}

export async function functionsOf(text: string): Promise<CFunction[]> {
  const parser = await loadCParser();
  const root = parser.parse(text).rootNode;
  return root.descendantsOfType("function_definition").flatMap((f) => {
    if (!f || !f.childForFieldName("body")) return [];
    const name = declaredName(f.childForFieldName("declarator"));
    return name ? [{ name, text: f.text, line: f.startPosition.row + 1 }] : [];
  });
}

/** How one function of the developer's C compares with gen's. */
export interface FunctionDiff {
  readonly name: string;
  readonly status: "same" | "differs" | "only-gen" | "only-yours";
  /** Lines that differ (after whitespace is normalised), for "differs". */
  readonly changed?: number;
  /** Where it is in the developer's C. */
  readonly line?: number;
}

const normal = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/[^\n]*/g, "")
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter((l) => l !== "");

/** Function by function: the same as gen's, changed (and by how many lines), missing, or added. */
export async function diffFunctions(gen: string, yours: string, only?: ReadonlySet<string>): Promise<FunctionDiff[]> {
  const a = await functionsOf(gen);
  const b = await functionsOf(yours);
  const out: FunctionDiff[] = [];
  for (const f of a) {
    const g = b.find((x) => x.name === f.name);
    if (!g) {
      out.push({ name: f.name, status: "only-gen" });
      continue;
    }
    const x = normal(f.text);
    const y = normal(g.text);
    const changed = lineChanges(x, y);
    out.push(changed === 0 ? { name: f.name, status: "same", line: g.line } : { name: f.name, status: "differs", changed, line: g.line });
  }
  for (const g of b) if (!a.some((f) => f.name === g.name) && (!only || only.has(g.name))) out.push({ name: g.name, status: "only-yours", line: g.line });
  return out;
}

/** Lines added plus lines removed (a longest-common-subsequence diff; functions are short). */
function lineChanges(x: readonly string[], y: readonly string[]): number {
  const dp: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) dp[i]![j] = x[i] === y[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  return x.length + y.length - 2 * dp[0]![0]!;
}

export interface TreeC {
  readonly callbacks: CSource;
  /** The type's functions the tree defines, kept at their lines (static dropped: the harness declares them). */
  readonly typeC?: CSource;
  /** Functions gen emits that the tree has no definition of, taken from gen's file. */
  readonly fromGen: readonly string[];
}

/**
 * The callbacks and the type's functions from the type's own file in a kernel
 * tree. `emitted` is gen's file (the names to look for, and the fallback for
 * the glue); `opsName` the ops struct's name.
 */
export async function cFromTree(tree: string, file: string, emitted: CSource, opsName: string, typeFunctions: readonly string[]): Promise<TreeC | { readonly error: string }> {
  const path = join(tree, file);
  if (!existsSync(path)) return { error: `${path} does not exist: the spec's \`file\` names the type's C file in the tree` };
  const text = readFileSync(path, "utf8");
  const parser = await loadCParser();
  const root = parser.parse(text).rootNode;
  const genFns = await functionsOf(emitted.text);
  const keep: Node[] = [];
  const fromGen: CFunction[] = [];
  for (const f of genFns) {
    const def = functionDefinitions(root, f.name)[0];
    if (def) keep.push(def);
    else fromGen.push(f);
  }
  const ops = opsDeclaration(root, opsName);
  if (!ops) return { error: `${path} has no ${opsName} (the ops struct gen writes): run \`uffdkit series\` first, or name the file with --c` };
  keep.push(ops);
  const lines = text.split("\n");
  let callbacks = blankExcept(lines, keep);
  if (fromGen.length) {
    const genLines = emitted.text.split("\n");
    for (const f of fromGen) callbacks += `\n#line ${f.line} "${emitted.path}"\n${genLines.slice(f.line - 1, f.line - 1 + f.text.split("\n").length).join("\n")}`;
  }
  const typeDefs = typeFunctions.flatMap((n) => functionDefinitions(root, n).slice(0, 1));
  // The harness declares the type's functions (not static); dropping `static` keeps every column.
  const typeText = typeDefs.length ? blankExcept(lines, typeDefs).replace(/^(\s*)static inline(\s)/gm, "$1             $2").replace(/^(\s*)static(\s)/gm, "$1      $2") : "";
  return {
    callbacks: { path, text: callbacks },
    ...(typeText ? { typeC: { path, text: typeText } } : {}),
    fromGen: fromGen.map((f) => f.name),
  };
}

function opsDeclaration(root: Node, name: string): Node | undefined {
  return root.namedChildren.find((d): d is Node => {
    if (!d || d.type !== "declaration") return false;
    return d.namedChildren.some((c) => c?.type === "init_declarator" && declaredName(c.childForFieldName("declarator")) === name);
  });
}

/** The text with only `nodes`' lines kept, every other line empty: line numbers stay the file's. */
function blankExcept(lines: readonly string[], nodes: readonly Node[]): string {
  const keep = new Set<number>();
  for (const n of nodes) for (let r = n.startPosition.row; r <= n.endPosition.row; r++) keep.add(r);
  return lines.map((l, i) => (keep.has(i) ? l : "")).join("\n");
}
