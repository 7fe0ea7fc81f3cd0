import { describe, expect, it } from "vitest";
import { bootSeries, describeBootRun, explainRefusal } from "../../src/series/boot.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { referenceSuite } from "../../src/plan/reference/index.js";
import { lacksByVersion } from "../../src/run/vm/index.js";
import type { VmRun } from "../../src/run/vm/index.js";
import type { Scenario } from "../../src/ir/scenario.js";

const why = "xram_uffd_ops: registration refused (EINVAL): this kernel's core does not call vm_uffd_ops";

function run(): VmRun {
  return {
    kernel: { spec: "series", label: "6.12 (series tree 6.12.118)", version: "6.12", release: "6.12.118", image: "/k" },
    accel: "tcg",
    accelWhy: "no usable /dev/kvm on the host",
    results: [
      {
        suite: "xram",
        runner: "kernel",
        results: [
          { scenario: "a", verdict: "lacks", steps: [], reason: why },
          { scenario: "b", verdict: "lacks", steps: [], reason: why },
          { scenario: "c", verdict: "pass", steps: [] },
        ],
      },
    ],
    facts: { insmodFailed: [], kvm: true },
    findings: [{ kind: "lockdep", line: "WARNING: possible circular locking dependency detected", excerpt: "" }],
    ms: 1000,
    bootMs: 9000,
    runDir: "/r",
  };
}

describe("series --boot report", () => {
  it("counts verdicts, gives each SKIP reason once with its count, and the console findings", () => {
    expect(describeBootRun(run())).toEqual([
      "boot: 6.12 (series tree 6.12.118) under TCG, guest 9.0 s",
      "  on the type itself: 3 selftests: 1 pass, 0 fail, 2 skipped, 0 errors",
      `  skipped (2): ${why}`,
      "  kernel finding (lockdep): WARNING: possible circular locking dependency detected",
    ]);
  });
});

describe("series --boot report with a stand-in", () => {
  it("counts the stand-in's passes apart: they are not tests of the type", () => {
    const lines = describeBootRun(run(), new Map([["c", "shmem, standing in for xram"]]));
    expect(lines.slice(0, 3)).toEqual([
      "boot: 6.12 (series tree 6.12.118) under TCG, guest 9.0 s",
      "  on the type itself: 2 selftests: 0 pass, 0 fail, 2 skipped, 0 errors",
      "  on shmem, standing in for xram (not a test of the type): 1 selftests: 1 pass, 0 fail, 0 skipped, 0 errors",
    ]);
  });
});

describe("a setup the kernel predates", () => {
  const sc = { name: "register_droppable_einval", setup: { kind: "anon", pages: 2, map: "private", next: { kind: "anon", pages: 1, droppable: true } } } as unknown as Scenario;
  const err = { scenario: sc.name, verdict: "error" as const, steps: [], reason: "setup failed: errno=EINVAL (mmap next)" };

  it("MAP_DROPPABLE refused by 6.1 is a lack with the version's reason", () => {
    const r = lacksByVersion(sc, err, "6.1");
    expect(r.verdict).toBe("lacks");
    expect(r.reason).toBe("needs MAP_DROPPABLE (Linux 6.11+): 6.1 answers errno=EINVAL (mmap next)");
  });

  it("the same failure on a kernel that has MAP_DROPPABLE stays an error", () => {
    expect(lacksByVersion(sc, err, "6.12").verdict).toBe("error");
  });
});

describe("series --boot without a built tree", () => {
  it("says it did not run and why, building nothing", async () => {
    const empty = mkdtempSync(join(tmpdir(), "uffdkit-boot-"));
    const b = await bootSeries({ tree: process.cwd(), buildDir: empty, typeFile: "drivers/char/xram.c", suite: referenceSuite("anon"), debug: false, say: () => {} });
    expect(b.ok).toBe(false);
    expect(b.build).toBeUndefined();
    expect(b.lines).toEqual([`boot: not run: ${join(empty, "src")} has no tree (series --build did not run or failed before checking out)`]);
  });
});


describe("a refused registration of the type, explained by the version", () => {
  const seen = "UFFDIO_REGISTER on xram (/dev/xram) returned EINVAL";
  it("on 6.12 (no vm_uffd_ops core) keeps the observation and says why", () => {
    const r = explainRefusal(seen, "6.12", "xram");
    expect(r.startsWith(`${seen}: 6.12's core has no vm_uffd_ops (its vma_can_userfault() takes anon, shmem and hugetlb VMAs only; vm_uffd_ops: Mike Rapoport`)).toBe(true);
    expect(r.endsWith("so the series' xram hooks are not called")).toBe(true);
  });
  it("on 7.1, where the core calls vm_uffd_ops, a refusal stays as the test said it", () => {
    expect(explainRefusal(seen, "7.1", "xram")).toBe(seen);
  });
  it("a stand-in's or another object's refusal is not the type's", () => {
    expect(explainRefusal("UFFDIO_REGISTER on shmem, standing in for xram returned EINVAL", "6.12", "xram")).toBe("UFFDIO_REGISTER on shmem, standing in for xram returned EINVAL");
  });
});
