/**
 * Bounds the user sets: --threads, --ops and --pages grow
 * the programs; unset, the programs are the planner's own.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { boundProgram, describeBounds, OWN_BOUNDS } from "../../src/plan/explore/bounds.js";
import { programsForKind } from "../../src/plan/explore/programs.js";
import { exploreProgram, formatReport } from "../../src/run/explore/index.js";
import { planOf, programOf } from "./helpers.js";

const shmem = (name: string) => programsForKind("shmem").find((p) => p.name === name)!;

describe("boundProgram", () => {
  it("leaves a program as it is when no bound is set, or when a bound is below its own shape", () => {
    const p = shmem("two_faults_one_page");
    expect(boundProgram(p, {})).toBe(p);
    expect(boundProgram(p, { threads: 2, ops: 1, pages: 2 })).toBe(p);
    expect(describeBounds({})).toBe(OWN_BOUNDS);
  });

  it("--pages: the mapping and every whole-mapping range grow; other ranges and a truncation stay", () => {
    const p = boundProgram(shmem("fill_vs_truncate"), { pages: 4 });
    expect(p.name).toBe("fill_vs_truncate.p4");
    expect(p.setup.pages).toBe(4);
    expect(p.prologue.find((s) => s.op === "register")).toMatchObject({ page: 0, pages: 4 });
    const truncator = p.threads.find((t) => t.name === "truncator")!;
    expect(truncator.ops.map((o) => (o.op === "step" && o.step.op === "truncate" ? o.step.pages : -1))).toEqual([1, 4]);
    expect(p.threads.find((t) => t.name === "faulter")!.ops).toEqual([{ op: "access", page: 1, access: "read" }]);
  });

  it("--ops: a worker repeats its operations on the next pages; the monitor's serve loop stays one op", () => {
    const p = boundProgram(shmem("partial_fill"), { ops: 3, pages: 3 });
    expect(p.threads.find((t) => t.name === "first")!.ops.map((o) => (o.op === "access" ? o.page : -1))).toEqual([0, 1, 2]);
    expect(p.threads.find((t) => t.name === "monitor")!.ops).toHaveLength(1);
  });

  it("--threads: copies of the first worker, each on the next page, under new names", () => {
    const p = boundProgram(shmem("fill_vs_unregister"), { threads: 5 });
    expect(p.threads.map((t) => t.name)).toEqual(["faulter", "unregisterer", "monitor", "faulter2", "faulter3"]);
    expect(p.threads.at(-1)!.ops).toEqual([{ op: "access", page: 0, access: "read" }]);
    expect(p.threads.at(-2)!.ops).toEqual([{ op: "access", page: 1, access: "read" }]);
  });

  it("a grown program still finds the seed race, and explores more than the program's own", async () => {
    const plan = await planOf("examples/gmem-v4-posted.uffd.ts");
    const own = programOf(plan, "fault_vs_conversion");
    const small = exploreProgram(own, plan.opts);
    const big = exploreProgram(boundProgram(own, { threads: 4 }), plan.opts);
    expect(big.verdict).toBe("exhaustive");
    expect(big.counterexamples.map((c) => c.violation.property)).toContain("private");
    expect(big.stats.states).toBeGreaterThan(small.stats.states);
  });

  it("the report says exhaustive or bounded per program, and sums them up", () => {
    const p = shmem("partial_fill");
    const a = exploreProgram(p, { kernel: "6.18" });
    const b = exploreProgram(p, { kernel: "6.18" }, { maxSchedules: 2 });
    const text = formatReport("h", [a, b]);
    expect(text).toMatch(/  exhaustive: \d+ schedules/);
    expect(text).toMatch(/  bounded \(stopped at 2 schedules\)/);
    expect(text).toMatch(/2 programs: 1 exhaustive, 1 bounded \(a bound cut the search: not every state was visited\); \d+ schedules/);
  });
});

describe("uffdkit explore --threads/--ops/--pages (built CLI)", () => {
  const root = new URL("../../", import.meta.url).pathname;
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), ...args], { encoding: "utf8", cwd: root });

  it("states the bounds in the header and refuses values out of range", () => {
    const r = cli("explore", "--kind", "anon", "--pages", "3", "--workers", "1", "-o", "/tmp/uffdkit-bounds-test");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/programs: at least the program's own threads, the program's own operations a worker thread, 3 pages/);
    expect(r.stdout).toMatch(/program two_faults_one_page\.p3:/);
    const bad = cli("explore", "--kind", "anon", "--threads", "1");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--threads takes an integer from 2 to 8/);
  });
});
