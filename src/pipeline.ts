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
import { createHash } from "node:crypto";
import type { Diagnostic } from "./diagnostics/diagnostic.js";
import { loadModel, type LoadOptions, type LoadResult } from "./load/index.js";
import type { ApiGenerationId } from "./kernel/generations.js";
import type { Model } from "./model/model.js";
import { lower, type Lowered } from "./lower/index.js";
import { checkModel } from "./rules/index.js";
import { planSuite } from "./plan/planner/index.js";
import { emitKernel } from "./emit/kernel/index.js";
import type { KernelArtifacts } from "./emit/kernel/artifacts.js";
import type { Scenario, Suite } from "./ir/scenario.js";
import type { CRunEvidence, ExploreEvidence, SuiteResult } from "./ir/result.js";
import { search } from "./run/explore/search.js";
import { compileEmittedC, CCompileError, unknownCallees, type CompiledType, type UnknownCallee } from "./run/c/compile.js";
import type { CInput, CSource } from "./ir/c-source.js";
import { typeCBeside } from "./load/type-c.js";
import { harnessNamesOf } from "./run/c/harness.js";
import { declaredCOf } from "./plan/planner/declared.js";
import { branchCoverage, type Coverage } from "./run/c/coverage.js";
import { simulateSuite, type SimOptions } from "./run/sim/index.js";
import { simKernelFor } from "./run/sim-kernel.js";
import type { ConcurrentProgram } from "./ir/program.js";
import { programsForSpec } from "./plan/explore/programs.js";
import { kvmUserfaultPrograms } from "./run/sim/kvm_programs.js";

/** Findings that stop emission (see the header). */
export function stopsEmission(d: Diagnostic): boolean {
  return d.severity === "error" && /^S\d+$/.test(d.id);
}

export interface Checked {
  readonly model: Model;
  readonly diagnostics: readonly Diagnostic[];
  readonly emittable: boolean;
  /** Which C runs (src/ir/c-source.ts): absent fields mean gen's callbacks and stand-in type functions. */
  readonly c?: CInput;
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
  const typeC = typeCBeside(file);
  return { loaded, checked: { ...check(loaded.model, loaded.diagnostics), ...(typeC ? { c: { typeC } } : {}) } };
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
  /** The C compiled for the simulator, or why it could not be. */
  readonly compiled: BuiltType["compiled"];
  readonly callbacks: CSource;
  readonly typeC?: CSource;
  readonly simulation: SuiteResult;
  readonly coverage?: Coverage;
  /** Contract findings (R58 and the run-time rules) the simulator reported, deduplicated. */
  readonly contractFindings: readonly string[];
}

/** The run's C facts as the shared contract the checklist and reports read. */
export function cEvidenceOf(run: TypeRun): CRunEvidence {
  const file = run.callbacks.path;
  const provenance = cProvenanceOf(run);
  const runFindings = [...new Map(run.simulation.results.flatMap((r) => r.findings ?? []).map((f) => [f.message, f])).values()].map((f) => ({
    ...(f.rule ? { rule: f.rule } : {}),
    message: f.message,
  }));
  if (!run.coverage) return { file, executed: false, error: "error" in run.compiled ? run.compiled.error : "not compiled", missed: [], contractFindings: [], runFindings, ...provenance };
  return {
    file,
    executed: true,
    branches: { executed: run.coverage.executed, total: run.coverage.total },
    missed: run.coverage.missed.map((m) => `${m.file ? `${m.file}:` : ""}${m.line} ${m.fn}(): (${m.cond}) is never ${m.arc}`),
    contractFindings: run.contractFindings,
    runFindings,
    ...provenance,
  };
}

/** sha256 of a text, first 16 hex digits: enough to tell two versions of a file apart. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** Which C the evidence rests on, and which type functions ran as C or as stand-ins. */
export function cProvenanceOf(built: Pick<BuiltType, "lowered" | "compiled" | "callbacks" | "typeC">): Pick<CRunEvidence, "typeFunctions" | "sources"> {
  const defines = "wasm" in built.compiled ? (built.compiled.typeC?.defines ?? []) : [];
  const typeFunctions = built.lowered.typeFunctions.map((t) =>
    defines.includes(t.name) ? { name: t.name, role: t.role, ran: "c" as const, file: built.typeC!.path } : { name: t.name, role: t.role, ran: "stand-in" as const },
  );
  const sources: NonNullable<CRunEvidence["sources"]>[number][] = [{ path: built.callbacks.path, sha256: contentHash(built.callbacks.text), what: "callbacks" }];
  if (built.typeC) sources.push({ path: built.typeC.path, sha256: contentHash(built.typeC.text), what: "type" });
  return { typeFunctions, sources };
}

/** One line per type function: C or stand-in (for sim.tap, gen's summary and verify). */
export function typeFunctionLines(e: Pick<CRunEvidence, "typeFunctions">): string[] {
  return (e.typeFunctions ?? []).map((t) =>
    t.ran === "c" ? `type function ${t.name}() (${t.role}): its C ran (${t.file})` : `type function ${t.name}() (${t.role}): a stand-in answered from the scenario; its C was not given, so it is not verified`,
  );
}

/** What lower → emit → compile make of one API generation: the C and the simulator's copy of it. */
export interface BuiltType {
  readonly api: ApiGenerationId;
  readonly lowered: Lowered;
  readonly kernel: KernelArtifacts;
  /** The C compiled for the simulator, or why it could not be (and the callees it lacks). */
  readonly compiled: CompiledType | { readonly error: string; readonly unknown?: readonly UnknownCallee[] };
  /** The callbacks that were compiled: gen's, or the developer's. */
  readonly callbacks: CSource;
  /** The type's own C compiled with them, when there is some. */
  readonly typeC?: CSource;
}

/**
 * lower → emit → compile, for one API generation of an emittable model. The
 * C compiled is `checked.c`'s: the developer's callbacks and the type's own C
 * when given, else what gen emits with stand-in type functions.
 */
export function buildType(checked: Checked, api: ApiGenerationId = checked.model.gen.id): BuiltType {
  if (!checked.emittable) throw new Error("pipeline: buildType on a model the emission gate stopped");
  const model = checked.model;
  const lowered = lower(model, api);
  const kernel = emitKernel(model, api, lowered);
  const emitted = kernel.files[0]!;
  const callbacks = checked.c?.callbacks ?? { path: emitted.path, text: emitted.contents };
  const typeC = checked.c?.typeC;
  let compiled: BuiltType["compiled"];
  try {
    compiled = compileEmittedC(callbacks.text, callbacks.path, harnessNamesOf(api, declaredCOf(lowered)), typeC);
  } catch (e) {
    if (!(e instanceof CCompileError)) throw e;
    compiled = { error: `${e.message}${e.diagnostics ? `:\n${e.diagnostics.trim()}` : ""}`, unknown: unknownCallees(e.diagnostics) };
  }
  return { api, lowered, kernel, compiled, callbacks, ...(typeC ? { typeC } : {}) };
}

/**
 * What compiling found that the spec's rules cannot: a callee the contract
 * model lacks (R61), positioned at the call. Commands that run C add these to
 * the spec's findings.
 */
export function cDiagnosticsOf(built: { readonly compiled: BuiltType["compiled"] }): Diagnostic[] {
  if (!("error" in built.compiled)) return [];
  const unknown = built.compiled.unknown ?? [];
  if (unknown.length === 0) {
    // Anything else the compiler refused: its first error, where it said.
    const first = /^(.+?):(\d+):(\d+): error: (.*)$/m.exec(built.compiled.error);
    return [
      {
        id: "CC",
        severity: "error",
        message: `the C does not compile against uffdkit's contract model (kmodel/include): ${first ? first[4] : built.compiled.error.split("\n")[0]}`,
        ...(first ? { span: { file: first[1]!, line: Number(first[2]), column: Number(first[3]), endLine: Number(first[2]), endColumn: Number(first[3]) + 1 } } : {}),
        hint: "nothing of this C ran in the simulator; fix the C, or give the type's functions as C the model can compile (a file beside the spec)",
      },
    ];
  }
  return unknown.map((u) => ({
    id: "R61",
    severity: "error" as const,
    message: `${u.name}() is called but uffdkit's contract model has no ${u.name}(): nothing on this path can run in the simulator`,
    ...(u.file && u.line ? { span: { file: u.file, line: u.line, column: u.column ?? 1, endLine: u.line, endColumn: (u.column ?? 1) + u.name.length } } : {}),
    hint: `declare ${u.name} in the spec as one of the type's functions, give its C in the type's own file, or call a helper kmodel/include declares`,
  }));
}

/** The simulator options that run a built type's C. */
export function simOptionsOf(built: BuiltType): SimOptions {
  const compiled = built.compiled;
  return { kernel: simKernelFor(built.api), ...("wasm" in compiled ? { declaredC: compiled } : { declaredCError: compiled.error }) };
}

/** lower → plan → emit → compile → simulate, for one API generation of an emittable model. */
export function runType(checked: Checked, api: ApiGenerationId = checked.model.gen.id): TypeRun {
  const model = checked.model;
  const built = buildType(checked, api);
  const { lowered, kernel, compiled, callbacks, typeC } = built;
  const suite = planSuite(model, lowered);
  const simulation = simulateSuite(suite, simOptionsOf(built));
  const contractFindings = [...new Set(simulation.results.flatMap((r) => (r.findings ?? []).filter((f) => f.rule === "R58").map((f) => f.message)))];
  return {
    api,
    lowered,
    kernel,
    suite,
    compiled,
    callbacks,
    ...(typeC ? { typeC } : {}),
    simulation,
    ...("wasm" in compiled ? { coverage: branchCoverage(compiled.sites, [simulation]) } : {}),
    contractFindings,
  };
}

/** What `explore` runs for a spec: its concurrent programs and the options that run its C. */
export interface ExplorePlan {
  readonly built: BuiltType;
  readonly programs: readonly ConcurrentProgram[];
  /** KVM Userfault scenarios, explored over the memory model's visibility orders. */
  readonly weak: readonly Scenario[];
  readonly opts: SimOptions;
}

/**
 * lower → emit → compile → plan the concurrent programs. The rules are not
 * consulted beyond the emission gate: exploration finds races by running the
 * C, with no rule's help.
 */
export function planExploration(checked: Checked, api: ApiGenerationId = checked.model.gen.id): ExplorePlan {
  const built = buildType(checked, api);
  return { built, programs: programsForSpec(checked.model, built.lowered), weak: kvmUserfaultPrograms(built.lowered), opts: simOptionsOf(built) };
}

/**
 * Explore the programs that are evidence for checklist items (C01: a page's
 * shared-ness racing its use). They are small: gen runs them in-process.
 */
export function exploreEvidenceOf(model: Model, built: BuiltType): ExploreEvidence {
  if ("error" in built.compiled) return { programs: [] };
  const opts = simOptionsOf(built);
  return {
    programs: programsForSpec(model, built.lowered)
      .filter((p) => p.checklist?.length)
      .map((p) => {
        const r = search(p, opts);
        return {
          name: p.name,
          checklist: p.checklist!,
          verdict: r.verdict,
          schedules: r.stats.schedules,
          violations: r.counterexamples.map((c) => ({ property: c.violation.property, message: c.violation.message, schedule: c.schedule })),
        };
      }),
  };
}
