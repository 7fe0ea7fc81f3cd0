/**
 * The gate: which findings stop which stage, stated once. Every command asks
 * the session (Generation.stops) instead of deciding for itself.
 *
 * Three levels, from the weakest to the strictest:
 *
 * - "loaded": the spec was read. A load error (unreadable file, syntax, wrong
 *   shape the loader cannot get past) stops every stage; commands exit 2.
 * - "shape": no spec-shape error (an S-rule: unknown field or value, unsafe
 *   name, bad path or text, a strategy without its helper, no vmOps). Nothing
 *   that emits or runs C may see a model that is not what the user meant.
 *   Kernel and review findings (R-rules) do NOT stop these stages: the C shows
 *   the flaw as declared, and the simulator, running that C, is the evidence
 *   (gen writes both, and exits 1).
 * - "clean": no error finding at all. Two products are verdicts on the type
 *   rather than evidence about it: the selftests' run as the answer of
 *   `uffdkit test` (with a known error the answer is already "fail"; the runs
 *   would only restate the findings), and the patch series (a series must not
 *   carry known errors to a mailing list).
 *
 * Findings never stop `lowered` (lowering never refuses: the rules judge its
 * result) nor the checklist, which reports what is and is not verified.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";

export type GateLevel = "loaded" | "shape" | "clean";

/** Every stage a session computes, and the level its inputs must pass. */
export const GATE = {
  lowered: "loaded",
  findings: "loaded",
  kernel: "shape",
  suite: "shape",
  selftests: "shape",
  cSource: "shape",
  compiled: "shape",
  simulation: "shape",
  exploration: "shape",
  exploreEvidence: "shape",
  checklist: "loaded",
  testRun: "clean",
  series: "clean",
} as const satisfies Record<string, GateLevel>;

export type StageName = keyof typeof GATE;

/** A spec-shape finding: one the emitter must never see past. */
export function isShapeError(d: Diagnostic): boolean {
  return d.severity === "error" && /^S\d+$/.test(d.id);
}

/** The findings that keep a level closed (empty: open). */
export function stoppersAt(level: GateLevel, findings: readonly Diagnostic[]): Diagnostic[] {
  switch (level) {
    case "loaded":
      return [];
    case "shape":
      return findings.filter(isShapeError);
    case "clean":
      return findings.filter((d) => d.severity === "error");
  }
}

/** A command asked for a stage the gate keeps closed: a bug in the command, not the user's mistake. */
export class GateClosed extends Error {
  constructor(
    readonly stage: StageName,
    readonly stoppers: readonly Diagnostic[],
  ) {
    super(`session: stage ${stage} is closed by ${stoppers.length} finding(s) (${[...new Set(stoppers.map((d) => d.id))].join(", ")}); ask stops() first`);
  }
}
