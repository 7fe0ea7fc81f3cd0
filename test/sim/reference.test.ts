/**
 * The reference suites (src/plan/reference: what Linux 6.18 does, checked on
 * the real kernel) on the simulator: every scenario must pass, or be "lacks"
 * when it needs what the modelled kernel does not have.
 */
import { describe, expect, it } from "vitest";
import { referenceSuites } from "../../src/plan/reference/index.js";
import { simulateSuite } from "../../src/run/sim/index.js";
import { explain } from "./helpers.js";

describe("reference suites on the simulator", () => {
  const suites = referenceSuites();
  it("cover every reference kind", () => {
    expect(suites.map((s) => s.name).length).toBeGreaterThanOrEqual(5);
  });
  for (const suite of suites) {
    it(`${suite.name}: every scenario agrees with 6.18`, () => {
      const r = simulateSuite(suite, { kernel: "6.18" });
      const bad = r.results.filter((x) => x.verdict !== "pass" && x.verdict !== "lacks");
      expect(bad.map(explain)).toEqual([]);
      for (const x of r.results.filter((x) => x.verdict === "lacks")) expect(x.reason).toMatch(/lacks/);
    });
  }
  it("a scenario that needs the pending guest_memfd series passes on 7.1+gmem", () => {
    const gmem = suites.find((s) => s.scenarios.some((x) => x.setup.needs?.includes("gmem-uffd")));
    if (!gmem) return expect.fail("no reference scenario needs gmem-uffd");
    const pending = { ...gmem, scenarios: gmem.scenarios.filter((x) => x.setup.needs?.includes("gmem-uffd")) };
    const r = simulateSuite(pending, { kernel: "7.1+gmem" });
    expect(r.results.map(explain).filter((x) => !/: pass/.test(x))).toEqual([]);
  });
});
