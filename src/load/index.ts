/**
 * load: spec file → Spec (+ positions) → Model. Errors are values: nothing here
 * throws to the caller for anything a user can cause.
 *
 * A spec is read statically: parsed, never run (milliseconds; no type-check).
 * A spec that cannot be read that way is a finding (S07) naming the construct,
 * unless the user passes --allow-exec: then the module runs in a separate,
 * time- and memory-limited process, and positions point at the default export.
 */
import type { ApiGenerationId } from "../kernel/generations.js";
import { spanOf, type Diagnostic, type PositionMap, type SourceSpan } from "../diagnostics/diagnostic.js";
import type { Model } from "../model/model.js";
import { normalize } from "../model/normalize.js";
import type { MemoryTypeSpec } from "../spec/types.js";
import { executeSpecModule } from "./execute.js";
import { MAX_FINDINGS_PER_RULE, MAX_SOURCE_NESTING, nestingBeyond } from "./limits.js";
import { lineAndColumn } from "./positions.js";
import { readSourceFile } from "./read.js";
import { validateShape } from "./shape.js";
import { evaluateStatically, findDefaultExport, NotStatic, parseSource, spanOfNode, syntaxErrors } from "./static-eval.js";

export interface LoadedSpec {
  readonly spec?: MemoryTypeSpec;
  readonly positions: PositionMap;
  /** "static": read from the syntax tree; "executed": the module ran (--allow-exec). */
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

export interface LoadOptions {
  /** Run a spec that is not static, in a bounded child process. Off unless the user asks. */
  readonly allowExec?: boolean;
}

const fileStart = (file: string): SourceSpan => ({ file, line: 1, column: 1, endLine: 1, endColumn: 1 });

const STATIC_HINT =
  "write the value as a literal: strings, numbers, arrays and objects, `+` between strings, `as const`/`satisfies`, " +
  "a `const` of this file or one imported from a sibling .ts file; or pass --allow-exec to run the module in a separate, time-limited process";

export async function loadSpec(file: string, opts: LoadOptions = {}): Promise<LoadedSpec> {
  try {
    return await loadSpecUnguarded(file, opts);
  } catch (e) {
    // The TypeScript parser recurses once per nested expression (`!!!!...1`, `a ? b : a ? ...`), not
    // only per bracket: a stack overflow on such input is the input's size, and a finding, not a crash.
    if (!(e instanceof RangeError)) throw e;
    return {
      positions: new Map(),
      fatal: true,
      diagnostics: [{ id: "S09", severity: "error", message: "the spec nests expressions too deeply to read", span: fileStart(file), hint: "a spec is a flat object of short lists; shorten it" }],
    };
  }
}

async function loadSpecUnguarded(file: string, opts: LoadOptions): Promise<LoadedSpec> {
  const empty = new Map<string, SourceSpan>();
  const fail = (d: Diagnostic): LoadedSpec => ({ positions: empty, diagnostics: [d], fatal: true });

  const read = readSourceFile(file);
  if (!read.ok) return fail({ id: "LOAD", severity: "error", message: `cannot read ${file}: ${read.why}`, span: fileStart(file), ...(read.hint ? { hint: read.hint } : {}) });
  const text = read.text;

  // The parser recurses once per bracket: refuse deep nesting before it overflows the stack.
  const deep = nestingBeyond(text, MAX_SOURCE_NESTING);
  if (deep !== undefined) {
    const { line, column } = lineAndColumn(text, deep, {});
    const at = { file, line, column, endLine: line, endColumn: column + 1 };
    return fail({ id: "S09", severity: "error", message: `brackets nest deeper than ${MAX_SOURCE_NESTING} levels here; a spec nests about five`, span: at, hint: "flatten the value; a spec is a flat object of short lists" });
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
    const got = evaluateStatically(sf, exported, file);
    ({ value, positions, keySpans } = got);
    notes.push(...got.findings);
  } catch (e) {
    // The guards above bound every recursion we know of; a stack overflow that slips past them is still
    // the input's size, not our bug to print as one: a finding at the default export.
    if (e instanceof RangeError) {
      return fail({ id: "S09", severity: "error", message: "the spec is too deeply nested or chained to read", span: spanOfNode(sf, exported, file), hint: "a spec is a flat object of short lists; shorten it" });
    }
    if (!(e instanceof NotStatic)) throw e;
    if (e.id === "S09" || !opts.allowExec) {
      return fail({
        id: e.id,
        severity: "error",
        message: e.id === "S09" ? e.reason : `the spec is not static: ${e.reason}; uffdkit reads specs without running them`,
        span: e.span,
        hint: e.id === "S09" ? "a spec is a flat object of short lists; shorten it" : STATIC_HINT,
      });
    }
    evaluation = "executed";
    const run = await executeSpecModule(file, text);
    const whole = spanOfNode(sf, exported, file);
    const output = run.output.trim() ? ` (its output: ${JSON.stringify(run.output.trim().slice(0, 300))})` : "";
    if (!run.ok) return fail({ id: "LOAD", severity: "error", message: `${run.message}${output}`, span: whole, hint: STATIC_HINT });
    value = run.value;
    positions = new Map([["", whole]]);
    keySpans = new Map();
    notes.push({
      id: "LOAD",
      severity: "info",
      message: `the spec is computed (${e.reason}, ${e.span.line}:${e.span.column}); --allow-exec ran the module in a separate process; findings point at the default export${output}`,
      span: e.span,
      hint: "write the spec as a literal object for exact positions, and to check it without running it",
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
    diagnostics: capPerRule([...notes, ...shape.diagnostics]),
    fatal: shape.fatal,
  };
}

/**
 * At most MAX_FINDINGS_PER_RULE findings of one rule, then one that counts the
 * rest: 20,000 unknown fields are one mistake (a pasted blob), not 20,000 to read.
 */
function capPerRule(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Map<string, number>();
  const out: Diagnostic[] = [];
  for (const d of diags) {
    const n = (seen.get(d.id) ?? 0) + 1;
    seen.set(d.id, n);
    if (n <= MAX_FINDINGS_PER_RULE) out.push(d);
    else if (n === MAX_FINDINGS_PER_RULE + 1) {
      const more = diags.filter((x) => x.id === d.id).length - MAX_FINDINGS_PER_RULE;
      out.push({ ...d, message: `and ${more} more ${d.id} finding(s) like the ones above, the first here: ${d.message}` });
    }
  }
  return out;
}

export async function loadModel(file: string, opts: { api?: ApiGenerationId } & LoadOptions = {}): Promise<LoadResult> {
  const loaded = await loadSpec(file, opts.allowExec ? { allowExec: true } : {});
  if (loaded.fatal || !loaded.spec) return { diagnostics: loaded.diagnostics, fatal: loaded.fatal };
  const spec: MemoryTypeSpec = opts.api ? { ...loaded.spec, api: opts.api } : loaded.spec;
  const model = normalize(spec, { file, positions: loaded.positions });
  return { model, diagnostics: loaded.diagnostics, fatal: false };
}
