import { describe, expect, it } from "vitest";
import type { SuiteResult } from "../../src/ir/result.js";
import { coverBlurb } from "../../src/series/cover.js";
import { standInKind, testingEvidence } from "../../src/series/evidence.js";
import { gmemModel } from "./fixture.js";

const passes = { results: [{ scenario: "a", verdict: "pass" }, { scenario: "b", verdict: "pass" }] } as unknown as SuiteResult;

describe("kernel runs on a stand-in kind are never cited as tests of the type", () => {
  it("a char driver whose selftests run on shmem: the cover letter says so and cites no passes", () => {
    const model = gmemModel({ name: "xram", file: "drivers/char/xram.c", vmOps: "xram_vm_ops", run: { kernelKind: "shmem" } });
    expect(standInKind(model)).toBe("shmem");
    const text = coverBlurb({ model, version: 1, baseSha: "a".repeat(40), baseName: "master", testing: testingEvidence({}, { result: passes, note: "" }, model), commitSubjects: [] });
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("the selftests ran on shmem, standing in for xram, which is not a test of xram");
    expect(flat).not.toMatch(/Real kernel: \d+ tests/);
  });

  it("guest_memfd's own tests on guest_memfd are the type's own: cited as they are", () => {
    const model = gmemModel();
    expect(standInKind(model)).toBeUndefined();
    const text = coverBlurb({ model, version: 1, baseSha: "a".repeat(40), baseName: "master", testing: testingEvidence({}, { result: passes, note: "" }, model), commitSubjects: [] });
    expect(text.replace(/\s+/g, " ")).toContain("Real kernel: 2 tests (2 passed, 0 failed)");
  });
});
