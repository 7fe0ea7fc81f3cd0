/**
 * Splicing the kernel-C emitter's fragments into a real kernel source file.
 *
 * Pure text functions: each takes a file's contents and returns the new contents
 * or a SpliceError saying what was not found and where. They locate C constructs
 * with a small scanner that skips comments, strings and character literals, so a
 * brace inside a comment never ends an initializer.
 */
import type { KernelFragments } from "../emit/kernel/artifacts.js";

export interface SpliceError {
  readonly kind: "not-found" | "already-present";
  readonly file: string;
  readonly message: string;
  readonly hint: string;
}

export type SpliceResult = { ok: true; text: string } | { ok: false; error: SpliceError };

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Offsets of code that is inside a comment, string or char literal are marked so
 * searches for braces and names skip them. Returns a copy of the text with those
 * characters blanked to spaces (newlines kept, so offsets and lines still match).
 */
export function blankNonCode(text: string): string {
  const out = text.split("");
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const d = text[i + 1];
    if (c === "/" && d === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (out[k] !== "\n") out[k] = " ";
      i = stop;
    } else if (c === "/" && d === "/") {
      while (i < n && text[i] !== "\n") out[i++] = " ";
    } else if (c === '"' || c === "'") {
      const q = c;
      let k = i + 1;
      while (k < n && text[k] !== q && text[k] !== "\n") k += text[k] === "\\" ? 2 : 1;
      for (let j = i + 1; j < Math.min(k, n); j++) out[j] = " ";
      i = k + 1;
    } else {
      i++;
    }
  }
  return out.join("");
}

/** Offset of the brace that closes the one at `open` in blanked text, or -1. */
function matchBrace(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === "{") depth++;
    else if (code[i] === "}") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const e = text.indexOf("\n", offset);
  return e < 0 ? text.length : e + 1;
}

function ensureNewline(s: string): string {
  return s.endsWith("\n") ? s : s + "\n";
}

/** Where `struct vm_operations_struct <name> = {` is defined: offsets of its line and braces. */
export function findVmOpsDefinition(text: string, vmOps: string): { line: number; open: number; close: number } | undefined {
  const code = blankNonCode(text);
  const re = new RegExp(`struct\\s+vm_operations_struct\\s+${escapeRe(vmOps)}\\s*=\\s*\\{`, "g");
  const m = re.exec(code);
  if (!m) return undefined;
  const open = m.index + m[0].length - 1;
  const close = matchBrace(code, open);
  if (close < 0) return undefined;
  return { line: lineStart(text, m.index), open, close };
}

/**
 * A function definition `... name(args)\n{`: offset of the line its header starts
 * on and of its opening and closing braces. Calls and prototypes (followed by ';')
 * do not match.
 */
export function findFunctionDefinition(text: string, name: string): { line: number; open: number; close: number } | undefined {
  const code = blankNonCode(text);
  const re = new RegExp(`(^|\\n)[A-Za-z_][^\\n;{}()]*\\b${escapeRe(name)}\\s*\\([^;{}]*\\)\\s*\\{`, "g");
  const m = re.exec(code);
  if (!m) return undefined;
  const headerStart = m.index + (m[1] ? 1 : 0);
  const open = m.index + m[0].length - 1;
  const close = matchBrace(code, open);
  if (close < 0) return undefined;
  return { line: headerStart, open, close };
}

/** Add the include lines the file lacks, after its last #include (the last <...> one for <...> includes). */
export function spliceIncludes(text: string, includes: readonly string[]): string {
  let out = text;
  for (const inc of includes) {
    const line = inc.trim();
    if (new RegExp(`^${escapeRe(line)}\\s*$`, "m").test(out)) continue;
    const angle = /#include\s*</.test(line);
    const lines = out.split("\n");
    let at = -1;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i] ?? "";
      if (/^#include\s*[<"]/.test(l) && (!angle || /^#include\s*</.test(l))) at = i;
    }
    if (at < 0) for (let i = 0; i < lines.length; i++) if (/^#include\b/.test(lines[i] ?? "")) at = i;
    if (at < 0) {
      // No includes at all: after the leading SPDX/comment block.
      at = 0;
      while (at < lines.length && /^(\/\/|\/\*| \*|\s*$)/.test(lines[at] ?? "")) at++;
      at--;
    }
    lines.splice(at + 1, 0, line);
    out = lines.join("\n");
  }
  return out;
}

/** Put the ops (callbacks and struct) just before the vm_operations_struct definition. */
export function spliceOps(file: string, text: string, vmOps: string, ops: string): SpliceResult {
  const def = findVmOpsDefinition(text, vmOps);
  if (!def) return { ok: false, error: notFoundVmOps(file, vmOps) };
  const block = ensureNewline(ops.replace(/^\n+/, "").replace(/\n+$/, "")) + "\n";
  return { ok: true, text: text.slice(0, def.line) + block + text.slice(def.line) };
}

/** Add the hook line(s) as the last member(s) of the vm_operations_struct initializer. */
export function spliceHook(file: string, text: string, vmOps: string, hook: string): SpliceResult {
  const def = findVmOpsDefinition(text, vmOps);
  if (!def) return { ok: false, error: notFoundVmOps(file, vmOps) };
  const lines = indentBody(hook.replace(/^\n+/, "").replace(/\n+$/, ""));
  const closeLine = lineStart(text, def.close);
  if (text.slice(def.open + 1, def.close).trim() === "" || closeLine <= def.open) {
    // `= { }` on one line: rewrite as a multi-line initializer.
    const head = text.slice(0, def.open + 1);
    return { ok: true, text: `${head}\n${lines.join("\n")}\n${text.slice(def.close)}` };
  }
  return { ok: true, text: text.slice(0, closeLine) + lines.join("\n") + "\n" + text.slice(closeLine) };
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

const DECLARATION =
  /^\t(?:(?:const|static|unsigned|signed|volatile|struct|enum|union)\s+)*[A-Za-z_]\w*(?:\s+\**|\s*\*+\s*)[A-Za-z_]\w*(?:\[[^\]]*\])?(?:\s*=.*)?;\s*$/;
const NOT_A_TYPE = /^\t(?:return|goto|break|continue|case|default|if|else|while|for|do|switch)\b/;

/**
 * Put code at the top of a function's body: after its local declarations, since
 * the kernel builds with -Wdeclaration-after-statement.
 */
export function spliceFaultGlue(file: string, text: string, handler: string, code: string): SpliceResult {
  const def = findFunctionDefinition(text, handler);
  if (!def) {
    return {
      ok: false,
      error: {
        kind: "not-found",
        file,
        message: `the fault handler ${handler}() is not defined in ${file}`,
        hint: `set fault.handler in the spec to the ->fault function of the vm_operations_struct in ${file}`,
      },
    };
  }
  let at = lineEnd(text, def.open);
  for (;;) {
    const end = lineEnd(text, at);
    if (end === at) break;
    const line = text.slice(at, end).replace(/\n$/, "");
    if (DECLARATION.test(line) && !NOT_A_TYPE.test(line)) at = end;
    else break;
  }
  const hadDecls = at !== lineEnd(text, def.open);
  const glue = indentBody(code.replace(/^\n+/, "").replace(/\n+$/, "")).join("\n");
  const sep = hadDecls ? "\n" : "";
  const nextIsBlank = text.slice(at, lineEnd(text, at)).trim() === "";
  return { ok: true, text: text.slice(0, at) + sep + glue + "\n" + (nextIsBlank ? "" : "\n") + text.slice(at) };
}

/** Put an export line right after the closing brace of the symbol's definition. */
export function spliceExport(file: string, text: string, symbol: string, line: string): SpliceResult {
  if (new RegExp(`^EXPORT_SYMBOL\\w*\\(\\s*${escapeRe(symbol)}\\b`, "m").test(text)) {
    return {
      ok: false,
      error: {
        kind: "already-present",
        file,
        message: `${symbol} is already exported in ${file}`,
        hint: "nothing to do for this export",
      },
    };
  }
  const def = findFunctionDefinition(text, symbol);
  if (!def) {
    return {
      ok: false,
      error: {
        kind: "not-found",
        file,
        message: `${symbol}() is not defined in ${file}`,
        hint: `the spec asks to export ${symbol}; check that the base tree defines it in ${file}`,
      },
    };
  }
  const after = lineEnd(text, def.close);
  return { ok: true, text: text.slice(0, after) + ensureNewline(line.trim()) + text.slice(after) };
}

function notFoundVmOps(file: string, vmOps: string): SpliceError {
  return {
    kind: "not-found",
    file,
    message: `no definition of struct vm_operations_struct ${vmOps} in ${file}`,
    hint: `set vmOps in the spec to the vm_operations_struct that ${file} defines (grep -n vm_operations_struct ${file}), or set file to the source file that defines ${vmOps}`,
  };
}

/**
 * All of the type's fragments into its own file (the exports go elsewhere): the
 * includes, then the ops before the vm_operations_struct, the hook inside it, and
 * the fault glue when there is any.
 */
export function spliceTypeFile(file: string, text: string, vmOps: string, fragments: KernelFragments): SpliceResult {
  if (!findVmOpsDefinition(text, vmOps)) return { ok: false, error: notFoundVmOps(file, vmOps) };
  let out = spliceIncludes(text, fragments.includes);
  const ops = spliceOps(file, out, vmOps, fragments.ops);
  if (!ops.ok) return ops;
  const hook = spliceHook(file, ops.text, vmOps, fragments.hook);
  if (!hook.ok) return hook;
  out = hook.text;
  if (fragments.faultGlue && fragments.faultGlue.code.trim() !== "") {
    const glue = spliceFaultGlue(file, out, fragments.faultGlue.handler, fragments.faultGlue.code);
    if (!glue.ok) return glue;
    out = glue.text;
  }
  return { ok: true, text: out };
}
