/**
 * The search: reduction is sound (the same quiescent states and the same
 * violations as enumerating every schedule) and it reduces; bounds say
 * "bounded"; every preemption point names its function and locks.
 */
import { describe, expect, it } from "vitest";
import { search } from "../../src/run/explore/search.js";
import { Execution } from "../../src/run/explore/execution.js";
import { programsForKind } from "../../src/plan/explore/programs.js";
import { planOf } from "./helpers.js";
import type { ConcurrentProgram } from "../../src/ir/program.js";
import type { Step } from "../../src/ir/scenario.js";

function compare(program: Parameters<typeof search>[0], opts: Parameters<typeof search>[1]) {
  const reduced = new Set<string>();
  const naive = new Set<string>();
  const a = search(program, opts, {}, true, (k) => reduced.add(k));
  const b = search(program, opts, {}, false, (k) => naive.add(k));
  return { a, b, reduced, naive };
}

describe("sleep sets and the state cache", () => {
  it("reach every quiescent state, every violation and every outcome that full enumeration reaches, with fewer schedules", async () => {
    const plan = await planOf("examples/gmem-missing-minor.uffd.ts");
    const kinds = [...programsForKind("shmem"), ...programsForKind("anon")].map((p) => [p, { kernel: "6.18" as const }] as const);
    const programs = [...plan.programs.map((p) => [p, plan.opts] as const), ...kinds];
    let saved = 0;
    for (const [p, opts] of programs) {
      const { a, b, reduced, naive } = compare(p, opts);
      expect(a.verdict, p.name).toBe("exhaustive");
      expect(b.verdict, p.name).toBe("exhaustive");
      expect([...reduced].sort(), p.name).toEqual([...naive].sort());
      expect(a.counterexamples.map((c) => c.violation.property).sort(), p.name).toEqual(b.counterexamples.map((c) => c.violation.property).sort());
      // What a merge of shards relies on too: the outcomes do not depend on which schedules were pruned.
      expect(a.outcomes, p.name).toEqual(b.outcomes);
      expect(a.stats.schedules, p.name).toBeLessThanOrEqual(b.stats.schedules);
      saved += b.stats.schedules - a.stats.schedules;
    }
    expect(saved).toBeGreaterThan(100);
  });

  it("says bounded, and why, when a bound stops the search", () => {
    const p = programsForKind("shmem").find((q) => q.name === "partial_fill")!;
    const r = search(p, { kernel: "6.18" }, { maxSchedules: 3 }, false);
    expect(r.verdict).toBe("bounded");
    expect(r.bound).toBe("3 schedules");
  });

  it("is deterministic: the same program explores to the same counts", async () => {
    const plan = await planOf("examples/gmem-v4-posted.uffd.ts");
    const p = plan.programs.find((q) => q.name === "fault_vs_conversion")!;
    const x = search(p, plan.opts);
    const y = search(p, plan.opts);
    expect({ ...x.stats, millis: 0 }).toEqual({ ...y.stats, millis: 0 });
    expect(x.counterexamples).toEqual(y.counterexamples);
  });
});

describe("preemption points", () => {
  it("name the kernel function and the locks held, and the fault path and the mfill path both have them", async () => {
    const plan = await planOf("examples/gmem.uffd.ts");
    const seen = new Set<string>();
    for (const p of plan.programs) {
      // Run each program's threads round-robin once, collecting the points they stop at.
      const e = new Execution(p, plan.opts);
      for (let k = 0; k < 60 && e.enabled().length; k++) e.step(e.enabled()[k % e.enabled().length]!);
      for (const t of e.trace) if (t.stop.includes(": ")) seen.add(t.stop.split(":")[0]!);
      for (const t of e.trace.filter((x) => x.holds)) expect(t.holds).toMatch(/mmap_lock\(read\)|filemap_invalidate_lock/);
    }
    expect([...seen]).toEqual(expect.arrayContaining(["__do_userfault", "__mfill_atomic_pte", "__do_fault"]));
  });

  it("an mmap_lock writer (UNREGISTER) does not run while a fill holds the lock for read between pages", () => {
    const program: ConcurrentProgram = {
      name: "unregister_between_pages",
      title: "a two-page fill paused between its pages, and an UNREGISTER",
      setup: { kind: "anon", pages: 2, map: "private" },
      prologue: [{ op: "api" }, { op: "register", page: 0, pages: 2, modes: ["missing"] }] as Step[],
      threads: [
        { name: "faulter", ops: [{ op: "access", page: 0, access: "read" }] },
        { name: "monitor", ops: [{ op: "serve", missing: "copy", span: 2 }] },
        { name: "unregisterer", ops: [{ op: "step", step: { op: "unregister", page: 0, pages: 2 } as Step }] },
      ],
    };
    const e = new Execution(program, { kernel: "6.18" });
    e.step(0); // the fault blocks in handle_userfault()
    e.step(1); // the monitor reads the event
    e.step(1); // the COPY of pages 0..1 fills page 0 and stops between the pages
    const paused = e.trace.at(-1)!;
    expect(paused.stop).toMatch(/^mfill_atomic: /);
    expect(paused.holds).toBe("mmap_lock(read)");
    expect(e.enabled()).not.toContain(2);
    e.step(1); // page 1 filled, the lock dropped
    expect(e.enabled()).toContain(2);
  });
});
