/** The planner on the example specs in examples/ (loaded as `uffdkit` loads them). */
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isCIdentifier } from "../../src/kernel/cident.js";
import { loadModel } from "../../src/load/index.js";
import type { Model } from "../../src/model/model.js";
import { planSuite } from "../../src/plan/planner/index.js";
import { ioctlOk, registersOk, structuralProblems } from "./walk.js";
import { lowerOf } from "../fixtures/lower.js";

const files = existsSync("examples") ? readdirSync("examples").filter((f) => f.endsWith(".uffd.ts")).sort() : [];
if (!files.length) console.warn("test/plan/examples-plan: skipped: no examples/*.uffd.ts yet");
const models: [string, Model][] = [];
for (const f of files) {
  const r = await loadModel(`examples/${f}`);
  if (r.model) models.push([f, r.model]);
}

describe.skipIf(!models.length)("planSuite on examples/", () => {
  it("loads every example", () => {
    expect(models.map(([f]) => f)).toEqual(files);
  });

  it.each(models)("%s: every declared mode registers and every declared ioctl succeeds somewhere", (_f, model) => {
    const declared = planSuite(lowerOf(model)).scenarios.filter((s) => s.setup.kind === "declared");
    for (const m of model.modes) expect(registersOk(declared, m).length, m).toBeGreaterThan(0);
    for (const i of model.ioctls) {
      if (i === "zeropage" && model.backing === "hugetlb") continue;
      expect(ioctlOk(declared, i).length, i).toBeGreaterThan(0);
    }
  });

  it.each(models)("%s: unique C-identifier names, sound structure, deterministic", (_f, model) => {
    const suite = planSuite(lowerOf(model));
    const names = suite.scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(isCIdentifier(n), n).toBe(true);
    for (const s of suite.scenarios) expect(structuralProblems(s)).toEqual([]);
    expect(JSON.stringify(planSuite(lowerOf(model)))).toBe(JSON.stringify(suite));
  });
});
