/**
 * The disturbers: truncate, mremap, MADV_DONTNEED. A fill
 * racing ftruncate() must not leave a folio in the page cache beyond i_size,
 * a page mapped beyond it, or a fault beyond it trapped to the monitor
 * (property `eof`).
 */
import { describe, expect, it } from "vitest";
import { exploreProgram } from "../../src/run/explore/index.js";
import { checkState } from "../../src/run/explore/properties.js";
import { programsForKind } from "../../src/plan/explore/programs.js";
import { Simulation } from "../../src/run/sim/simulation.js";
import { filemap_add_folio } from "../../src/run/sim/uffd_ops.js";
import { planOf, programOf } from "./helpers.js";

const TRUNCATE = ["fill_vs_truncate", "copy_vs_truncate"];
const FIX = "test/fixtures/specs";

describe("the truncate disturber", () => {
  it("a page-cache type that checks i_size in ->fault and in alloc_folio explores clean, and a COPY beyond EOF is ENOMEM (7.1's alloc_folio)", async () => {
    const plan = await planOf(`${FIX}/pagecache-eof.uffd.ts`);
    for (const name of TRUNCATE) {
      const r = exploreProgram(programOf(plan, name), plan.opts);
      expect(r.verdict, name).toBe("exhaustive");
      expect(r.counterexamples.map((c) => c.violation.message), name).toEqual([]);
    }
    const r = exploreProgram(programOf(plan, "fill_vs_truncate"), plan.opts);
    expect(r.outcomes).toContain("COPY → ENOMEM (the page is beyond the end of the file: truncated meanwhile)");
  });

  it("a ->fault that raises MISSING before it checks i_size is found: the fault after truncation traps instead of SIGBUS", async () => {
    const plan = await planOf(`${FIX}/pagecache-no-eof-fault.uffd.ts`);
    const r = exploreProgram(programOf(plan, "fill_vs_truncate"), plan.opts);
    const cx = r.counterexamples.find((c) => c.violation.property === "eof");
    expect(cx, JSON.stringify(r.counterexamples.map((c) => c.violation))).toBeDefined();
    // The file shrinks before the fault reaches the type's ->fault, which raises without looking at i_size.
    expect(cx!.schedule.indexOf("truncator")).toBeLessThan(cx!.schedule.lastIndexOf("faulter"));
    expect(cx!.steps.at(-1)!.stop).toBe("blocked in handle_userfault()");
    expect(cx!.violation.message).toMatch(/raised a userfault instead of SIGBUS/);
  });

  it("an alloc_folio without the EOF check leaves nothing beyond EOF on 7.1: the install re-checks i_size (mfill_file_over_size) and COPY is EFAULT, never ENOMEM", async () => {
    const plan = await planOf(`${FIX}/pagecache-no-eof-alloc.uffd.ts`);
    for (const name of TRUNCATE) {
      const r = exploreProgram(programOf(plan, name), plan.opts);
      expect(r.counterexamples.map((c) => c.violation.message), name).toEqual([]);
      expect(r.outcomes.some((o) => o.includes("ENOMEM")), name).toBe(false);
    }
    const r = exploreProgram(programOf(plan, "fill_vs_truncate"), plan.opts);
    expect(r.outcomes).toContain("COPY → EFAULT (the page is beyond the end of the file: truncated meanwhile)");
  });

  it("on linux-7.1+gmem, core's __do_userfault() raises MISSING before any i_size check: xram's fault beyond EOF traps", async () => {
    const plan = await planOf("examples/xram.uffd.ts");
    const r = exploreProgram(programOf(plan, "fill_vs_truncate"), plan.opts);
    expect(r.counterexamples.map((c) => c.violation.property)).toContain("eof");
  });

  it("shmem on 6.18 explores clean under truncation; guest_memfd-based and anonymous types get no truncate program", async () => {
    const shmem = programsForKind("shmem").filter((p) => TRUNCATE.includes(p.name));
    expect(shmem.map((p) => p.name)).toEqual(TRUNCATE);
    for (const p of shmem) expect(exploreProgram(p, { kernel: "6.18" }).counterexamples, p.name).toEqual([]);
    expect(programsForKind("anon").some((p) => TRUNCATE.includes(p.name))).toBe(false);
    const gmem = await planOf("examples/gmem.uffd.ts");
    expect(gmem.programs.some((p) => TRUNCATE.includes(p.name))).toBe(false);
  });
});

describe("the eof property", () => {
  it("flags a folio left in the page cache beyond i_size and a page mapped beyond it", () => {
    const sim = new Simulation({ name: "t", title: "t", source: [], setup: { kind: "shmem", pages: 2, map: "shared" }, steps: [] }, { kernel: "6.18" });
    const file = sim.primary.file!;
    expect(checkState(sim)).toEqual([]);
    const f = sim.machine.folios.alloc();
    sim.machine.folios.markUptodate(f);
    filemap_add_folio(sim.machine, file, f, 1);
    file.size = 1;
    expect(checkState(sim).map((v) => v.property)).toEqual(["eof"]);
    // fallocate(KEEP_SIZE) may cache folios beyond i_size: then only mappings are held to it.
    expect(checkState(sim, true)).toEqual([]);
    sim.primary.pte[1] = 1;
    sim.primary.pteFolio[1] = f;
    expect(checkState(sim, true).map((v) => v.message)).toEqual([expect.stringMatching(/page 1 is mapped beyond the end of the file/)]);
  });
});

describe("the other disturbers", () => {
  it("mremap() of the registered range while a fault waits: the monitor's REMAP bookkeeping resolves at the new address and wakes the old one; nobody is lost", () => {
    for (const kind of ["anon", "shmem"] as const) {
      const p = programsForKind(kind).find((q) => q.name === "fill_vs_mremap")!;
      const r = exploreProgram(p, { kernel: "6.18" });
      expect(r.verdict, kind).toBe("exhaustive");
      expect(r.counterexamples, kind).toEqual([]);
      expect(r.outcomes, kind).toContain("COPY after REMAP: resolved at the new address, the faulter woken at the old one");
      expect(r.outcomes, kind).toContain("COPY → EAGAIN (mmap_changing: a non-cooperative event is pending)");
    }
  });

  it("MADV_DONTNEED on anonymous memory without EVENT_REMOVE: a dropped page faults MISSING again and reads what the monitor supplies", () => {
    const p = programsForKind("anon").find((q) => q.name === "fill_vs_dontneed")!;
    const r = exploreProgram(p, { kernel: "6.18" });
    expect(r.verdict).toBe("exhaustive");
    expect(r.counterexamples).toEqual([]);
    expect(programsForKind("shmem").some((q) => q.name === "fill_vs_dontneed")).toBe(false);
  });
});
