/**
 * Findings as values. Every stage (load, shape validation, rules, emit, run)
 * reports through this one type; the CLI formats it for people or as JSON.
 */

/** 1-based line and column, as editors and compilers print them. */
export interface SourceSpan {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  /** Rule id (R01..., S01...) or a stage tag (LOAD) for findings outside the catalogue. */
  readonly id: string;
  readonly severity: Severity;
  readonly message: string;
  /** The spec path the finding is about, e.g. "getFolio.notUptodate" or "features.1". */
  readonly path?: string;
  readonly span?: SourceSpan;
  /** How to fix it. */
  readonly hint?: string;
  /** What the kernel would do (errno, signal, crash), when the rule predicts it. */
  readonly predicts?: string;
  /** Where the rule comes from. */
  readonly source?: string;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** Positions of spec values, keyed by dotted path ("ioctls.2", "copy.alloc.strategy"). */
export type PositionMap = ReadonlyMap<string, SourceSpan>;

/** The span of a path, or of its nearest ancestor that has one. */
export function spanOf(positions: PositionMap | undefined, path: string): SourceSpan | undefined {
  if (!positions) return undefined;
  let p = path;
  for (;;) {
    const hit = positions.get(p);
    if (hit) return hit;
    const cut = p.lastIndexOf(".");
    if (cut < 0) return positions.get("");
    p = p.slice(0, cut);
  }
}
