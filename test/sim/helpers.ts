import { simulateScenario } from "../../src/run/sim/index.js";
import { validateScenario } from "../../src/run/sim/validate.js";
import type { Scenario, ScenarioSetup, Step } from "../../src/ir/scenario.js";
import type { KernelVersionId } from "../../src/kernel/versions.js";
import type { ScenarioResult } from "../../src/ir/result.js";

export function sc(name: string, setup: Partial<ScenarioSetup> & Pick<ScenarioSetup, "kind">, steps: Step[]): Scenario {
  return { name, title: name, setup: { pages: 4, map: "shared", ...setup } as ScenarioSetup, steps };
}

/** All scenarios built by the tests, so the schema test can validate every one. */
export const BUILT: Scenario[] = [];

/** Run a scenario on the simulator after checking it against the published schema. */
export function run(s: Scenario, kernel: KernelVersionId = "6.18"): ScenarioResult {
  BUILT.push(s);
  const errs = validateScenario(JSON.parse(JSON.stringify(s)));
  if (errs.length) throw new Error(`scenario ${s.name} does not match schema/scenario.schema.json: ${errs.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  return simulateScenario(s, { kernel });
}

/** The observations, one line per step, for readable assertions. */
export function lines(r: ScenarioResult): string[] {
  return r.steps.map((s) => `${s.op}: ${s.observed}`);
}

export function explain(r: ScenarioResult): string {
  return [`${r.scenario}: ${r.verdict} ${r.reason ?? ""}`, ...r.steps.map((s) => `  ${s.index} ${s.op}: ${s.observed}${s.ok ? "" : ` (expected ${s.expected})`}`), ...(r.findings ?? []).map((f) => `  finding@${f.step} ${f.rule ?? ""} ${f.message}`)].join("\n");
}

export const API: Step = { op: "api" };
