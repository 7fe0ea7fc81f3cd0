import { open, type ExplorePlan } from "../../src/session/index.js";

/** The programs and C of an example, planned as `uffdkit explore` plans them. */
export async function planOf(spec: string): Promise<ExplorePlan> {
  const session = await open(spec);
  if (session.loadFailed) throw new Error(`${spec} does not load`);
  return session.generation().exploration;
}

export function programOf(plan: ExplorePlan, name: string) {
  const p = plan.programs.find((q) => q.name === name);
  if (!p) throw new Error(`no program ${name} (have ${plan.programs.map((q) => q.name).join(", ")})`);
  return p;
}
