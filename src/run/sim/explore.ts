/**
 * Interleaving exploration for KVM Userfault's memory ordering (Oliver Upton on KVM Userfault v3 04/15:
 * a load-acquire of the bitmap against userspace's store-release; review checklist C21).
 *
 * The scenario runs step by step; at every kvm_vcpu_access the scheduler's
 * choices are enumerated: each order in which userspace's buffered stores may
 * become visible, and each point at which KVM's bitmap load and the guest's
 * page load are satisfied. With a plain bitmap load the page load may be
 * satisfied first, so some schedule reads the page before the contents stored
 * ahead of the bit-clear are visible (stale). With a store-release by userspace
 * and a load-acquire by KVM, no schedule does.
 */
import type { Scenario } from "../../ir/scenario.js";
import { Simulation, type SimOptions } from "./simulation.js";
import type { AccessOutcome } from "./kvm_userfault.js";

export interface ExploredAccess {
  readonly step: number;
  readonly page: number;
  readonly load: "acquire" | "plain";
  /** Every schedule's outcome. */
  readonly outcomes: readonly AccessOutcome[];
  /** Schedules in which the guest read stale contents. */
  readonly stale: readonly AccessOutcome[];
}

export interface Exploration {
  readonly scenario: string;
  readonly accesses: readonly ExploredAccess[];
  /** Total schedules examined over all accesses. */
  readonly schedules: number;
  /** Did any schedule observe stale page contents? */
  readonly staleObserved: boolean;
}

/**
 * Run the scenario, enumerating the weak-memory schedules of every vCPU access.
 * After an access the simulation continues on the sequentially consistent
 * choice, so later accesses are explored from a well-defined state.
 */
export function exploreInterleavings(scenario: Scenario, opts: SimOptions): Exploration {
  const sim = new Simulation(scenario, opts, (_i, all: AccessOutcome[]) => {
    // Continue on the schedule where everything became visible before both loads.
    return all[all.length - 1]!;
  });
  while (!sim.done) sim.step();
  const accesses: ExploredAccess[] = [];
  let schedules = 0;
  for (const [step, outcomes] of sim.vcpuOutcomes) {
    const s = scenario.steps[step]!;
    if (s.op !== "kvm_vcpu_access") continue;
    schedules += outcomes.length;
    accesses.push({ step, page: s.page, load: s.load, outcomes, stale: outcomes.filter((o) => o.stale) });
  }
  return { scenario: scenario.name, accesses, schedules, staleObserved: accesses.some((a) => a.stale.length > 0) };
}
