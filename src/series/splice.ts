/**
 * Splicing the kernel-C emitter's fragments into a real kernel source file.
 *
 * Each function takes a file's contents and returns the new contents or a
 * SpliceError saying what was not found and where. Places are decided from the
 * file's C syntax tree (./c-syntax.ts), not by scanning text, so braces in
 * strings and comments, macros that look like functions and #ifdef blocks do
 * not mislead it:
 *
 * - includes go after the file's other top-level includes;
 * - the ops (helpers, callbacks and the ops struct) go before the first
 *   file-level construct that will use them (the vm_operations_struct that the
 *   hook points at them from, or the fault handler that the glue calls them
 *   from), and after every declaration of the file's own names they use;
 * - the hook goes inside the vm_operations_struct initializer, outside any
 *   #ifdef in it;
 * - the glue goes at the top of the fault handler's body, after its
 *   declarations (the kernel builds with -Wdeclaration-after-statement).
 *
 * Anything that cannot be placed with certainty is an error, and the text is
 * returned unchanged.
 */
import type { KernelFragments } from "../emit/kernel/artifacts.js";
import {
  childWithin,
  containersOf,
  definedNames,
  firstDeclarations,
  functionDefinitions,
  hasAnyVmOps,
  insideError,
  lineOf,
  usedIdentifiers,
  vmOpsDefinitions,
  type CParser,
  type Node,
  type VmOpsDefinition,
} from "./c-syntax.js";

export interface SpliceError {
  readonly kind: "not-found" | "already-present" | "ambiguous" | "unplaceable" | "no-vm-ops";
  readonly file: string;
  readonly message: string;
  readonly hint: string;
}

export type SpliceResult = { ok: true; text: string } | { ok: false; error: SpliceError };

function err(kind: SpliceError["kind"], file: string, message: string, hint: string): { ok: false; error: SpliceError } {
  return { ok: false, error: { kind, file, message, hint } };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const e = text.indexOf("\n", offset);
  return e < 0 ? text.length : e + 1;
}

function trimBlankLines(s: string): string {
  return s.replace(/^\n+/, "").replace(/\n+$/, "");
}

/** The one definition of the vm_operations_struct, or why there is not exactly one we can edit. */
export function findVmOps(parser: CParser, file: string, text: string, vmOps: string, root: Node = parser.parse(text).rootNode): { ok: true; def: VmOpsDefinition } | { ok: false; error: SpliceError } {
  const defs = vmOpsDefinitions(root, vmOps);
  if (defs.length === 0) {
    if (!hasAnyVmOps(root)) {
      return err(
        "no-vm-ops",
        file,
        `${file} defines no vm_operations_struct at all, so the type cannot be mmap()ed in this tree and there is nothing to hook ${vmOps} into`,
        `the base lacks the prerequisite that adds ${vmOps} (mmap support for this type); base the series on a tree that has it (--base)`,
      );
    }
    return err("not-found", file, `no definition of struct vm_operations_struct ${vmOps} in ${file}`, `set vmOps in the spec to the vm_operations_struct that ${file} defines (git grep -n vm_operations_struct -- ${file}), or set file to the source file that defines ${vmOps}`);
  }
  if (defs.length > 1) {
    const lines = defs.map((d) => lineOf(text, d.declaration.startIndex)).join(" and ");
    return err("ambiguous", file, `${file} defines ${vmOps} more than once (lines ${lines}), e.g. in two #ifdef branches`, "hook the type by hand, or name a vm_operations_struct that is defined once");
  }
  const def = defs[0]!;
  const close = def.initializer.lastChild;
  if (insideError(def.declaration) || close?.type !== "}" || close.isMissing) {
    return err("unplaceable", file, `cannot read the initializer of ${vmOps} at ${file}:${lineOf(text, def.declaration.startIndex)} safely (a macro or an unbalanced #ifdef around it)`, "add the hook by hand, or simplify the initializer");
  }
  return { ok: true, def };
}

/** The one definition of a function, or why there is not exactly one. */
export function findFunction(
  parser: CParser,
  file: string,
  text: string,
  name: string,
  what: string,
  hint: string,
  root: Node = parser.parse(text).rootNode,
): { ok: true; def: Node } | { ok: false; error: SpliceError } {
  const defs = functionDefinitions(root, name);
  if (defs.length === 0) return err("not-found", file, `${what} ${name}() is not defined in ${file}`, hint);
  if (defs.length > 1) return err("ambiguous", file, `${name}() is defined more than once in ${file} (lines ${defs.map((d) => lineOf(text, d.startIndex)).join(" and ")})`, "the series cannot tell which definition to change; edit it by hand");
  const def = defs[0]!;
  if (insideError(def)) return err("unplaceable", file, `${name}() at ${file}:${lineOf(text, def.startIndex)} sits in code the C parser cannot read safely (macros around it)`, "edit it by hand");
  return { ok: true, def };
}

/** Add the include lines the file lacks, after its last top-level #include (the last <...> one for <...> includes). */
export function spliceIncludes(parser: CParser, text: string, includes: readonly string[]): string {
  let out = text;
  for (const inc of includes) {
    const line = inc.trim();
    const root = parser.parse(out).rootNode;
    const top = root.children.filter((c): c is Node => c?.type === "preproc_include");
    // Already included anywhere (e.g. in the #ifdef CONFIG_SHMEM part of mm/shmem.c): nothing to add.
    if (root.descendantsOfType("preproc_include").some((n) => n?.text.trim() === line)) continue;
    const angle = line.includes("<");
    const sameKind = top.filter((n) => n.childForFieldName("path")?.type === (angle ? "system_lib_string" : "string_literal"));
    const anchor = (sameKind.length ? sameKind : top).at(-1);
    const at = anchor ? lineEnd(out, anchor.startIndex) : afterLeadingComments(out);
    out = out.slice(0, at) + line + "\n" + out.slice(at);
  }
  return out;
}

/** Offset just after the file's leading comment block (SPDX line and the like). */
function afterLeadingComments(text: string): number {
  let at = 0;
  while (at < text.length) {
    const end = lineEnd(text, at);
    if (!/^(\/\/|\/\*| \*|\s*$)/.test(text.slice(at, end))) break;
    at = end;
  }
  return at;
}

/**
 * Where the ops block goes: before the first file-level construct that uses
 * what it defines, and after the first declaration of every file name it uses.
 */
function placeOps(parser: CParser, file: string, text: string, ops: string, users: readonly Node[], root: Node): { ok: true; at: number } | { ok: false; error: SpliceError } {
  const chains = users.map((u) => containersOf(u));
  const common = chains[0]!.find((c) => chains.every((ch) => ch.some((x) => x.id === c.id)));
  if (!common) return err("unplaceable", file, `the constructs that use the ops in ${file} share no enclosing scope`, "place the ops by hand");
  const anchors = users.map((u) => childWithin(u, common)!).sort((a, b) => a.startIndex - b.startIndex);
  const first = anchors[0]!;
  const at = lineStart(text, startWithLeadingComments(first).startIndex);

  const fragment = parser.parse(ops).rootNode;
  const own = definedNames(fragment);
  const declared = firstDeclarations(root);
  for (const name of usedIdentifiers(fragment)) {
    if (own.has(name)) continue;
    const d = declared.get(name);
    if (d && d.startIndex >= at) {
      const firstUse = lineOf(text, first.startIndex);
      return err(
        "unplaceable",
        file,
        `the generated code calls ${name}(), which ${file} first declares at line ${lineOf(text, d.startIndex)}, but it must come before line ${firstUse}, where the ops are first used`,
        `declare ${name}() before line ${firstUse} of ${file} (a prototype is enough), commit that, and run series again`,
      );
    }
  }
  return { ok: true, at };
}

/** A node with the comments right above it (its kernel-doc), which must stay attached to it. */
function startWithLeadingComments(n: Node): Node {
  let start = n;
  for (let p = n.previousSibling; p && p.type === "comment" && p.endPosition.row >= start.startPosition.row - 1; p = p.previousSibling) start = p;
  return start;
}

/** Put the ops block at `at`, separated from what follows by a blank line. */
function insertBlock(text: string, at: number, block: string): string {
  return text.slice(0, at) + trimBlankLines(block) + "\n\n" + text.slice(at);
}

/**
 * Code meant for one level inside braces: if its first code line is already
 * indented, keep it; otherwise indent every line but preprocessor lines by a tab.
 */
function indentBody(code: string): string[] {
  const lines = code.split("\n");
  const first = lines.find((l) => l.trim() !== "" && !l.startsWith("#"));
  if (first === undefined || /^\t/.test(first)) return lines;
  return lines.map((l) => (l === "" || l.startsWith("#") ? l : `\t${l}`));
}

/** A node's text with its comments blanked (same length), so a "#if" in a comment is not a directive. */
function withoutComments(text: string, node: Node): string {
  let out = text.slice(node.startIndex, node.endIndex);
  for (const c of node.descendantsOfType("comment")) {
    if (!c) continue;
    const a = c.startIndex - node.startIndex;
    out = out.slice(0, a) + c.text.replace(/[^\n]/g, " ") + out.slice(a + c.text.length);
  }
  return out;
}

/** Preprocessor nesting change over a stretch of text: +1 per #if*, -1 per #endif. */
function conditionalDepth(text: string): number {
  let depth = 0;
  for (const m of text.matchAll(/^[ \t]*#[ \t]*(if|ifdef|ifndef|endif)\b/gm)) depth += m[1] === "endif" ? -1 : 1;
  return depth;
}

/** Add the hook line(s) as the last member(s) of the vm_operations_struct initializer, outside its #ifdefs. */
export function spliceHook(parser: CParser, file: string, text: string, vmOps: string, hook: string): SpliceResult {
  const found = findVmOps(parser, file, text, vmOps);
  if (!found.ok) return found;
  const list = found.def.initializer;
  const open = list.startIndex;
  const close = list.endIndex - 1;
  if (conditionalDepth(withoutComments(text, list).slice(open - list.startIndex, close - list.startIndex)) !== 0) {
    return err("unplaceable", file, `the initializer of ${vmOps} at ${file}:${lineOf(text, open)} is split across #if branches`, "add the hook by hand in every branch");
  }
  const lines = indentBody(trimBlankLines(hook)).join("\n");
  if (text.slice(open + 1, close).trim() === "" || lineOf(text, open) === lineOf(text, close)) {
    // `= { }` or `= { .fault = f }` on one line: rewrite as a multi-line initializer.
    const members = text.slice(open + 1, close).trim();
    const body = members ? `\t${members.replace(/,?$/, ",")}\n` : "";
    return { ok: true, text: `${text.slice(0, open + 1)}\n${body}${lines}\n${text.slice(close)}` };
  }
  let out = text;
  let closeLine = lineStart(out, close);
  if (out.slice(closeLine, close).trim() !== "") {
    out = `${out.slice(0, close)}\n${out.slice(close)}`;
    closeLine = close + 1;
  }
  const comma = lastMemberWithoutComma(list, out);
  if (comma !== undefined) {
    out = `${out.slice(0, comma)},${out.slice(comma)}`;
    closeLine++;
  }
  return { ok: true, text: out.slice(0, closeLine) + lines + "\n" + out.slice(closeLine) };
}

/** Offset after the last member when it has no trailing comma (C allows that), else undefined. */
function lastMemberWithoutComma(list: Node, text: string): number | undefined {
  const kids = list.children.filter((c): c is Node => c !== null && c.type !== "comment" && c.type !== "}" && c.type !== "{");
  const last = kids.filter((c) => !c.type.startsWith("preproc") && !(c.type === "ERROR" && /^\s*#/.test(c.text))).at(-1);
  if (!last || last.type === ",") return undefined;
  const after = text.slice(last.endIndex, list.endIndex - 1);
  return /^\s*(\/\*[\s\S]*?\*\/\s*|\/\/[^\n]*\s*|#[^\n]*\s*)*$/.test(after) && !after.includes(",") ? last.endIndex : undefined;
}

/** Put code at the top of a function's body, after its local declarations. */
export function spliceFaultGlue(parser: CParser, file: string, text: string, handler: string, code: string): SpliceResult {
  const found = findFunction(parser, file, text, handler, "the fault handler", `set fault.handler in the spec to the ->fault function of the vm_operations_struct in ${file}`);
  if (!found.ok) return found;
  const body = found.def.childForFieldName("body")!;
  let lastDecl: Node | undefined;
  for (const c of body.namedChildren) {
    if (!c) continue;
    if (c.type === "declaration") lastDecl = c;
    else if (c.type === "comment" && (!lastDecl || c.startPosition.row === lastDecl.endPosition.row)) continue;
    else break;
  }
  const at = lineEnd(text, lastDecl ? lastDecl.endIndex : body.startIndex);
  const glue = indentBody(trimBlankLines(code)).join("\n");
  const sep = lastDecl ? "\n" : "";
  const nextIsBlank = text.slice(at, lineEnd(text, at)).trim() === "";
  return { ok: true, text: text.slice(0, at) + sep + glue + "\n" + (nextIsBlank ? "" : "\n") + text.slice(at) };
}

/** Is `symbol` already exported (an EXPORT_SYMBOL*(symbol) at file level)? */
function isExported(parser: CParser, text: string, symbol: string): boolean {
  const root = parser.parse(text).rootNode;
  return root.descendantsOfType("call_expression").some((c) => {
    const fn = c?.childForFieldName("function");
    const firstArg = c?.childForFieldName("arguments")?.namedChildren[0];
    return fn?.type === "identifier" && /^EXPORT_SYMBOL/.test(fn.text) && firstArg?.text === symbol;
  });
}

/** Put an export line right after the closing brace of the symbol's definition. */
export function spliceExport(parser: CParser, file: string, text: string, symbol: string, line: string): SpliceResult {
  if (isExported(parser, text, symbol)) return err("already-present", file, `${symbol} is already exported in ${file}`, "nothing to do for this export");
  const found = findFunction(parser, file, text, symbol, "", `the spec asks to export ${symbol}; check that the base tree defines it in ${file}`);
  if (!found.ok) return found;
  const after = lineEnd(text, found.def.endIndex);
  return { ok: true, text: text.slice(0, after) + line.trim() + "\n" + text.slice(after) };
}

/**
 * All of the type's fragments into its own file (the exports go elsewhere):
 * the glue and the hook first (they pin where the ops may go), then the ops
 * before the first of them, then the includes.
 */
export function spliceTypeFile(parser: CParser, file: string, text: string, vmOps: string, fragments: KernelFragments): SpliceResult {
  const vm = findVmOps(parser, file, text, vmOps);
  if (!vm.ok) return vm;
  const glue = fragments.faultGlue && fragments.faultGlue.code.trim() !== "" ? fragments.faultGlue : undefined;
  let out = text;
  if (glue) {
    const r = spliceFaultGlue(parser, file, out, glue.handler, glue.code);
    if (!r.ok) return r;
    out = r.text;
  }
  const hooked = spliceHook(parser, file, out, vmOps, fragments.hook);
  if (!hooked.ok) return hooked;
  out = hooked.text;

  if (fragments.ops.trim() !== "") {
    // One tree for every node compared below: node identities are per tree.
    const root = parser.parse(out).rootNode;
    const users: Node[] = [];
    const v = findVmOps(parser, file, out, vmOps, root);
    if (!v.ok) return v;
    users.push(v.def.declaration);
    // The handler pins the ops only when its glue calls something they define.
    const opsNames = definedNames(parser.parse(fragments.ops).rootNode);
    if (glue && [...usedIdentifiers(parser.parse(glue.code).rootNode)].some((n) => opsNames.has(n))) {
      const h = findFunction(parser, file, out, glue.handler, "the fault handler", "", root);
      if (!h.ok) return h;
      users.push(h.def);
    }
    const place = placeOps(parser, file, out, fragments.ops, users, root);
    if (!place.ok) return place;
    out = insertBlock(out, place.at, fragments.ops);
  }
  return { ok: true, text: spliceIncludes(parser, out, fragments.includes) };
}
