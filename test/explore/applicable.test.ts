/**
 * A program that needs an operation the type lacks is "not applicable", with
 * the reason, never a pass.
 */
import { describe, expect, it } from "vitest";
import type { ConcurrentProgram } from "../../src/ir/program.js";
import type { Step } from "../../src/ir/scenario.js";
import { exploreProgram, formatReport } from "../../src/run/explore/index.js";
import { programsForKind } from "../../src/plan/explore/programs.js";

const prologue: Step[] = [{ op: "api" }, { op: "register", page: 0, pages: 2, modes: ["missing"] }];
function racing(kind: "anon" | "shmem" | "shmem-anon", disturber: Step, serve: "copy" | "zeropage" = "copy"): ConcurrentProgram {
  return {
    name: `fill_vs_${disturber.op}`,
    title: "t",
    setup: { kind, pages: 2, map: kind === "anon" ? "private" : "shared" },
    prologue,
    threads: [
      { name: "faulter", ops: [{ op: "access", page: 1, access: "read" }] },
      { name: "disturber", ops: [{ op: "step", step: disturber }] },
      { name: "monitor", ops: [{ op: "serve", missing: serve }] },
    ],
  };
}

describe("programs the type cannot run", () => {
  it("truncate and fallocate on anonymous memory, MADV_REMOVE on a private mapping: not applicable, with the reason", () => {
    const cases: [ConcurrentProgram, RegExp][] = [
      [racing("anon", { op: "truncate", pages: 1 }), /ftruncate\(\) needs a file descriptor/],
      [racing("shmem-anon", { op: "truncate", pages: 1 }), /ftruncate\(\) needs a file descriptor/],
      [racing("anon", { op: "fallocate", mode: "punch", page: 0, pages: 1 }), /fallocate\(PUNCH_HOLE\) needs a file descriptor/],
      [racing("anon", { op: "madvise", advice: "remove", page: 0, pages: 1 }), /MADV_REMOVE needs a shared file mapping/],
    ];
    for (const [p, why] of cases) {
      const r = exploreProgram(p, { kernel: "6.18" });
      expect(r.verdict, p.name).toBe("not-applicable");
      expect(r.reason, p.name).toMatch(why);
      expect(r.stats.schedules).toBe(0);
      const text = formatReport("h", [r]);
      expect(text).toMatch(/not applicable: .* \(not explored, and not a pass\)/);
      expect(text).not.toMatch(/^  no violation/m);
      expect(text).toMatch(/1 program: 0 exhaustive, 1 not applicable/);
    }
  });

  it("an ioctl the registration does not advertise, and a conversion on memory that is not guest_memfd", () => {
    // hugetlb has no ZEROPAGE (no zero huge page): REGISTER does not advertise it.
    const hp = racing("shmem", { op: "fallocate", mode: "punch", page: 0, pages: 1 }, "zeropage");
    const huge: ConcurrentProgram = { ...hp, setup: { ...hp.setup, kind: "hugetlb", needs: ["hugetlb-pages"] } as ConcurrentProgram["setup"] };
    const r = exploreProgram(huge, { kernel: "6.18" });
    expect(r.verdict).toBe("not-applicable");
    expect(r.reason).toMatch(/UFFDIO_ZEROPAGE, which the type does not offer/);
    const conv: ConcurrentProgram = { ...racing("shmem", { op: "wake", page: 0, pages: 1 }), threads: [{ name: "c", ops: [{ op: "convert", page: 0, to: "private" }] }, { name: "monitor", ops: [{ op: "serve", missing: "copy" }] }] };
    expect(exploreProgram(conv, { kernel: "6.18" }).reason).toMatch(/conversion to private is guest_memfd's/);
  });

  it("every program the planner writes for the kernel's kinds is applicable to its kind", () => {
    for (const kind of ["anon", "shmem", "hugetlb"] as const) {
      for (const p of programsForKind(kind)) expect(exploreProgram(p, { kernel: "6.18" }, { maxSchedules: 1 }).verdict, `${kind} ${p.name}`).not.toBe("not-applicable");
    }
  });
});
