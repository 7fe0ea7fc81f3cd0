/**
 * Diagnostics for people: a compiler-style first line, a frame of the source
 * line with the span underlined, then how to fix it and what the kernel would do.
 *
 *   gmem.uffd.ts:12:25: error R12: MINOR on anonymous memory ...
 *      12 |   features: ["missing", "minor"],
 *         |                         ^^^^^^^
 *     hint: drop "minor" ...
 *     kernel: UFFDIO_REGISTER fails with -EINVAL ...
 */
import { readFileSync, statSync } from "node:fs";
import type { Diagnostic, Severity } from "./diagnostic.js";

export interface FormatOptions {
  readonly color: boolean;
  /** The text of a file, for frames; default reads it from disk. undefined leaves the frame out. */
  readonly readSource?: (file: string) => string | undefined;
  /** Include the source citation line. Default false (explain prints sources). */
  readonly sources?: boolean;
}

/** Larger files get findings without frames (the loader refuses specs far smaller). */
const MAX_FRAME_SOURCE_BYTES = 4 * 1024 * 1024;

const SGR = { red: "31", yellow: "33", cyan: "36", bold: "1", dim: "2", green: "32" } as const;
const paint = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
const SEVERITY_COLOR: Record<Severity, string> = { error: SGR.red, warning: SGR.yellow, info: SGR.cyan };

export function formatDiagnostics(diags: readonly Diagnostic[], opts: FormatOptions): string {
  const cache = new Map<string, string[] | undefined>();
  const read =
    opts.readSource ??
    ((file: string) => {
      // Only a regular file of spec size: a finding about a FIFO or /dev/zero must not hang printing its frame.
      try {
        const st = statSync(file);
        return st.isFile() && st.size <= MAX_FRAME_SOURCE_BYTES ? readFileSync(file, "utf8") : undefined;
      } catch {
        return undefined;
      }
    });
  const linesOf = (file: string) => {
    // Lines end at LF (CRLF) only, as editors and the loader count them (src/load/positions.ts).
    if (!cache.has(file)) cache.set(file, read(file)?.split(/\r?\n/));
    return cache.get(file);
  };
  return diags.map((d) => formatOne(d, opts, linesOf)).join("\n");
}

function formatOne(d: Diagnostic, opts: FormatOptions, linesOf: (f: string) => string[] | undefined): string {
  const c = opts.color;
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : "";
  const sev = paint(c, `${SGR.bold};${SEVERITY_COLOR[d.severity]}`, d.severity);
  const out = [`${paint(c, SGR.bold, printable(where))}${sev} ${paint(c, SGR.bold, printable(d.id))}: ${printable(d.message)}`];
  if (d.span) {
    const frame = codeFrame(linesOf(d.span.file), d.span, c, SEVERITY_COLOR[d.severity]);
    if (frame) out.push(frame);
  }
  if (d.hint) out.push(`  ${paint(c, SGR.green, "hint:")} ${printable(d.hint)}`);
  if (d.predicts) out.push(`  ${paint(c, SGR.cyan, "kernel:")} ${d.predicts}`);
  if (opts.sources && d.source) out.push(`  ${paint(c, SGR.dim, "source:")} ${d.source}`);
  return out.join("\n");
}

/**
 * A message line with control characters shown as escapes: a spec's key or
 * file name may carry a newline or an ANSI sequence, which must not forge a
 * finding line, clear the terminal or recolour it.
 */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Longest source line a frame prints whole; longer lines print a window around the span. */
export const FRAME_WIDTH = 120;
/** Characters of context kept before the span in a window. */
const FRAME_LEAD = 40;

/**
 * The span's first line, numbered, with a caret underline; undefined when the
 * line is not available. A long line (a minified spec, 20,000 fields on one
 * line) prints a window of FRAME_WIDTH characters around the span, marked with
 * `…`, so a thousand findings on one line cost a thousand short frames.
 */
export function codeFrame(
  lines: readonly string[] | undefined,
  span: { line: number; column: number; endLine: number; endColumn: number },
  color = false,
  caretColor: string = SGR.red,
): string | undefined {
  const full = lines?.[span.line - 1];
  if (full === undefined) return undefined;
  let start = Math.max(0, Math.min(span.column - 1, full.length));
  let end = span.endLine === span.line ? Math.max(start + 1, Math.min(span.endColumn - 1, full.length)) : Math.max(start + 1, full.trimEnd().length);
  let text = full;
  if (full.length > FRAME_WIDTH) {
    const from = Math.max(0, Math.min(start - FRAME_LEAD, full.length - FRAME_WIDTH));
    const to = Math.min(full.length, from + FRAME_WIDTH);
    const before = from > 0 ? "…" : "";
    text = before + full.slice(from, to) + (to < full.length ? "…" : "");
    start = start - from + before.length;
    end = Math.min(end - from, to - from) + before.length;
    end = Math.max(end, start + 1);
  }
  // Control characters would garble the terminal (or forge output): show them as `?` in the frame.
  text = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g, "?");
  const num = String(span.line);
  const gutter = " ".repeat(num.length);
  // Keep tabs in the lead-in so the caret lines up under tab-indented source.
  const lead = text.slice(0, start).replace(/[^\t]/g, " ");
  const carets = "^".repeat(Math.max(1, end - start));
  return [
    `  ${paint(color, SGR.dim, `${num} |`)} ${text}`,
    `  ${paint(color, SGR.dim, `${gutter} |`)} ${lead}${paint(color, `${SGR.bold};${caretColor}`, carets)}`,
  ].join("\n");
}

/** "2 errors, 1 warning" ("no findings" when empty); infos are counted only when present. */
export function summarize(diags: readonly Diagnostic[]): string {
  const n = (s: Severity) => diags.filter((d) => d.severity === s).length;
  const part = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
  const errors = n("error");
  const warnings = n("warning");
  const infos = n("info");
  if (errors + warnings + infos === 0) return "no findings";
  const parts = [part(errors, "error"), part(warnings, "warning")];
  if (infos > 0) parts.push(part(infos, "note"));
  return parts.join(", ");
}
