/**
 * The window between alloc_folio's shared-ness check and
 * filemap_add is closed by guard.recheck (the re-check under the invalidate
 * lock), and only by it: gmem.uffd.ts explores clean, the posted v4 and the
 * spec without the re-check still show the race with its schedule, and the
 * re-check taken in the wrong order is caught on the executed C.
 */
import { describe, expect, it } from "vitest";
import { exploreProgram } from "../../src/run/explore/index.js";
import { planOf, programOf } from "./helpers.js";

const CONVERSION = ["fill_vs_conversion", "fault_vs_conversion"];

describe("closing the alloc_folio → filemap_add window", () => {
  it("gmem.uffd.ts (guard.recheck): both conversion programs explore exhaustively with no violation, and COPY meets EACCES", async () => {
    const plan = await planOf("examples/gmem.uffd.ts");
    const outcomes = new Set<string>();
    for (const name of CONVERSION) {
      const r = exploreProgram(programOf(plan, name), plan.opts);
      expect(r.verdict, name).toBe("exhaustive");
      expect(r.counterexamples.map((c) => c.violation.message), name).toEqual([]);
      for (const o of r.outcomes) outcomes.add(o);
    }
    // The refusal is reached, not avoided: some schedule converts the page before the add.
    expect([...outcomes].some((o) => /^COPY → EACCES/.test(o))).toBe(true);
    expect([...outcomes].some((o) => /ENOMEM/.test(o))).toBe(false);
  });

  it("every other program of gmem.uffd.ts stays clean too", async () => {
    const plan = await planOf("examples/gmem.uffd.ts");
    for (const p of plan.programs) {
      const r = exploreProgram(p, plan.opts);
      expect(r.counterexamples.map((c) => c.violation.message), p.name).toEqual([]);
    }
  });

  it("the posted v4 still maps a private page, with the schedule: the conversion runs between the check and the use", async () => {
    const plan = await planOf("examples/gmem-v4-posted.uffd.ts");
    const r = exploreProgram(programOf(plan, "fill_vs_conversion"), plan.opts);
    const cx = r.counterexamples.find((c) => c.violation.property === "private");
    expect(cx).toBeDefined();
    expect(cx!.schedule).toEqual(["monitor", "converter", "monitor"]);
    expect(cx!.steps.at(-1)!.change).toMatch(/PTE present.*private/);
  });

  it("without the re-check, COPY refused by alloc_folio says ENOMEM, which the monitor cannot act on (errno property)", async () => {
    const plan = await planOf("test/fixtures/specs/gmem-open-window.uffd.ts");
    const r = exploreProgram(programOf(plan, "fault_vs_conversion"), plan.opts);
    const errno = r.counterexamples.find((c) => c.violation.property === "errno");
    expect(errno?.violation.message).toMatch(/ENOMEM/);
  });

  it("the re-check in the wrong order (add, then lock) breaks the lock order on the executed C", async () => {
    const plan = await planOf("test/fixtures/specs/gmem-recheck-inverted.uffd.ts");
    const r = exploreProgram(programOf(plan, "fill_vs_conversion"), plan.opts);
    const cx = r.counterexamples.find((c) => c.violation.property === "contract");
    expect(cx?.violation.message).toMatch(/filemap_invalidate_lock_shared\(\) with the folio at page 0 locked and in the page cache/);
  });
});
