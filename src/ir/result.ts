/**
 * Results of running scenarios, shared by the simulator, the kernel runner, the
 * compare step and the CLI. A run never throws at its caller for a scenario's
 * sake: a crash, a hang or a missing kernel feature is a verdict with a reason.
 */
import type { StepOp } from "./scenario.js";

export interface StepResult {
  /** 0-based index into scenario.steps. */
  readonly index: number;
  readonly op: StepOp;
  /** Canonical observation text (src/ir/observation.ts). */
  readonly observed: string;
  /** The expectation, when the step had one and it was not met. */
  readonly expected?: string;
  readonly ok: boolean;
}

/**
 * pass / fail: the scenario ran and its expectations held / did not.
 * lacks: the running kernel (or machine) lacks what the scenario needs; `reason` has the evidence.
 * error: the harness itself failed (crash, timeout, compile error); `reason` says how.
 * not-applicable: the scenario needs an operation the memory type itself lacks (Scenario.notApplicable,
 *   e.g. fallocate on a type without it); not run, never a pass, `reason` says which.
 */
export type Verdict = "pass" | "fail" | "lacks" | "error" | "not-applicable";

/** A problem the simulator found about the memory type itself (an invariant broken by a callback). */
export interface RunFinding {
  readonly step: number;
  readonly message: string;
  /** Rule id when the violation matches a catalogue rule. */
  readonly rule?: string;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly verdict: Verdict;
  readonly steps: readonly StepResult[];
  readonly reason?: string;
  /** The scenario ran on another kind standing in for the declared type: "shmem, standing in for xram". */
  readonly ranOn?: string;
  readonly findings?: readonly RunFinding[];
  /** A declared type's emitted C: per branch site, how often its condition was true and false. */
  readonly cBranches?: { readonly taken: readonly number[]; readonly notTaken: readonly number[] };
}

export interface SuiteResult {
  readonly suite: string;
  readonly runner: "sim" | "kernel";
  readonly results: readonly ScenarioResult[];
}

/** What running a declared type's emitted C showed, for the checklist and reports. */
export interface CRunEvidence {
  /** The emitted file, as out/<name>/ names it. */
  readonly file: string;
  /** The C was compiled and executed by the simulator (false: why not is in `error`). */
  readonly executed: boolean;
  readonly error?: string;
  readonly branches?: { readonly executed: number; readonly total: number };
  /** Arcs no scenario reached: "line fn(): (cond) is never true/false". */
  readonly missed: readonly string[];
  /** Contract violations (R58) the executed C committed. */
  readonly contractFindings: readonly string[];
  /** Every run-time finding, with its rule id. */
  readonly runFindings: readonly { readonly rule?: string; readonly message: string }[];
  /**
   * The functions the spec names that the type defines, and what ran for each:
   * the type's own C ("c", with its file), or a stand-in the simulator answered
   * from the scenario ("stand-in": nothing about that function is verified).
   */
  readonly typeFunctions?: readonly { readonly name: string; readonly role: string; readonly ran: "c" | "stand-in"; /** ran c: the file it ran from; stand-in: the type C that was given but did not compile. */ readonly file?: string }[];
  /** The C files the evidence rests on, with their content hash (sha256, first 16 hex digits). */
  readonly sources?: readonly { readonly path: string; readonly sha256: string; readonly what: "callbacks" | "type" }[];
}

/** What `explore` found in the programs that bear on a checklist item (C01's evidence). */
export interface ExploreEvidence {
  readonly programs: readonly {
    readonly name: string;
    /** Checklist items the program is evidence for. */
    readonly checklist: readonly string[];
    /** not-applicable: the program needs an operation the type lacks; it is no evidence either way. */
    readonly verdict: "exhaustive" | "bounded" | "not-applicable";
    readonly schedules: number;
    readonly violations: readonly { readonly property: string; readonly message: string; readonly schedule: readonly string[] }[];
  }[];
}
