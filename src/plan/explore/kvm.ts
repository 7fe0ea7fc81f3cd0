/**
 * The programs on which exploreInterleavings (src/run/sim/explore.ts) runs for a spec that
 * declares KVM Userfault (Oliver Upton on James Houghton's v3 04/15):
 * the vCPU exits on a page whose bit is set, the VMM fills the page and clears
 * the bit with the declared store, and the vCPU accesses it again with the
 * declared load. They are the planner's KVM Userfault scenarios
 * (src/plan/planner/kvm_userfault.ts), so what is explored is what `gen`
 * plans and simulates sequentially.
 *
 * The scenarios run on the declared type: explore them with the emitted C
 * compiled (SimOptions.declaredC), as the pipeline runs the suite.
 */
import type { Scenario } from "../../ir/scenario.js";
import type { Lowered } from "../../lower/index.js";
import { kvmUserfaultScenarios } from "../planner/kvm_userfault.js";
import { declaredTarget } from "../planner/target.js";

/** The KVM Userfault programs for a spec, or [] when it declares no KVM Userfault. */
export function kvmUserfaultPrograms(lowered: Lowered): Scenario[] {
  if (!lowered.kvmUserfault) return [];
  return kvmUserfaultScenarios(declaredTarget(lowered.model, lowered));
}
