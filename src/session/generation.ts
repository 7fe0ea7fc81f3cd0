/**
 * One API generation's stages of a session, each computed on first use and
 * kept. A stage reads only earlier stages of the same Generation, so one
 * lowering feeds the rules, the emitter, the planner, the simulator and the
 * checklist alike.
 *
 * Adding a stage: name it in GATE (gate.ts) with the level its inputs must
 * pass, and add a getter here that calls `this.stage(name, () => ...)`.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { EmittedFile, KernelArtifacts } from "../emit/kernel/artifacts.js";
import { emitKernel } from "../emit/kernel/index.js";
import { emitSelftests } from "../emit/selftest/index.js";
import type { ConcurrentProgram } from "../ir/program.js";
import type { CRunEvidence, ExploreEvidence, ScenarioResult, SuiteResult } from "../ir/result.js";
import type { Scenario, Suite } from "../ir/scenario.js";
import type { ApiGenerationId } from "../kernel/generations.js";
import { lower, type Lowered } from "../lower/index.js";
import type { Model } from "../model/model.js";
import { kvmUserfaultPrograms } from "../plan/explore/kvm.js";
import { programsForSpec } from "../plan/explore/programs.js";
import { declaredCOf } from "../plan/planner/declared.js";
import { planSuite } from "../plan/planner/index.js";
import { buildChecklist, type Checklist } from "../report/checklist/index.js";
import { runOnThisKernel, testingEvidence } from "../series/evidence.js";
import type { TestingEvidence } from "../series/cover.js";
import { checkModel } from "../rules/index.js";
import { compileTypeC } from "../run/c/compile.js";
import { cDiagnosticsOf, cProvenanceOf, type CompiledOrError } from "../run/c/provenance.js";
import type { CSource } from "../ir/c-source.js";
import { branchCoverage, type Coverage } from "../run/c/coverage.js";
import { search } from "../run/explore/search.js";
import { simulateSuite, type SimOptions } from "../run/sim/index.js";
import { simKernelFor } from "../run/sim-kernel.js";
import { GATE, GateClosed, stoppersAt, type StageName } from "./gate.js";
import type { OpenOptions } from "./options.js";

/** The C the session compiles: where it came from, its path (as reports name it) and its text. */
export interface CSourceText {
  readonly origin: "emitted" | "file";
  readonly path: string;
  readonly text: string;
}

/** The planned suite on the simulator, running the session's C. */
export interface SimulationRun {
  readonly result: SuiteResult;
  /** Branch coverage of the C (absent: the C did not compile). */
  readonly coverage?: Coverage;
  /** Contract findings (R58) the simulator reported, deduplicated. */
  readonly contractFindings: readonly string[];
  /** The run's C facts as the shared contract the checklist and reports read. */
  readonly evidence: CRunEvidence;
}

/** What `explore` runs for a spec: its concurrent programs and the options that run its C. */
export interface ExplorePlan {
  readonly programs: readonly ConcurrentProgram[];
  /** KVM Userfault scenarios, explored over the memory model's visibility orders. */
  readonly weak: readonly Scenario[];
  readonly opts: SimOptions;
}

/** What the series' cover letter says of the testing: simulator and, where it can, this kernel. */
export interface SeriesTesting {
  readonly sim: { readonly result?: SuiteResult; readonly note?: string };
  readonly kernel: { readonly result?: SuiteResult; readonly note: string };
  readonly evidence: TestingEvidence;
}

export class Generation {
  private readonly cache = new Map<StageName | string, unknown>();

  constructor(
    readonly api: ApiGenerationId,
    /** The model for this generation: what the user wrote, read by lower only. */
    readonly model: Model,
    private readonly loadFindings: readonly Diagnostic[],
    private readonly options: OpenOptions,
  ) {}

  /** The findings that keep `stage` closed (empty: the gate lets it run). */
  stops(stage: StageName): readonly Diagnostic[] {
    const level = GATE[stage];
    return level === "loaded" ? [] : stoppersAt(level, this.findings);
  }

  /** Every default and strategy decided (src/lower). */
  get lowered(): Lowered {
    return this.stage("lowered", () => lower(this.model, this.api));
  }

  /** The loader's findings and the rules', in that order. */
  get findings(): readonly Diagnostic[] {
    return this.stage("findings", () => [...this.loadFindings, ...checkModel(this.lowered)]);
  }

  /** The emitted kernel C (whatever C the session runs: see cSource). */
  get kernel(): KernelArtifacts {
    return this.stage("kernel", () => emitKernel(this.lowered));
  }

  get suite(): Suite {
    return this.stage("suite", () => planSuite(this.lowered));
  }

  get selftests(): readonly EmittedFile[] {
    return this.stage("selftests", () => emitSelftests(this.suite, { name: this.model.name }));
  }

  /** The C the session compiles and runs: the emitted file, or the developer's (OpenOptions.cSource). */
  get cSource(): CSourceText {
    return this.stage("cSource", () => {
      const src = this.options.cSource;
      if (src?.kind === "file") return { origin: "file", path: src.path, text: src.text };
      const f = this.kernel.files[0]!;
      return { origin: "emitted", path: f.path, text: f.contents };
    });
  }

  /** The type's own C compiled with the callbacks (OpenOptions.typeC), if any. */
  get typeC(): CSource | undefined {
    return this.options.typeC ?? undefined;
  }

  /** The session's C (and the type's own C) compiled for the simulator, or why it could not be. */
  get compiled(): CompiledOrError {
    return this.stage("compiled", () => {
      const c = this.cSource;
      return compileTypeC(c.text, c.path, this.api, declaredCOf(this.lowered), ":\n", this.typeC);
    });
  }

  /** What compiling the C found (R66: a callee the contract model lacks; CC: anything else), positioned in the C. */
  get cFindings(): readonly Diagnostic[] {
    return this.stops("compiled").length ? [] : cDiagnosticsOf(this.compiled);
  }

  /** The simulator options that run the session's C. */
  get simOptions(): SimOptions {
    const compiled = this.compiled;
    return { kernel: simKernelFor(this.api), ...("wasm" in compiled ? { declaredC: compiled } : { declaredCError: compiled.error }) };
  }

  get simulation(): SimulationRun {
    return this.stage("simulation", () => {
      const result = simulateSuite(this.suite, this.simOptions);
      const contractFindings = [...new Set(result.results.flatMap((r) => (r.findings ?? []).filter((f) => f.rule === "R58").map((f) => f.message)))];
      const compiled = this.compiled;
      const coverage = "wasm" in compiled ? branchCoverage(compiled.sites, [result]) : undefined;
      return { result, ...(coverage ? { coverage } : {}), contractFindings, evidence: this.cEvidence(result, coverage, contractFindings) };
    });
  }

  /**
   * The concurrent programs `explore` runs, and the options that run the C.
   * No rule is consulted beyond the gate: exploration finds races by running the C.
   */
  get exploration(): ExplorePlan {
    return this.stage("exploration", () => ({ programs: programsForSpec(this.model, this.lowered), weak: kvmUserfaultPrograms(this.lowered), opts: this.simOptions }));
  }

  /** The programs that are evidence for checklist items (C01), explored in-process: they are small. */
  get exploreEvidence(): ExploreEvidence {
    return this.stage("exploreEvidence", () => {
      if ("error" in this.compiled) return { programs: [] };
      const opts = this.simOptions;
      return {
        programs: this.exploration.programs
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
    });
  }

  /** The review checklist, with every piece of evidence the gate lets the session produce. */
  get checklist(): Checklist {
    return this.stage("checklist", () => {
      const runs = this.stops("simulation").length === 0;
      return buildChecklist(this.lowered, {
        diagnostics: this.findings,
        ...(runs ? { suite: this.suite, simulation: this.simulation.result, c: this.simulation.evidence, explore: this.exploreEvidence } : {}),
      });
    });
  }

  /** The planned suite's run as `uffdkit test`'s verdict: the simulation, behind the stricter gate. */
  get testRun(): SuiteResult {
    return this.stage("testRun", () => this.simulation.result);
  }

  /**
   * The planned suite on this machine's kernel (src/run/kernel builds the
   * selftests and runs them), behind the same gate as the test verdict.
   */
  async kernelRun(onResult?: (r: ScenarioResult) => void): Promise<SuiteResult> {
    this.gate("testRun");
    const cached = this.cache.get("kernelRun") as Promise<SuiteResult> | undefined;
    if (cached) return cached;
    const run = import("../run/kernel/index.js").then((k) => k.runSuiteOnKernel(this.suite, onResult ? { onResult } : {}));
    this.cache.set("kernelRun", run);
    return run;
  }

  /** Why the simulator did not run, for reports that would otherwise imply it did. */
  get simulationNote(): string | undefined {
    return this.stops("simulation").length ? "the spec stops at the gate (a spec-shape error)" : undefined;
  }

  /** The series' testing evidence: the simulator's run, and this kernel's run of the tests it can run. */
  async seriesTesting(): Promise<SeriesTesting> {
    const cached = this.cache.get("seriesTesting") as Promise<SeriesTesting> | undefined;
    if (cached) return cached;
    this.gate("series");
    const p = (async () => {
      const sim = this.simulationOrNote();
      const kernel = await runOnThisKernel(this.suite);
      const c = sim.result ? { c: this.simulation.evidence } : {};
      return { sim, kernel, evidence: testingEvidence({ ...sim, ...c }, kernel, this.lowered) };
    })();
    this.cache.set("seriesTesting", p);
    return p;
  }

  private simulationOrNote(): { result?: SuiteResult; note?: string } {
    try {
      return { result: this.simulation.result };
    } catch (e) {
      return { note: `the simulator failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  private cEvidence(result: SuiteResult, coverage: Coverage | undefined, contractFindings: readonly string[]): CRunEvidence {
    const file = this.cSource.path;
    const runFindings = [...new Map(result.results.flatMap((r) => r.findings ?? []).map((f) => [f.message, f])).values()].map((f) => ({
      ...(f.rule ? { rule: f.rule } : {}),
      message: f.message,
    }));
    const compiled = this.compiled;
    const provenance = cProvenanceOf(this.lowered.typeFunctions, compiled, this.cSource, this.typeC);
    if (!coverage) return { file, executed: false, error: "error" in compiled ? compiled.error : "not compiled", missed: [], contractFindings: [], runFindings, ...provenance };
    return {
      file,
      executed: true,
      branches: { executed: coverage.executed, total: coverage.total },
      missed: coverage.missed.map((m) => `${m.file ? `${m.file}:` : ""}${m.line} ${m.fn}(): (${m.cond}) is never ${m.arc}`),
      contractFindings,
      runFindings,
      ...provenance,
    };
  }

  private gate(stage: StageName): void {
    const stoppers = this.stops(stage);
    if (stoppers.length) throw new GateClosed(stage, stoppers);
  }

  /** Compute a stage once, after the gate lets it run. */
  private stage<T>(name: StageName, compute: () => T): T {
    if (this.cache.has(name)) return this.cache.get(name) as T;
    if (name !== "findings" && name !== "lowered") this.gate(name);
    const value = compute();
    this.cache.set(name, value);
    return value;
  }
}
