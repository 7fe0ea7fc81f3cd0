import { front, planExploration, type ExplorePlan } from "../../src/pipeline.js";

/** The programs and C of an example, planned as `uffdkit explore` plans them. */
export async function planOf(spec: string): Promise<ExplorePlan> {
  const { checked } = await front(spec);
  if (!checked) throw new Error(`${spec} does not load`);
  return planExploration(checked);
}

export function programOf(plan: ExplorePlan, name: string) {
  const p = plan.programs.find((q) => q.name === name);
  if (!p) throw new Error(`no program ${name} (have ${plan.programs.map((q) => q.name).join(", ")})`);
  return p;
}
