/**
 * `uffdkit explore --merge`: the reports of the shards of one exploration
 * (`--shard i/n`), combined into what the unsharded run says (issue 21,
 * item 6; docs/explore.md, "Across machines").
 *
 * Why a merge is exact: every run enumerates the same schedule prefixes of
 * PARTITION_DEPTH transitions (no state cache above that depth), and each
 * prefix roots a subtree explored with a cache of its own by exactly one
 * shard. So, per program:
 * - the counts (schedules, states, pruned, transitions) are the part above
 *   the cut, which every shard has and the merge takes once, plus each
 *   shard's subtrees; `states` counts a state once per subtree it is seen in;
 * - the violated properties are the union (each shard visits every state of
 *   its subtrees), and a property's shortest counterexample comes from one
 *   breadth-first pass over the whole tree, the same in every shard that
 *   found it;
 * - the outcomes are the union; the verdict is bounded if any shard's was.
 * Only `millis` is not the unsharded run's: it is the shards' summed time.
 */
import type { ConcurrentProgram } from "../../ir/program.js";
import type { ProgramReport } from "./index.js";
import { addStats, byProperty, type SearchStats } from "./search.js";

/** What `explore --shard i/n --json` prints, and `explore --merge` reads. */
export interface ShardReport {
  readonly uffdkit: "explore-shard";
  readonly version: 1;
  /** The spec or kind and its API generation, as the report's header says it. */
  readonly target: string;
  readonly kernel: string;
  readonly bounds: string;
  readonly shard: { readonly index: number; readonly count: number };
  readonly reports: readonly ProgramReport[];
  /** The programs explored, for the replay files of the merged counterexamples. */
  readonly programs: readonly ConcurrentProgram[];
}

export interface Merged {
  readonly target: string;
  readonly kernel: string;
  readonly bounds: string;
  readonly reports: ProgramReport[];
  readonly programs: ConcurrentProgram[];
}

export function mergeShards(files: readonly ShardReport[]): Merged | { error: string } {
  if (files.length === 0) return { error: "no shard reports to merge" };
  const first = files[0]!;
  const n = first.shard.count;
  for (const f of files) {
    if (f.uffdkit !== "explore-shard" || f.version !== 1) return { error: "not a shard report of `uffdkit explore --shard i/n --json`" };
    if (f.target !== first.target || f.kernel !== first.kernel || f.bounds !== first.bounds) return { error: `shard ${f.shard.index}/${f.shard.count} explored ${f.target} (${f.bounds}), not ${first.target} (${first.bounds})` };
    if (f.shard.count !== n) return { error: `shard ${f.shard.index}/${f.shard.count} is of a split into ${f.shard.count}, not ${n}` };
  }
  const indexes = files.map((f) => f.shard.index).sort((a, b) => a - b);
  const want = Array.from({ length: n }, (_, i) => i);
  if (indexes.join(",") !== want.join(",")) return { error: `the shards given are ${indexes.join(", ")} of ${n}; a merge needs each of 0..${n - 1} exactly once` };
  const byIndex = [...files].sort((a, b) => a.shard.index - b.shard.index);
  const reports: ProgramReport[] = [];
  for (const [k, r0] of byIndex[0]!.reports.entries()) {
    const parts = byIndex.map((f) => f.reports.find((r) => r.program === r0.program)).filter((r): r is ProgramReport => r !== undefined);
    const merged = mergeProgram(parts, k);
    if ("error" in merged) return merged;
    reports.push(merged);
  }
  // Reports only later shards have (none today: weak-memory programs are shard 0's).
  for (const f of byIndex.slice(1)) for (const r of f.reports) if (!reports.some((q) => q.program === r.program)) reports.push(r);
  const programs = first.programs.slice();
  return { target: first.target, kernel: first.kernel, bounds: first.bounds, reports, programs };
}

function mergeProgram(parts: readonly ProgramReport[], k: number): ProgramReport | { error: string } {
  const p0 = parts[0]!;
  if (parts.length === 1) return p0;
  const prefix = JSON.stringify({ ...p0.shard.prefix, millis: 0 });
  for (const p of parts) {
    if (p.shard.depth !== p0.shard.depth || p.shard.subtrees !== p0.shard.subtrees || JSON.stringify({ ...p.shard.prefix, millis: 0 }) !== prefix) {
      return { error: `program ${p0.program} (#${k + 1}): the shards disagree on the schedule prefixes (different uffdkit versions or programs?)` };
    }
  }
  let stats: SearchStats = { ...p0.shard.prefix };
  let explored = 0;
  for (const p of parts) {
    stats = addStats(stats, minus(p.stats, p.shard.prefix));
    explored += p.shard.explored;
  }
  stats.millis = parts.reduce((t, p) => t + p.stats.millis, 0);
  const cx = new Map<string, ProgramReport["counterexamples"][number]>();
  for (const p of parts) {
    for (const c of p.counterexamples) {
      const had = cx.get(c.violation.property);
      if (!had || c.schedule.length < had.schedule.length) cx.set(c.violation.property, c);
    }
  }
  const bounded = parts.find((p) => p.verdict === "bounded");
  const { bound: _b, ...rest } = p0;
  return {
    ...rest,
    verdict: bounded ? "bounded" : "exhaustive",
    ...(bounded?.bound ? { bound: bounded.bound } : {}),
    stats,
    counterexamples: [...cx.values()].sort((a, b) => byProperty(a.violation.property, b.violation.property)),
    outcomes: [...new Set(parts.flatMap((p) => p.outcomes))].sort(),
    shard: { ...p0.shard, index: 0, count: 1, explored },
  };
}

function minus(a: SearchStats, b: SearchStats): SearchStats {
  return { schedules: a.schedules - b.schedules, states: a.states - b.states, pruned: a.pruned - b.pruned, transitions: a.transitions - b.transitions, millis: a.millis - b.millis };
}
