/**
 * The kernel runner on a declared type with a stand-in kind (xram on shmem):
 * a declared scenario runs as the type's own variant and is skipped with the
 * selftest's reason (no device node here); its twin runs as the stand-in
 * variant of the same TEST_F and its result says it ran standing in; a
 * simulator-only scenario is not run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel } from "../../src/load/index.js";
import { planSuite } from "../../src/plan/planner/index.js";
import { runSuiteOnKernel } from "../../src/run/kernel/index.js";
import { formatTap } from "../../src/run/tap.js";
import { lowerOf } from "../fixtures/lower.js";

const ROOT = join(import.meta.dirname, "../..");
const workdir = mkdtempSync(join(tmpdir(), "uffdkit-kernel-standin-"));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

describe("kernel runner: the type's own object, its stand-in, simulator-only", () => {
  it("xram: own variant skipped with the reason, stand-in run says so, injection not run", async () => {
    const model = (await loadModel(join(ROOT, "examples/xram.uffd.ts"))).model!;
    const full = planSuite(lowerOf(model));
    const pick = ["missing_read_copy", "shmem_missing_read_copy", "register_missing", "shmem_register_missing", "inject_alloc_fails_enomem"];
    const suite = { ...full, scenarios: full.scenarios.filter((s) => pick.includes(s.name)) };
    expect(suite.scenarios.length).toBe(pick.length);
    const r = await runSuiteOnKernel(suite, { workdir });
    const by = new Map(r.results.map((x) => [x.scenario, x]));
    for (const own of ["missing_read_copy", "register_missing"]) {
      expect(by.get(own)?.verdict).toBe("lacks");
      expect(by.get(own)?.reason).toBe("access(/dev/xram) returned ENOENT");
      expect(by.get(own)?.ranOn).toBeUndefined();
    }
    for (const twin of ["shmem_missing_read_copy", "shmem_register_missing"]) {
      expect(by.get(twin)?.verdict, by.get(twin)?.reason).toBe("pass");
      expect(by.get(twin)?.ranOn).toBe("shmem, standing in for xram");
    }
    expect(by.get("inject_alloc_fails_enomem")?.verdict).toBe("lacks");
    expect(by.get("inject_alloc_fails_enomem")?.reason).toMatch(/^simulator-only: fault injection/);
    const tap = formatTap(r, suite);
    expect(tap).toMatch(/^ok \d+ shmem_missing_read_copy # ran on shmem, standing in for xram$/m);
    expect(tap).toMatch(/^ok \d+ missing_read_copy # SKIP access\(\/dev\/xram\) returned ENOENT$/m);
    expect(tap).toContain("# 2 of the passes ran on shmem, standing in for xram: not tests of the type");
  });
});
