/**
 * Branch instrumentation of an emitted C file, the way gcov counts arcs: every
 * `if`, `while` and `for` condition is wrapped in UK_BR(id, cond), which
 * reports the outcome to the host and returns it unchanged. Nothing else of
 * the text changes, and a #line directive keeps every line number the
 * emitted file's own, so a contract finding names the line a reader sees.
 *
 * The scanner skips comments, strings and preprocessor lines; conditions are
 * found by balancing parentheses. It only has to read C that uffdkit's own
 * templates wrote (kernel style, one statement per line).
 */

export interface BranchSite {
  readonly id: number;
  /** 1-based line in the emitted file. */
  readonly line: number;
  readonly keyword: "if" | "while" | "for";
  /** The condition as written, on one line. */
  readonly cond: string;
  /** The enclosing function, when it can be told. */
  readonly fn: string;
  /** The file the site is in, when it is not the emitted file (the type's own C). */
  readonly file?: string;
}

/** A `return` statement: where a callback left, so a finding about what it left behind can point there. */
export interface ReturnSite {
  readonly id: number;
  /** 1-based line of the `return` keyword. */
  readonly line: number;
  /** The enclosing function. */
  readonly fn: string;
  /** The file the site is in, when it is not the emitted file (the type's own C). */
  readonly file?: string;
}

export interface Instrumented {
  readonly text: string;
  readonly sites: readonly BranchSite[];
  readonly returns: readonly ReturnSite[];
}

/**
 * Also every `return` statement: `return X;` becomes
 * `{ __auto_type uk_ret_v = (X); UK_RET(id); return uk_ret_v; }` (one
 * statement still, so `if (c) return X;` keeps its meaning; X is evaluated
 * first, so a helper X calls cannot overwrite the mark), recording the last
 * return taken; the host reads it when a callback is back.
 */
export function instrumentBranches(source: string, fileName: string, firstId = 0, defaultSiteFile?: string, firstReturnId = 0): Instrumented {
  const sites: BranchSite[] = [];
  const returns: ReturnSite[] = [];
  let siteFile = defaultSiteFile;
  let out = `#line 1 "${fileName.replace(/[\\"]/g, "_")}"\n`;
  let i = 0;
  let line = 1;
  let fn = "";
  let depth = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === "\n") {
      line++;
      out += c;
      i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      const chunk = source.slice(i, stop);
      line += countNewlines(chunk);
      out += chunk;
      i = stop;
      continue;
    }
    if (c === "/" && source[i + 1] === "/") {
      const stop = lineEnd(source, i);
      out += source.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "#" && atLineStart(source, i)) {
      const stop = directiveEnd(source, i);
      const chunk = source.slice(i, stop);
      line += countNewlines(chunk);
      // A #line directive (C text put together from several files) renumbers what follows, as it does for clang.
      const moved = /^#\s*line\s+(\d+)(?:\s+"([^"]*)")?/.exec(chunk);
      if (moved) {
        line = Number(moved[1]) - 1;
        if (moved[2] !== undefined) siteFile = moved[2] === fileName ? defaultSiteFile : moved[2];
      }
      out += chunk;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const stop = quotedEnd(source, i);
      out += source.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "{") depth++;
    if (c === "}") depth--;
    if (isIdentStart(c) && !isIdentChar(source[i - 1] ?? " ")) {
      let j = i;
      while (j < n && isIdentChar(source[j]!)) j++;
      const word = source.slice(i, j);
      if (depth === 0 && source[skipSpace(source, j)] === "(") fn = word;
      if (depth > 0 && word === "return") {
        const end = statementEnd(source, j);
        const id = firstReturnId + returns.length;
        returns.push({ id, line, fn, ...(siteFile ? { file: siteFile } : {}) });
        const stmt = source.slice(i, end + 1);
        const expr = source.slice(j, end);
        // The value first, then the mark: a call in the expression (a tail call to a helper) returns before this one.
        out += expr.trim() === "" ? `{ UK_RET(${id}); ${stmt} }` : `{ __auto_type uk_ret_v = (${expr}); UK_RET(${id}); return uk_ret_v; }`;
        line += countNewlines(stmt);
        i = end + 1;
        continue;
      }
      if (depth > 0 && (word === "if" || word === "while" || word === "for")) {
        const open = skipSpace(source, j);
        if (source[open] === "(") {
          const close = matchParen(source, open);
          const inner = source.slice(open + 1, close);
          const id = firstId + sites.length;
          const wrapped = word === "for" ? wrapFor(inner, id) : `UK_BR(${id}, (${inner}))`;
          if (wrapped !== null) {
            sites.push({ id, line, keyword: word, cond: oneLine(word === "for" ? forCond(inner) : inner), fn, ...(siteFile ? { file: siteFile } : {}) });
            out += `${source.slice(i, open)}(${wrapped})`;
            line += countNewlines(source.slice(i, close + 1));
            i = close + 1;
            continue;
          }
        }
      }
      out += word;
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return { text: out, sites, returns };
}

/** The `;` that ends the statement starting at `i` (outside parentheses, strings and comments). */
function statementEnd(s: string, i: number): number {
  let d = 0;
  for (let k = i; k < s.length; k++) {
    const c = s[k]!;
    if (c === '"' || c === "'") {
      k = quotedEnd(s, k) - 1;
      continue;
    }
    if (c === "/" && s[k + 1] === "*") {
      const e = s.indexOf("*/", k + 2);
      k = e < 0 ? s.length : e + 1;
      continue;
    }
    if (c === "/" && s[k + 1] === "/") {
      k = lineEnd(s, k) - 1;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") d++;
    else if (c === ")" || c === "]" || c === "}") d--;
    else if (c === ";" && d <= 0) return k;
  }
  return s.length - 1;
}

function wrapFor(inner: string, id: number): string | null {
  const parts = inner.split(";");
  if (parts.length !== 3 || parts[1]!.trim() === "") return null;
  return `${parts[0]};UK_BR(${id}, (${parts[1]}));${parts[2]}`;
}

function forCond(inner: string): string {
  return inner.split(";")[1] ?? inner;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
const isIdentStart = (c: string) => /[A-Za-z_]/.test(c);
const isIdentChar = (c: string) => /[A-Za-z0-9_]/.test(c);
const countNewlines = (s: string) => s.split("\n").length - 1;

function skipSpace(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i]!)) i++;
  return i;
}

function lineEnd(s: string, i: number): number {
  const e = s.indexOf("\n", i);
  return e < 0 ? s.length : e;
}

function atLineStart(s: string, i: number): boolean {
  for (let k = i - 1; k >= 0; k--) {
    if (s[k] === "\n") return true;
    if (!/[ \t]/.test(s[k]!)) return false;
  }
  return true;
}

/** A directive runs to the end of its line, continued by backslashes. */
function directiveEnd(s: string, i: number): number {
  let e = lineEnd(s, i);
  while (e < s.length && s[e - 1] === "\\") e = lineEnd(s, e + 1);
  return e;
}

function quotedEnd(s: string, i: number): number {
  const q = s[i];
  let k = i + 1;
  while (k < s.length && s[k] !== q) k += s[k] === "\\" ? 2 : 1;
  return Math.min(k + 1, s.length);
}

function matchParen(s: string, open: number): number {
  let d = 0;
  for (let k = open; k < s.length; k++) {
    const c = s[k]!;
    if (c === '"' || c === "'") {
      k = quotedEnd(s, k) - 1;
      continue;
    }
    if (c === "(") d++;
    else if (c === ")" && --d === 0) return k;
  }
  return s.length - 1;
}
