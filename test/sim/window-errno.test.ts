/**
 * A COPY refused because the page is no longer shared says
 * EACCES, not ENOMEM, and everything agrees on it: the emitted filemap_add
 * returns it, the simulator running that C reports it, the planned scenarios
 * and the emitted selftests expect it, and a fault on the private page is
 * SIGBUS with no event (__do_userfault() lets the refusal fall through).
 * Without guard.recheck the same scenarios expect what that C does: ENOMEM.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { open } from "../../src/session/index.js";
import type { Scenario } from "../../src/ir/scenario.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function run(spec: string) {
  const g = (await open(join(ROOT, spec))).generation();
  const sim = g.simulation;
  return { g, run: { kernel: g.kernel, suite: g.suite, simulation: sim.result, contractFindings: sim.contractFindings } };
}

const PRIVATE = ["gmem_private_after_register_not_served", "gmem_not_shared_register"];
const copyExpect = (s: Scenario) => s.steps.filter((x) => x.op === "copy").map((x) => (x as { expect: { result: string } }).expect.result);
const touchExpect = (s: Scenario) => s.steps.filter((x) => x.op === "touch").map((x) => (x as { expect: { outcome: string } }).expect.outcome);

describe("the errno of a COPY refused for a private page", () => {
  it("gmem.uffd.ts: EACCES in the emitted C, the planned scenarios, the simulator and the selftests; the fault is SIGBUS", async () => {
    const { g, run: r } = await run("examples/gmem.uffd.ts");
    expect(r.kernel.files[0]!.contents).toMatch(/err = -EACCES;/);
    for (const name of PRIVATE) {
      const s = r.suite.scenarios.find((x) => x.name === name)!;
      expect(copyExpect(s), name).toEqual(["EACCES"]);
      expect(touchExpect(s), name).toEqual(["sigbus"]);
      const res = r.simulation.results.find((x) => x.scenario === name)!;
      expect(res.verdict, `${name}: ${res.reason ?? ""}`).toBe("pass");
    }
    // The selftest of the scenario a kernel can run (a guest_memfd without INIT_SHARED) expects the same.
    const c = g.selftests.find((f) => f.path.endsWith("_test.c"))!.contents;
    const test = c.slice(c.indexOf("TEST_F(kvm_gmem, gmem_not_shared_register)"));
    const body = test.slice(0, test.indexOf("\n}\n"));
    expect(body).toMatch(/EXPECT_EQ\(UK_SIGBUS, o\);/);
    expect(body).toMatch(/EXPECT_EQ\(-EACCES, ret\);/);
    expect(body).not.toMatch(/ENOMEM/);
    expect(r.contractFindings).toEqual([]);
  });

  it("without guard.recheck, alloc_folio's NULL says ENOMEM, and the scenarios expect exactly that", async () => {
    const { run: r } = await run("test/fixtures/specs/gmem-open-window.uffd.ts");
    for (const name of PRIVATE) {
      const s = r.suite.scenarios.find((x) => x.name === name)!;
      expect(copyExpect(s), name).toEqual(["ENOMEM"]);
      expect(r.simulation.results.find((x) => x.scenario === name)!.verdict, name).toBe("pass");
    }
  });

  it("the contract model holds the emitted C to the lock order: the inverted re-check is an R58 finding at its C line", async () => {
    const { run: r } = await run("test/fixtures/specs/gmem-recheck-inverted.uffd.ts");
    expect(r.contractFindings.some((f) => /kvm_gmem_uffd_filemap_add\(\): filemap_invalidate_lock_shared\(\) with the folio at page \d+ locked and in the page cache/.test(f))).toBe(true);
  });
});
