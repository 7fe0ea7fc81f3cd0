/**
 * Compare a simulator run with a kernel run of the same suite, step by step.
 * Observations are canonical text (src/run/observation.ts), so agreement is a
 * string comparison per step; a disagreement names the first differing step
 * and both texts. A scenario the kernel lacks is neither agreement nor
 * disagreement, and neither is one the kernel run broke on (error).
 */
import type { ScenarioResult, SuiteResult, Verdict } from "../ir/result.js";

export type ComparisonStatus = "agree" | "disagree" | "lacks" | "error";

export interface ScenarioComparison {
  readonly scenario: string;
  readonly status: ComparisonStatus;
  readonly sim: Verdict | "missing";
  readonly kernel: Verdict | "missing";
  /** First disagreeing step (0-based), when the runs differ at a step. */
  readonly step?: number;
  readonly op?: string;
  readonly simObserved?: string;
  readonly kernelObserved?: string;
  /** Why (disagreement detail, the kernel's lacks evidence, the error). */
  readonly reason?: string;
}

export interface SuiteComparison {
  readonly suite: string;
  readonly scenarios: readonly ScenarioComparison[];
  readonly agree: number;
  readonly disagree: number;
  readonly lacks: number;
  readonly errors: number;
  /** agree + disagree: the scenarios both runs could speak to. */
  readonly compared: number;
}

function compareOne(name: string, sim: ScenarioResult | undefined, kernel: ScenarioResult | undefined): ScenarioComparison {
  const base = { scenario: name, sim: sim?.verdict ?? ("missing" as const), kernel: kernel?.verdict ?? ("missing" as const) };
  if (!kernel) return { ...base, status: "error", reason: "the kernel run has no result for this scenario" };
  if (kernel.verdict === "lacks") return { ...base, status: "lacks", reason: kernel.reason ?? "the kernel lacks this" };
  if (kernel.verdict === "error") return { ...base, status: "error", reason: `kernel run: ${kernel.reason ?? "error"}` };
  if (!sim) return { ...base, status: "disagree", reason: "the simulator has no result for this scenario" };
  if (sim.verdict === "error") {
    const i = sim.steps.length;
    const k = kernel.steps.find((x) => x.index === i);
    return { ...base, status: "disagree", ...(k ? { step: i, op: k.op, simObserved: "(no observation)", kernelObserved: k.observed } : {}), reason: `simulator error: ${sim.reason ?? "unknown"}` };
  }
  const n = Math.max(sim.steps.length, kernel.steps.length);
  for (let i = 0; i < n; i++) {
    const s = sim.steps.find((x) => x.index === i);
    const k = kernel.steps.find((x) => x.index === i);
    if (s?.observed === k?.observed) continue;
    return {
      ...base,
      status: "disagree",
      step: i,
      op: (s ?? k)!.op,
      simObserved: s?.observed ?? "(no observation)",
      kernelObserved: k?.observed ?? "(no observation)",
      reason: `step ${i} ${(s ?? k)!.op}: simulator ${s?.observed ?? "(no observation)"}, kernel ${k?.observed ?? "(no observation)"}`,
    };
  }
  if (sim.verdict !== kernel.verdict) {
    const why = [sim.reason && `simulator: ${sim.reason}`, kernel.reason && `kernel: ${kernel.reason}`].filter(Boolean).join("; ");
    return { ...base, status: "disagree", reason: `verdicts differ (simulator ${sim.verdict}, kernel ${kernel.verdict})${why ? `: ${why}` : ""}` };
  }
  return { ...base, status: "agree" };
}

export function compareSuites(sim: SuiteResult, kernel: SuiteResult): SuiteComparison {
  const simBy = new Map(sim.results.map((r) => [r.scenario, r]));
  const kerBy = new Map(kernel.results.map((r) => [r.scenario, r]));
  const names = [...new Set([...kernel.results.map((r) => r.scenario), ...sim.results.map((r) => r.scenario)])];
  const scenarios = names.map((n) => compareOne(n, simBy.get(n), kerBy.get(n)));
  const count = (s: ComparisonStatus) => scenarios.filter((c) => c.status === s).length;
  return { suite: kernel.suite || sim.suite, scenarios, agree: count("agree"), disagree: count("disagree"), lacks: count("lacks"), errors: count("error"), compared: count("agree") + count("disagree") };
}

export function percent(n: number, of: number): string {
  return of === 0 ? "n/a" : `${Math.floor((1000 * n) / of) / 10}%`;
}
