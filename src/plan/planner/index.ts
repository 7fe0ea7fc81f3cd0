/**
 * The planner: from a Model, the scenarios (kselftests as data) that exercise
 * every declared mode and ioctl and the negative space around them, each citing
 * the rules and sections it checks. Scenarios for the declared type run on the
 * simulator (no kernel has the type); scenarios for the real kind it builds on
 * run on this machine's kernel too.
 *
 * Names are the scenario's meaning, not a counter, so a spec edit changes only
 * the scenarios it concerns.
 */
import type { Model } from "../../model/model.js";
import type { Lowered } from "../../lower/index.js";
import { objectOpsOf, type ObjectOp, type Scenario, type Suite } from "../../ir/scenario.js";
import { declaredGmemScenarios, realGmemScenarios } from "./gmem.js";
import { minorScenarios } from "./minor.js";
import { missingScenarios } from "./missing.js";
import { negativeScenarios, refusedIoctlScenarios } from "./negative.js";
import { poisonScenarios } from "./poison.js";
import { refusedRegistrationScenarios, registrationScenarios } from "./registration.js";
import { strategyScenarios } from "./strategies.js";
import { injectionScenarios } from "./injection.js";
import { kvmUserfaultScenarios } from "./kvm_userfault.js";
import { declaredTarget, realKindTarget, type Target } from "./target.js";
import { wpScenarios } from "./wp.js";

export { declaredTypeOf } from "./declared.js";
export { expectedRegisterIoctls, predictedRefusals } from "./kernel-rules.js";

/** Everything a target supports, in the order a reader meets it. */
function functional(t: Target): Scenario[] {
  return [
    ...registrationScenarios(t),
    ...missingScenarios(t),
    ...minorScenarios(t),
    ...wpScenarios(t),
    ...poisonScenarios(t),
    ...negativeScenarios(t),
  ];
}

/** The suite of one lowering (its model is the spec as written). */
export function planSuite(lowered: Lowered): Suite {
  const model = lowered.model;
  const declared = declaredTarget(model, lowered);
  const scenarios: Scenario[] = [
    ...functional(declared),
    ...refusedRegistrationScenarios(declared),
    ...refusedIoctlScenarios(declared),
    ...(declared.gmem ? declaredGmemScenarios(declared) : []),
    ...strategyScenarios(declared),
    ...injectionScenarios(declared),
    ...kvmUserfaultScenarios(declared),
  ];
  const real = realKindTarget(model, lowered);
  if (real) {
    scenarios.push(...functional(real));
    if (real.gmem) scenarios.push(...realGmemScenarios(real));
  }
  assertUniqueNames(scenarios);
  return {
    name: model.name,
    title: `userfaultfd selftests for ${model.name} (${model.gen.id}${real ? `, on ${real.key}` : ""})`,
    scenarios: scenarios.map((s) => markNotApplicable(s, model, lowered)),
  };
}

const OP_TEXT: Record<ObjectOp, string> = {
  fallocate: "fallocate(2)",
  "punch-hole": "fallocate(FALLOC_FL_PUNCH_HOLE)",
  "madv-remove": "madvise(MADV_REMOVE)",
  write: "write(2)/pwrite(2)",
  read: "read(2)/pread(2)",
};

/**
 * A scenario of the type itself that needs an operation its object lacks is not
 * applicable: it could only pass vacuously. The reason names the operation and
 * where the spec says (or does not say) the type has it.
 */
function markNotApplicable(s: Scenario, model: Model, lowered: Lowered): Scenario {
  if (s.setup.kind !== "declared" || s.notApplicable) return s;
  const lacking = objectOpsOf(s).filter((o) => !lowered.objectOps.ops.includes(o));
  if (!lacking.length) return s;
  const what = lacking.map((o) => OP_TEXT[o]).join(", ");
  const why = lowered.objectOps.declared
    ? `run.ops does not list ${lacking.join(", ")}`
    : `run.ops is not set, and uffdkit does not assume them for a ${lowered.testObject.kind} object`;
  return { ...s, notApplicable: `needs ${what}, which ${model.name} does not support (${why})` };
}

/** Two modules planning the same name is a planner bug, not a user error. */
function assertUniqueNames(scenarios: readonly Scenario[]): void {
  const seen = new Set<string>();
  for (const s of scenarios) {
    if (seen.has(s.name)) throw new Error(`planner: scenario name ${s.name} planned twice`);
    seen.add(s.name);
  }
}
