/**
 * The Scenario IR's setup.declared is a contract between the planner (which
 * fills it from Lowered) and the simulator and scenario files (which read it
 * without lowering again): the decided values must be in it, and the published
 * schema must insist on them.
 */
import { describe, expect, it } from "vitest";
import type { Scenario } from "../../src/ir/scenario.js";
import { lower } from "../../src/lower/index.js";
import { normalize } from "../../src/model/normalize.js";
import { declaredTypeOf } from "../../src/plan/planner/declared.js";
import { validateScenario } from "../../src/run/sim/validate.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";

function scenarioOf(declared: unknown): Scenario {
  return { name: "s", title: "t", setup: { kind: "declared", pages: 2, map: "shared", declared }, steps: [{ op: "api" }] } as unknown as Scenario;
}

describe("setup.declared carries lowering's decisions", () => {
  it("a declared type from Lowered is a valid scenario setup, raise included", () => {
    const model = normalize(GMEM_SPEC);
    const d = declaredTypeOf(model, lower(model));
    expect(d.raise).toBe("core");
    expect(validateScenario(JSON.parse(JSON.stringify(scenarioOf(d))))).toEqual([]);
  });

  it("says why nothing is raised when nothing is, and the schema accepts it", () => {
    const model = normalize({ ...GMEM_SPEC, api: "linux-7.1" });
    const d = declaredTypeOf(model, lower(model));
    expect(d).toMatchObject({ raise: "none", silent: "core-without-do-userfault" });
    expect(validateScenario(JSON.parse(JSON.stringify(scenarioOf(d))))).toEqual([]);
  });

  it("the schema refuses a declared type without raise: no reader may default it", () => {
    const model = normalize(GMEM_SPEC);
    const { raise: _r, ...noRaise } = declaredTypeOf(model, lower(model));
    expect(validateScenario(JSON.parse(JSON.stringify(scenarioOf(noRaise)))).map((e) => e.message).join(" ")).toMatch(/raise/);
  });
});
