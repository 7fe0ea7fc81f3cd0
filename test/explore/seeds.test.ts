/**
 * The seed races are found by exploration alone. The search
 * consults no rule: planExploration() passes the emission gate only, and the
 * properties are the explorer's own (src/run/explore/properties.ts).
 */
import { describe, expect, it } from "vitest";
import { exploreProgram } from "../../src/run/explore/index.js";
import { programsForKind } from "../../src/plan/explore/programs.js";
import { planOf, programOf } from "./helpers.js";

describe("seed races, found with the rules off", () => {
  it("Sean's TOCTOU in gmem-v4-posted: a page converted to private after REGISTER is filled and mapped", async () => {
    const plan = await planOf("examples/gmem-v4-posted.uffd.ts");
    for (const name of ["fill_vs_conversion", "fault_vs_conversion"]) {
      const r = exploreProgram(programOf(plan, name), plan.opts);
      expect(r.verdict).toBe("exhaustive");
      const cx = r.counterexamples.find((c) => c.violation.property === "private");
      expect(cx, name).toBeDefined();
      // The counterexample is a schedule in which the conversion comes between the check and the use.
      expect(cx!.schedule).toContain("converter");
      expect(cx!.steps.at(-1)!.change).toMatch(/PTE present.*private/);
    }
  });

  it("Peter's not-up-to-date folio in gmem-missing-minor: a fault after fallocate() maps a folio nobody wrote", async () => {
    const plan = await planOf("examples/gmem-missing-minor.uffd.ts");
    const r = exploreProgram(programOf(plan, "fault_vs_allocation"), plan.opts);
    expect(r.verdict).toBe("exhaustive");
    const cx = r.counterexamples.find((c) => c.violation.property === "uptodate");
    expect(cx).toBeDefined();
    expect(cx!.schedule.indexOf("allocator")).toBeLessThan(cx!.schedule.lastIndexOf("monitor"));
  });

  it("gmem.uffd.ts without guard.recheck: the window left between alloc_folio's shared-ness check and filemap_add is reported", async () => {
    const plan = await planOf("test/fixtures/specs/gmem-open-window.uffd.ts");
    const r = exploreProgram(programOf(plan, "fill_vs_conversion"), plan.opts);
    const cx = r.counterexamples.find((c) => c.violation.property === "private");
    expect(cx).toBeDefined();
    // The conversion runs while the COPY is paused between ->alloc_folio() and ->filemap_add().
    const k = cx!.schedule.indexOf("converter");
    expect(cx!.steps[k - 1]!.stop).toMatch(/after ->alloc_folio\(\).*before ->filemap_add\(\)/);
  });

  it("a type with the shared-ness check at fault time and no conversion race keeps every other property", async () => {
    const plan = await planOf("examples/gmem.uffd.ts");
    for (const p of plan.programs.filter((q) => !q.name.includes("conversion"))) {
      const r = exploreProgram(p, plan.opts);
      expect(r.counterexamples.map((c) => c.violation.message), p.name).toEqual([]);
      expect(r.verdict, p.name).toBe("exhaustive");
    }
  });
});

describe("user-reported races on the kernel's own kinds", () => {
  for (const kind of ["anon", "shmem"] as const) {
    it(`${kind}: COPY returns EAGAIN while a REMOVE event is pending, and the monitor's retry after reading it succeeds`, () => {
      const p = programsForKind(kind).find((q) => q.name === "fill_vs_remove")!;
      const r = exploreProgram(p, { kernel: "6.18" });
      expect(r.outcomes).toContain("COPY → EAGAIN (mmap_changing: a non-cooperative event is pending)");
      expect(r.counterexamples).toEqual([]);
    });
    it(`${kind}: a two-page COPY after another fault filled page 1 is EAGAIN with one page done, then EEXIST`, () => {
      const p = programsForKind(kind).find((q) => q.name === "partial_fill")!;
      const r = exploreProgram(p, { kernel: "6.18" });
      expect(r.outcomes).toEqual(expect.arrayContaining(["COPY → EAGAIN after a partial fill (1 of 2 pages)", "COPY → EEXIST (the page was filled meanwhile)"]));
      expect(r.counterexamples).toEqual([]);
    });
  }
});
