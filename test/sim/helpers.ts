import { simulateScenario } from "../../src/run/sim/index.js";
import { validateScenario } from "../../src/run/sim/validate.js";
import type { DeclaredType, Scenario, ScenarioSetup, Step } from "../../src/ir/scenario.js";
import type { MemoryTypeSpec } from "../../src/spec/types.js";
import { normalize } from "../../src/model/normalize.js";
import { lower, type Lowered } from "../../src/lower/index.js";
import { emitKernel } from "../../src/emit/kernel/index.js";
import { declaredCOf } from "../../src/plan/planner/declared.js";
import { harnessNamesOf } from "../../src/run/c/harness.js";
import { compileEmittedC, type CompiledType } from "../../src/run/c/compile.js";
import type { KernelVersionId } from "../../src/kernel/versions.js";
import type { ScenarioResult } from "../../src/ir/result.js";

export function sc(name: string, setup: Partial<ScenarioSetup> & Pick<ScenarioSetup, "kind">, steps: Step[]): Scenario {
  return { name, title: name, setup: { pages: 4, map: "shared", ...setup } as ScenarioSetup, steps };
}

/** All scenarios built by the tests, so the schema test can validate every one. */
export const BUILT: Scenario[] = [];

/**
 * Run a scenario on the simulator after checking it against the published schema.
 * A declared type runs as its emitted C: the DeclaredType is turned back into a
 * spec, lowered, emitted and compiled, exactly as `gen` does it.
 */
export function run(s: Scenario, kernel: KernelVersionId = "6.18"): ScenarioResult {
  const d = s.setup.kind === "declared" ? s.setup.declared : undefined;
  let declaredC: CompiledType | undefined;
  if (d && !d.c) {
    const built = emitDeclared(d);
    s = { ...s, setup: { ...s.setup, declared: { ...d, raise: built.raise, ...(built.silent ? { silent: built.silent } : {}), c: built.c } } };
    declaredC = built.compiled;
  }
  BUILT.push(s);
  const errs = validateScenario(JSON.parse(JSON.stringify(s)));
  if (errs.length) throw new Error(`scenario ${s.name} does not match schema/scenario.schema.json: ${errs.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  return simulateScenario(s, { kernel, ...(declaredC ? { declaredC } : {}) });
}

/** The spec a DeclaredType stands for, through lower → emit → compile. */
export function emitDeclared(d: DeclaredType): { compiled: CompiledType; raise: Lowered["raise"]; silent?: Lowered["silent"]; c: NonNullable<DeclaredType["c"]>; source: string } {
  const spec: MemoryTypeSpec = {
    name: d.name,
    subsystem: "test",
    file: "mm/test.c",
    vmOps: `${d.name}_vm_ops`,
    backing: d.backing,
    api: d.api,
    features: d.modes,
    ioctls: d.ioctls,
    ...(d.getFolio ? { getFolio: d.getFolio } : {}),
    ...(d.copy ? { copy: d.copy } : {}),
    ...(d.guard ? { guard: d.guard } : {}),
    ...(d.fault ? { fault: d.fault } : {}),
    ...(d.kernelKind ? { run: { kernelKind: d.kernelKind } } : {}),
  };
  const model = normalize(spec);
  const lowered = lower(model);
  const file = emitKernel(lowered).files[0]!;
  const c = declaredCOf(lowered);
  const compiled = compileEmittedC(file.contents, file.path, harnessNamesOf(d.api, c));
  return { compiled, raise: lowered.raise, ...(lowered.silent ? { silent: lowered.silent } : {}), c, source: file.contents };
}

/** The observations, one line per step, for readable assertions. */
export function lines(r: ScenarioResult): string[] {
  return r.steps.map((s) => `${s.op}: ${s.observed}`);
}

export function explain(r: ScenarioResult): string {
  return [`${r.scenario}: ${r.verdict} ${r.reason ?? ""}`, ...r.steps.map((s) => `  ${s.index} ${s.op}: ${s.observed}${s.ok ? "" : ` (expected ${s.expected})`}`), ...(r.findings ?? []).map((f) => `  finding@${f.step} ${f.rule ?? ""} ${f.message}`)].join("\n");
}

export const API: Step = { op: "api" };
