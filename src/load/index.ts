/**
 * load: spec file → Spec (+ positions) → Model. Errors are values: nothing here
 * throws to the caller for anything a user can cause.
 *
 * The literal path parses only (milliseconds; no type-check, no user code runs).
 * A computed spec is executed instead, and its positions then point at the
 * default export as a whole.
 */
import { readFileSync, statSync } from "node:fs";
import type { ApiGenerationId } from "../kernel/generations.js";
import { spanOf, type Diagnostic, type PositionMap, type SourceSpan } from "../diagnostics/diagnostic.js";
import type { Model } from "../model/model.js";
import { normalize } from "../model/normalize.js";
import type { MemoryTypeSpec } from "../spec/types.js";
import { executeSpecModule } from "./execute.js";
import { validateShape } from "./shape.js";
import { evaluateStatically, findDefaultExport, NotStatic, parseSource, spanOfNode, syntaxErrors } from "./static-eval.js";

export interface LoadedSpec {
  readonly spec?: MemoryTypeSpec;
  readonly positions: PositionMap;
  /** "static": read from the syntax tree; "executed": the module ran (computed spec). */
  readonly evaluation?: "static" | "executed";
  readonly diagnostics: Diagnostic[];
  /** A load or usage error (exit 2): the file is unreadable, does not parse, or has the wrong shape. */
  readonly fatal: boolean;
}

export interface LoadResult {
  readonly model?: Model;
  readonly diagnostics: Diagnostic[];
  readonly fatal: boolean;
}

const fileStart = (file: string): SourceSpan => ({ file, line: 1, column: 1, endLine: 1, endColumn: 1 });

export async function loadSpec(file: string): Promise<LoadedSpec> {
  const empty = new Map<string, SourceSpan>();
  const fail = (d: Diagnostic): LoadedSpec => ({ positions: empty, diagnostics: [d], fatal: true });

  let text: string;
  try {
    if (statSync(file).isDirectory()) return fail({ id: "LOAD", severity: "error", message: `${file} is a directory, not a spec file`, hint: "pass a <type>.uffd.ts file" });
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message;
    return fail({ id: "LOAD", severity: "error", message: `cannot read ${file}: ${why}`, hint: code === "ENOENT" ? "check the path, or create a starter spec with `uffdkit init NAME`" : "" });
  }

  const sf = parseSource(file, text);
  const syntax = syntaxErrors(sf, file);
  if (syntax.length > 0) {
    return {
      positions: empty,
      fatal: true,
      diagnostics: syntax.map((s) => ({ id: "LOAD", severity: "error", message: `syntax error: ${s.message}`, span: s.span })),
    };
  }

  const exported = findDefaultExport(sf);
  if (!exported) {
    return fail({
      id: "LOAD",
      severity: "error",
      message: "the spec module has no default export",
      span: fileStart(file),
      hint: 'end the file with `export default defineMemoryType({ ... });` (import { defineMemoryType } from "uffdkit")',
    });
  }

  let value: unknown;
  let positions = new Map<string, SourceSpan>();
  let keySpans = new Map<string, SourceSpan>();
  let evaluation: "static" | "executed" = "static";
  const notes: Diagnostic[] = [];
  try {
    ({ value, positions, keySpans } = evaluateStatically(sf, exported, file));
  } catch (e) {
    if (!(e instanceof NotStatic)) throw e;
    evaluation = "executed";
    const run = await executeSpecModule(file, text);
    const whole = spanOfNode(sf, exported, file);
    if (!run.ok) return fail({ id: "LOAD", severity: "error", message: run.message, span: whole });
    value = run.value;
    positions = new Map([["", whole]]);
    keySpans = new Map();
    notes.push({
      id: "LOAD",
      severity: "info",
      message: `the spec is computed (${e.reason}, ${e.span.line}:${e.span.column}), so uffdkit executed the module; findings point at the default export`,
      span: e.span,
      hint: "write the spec as a literal object for exact positions",
    });
  }

  const shape = validateShape({
    value,
    file,
    spanAt: (p) => spanOf(positions, p),
    keySpanAt: (p) => keySpans.get(p),
  });
  return {
    ...(shape.spec ? { spec: shape.spec } : {}),
    positions,
    evaluation,
    diagnostics: [...notes, ...shape.diagnostics],
    fatal: shape.fatal,
  };
}

export async function loadModel(file: string, opts: { api?: ApiGenerationId } = {}): Promise<LoadResult> {
  const loaded = await loadSpec(file);
  if (loaded.fatal || !loaded.spec) return { diagnostics: loaded.diagnostics, fatal: loaded.fatal };
  const spec: MemoryTypeSpec = opts.api ? { ...loaded.spec, api: opts.api } : loaded.spec;
  const model = normalize(spec, { file, positions: loaded.positions });
  return { model, diagnostics: loaded.diagnostics, fatal: false };
}
