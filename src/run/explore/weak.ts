/**
 * KVM Userfault's bitmap against the page contents (Oliver Upton on KVM Userfault v3 04/15): programs whose
 * interleavings are the orders in which the VMM's stores become visible to
 * the vCPU, and where the vCPU's bitmap and page loads are satisfied
 * (src/run/sim/kvm_userfault.ts enumerates them; explore.ts runs a scenario
 * through them). Each access is explored over every visibility order the
 * memory model allows, so the search is exhaustive for it; later accesses
 * continue from the state where every store is visible.
 */
import type { Scenario } from "../../ir/scenario.js";
import { exploreInterleavings } from "../sim/explore.js";
import { Simulation, type SimOptions } from "../sim/simulation.js";
import type { AccessOutcome } from "../sim/kvm_userfault.js";
import type { ProgramReport } from "./index.js";

export function exploreWeak(scenario: Scenario, opts: SimOptions): ProgramReport {
  const t0 = Date.now();
  const x = exploreInterleavings(scenario, opts);
  const counterexamples = x.accesses
    .filter((a) => a.stale.length)
    .slice(0, 1)
    .map((a) => {
      const o = a.stale[0]!;
      const message = `the vCPU saw page ${a.page}'s bit clear and read 0x${o.value.toString(16)}, the contents from before the VMM's fill (${a.load === "plain" ? "a plain bitmap load" : "load-acquire"})`;
      return {
        violation: { property: "stale" as const, message, atTransition: a.step },
        schedule: ["vmm", "vcpu"],
        weakMemory: { step: a.step, schedule: o.schedule },
        steps: [
          { thread: "vmm", op: "fill the page, then clear its bit", stop: "stores s0.. in program order, buffered until they drain", holds: "" },
          { thread: "vcpu", op: `kvm_do_userfault() bitmap load (${a.load}), then the guest's page load`, stop: o.schedule, holds: "", change: `bit clear, page reads 0x${o.value.toString(16)}` },
        ],
      };
    });
  const exits = x.accesses.reduce((n, a) => n + a.outcomes.filter((o) => o.exit).length, 0);
  const stale = x.accesses.reduce((n, a) => n + a.stale.length, 0);
  return {
    program: scenario.name,
    title: scenario.title,
    reduction: false,
    verdict: "exhaustive",
    weakMemory: true,
    // A visibility order is one schedule; there is no state graph to count or prune.
    stats: { schedules: x.schedules, states: 0, pruned: 0, transitions: 0, millis: Date.now() - t0 },
    // Not partitioned: a sharded run explores these in shard 0 only.
    shard: { index: 0, count: 1, depth: 0, subtrees: 0, explored: 0, prefix: { schedules: 0, states: 0, pruned: 0, transitions: 0, millis: 0 } },
    counterexamples,
    outcomes: [`${x.schedules} visibility orders over ${x.accesses.length} vCPU accesses: ${exits} exit to userspace, ${stale} read stale contents`],
  };
}

/** Replay a weak-memory counterexample: the scenario with the vCPU access at `step` taking `schedule`. */
export function replayWeak(scenario: Scenario, opts: SimOptions, step: number, schedule: string): { outcome: AccessOutcome | undefined; stale: boolean } {
  let chosen: AccessOutcome | undefined;
  const sim = new Simulation(scenario, opts, (i, all) => {
    const pick = i === step ? all.find((o) => o.schedule === schedule) : undefined;
    if (i === step) chosen = pick;
    return pick ?? all[all.length - 1]!;
  });
  while (!sim.done) sim.step();
  return { outcome: chosen, stale: chosen?.stale === true };
}
