/**
 * The one pipeline every command runs: load → lower → rules → plan → emit →
 * run. Commands differ only in how far they go and what they print.
 *
 * Gates, stated once:
 * - a load error (the spec cannot be read) stops everything (exit 2);
 * - a spec-shape error (an S-rule: unknown field or value, unsafe name, bad
 *   path or text, a strategy without its helper) stops emission: nothing
 *   downstream may see a model that is not what the user meant;
 * - kernel and review findings (R-rules) do not stop emission: the C shows
 *   the flaw as declared, and the simulator, running that C, is the evidence.
 */
import type { Diagnostic } from "./diagnostics/diagnostic.js";
import { loadModel, type LoadOptions, type LoadResult } from "./load/index.js";
import type { ApiGenerationId } from "./kernel/generations.js";
import type { Model } from "./model/model.js";
import { lower, type Lowered } from "./lower/index.js";
import { checkModel } from "./rules/index.js";
import { planSuite } from "./plan/planner/index.js";
import { emitKernel } from "./emit/kernel/index.js";
import type { KernelArtifacts } from "./emit/kernel/artifacts.js";
import type { Suite } from "./ir/scenario.js";
import type { CRunEvidence, SuiteResult } from "./ir/result.js";
import { compileEmittedC, CCompileError, type CompiledType } from "./run/c/compile.js";
import { harnessNamesOf } from "./run/c/harness.js";
import { declaredCOf } from "./plan/planner/declared.js";
import { branchCoverage, type Coverage } from "./run/c/coverage.js";
import { simulateSuite } from "./run/sim/index.js";
import { simKernelFor } from "./run/sim-kernel.js";

/** Findings that stop emission (see the header). */
export function stopsEmission(d: Diagnostic): boolean {
  return d.severity === "error" && /^S\d+$/.test(d.id);
}

export interface Checked {
  readonly model: Model;
  readonly diagnostics: readonly Diagnostic[];
  readonly emittable: boolean;
}

export interface Front {
  readonly loaded: LoadResult;
  /** null when the spec could not be loaded (exit 2): nothing below load may run. */
  readonly checked: Checked | null;
}

/** load → rules: what every command starts with. */
export async function front(file: string, opts: { api?: ApiGenerationId } & LoadOptions = {}): Promise<Front> {
  const loaded = await loadModel(file, opts);
  if (loaded.fatal || !loaded.model) return { loaded, checked: null };
  return { loaded, checked: check(loaded.model, loaded.diagnostics) };
}

/** rules: the loader's findings plus the catalogue's, and the emission gate. */
export function check(model: Model, loadDiagnostics: readonly Diagnostic[]): Checked {
  const diagnostics = [...loadDiagnostics, ...checkModel(model)];
  return { model, diagnostics, emittable: !diagnostics.some(stopsEmission) };
}

export interface TypeRun {
  readonly api: ApiGenerationId;
  readonly lowered: Lowered;
  readonly kernel: KernelArtifacts;
  readonly suite: Suite;
  /** The emitted C compiled for the simulator, or why it could not be. */
  readonly compiled: CompiledType | { readonly error: string };
  readonly simulation: SuiteResult;
  readonly coverage?: Coverage;
  /** Contract findings (R58 and the run-time rules) the simulator reported, deduplicated. */
  readonly contractFindings: readonly string[];
}

/** The run's C facts as the shared contract the checklist and reports read. */
export function cEvidenceOf(run: TypeRun): CRunEvidence {
  const file = run.kernel.files[0]!.path;
  const runFindings = [...new Map(run.simulation.results.flatMap((r) => r.findings ?? []).map((f) => [f.message, f])).values()].map((f) => ({
    ...(f.rule ? { rule: f.rule } : {}),
    message: f.message,
  }));
  if (!run.coverage) return { file, executed: false, error: "error" in run.compiled ? run.compiled.error : "not compiled", missed: [], contractFindings: [], runFindings };
  return {
    file,
    executed: true,
    branches: { executed: run.coverage.executed, total: run.coverage.total },
    missed: run.coverage.missed.map((m) => `${m.line} ${m.fn}(): (${m.cond}) is never ${m.arc}`),
    contractFindings: run.contractFindings,
    runFindings,
  };
}

/** lower → plan → emit → compile → simulate, for one API generation of an emittable model. */
export function runType(checked: Checked, api: ApiGenerationId = checked.model.gen.id): TypeRun {
  if (!checked.emittable) throw new Error("pipeline: runType on a model the emission gate stopped");
  const model = checked.model;
  const lowered = lower(model, api);
  const kernel = emitKernel(model, api, lowered);
  const suite = planSuite(model, lowered);
  const cFile = kernel.files[0]!;
  let compiled: TypeRun["compiled"];
  try {
    compiled = compileEmittedC(cFile.contents, cFile.path, harnessNamesOf(api, declaredCOf(lowered)));
  } catch (e) {
    if (!(e instanceof CCompileError)) throw e;
    compiled = { error: `${e.message}${e.diagnostics ? `:\n${e.diagnostics.trim()}` : ""}` };
  }
  const simulation = simulateSuite(suite, {
    kernel: simKernelFor(api),
    ...("wasm" in compiled ? { declaredC: compiled } : { declaredCError: compiled.error }),
  });
  const contractFindings = [...new Set(simulation.results.flatMap((r) => (r.findings ?? []).filter((f) => f.rule === "R58").map((f) => f.message)))];
  return {
    api,
    lowered,
    kernel,
    suite,
    compiled,
    simulation,
    ...("wasm" in compiled ? { coverage: branchCoverage(compiled.sites, [simulation]) } : {}),
    contractFindings,
  };
}
