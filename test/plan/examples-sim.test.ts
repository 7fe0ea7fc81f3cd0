/**
 * The planned suites of the example specs, run on the reference simulator: the
 * default example passes, and each flawed example has a failing scenario at the
 * step where its flaw shows.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planSuite } from "../../src/plan/planner/index.js";
import type { ScenarioResult, SuiteResult } from "../../src/ir/result.js";
import { simKernelFor } from "../../src/run/sim-kernel.js";
import { isCIdentifier } from "../../src/kernel/cident.js";

const simPresent = existsSync("src/run/sim/index.ts");
const EXAMPLES = ["gmem", "shmem", "hugetlbfs", "gmem-write-continue", "gmem-minor", "gmem-missing-minor", "gmem-v4-posted"];
const missing = EXAMPLES.filter((e) => !existsSync(`examples/${e}.uffd.ts`));
const why = !simPresent ? "src/run/sim is absent" : missing.length ? `examples missing: ${missing.join(", ")}` : "";
if (why) console.warn(`test/plan/examples-sim: skipped: ${why}`);

async function run(example: string): Promise<{ suite: ReturnType<typeof planSuite>; result: SuiteResult }> {
  // The session every command uses: the suite runs the type's emitted C.
  const { open } = await import("../../src/session/index.js");
  const session = await open(`examples/${example}.uffd.ts`);
  expect(session.loadFailed).toBe(false);
  const g = session.generation();
  return { suite: g.suite, result: g.simulation.result };
}
const failing = (r: SuiteResult) => r.results.filter((x) => x.verdict !== "pass");
const byName = (r: SuiteResult, name: string): ScenarioResult => r.results.find((x) => x.scenario === name)!;

describe.skipIf(Boolean(why))(`examples on the simulator${why ? ` (skipped: ${why})` : ""}`, () => {
  it.each(["gmem", "shmem", "hugetlbfs", "gmem-write-continue"])("%s: every planned scenario passes", async (example) => {
    const { suite, result } = await run(example);
    expect(suite.scenarios.length).toBeGreaterThan(30);
    for (const s of suite.scenarios) expect(isCIdentifier(s.name)).toBe(true);
    expect(failing(result).map((r) => `${r.scenario}: ${r.reason}`)).toEqual([]);
  });

  it("gmem-minor: get_folio that allocates turns CONTINUE-without-folio into a mapping (not EFAULT)", async () => {
    const { result } = await run("gmem-minor");
    const r = byName(result, "minor_continue_without_folio_efault");
    expect(r.verdict).toBe("fail");
    expect(r.steps.find((s) => !s.ok)?.op).toBe("continue");
    expect(r.findings?.some((f) => /must never allocate/.test(f.message))).toBe(true);
  });

  it("gmem-missing-minor: a folio that is not up to date is raised MINOR and CONTINUE maps it stale (R40, from the executed C)", async () => {
    const { result } = await run("gmem-missing-minor");
    const r = byName(result, "fallocated_page_fault_resolvable");
    expect(r.verdict).toBe("fail");
    const bad = r.steps.find((s) => !s.ok)!;
    expect(bad.op).toBe("wait");
    expect(bad.observed).toBe("done value=0xee");
    expect(r.findings?.some((f) => f.rule === "R40" && /raised MINOR for page 0, whose folio is not up to date/.test(f.message))).toBe(true);
  });

  it("gmem-v4-posted: a guard checked only at registration serves a page made private later (R39)", async () => {
    const { result } = await run("gmem-v4-posted");
    const r = byName(result, "gmem_private_after_register_not_served");
    expect(r.verdict).toBe("fail");
    const bad = r.steps.find((s) => !s.ok)!;
    expect(bad.op).toBe("copy");
    expect(bad.observed).toMatch(/^ok /);
    // The default example, with the guard at fault time, refuses the same page.
    const { result: good } = await run("gmem");
    expect(byName(good, "gmem_private_after_register_not_served").verdict).toBe("pass");
  });
});
