/**
 * The example specs end to end: load → plan → simulate on the kernel the
 * spec's API generation runs on. A correct spec's suite passes on the
 * simulator; a spec modelled on a posted series with known flaws fails, and
 * every failure comes with a finding or a failed expectation naming it.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { explain } from "./helpers.js";

const root = new URL("../../", import.meta.url).pathname;
const have = (f: string) => existsSync(`${root}examples/${f}`);

async function simulateExample(file: string) {
  const { loadModel } = await import("../../src/load/index.js");
  const { planSuite } = await import("../../src/plan/planner/index.js");
  const { simulateSuite } = await import("../../src/run/sim/index.js");
  const { simKernelFor } = await import("../../src/run/sim-kernel.js");
  const r = await loadModel(`${root}examples/${file}`);
  if (!r.model) throw new Error(`${file}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  const { openValue } = await import("../../src/session/index.js");
  void planSuite;
  void simulateSuite;
  void simKernelFor;
  return openValue(r.model).generation().simulation.result;
}

describe("example specs on the simulator", () => {
  for (const f of ["gmem.uffd.ts", "shmem.uffd.ts", "hugetlbfs.uffd.ts", "gmem-write-continue.uffd.ts"]) {
    it.skipIf(!have(f))(`${f}: every planned scenario passes${have(f) ? "" : " (skipped: example missing)"}`, async () => {
      const res = await simulateExample(f);
      expect(res.results.length).toBeGreaterThan(10);
      expect(res.results.filter((x) => x.verdict !== "pass").map(explain)).toEqual([]);
    }, 60_000);
  }
  it.skipIf(!have("gmem-missing-minor.uffd.ts"))("gmem-missing-minor.uffd.ts (flawed): the flaws show as failures with R39/R40/R43 findings from the executed C", async () => {
    const res = await simulateExample("gmem-missing-minor.uffd.ts");
    const failed = res.results.filter((x) => x.verdict === "fail");
    expect(failed.length).toBeGreaterThan(0);
    const rules = new Set(failed.flatMap((x) => (x.findings ?? []).map((f) => f.rule)));
    // Each flaw is caught where the emitted C commits it.
    expect(rules.has("R39")).toBe(true);
    expect(rules.has("R40")).toBe(true);
    expect(rules.has("R43")).toBe(true);
  }, 60_000);
});
