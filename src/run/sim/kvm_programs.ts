/**
 * The programs on which exploreInterleavings (explore.ts) runs for a spec that
 * declares KVM Userfault (seed 004, Oliver Upton on James Houghton's v3 04/15):
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
import { lower, type Lowered } from "../../lower/index.js";
import type { Model } from "../../model/model.js";
import { kvmUserfaultScenarios } from "../../plan/planner/kvm_userfault.js";
import { declaredTarget } from "../../plan/planner/target.js";

/** The KVM Userfault programs for a spec, or [] when it declares no KVM Userfault. */
export function kvmUserfaultPrograms(from: Lowered | Model): Scenario[] {
  const lowered = "roles" in from ? from : lower(from);
  if (!lowered.kvmUserfault) return [];
  return kvmUserfaultScenarios(declaredTarget(lowered.model, lowered));
}
