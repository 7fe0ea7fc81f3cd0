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

/**
 * Whose ->fault glue the run rests on. The simulator calls the glue function
 * first thing in ->fault and goes on only when it returns 0, the way `series`
 * splices it (vm_fault_t uffd_ret = GLUE(vmf); if (uffd_ret) return uffd_ret;).
 * "tree": the tree defines the glue function and its handler calls it that way,
 * before anything but declarations, so what ran is the tree's. "gen": some part
 * is not the tree's (the function, or its call in the handler), and `why` says
 * which: that part is not checked.
 */
export type FaultGlueOrigin =
  | { readonly from: "tree"; readonly fn: string; readonly handler: string; readonly path: string; readonly fnLine: number; readonly callLine: number }
  | { readonly from: "gen"; readonly fn: string; readonly handler: string; readonly why: string };

/** The glue function and the ->fault handler that should call it (the spec's fault.handler). */
export interface FaultGlueNames {
  readonly fn: string;
  readonly handler: string;
}

export interface TreeC {
  readonly callbacks: CSource;
  /** Whose fault glue ran, when the type has glue. */
  readonly faultGlue?: FaultGlueOrigin;
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
export async function cFromTree(
  tree: string,
  file: string,
  emitted: CSource,
  opsName: string,
  typeFunctions: readonly string[],
  glue?: FaultGlueNames,
): Promise<TreeC | { readonly error: string }> {
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
    ...(glue ? { faultGlue: faultGlueInTree(root, path, glue, fromGen.some((f) => f.name === glue.fn)) } : {}),
    fromGen: fromGen.map((f) => f.name),
  };
}

/** Does the tree's ->fault handler run the tree's glue function the way the simulator does (./FaultGlueOrigin)? */
export function faultGlueInTree(root: Node, path: string, glue: FaultGlueNames, fnFromGen: boolean): FaultGlueOrigin {
  const gen = (why: string): FaultGlueOrigin => ({ from: "gen", fn: glue.fn, handler: glue.handler, why });
  if (fnFromGen) return gen(`${path} has no ${glue.fn}() of its own; gen's ran`);
  const handler = functionDefinitions(root, glue.handler)[0];
  if (!handler) return gen(`${path} has no ${glue.handler}() (the spec's fault.handler), so nothing in the tree is seen to call ${glue.fn}()`);
  const body = handler.childForFieldName("body")!;
  const stmts = body.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment");
  const at = stmts.findIndex((st) => callsIn(st, glue.fn).length > 0);
  const row = (n: Node) => n.startPosition.row + 1;
  if (at < 0) return gen(`${glue.handler}() (${path}:${row(handler)}) does not call ${glue.fn}(); the simulator called it first thing in ->fault, as series splices it`);
  const call = stmts[at]!;
  const before = stmts.slice(0, at).find((st) => st.type !== "declaration");
  if (before) return gen(`${glue.handler}() calls ${glue.fn}() at ${path}:${row(call)} after other statements (from line ${row(before)}); the simulator ran only the glue, so what runs before it is not checked`);
  const result = resultName(call, glue.fn);
  const next = stmts[at + 1];
  if (!result || !next || !returnsWhenNonzero(next, result)) {
    return gen(`${glue.handler}() calls ${glue.fn}() at ${path}:${row(call)} but not as \`ret = ${glue.fn}(vmf); if (ret) return ret;\`: how it uses the result is not checked`);
  }
  const fnDef = functionDefinitions(root, glue.fn)[0]!;
  return { from: "tree", fn: glue.fn, handler: glue.handler, path, fnLine: row(fnDef), callLine: row(call) };
}

function callsIn(n: Node, fn: string): Node[] {
  return n.descendantsOfType("call_expression").filter((c): c is Node => c !== null && c.childForFieldName("function")?.text === fn);
}

/** The variable a statement stores the glue's result in: `T x = fn(vmf);` or `x = fn(vmf);`. */
function resultName(st: Node, fn: string): string | undefined {
  const isCall = (v: Node | null | undefined) => v?.type === "call_expression" && v.childForFieldName("function")?.text === fn;
  if (st.type === "declaration") {
    const init = st.namedChildren.find((c) => c?.type === "init_declarator");
    return init && isCall(init.childForFieldName("value")) ? declaredName(init.childForFieldName("declarator")) : undefined;
  }
  const e = st.type === "expression_statement" ? st.namedChildren[0] : null;
  if (e?.type === "assignment_expression" && isCall(e.childForFieldName("right"))) return e.childForFieldName("left")?.text;
  return undefined;
}

/** `if (x) return x;` (or `if (unlikely(x))`, or with braces). */
function returnsWhenNonzero(st: Node, x: string): boolean {
  if (st.type !== "if_statement" || st.childForFieldName("alternative")) return false;
  const cond = (st.childForFieldName("condition")?.text ?? "").replace(/\s+/g, "");
  if (cond !== `(${x})` && cond !== `(unlikely(${x}))`) return false;
  const then = st.childForFieldName("consequence");
  const ret = then?.type === "compound_statement" ? then.namedChildren.filter((c) => c?.type !== "comment") : [then];
  return ret.length === 1 && ret[0]?.type === "return_statement" && ret[0].text.replace(/\s+/g, "") === `return${x};`;
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
