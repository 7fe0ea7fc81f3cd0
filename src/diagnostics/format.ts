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
import { readFileSync } from "node:fs";
import type { Diagnostic, Severity } from "./diagnostic.js";

export interface FormatOptions {
  readonly color: boolean;
  /** The text of a file, for frames; default reads it from disk. undefined leaves the frame out. */
  readonly readSource?: (file: string) => string | undefined;
  /** Include the source citation line. Default false (explain prints sources). */
  readonly sources?: boolean;
}

const SGR = { red: "31", yellow: "33", cyan: "36", bold: "1", dim: "2", green: "32" } as const;
const paint = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
const SEVERITY_COLOR: Record<Severity, string> = { error: SGR.red, warning: SGR.yellow, info: SGR.cyan };

export function formatDiagnostics(diags: readonly Diagnostic[], opts: FormatOptions): string {
  const cache = new Map<string, string[] | undefined>();
  const read =
    opts.readSource ??
    ((file: string) => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    });
  const linesOf = (file: string) => {
    if (!cache.has(file)) cache.set(file, read(file)?.split(/\r?\n/));
    return cache.get(file);
  };
  return diags.map((d) => formatOne(d, opts, linesOf)).join("\n");
}

function formatOne(d: Diagnostic, opts: FormatOptions, linesOf: (f: string) => string[] | undefined): string {
  const c = opts.color;
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : "";
  const sev = paint(c, `${SGR.bold};${SEVERITY_COLOR[d.severity]}`, d.severity);
  const out = [`${paint(c, SGR.bold, where)}${sev} ${paint(c, SGR.bold, d.id)}: ${d.message}`];
  if (d.span) {
    const frame = codeFrame(linesOf(d.span.file), d.span, c, SEVERITY_COLOR[d.severity]);
    if (frame) out.push(frame);
  }
  if (d.hint) out.push(`  ${paint(c, SGR.green, "hint:")} ${d.hint}`);
  if (d.predicts) out.push(`  ${paint(c, SGR.cyan, "kernel:")} ${d.predicts}`);
  if (opts.sources && d.source) out.push(`  ${paint(c, SGR.dim, "source:")} ${d.source}`);
  return out.join("\n");
}

/** The span's first line, numbered, with a caret underline; undefined when the line is not available. */
export function codeFrame(
  lines: readonly string[] | undefined,
  span: { line: number; column: number; endLine: number; endColumn: number },
  color = false,
  caretColor: string = SGR.red,
): string | undefined {
  const text = lines?.[span.line - 1];
  if (text === undefined) return undefined;
  const start = Math.max(0, Math.min(span.column - 1, text.length));
  const end = span.endLine === span.line ? Math.max(start + 1, Math.min(span.endColumn - 1, text.length)) : Math.max(start + 1, text.trimEnd().length);
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
