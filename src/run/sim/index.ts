/**
 * The reference simulator of Linux userfaultfd (docs/architecture.md, the run
 * stage). Its truth is the real kernel: 6.18 as conform observes it, and 7.1
 * and the pending guest_memfd series as merged and posted (src/kernel/sources.ts).
 *
 * Layout, as a kernel reader would look for it:
 *   fs_userfaultfd.ts  fs/userfaultfd.c   API, REGISTER, UNREGISTER, handle_userfault, wake, read, release, events
 *   userfaultfd.ts     mm/userfaultfd.c   vma_can_userfault, mfill_*, mfill_atomic_hugetlb, move_pages, mwriteprotect_range
 *   memory.ts          mm/memory.c, mm/shmem.c, mm/hugetlb.c, virt/kvm/guest_memfd.c: the fault path
 *   uffd_ops.ts        struct vm_uffd_ops per kind; declared.ts: a declared type's ops, its emitted C (src/run/c)
 *   kvm_userfault.ts   KVM_MEM_USERFAULT and its weak-memory model; explore.ts: interleaving exploration
 *   invariants.ts      what must hold after every step
 *   simulation.ts      setup, scheduler, steps, observations
 */
import { standInText, type Scenario, type Suite } from "../../ir/scenario.js";
import type { KernelVersionId } from "../../kernel/versions.js";
import type { ScenarioResult, SuiteResult } from "../../ir/result.js";
import { Simulation, type SimOptions } from "./simulation.js";

export { Simulation, type SimOptions, ScenarioSetupError, type VcpuChooser } from "./simulation.js";
export { exploreInterleavings, type Exploration, type ExploredAccess } from "./explore.js";
export { Machine } from "./machine.js";

/** A step-able simulation of one scenario: call step() until done, inspect machine/threads in between. */
export function createSimulation(scenario: Scenario, opts: SimOptions): Simulation {
  return new Simulation(scenario, opts);
}

/** Run one scenario. Never throws for the scenario's sake: a crash is verdict "error" with the reason. */
export function simulateScenario(s: Scenario, opts: SimOptions): ScenarioResult {
  // An operation the type lacks: not run, and never a pass.
  if (s?.notApplicable) return { scenario: s.name, verdict: "not-applicable", steps: [], reason: s.notApplicable };
  try {
    return new Simulation(s, opts).run();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { scenario: s?.name ?? "?", verdict: "error", steps: [], reason: `simulator: ${msg}` };
  }
}

export function simulateSuite(suite: Suite, opts: SimOptions): SuiteResult {
  // A real-kind scenario standing in for the declared type says so in every report.
  return {
    suite: suite.name,
    runner: "sim",
    results: suite.scenarios.map((s) => {
      const r = simulateScenario(s, opts);
      return s.standIn ? { ...r, ranOn: standInText(s.standIn, true) } : r;
    }),
  };
}
