/**
 * Line and column of a character offset, counted the way editors count them.
 *
 * TypeScript's own line map also breaks lines at U+2028/U+2029 (and a lone CR),
 * which editors and `grep -n` do not: a U+2028 in a comment would shift every
 * later finding one line down. Here only LF (and the LF of CRLF) ends a line,
 * the same split the code-frame printer (src/diagnostics/format.ts) uses.
 */
import type { ts as TS } from "ts-morph";
import type { SourceSpan } from "../diagnostics/diagnostic.js";

const lineStartsCache = new WeakMap<object, number[]>();

function lineStarts(text: string, key: object): number[] {
  const cached = lineStartsCache.get(key);
  if (cached) return cached;
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  lineStartsCache.set(key, starts);
  return starts;
}

/** 1-based line and column of `offset` in `text`; `key` caches the line table (the SourceFile). */
export function lineAndColumn(text: string, offset: number, key: object): { line: number; column: number } {
  const starts = lineStarts(text, key);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

/** The span of [start, end) in a parsed file. */
export function spanOfRange(sf: TS.SourceFile, start: number, end: number, file: string): SourceSpan {
  const a = lineAndColumn(sf.text, start, sf);
  const b = lineAndColumn(sf.text, end, sf);
  return { file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}
