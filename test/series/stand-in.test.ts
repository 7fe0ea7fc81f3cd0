import { describe, expect, it } from "vitest";
import type { SuiteResult } from "../../src/ir/result.js";
import { coverBlurb } from "../../src/series/cover.js";
import { testingEvidence } from "../../src/series/evidence.js";
import { lower } from "../../src/lower/index.js";
import { buildChecklist } from "../../src/report/checklist/index.js";
import { planSuite } from "../../src/plan/planner/index.js";
import { gmemModel } from "./fixture.js";
import { lowerOf } from "../fixtures/lower.js";

const passes = { results: [{ scenario: "a", verdict: "pass" }, { scenario: "b", verdict: "pass" }] } as unknown as SuiteResult;

describe("kernel runs on a stand-in kind are never cited as tests of the type", () => {
  it("a char driver whose selftests run on shmem: the cover letter says so and cites no passes", () => {
    const model = gmemModel({ name: "xram", file: "drivers/char/xram.c", vmOps: "xram_vm_ops", run: { kernelKind: "shmem" } });
    expect(lower(model).standIn?.kind).toBe("shmem");
    const text = coverBlurb({ model, series: lowerOf(model).series, version: 1, baseSha: "a".repeat(40), baseName: "master", testing: testingEvidence({}, { result: passes, note: "" }, lower(model)), commitSubjects: [] });
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("the selftests ran on shmem, standing in for xram, which is not a test of xram");
    expect(flat).not.toMatch(/Real kernel: \d+ tests/);
  });

  it("guest_memfd's own tests on guest_memfd are the type's own: cited as they are", () => {
    const model = gmemModel();
    expect(lower(model).standIn?.kind).toBeUndefined();
    const text = coverBlurb({ model, series: lowerOf(model).series, version: 1, baseSha: "a".repeat(40), baseName: "master", testing: testingEvidence({}, { result: passes, note: "" }, lower(model)), commitSubjects: [] });
    expect(text.replace(/\s+/g, " ")).toContain("Real kernel: 2 tests (2 passed, 0 failed)");
  });

  it("simulator runs of the stand-in kind are named apart in the cover letter, never counted for the type", () => {
    const model = gmemModel({ name: "xram", file: "drivers/char/xram.c", vmOps: "xram_vm_ops", run: { kernelKind: "shmem" } });
    const sim = {
      suite: "xram",
      runner: "sim",
      results: [
        { scenario: "missing_read_copy", verdict: "pass", steps: [] },
        { scenario: "shmem_missing_read_copy", verdict: "pass", steps: [], ranOn: "shmem (simulated), standing in for xram" },
      ],
    } as unknown as SuiteResult;
    const text = coverBlurb({ model, series: lowerOf(model).series, version: 1, baseSha: "a".repeat(40), baseName: "master", testing: testingEvidence({ result: sim }, { note: "" }, lower(model)), commitSubjects: [] });
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("uffdkit reference simulator: 1 tests (1 passed, 0 failed), and 1 runs on shmem (simulated), standing in for xram, which are not tests of the type");
  });

  it("the checklist does not count a stand-in run as evidence about the type, and says how many there were", () => {
    const model = gmemModel({ name: "xram", file: "drivers/char/xram.c", vmOps: "xram_vm_ops", run: { kernelKind: "shmem" } });
    const suite = planSuite(lowerOf(model));
    const twins = suite.scenarios.filter((s) => s.standIn);
    expect(twins.length).toBeGreaterThan(5);
    const kernel = { suite: "xram", runner: "kernel", results: twins.map((s) => ({ scenario: s.name, verdict: "pass", steps: [], ranOn: "shmem, standing in for xram" })) } as unknown as SuiteResult;
    const c = buildChecklist(lower(model), { suite, kernel });
    expect(c.items.flatMap((i) => i.verifiedBy).filter((v) => v.by.startsWith("kernel:"))).toEqual([]);
    expect(c.markdown).toContain(`kernel: ${twins.length} scenarios (${twins.length} of them ran on shmem, standing in for xram: not counted as tests of xram)`);
  });
});
