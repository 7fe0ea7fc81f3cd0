/**
 * Sharding: `--shard i/n` explores a share of every program's schedule
 * prefixes; `--merge` of all shards equals the unsharded run in violations,
 * shortest counterexamples, outcomes and verdict. The counts are work: the
 * unsharded run shares one state cache across the whole tree (full
 * reduction), a shard cannot, and the merge sums the shards' work (states as
 * the union of their state keys).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exploreProgram, type ProgramReport } from "../../src/run/explore/index.js";
import { mergeShards, shardReportOf, type ShardReport } from "../../src/run/explore/merge.js";
import { programsForKind } from "../../src/plan/explore/programs.js";
import { boundProgram } from "../../src/plan/explore/bounds.js";
import type { ConcurrentProgram } from "../../src/ir/program.js";
import type { ExecutionOptions } from "../../src/run/explore/execution.js";
import { planOf, programOf } from "./helpers.js";

/** What a merge must reproduce exactly: everything but the counts (work) and the shard bookkeeping. */
function equalPart(r: ProgramReport) {
  const { stats: _stats, shard, ...rest } = r;
  return { ...rest, depth: shard.depth };
}

function shardFiles(p: ConcurrentProgram, opts: ExecutionOptions, n: number): ShardReport[] {
  return Array.from({ length: n }, (_, index) => ({
    uffdkit: "explore-shard" as const,
    version: 1 as const,
    target: "t",
    kernel: opts.kernel,
    bounds: "b",
    shard: { index, count: n },
    reports: [exploreProgram(p, opts, {}, true, { index, count: n })],
    programs: [p],
  }));
}

function expectMergeEqualsUnsharded(p: ConcurrentProgram, opts: ExecutionOptions, n: number): ProgramReport {
  const whole = exploreProgram(p, opts);
  const files = shardFiles(p, opts, n);
  // The shards split the subtrees: each explores its own, none twice.
  expect(files.reduce((k, f) => k + f.reports[0]!.shard.explored, 0), `${p.name} ${n}`).toBe(files[0]!.reports[0]!.shard.subtrees);
  const merged = mergeShards(files);
  if ("error" in merged) throw new Error(merged.error);
  const m = merged.reports[0]!;
  expect(equalPart(m), `${p.name} in ${n} shards`).toEqual(equalPart(whole));
  // Work: the shards together do at least what the single run does, and the report says whose work it is.
  expect(m.shard.merged).toBe(n);
  expect(m.stats.schedules).toBeGreaterThanOrEqual(whole.stats.schedules);
  expect(m.stats.transitions).toBeGreaterThanOrEqual(whole.stats.transitions);
  // States: distinct keys across the shards, counted once however many shards saw them.
  const union = new Set(files.flatMap((f) => f.reports[0]!.shard.keys ?? []));
  expect(m.stats.states).toBe(union.size);
  expect(m.stats.states).toBeLessThanOrEqual(files.reduce((k, f) => k + f.reports[0]!.stats.states, 0));
  return whole;
}

describe("merged shards equal the unsharded run", () => {
  it("on programs with violations (gmem-v4-posted's conversion races), in 2, 3 and 7 shards", async () => {
    const plan = await planOf("examples/gmem-v4-posted.uffd.ts");
    for (const name of ["fill_vs_conversion", "fault_vs_conversion"]) {
      for (const n of [2, 3, 7]) {
        const whole = expectMergeEqualsUnsharded(programOf(plan, name), plan.opts, n);
        expect(whole.counterexamples.map((c) => c.violation.property)).toContain("private");
      }
    }
  });

  it("on every program of the shmem kind, and on a program grown to 4 threads and 3 pages", () => {
    for (const p of programsForKind("shmem")) expectMergeEqualsUnsharded(p, { kernel: "6.18" }, 3);
    const grown = boundProgram(programsForKind("shmem").find((q) => q.name === "fill_vs_unregister")!, { threads: 4, pages: 3 });
    const whole = expectMergeEqualsUnsharded(grown, { kernel: "6.18" }, 4);
    expect(shardFiles(grown, { kernel: "6.18" }, 4)[0]!.reports[0]!.shard.subtrees).toBeGreaterThan(4);
  });

  it("the unsharded run keeps the full reduction: one state cache for the whole tree (gmem's fault_vs_conversion: fewer schedules than its shards together)", async () => {
    const plan = await planOf("examples/gmem.uffd.ts");
    const p = programOf(plan, "fault_vs_conversion");
    const whole = exploreProgram(p, plan.opts);
    expect(whole.verdict).toBe("exhaustive");
    // In shards each subtree starts from an empty cache: more work, the same distinct states.
    const merged = mergeShards(shardFiles(p, plan.opts, 2));
    if ("error" in merged) throw new Error(merged.error);
    expect(merged.reports[0]!.stats.schedules).toBeGreaterThan(whole.stats.schedules);
    expect(merged.reports[0]!.stats.transitions).toBeGreaterThan(whole.stats.transitions);
  });

  it("refuses a shard report whose programs carry no state keys (an older uffdkit's)", () => {
    const p = programsForKind("shmem").find((q) => q.name === "two_faults_one_page")!;
    const [a, b] = shardFiles(p, { kernel: "6.18" }, 2);
    const { keys: _k, ...shard } = b!.reports[0]!.shard;
    const old = { ...b!, reports: [{ ...b!.reports[0]!, shard }] };
    expect(mergeShards([a!, old])).toEqual({ error: expect.stringMatching(/without its state keys/) });
  });

  it("a shard alone is not the whole: on a program with several subtrees, a shard explores only its share", () => {
    const p = programsForKind("shmem").find((q) => q.name === "partial_fill")!;
    const part = exploreProgram(p, { kernel: "6.18" }, {}, true, { index: 1, count: 2 });
    const other = exploreProgram(p, { kernel: "6.18" }, {}, true, { index: 0, count: 2 });
    expect(part.shard.subtrees).toBeGreaterThan(1);
    expect(part.shard.explored).toBeLessThan(part.shard.subtrees);
    expect(part.shard.explored + other.shard.explored).toBe(part.shard.subtrees);
  });

  it("refuses to merge a partial or mixed set of shards", () => {
    const p = programsForKind("shmem").find((q) => q.name === "two_faults_one_page")!;
    const files = shardFiles(p, { kernel: "6.18" }, 3);
    expect(mergeShards(files.slice(0, 2))).toEqual({ error: expect.stringMatching(/0, 1 of 3; a merge needs each of 0..2 exactly once/) });
    expect(mergeShards([files[0]!, files[0]!, files[2]!])).toEqual({ error: expect.stringMatching(/exactly once/) });
    expect(mergeShards([files[0]!, files[1]!, { ...files[2]!, bounds: "other" }])).toEqual({ error: expect.stringMatching(/explored t \(other\)/) });
  });
});

describe("--merge is given files by hand: each is checked before any field is read", () => {
  const p = programsForKind("shmem").find((q) => q.name === "two_faults_one_page")!;
  const good = () => shardFiles(p, { kernel: "6.18" }, 2);

  it("refuses null, {}, an array and plain `explore --json` output with a reason, not a TypeError", () => {
    expect(shardReportOf(null)).toEqual({ error: expect.stringMatching(/not a shard report \(the file holds null/) });
    expect(shardReportOf([])).toEqual({ error: expect.stringMatching(/holds an array/) });
    expect(shardReportOf({})).toEqual({ error: expect.stringMatching(/no "uffdkit": "explore-shard" tag.*--shard i\/n --json/) });
    expect(shardReportOf({ ok: true, reports: [] })).toEqual({ error: expect.stringMatching(/plain `explore --json` output/) });
    expect(() => mergeShards([{} as ShardReport, null as unknown as ShardReport])).not.toThrow();
    expect(mergeShards([{} as ShardReport])).toEqual({ error: expect.stringMatching(/not a shard report/) });
  });

  it("refuses a tagged file with a missing or broken shard, reports or programs", () => {
    const [f] = good();
    expect(shardReportOf(f)).toBe(f);
    expect(shardReportOf({ ...f, shard: undefined })).toEqual({ error: expect.stringMatching(/valid "shard"/) });
    expect(shardReportOf({ ...f, shard: { index: 2, count: 2 } })).toEqual({ error: expect.stringMatching(/valid "shard"/) });
    expect(shardReportOf({ ...f, reports: {} })).toEqual({ error: expect.stringMatching(/"reports" is not a list/) });
    expect(shardReportOf({ ...f, reports: [{ program: "x" }] })).toEqual({ error: expect.stringMatching(/"reports" is not a list of program reports/) });
    expect(shardReportOf({ ...f, programs: null })).toEqual({ error: expect.stringMatching(/"programs"/) });
    expect(shardReportOf({ ...f, version: 2 })).toEqual({ error: expect.stringMatching(/version 2/) });
  });

  it("a program a shard lacks is an error naming it and the shard, never an exhaustive merge", () => {
    const [a, b] = good();
    const lacking = { ...b!, reports: [] };
    expect(mergeShards([a!, lacking])).toEqual({ error: expect.stringMatching(/program two_faults_one_page is missing from shard 1\/2/) });
    expect(mergeShards([{ ...a!, reports: [] }, b!])).toEqual({ error: expect.stringMatching(/missing from shard 0\/2/) });
  });

  it("a weak-memory program is shard 0's alone; in a later shard it is refused", () => {
    const [a, b] = good();
    const weak: ProgramReport = { ...a!.reports[0]!, program: "kvm_weak", weakMemory: true };
    const merged = mergeShards([{ ...a!, reports: [...a!.reports, weak] }, b!]);
    expect("error" in merged ? merged.error : merged.reports.map((r) => r.program)).toEqual(["two_faults_one_page", "kvm_weak"]);
    expect(mergeShards([a!, { ...b!, reports: [...b!.reports, weak] }])).toEqual({ error: expect.stringMatching(/kvm_weak is shard 0's alone/) });
  });

  it("refuses shards of another kernel or split", () => {
    const [a, b] = good();
    expect(mergeShards([a!, { ...b!, kernel: "7.1" }])).toEqual({ error: expect.stringMatching(/\(b\) on 7\.1, not t \(b\) on 6\.18/) });
    const three = shardFiles(p, { kernel: "6.18" }, 3);
    expect(mergeShards([a!, three[1]!])).toEqual({ error: expect.stringMatching(/split into 3, not 2/) });
  });
});

describe("uffdkit explore --shard / --merge (built CLI)", () => {
  const root = new URL("../../", import.meta.url).pathname;
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), ...args], { encoding: "utf8", cwd: root });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("shard reports merged on the command line print what the unsharded run prints, but for the work counts", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-shard-"));
    const files: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = cli("explore", "--kind", "shmem", "--shard", `${i}/3`, "--json", "--workers", "1", "-o", join(dir, "replays"));
      expect(r.code, r.err).toBe(0);
      files.push(join(dir, `shard-${i}.json`));
      writeFileSync(files[i]!, r.out);
    }
    const merged = cli("explore", "--merge", ...files);
    const whole = cli("explore", "--kind", "shmem", "--workers", "1", "-o", join(dir, "replays"));
    expect(merged.code, merged.err).toBe(0);
    // Equal but for the work counts, on each program's line and in the summary.
    const equal = (s: string) =>
      s
        .replace(/^(  exhaustive|  bounded[^:]*): .*$/gm, "$1: (work)")
        .replace(/; \d+ schedules, \d+ states, \d+ transitions;/g, "; (work);");
    expect(equal(merged.out)).toEqual(equal(whole.out));
    expect(merged.out).toMatch(/states; the work of 3 shards: \d+ schedules/);
  });

  it("names the file and why when it is not a shard report, exit 2, no stack", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-merge-bad-"));
    const files = ["null", "{}", '{"ok":true,"reports":[]}'].map((text, i) => {
      const f = join(dir, `bad-${i}.json`);
      writeFileSync(f, text);
      return f;
    });
    for (const f of files) {
      const r = cli("explore", "--merge", f);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain(`uffdkit explore --merge: ${f}: not a shard report`);
      expect(r.err).not.toMatch(/TypeError|internal error|    at /);
    }
  });

  it("says what --shard takes", () => {
    const r = cli("explore", "--kind", "shmem", "--shard", "3/3");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--shard takes i\/n with 0 <= i < n/);
  });
});
