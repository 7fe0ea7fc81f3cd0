/**
 * `uffdkit explore --merge`: the reports of the shards of one exploration
 * (`--shard i/n`), combined into what the unsharded run says
 * (docs/explore.md, "Across machines").
 *
 * Why a merge is exact where it must be: every run enumerates the same
 * schedule prefixes of PARTITION_DEPTH transitions (no state cache above that
 * depth), and each prefix roots a subtree that exactly one shard explores,
 * with a state cache of its own per subtree. Every run visits every state
 * reachable in the subtrees it explores (sleep sets and state caching prune
 * transitions, never states). So, per program, the merge equals the unsharded
 * run in:
 * - the violated properties (the union), and each one's shortest
 *   counterexample, which comes from one breadth-first pass over the whole
 *   tree, the same in every shard that found the property;
 * - the outcomes (the union) and the verdict (bounded if any shard's was).
 * The counts are work, and differ: schedules, pruned, transitions and millis
 * are the shards' summed (the counts above the cut, which every shard
 * repeats, taken once), which is more than the unsharded run does, because
 * that run shares one state cache across the whole tree and a shard cannot
 * see the states another shard's subtrees reached. `states` is the union of
 * the shards' state keys: distinct, not summed, but a state key carries the
 * provenance of a thread paused inside a kernel path (the keys its path's
 * segments started from), so runs that take different paths to one state
 * may count it under different keys, and the merge, whose shards take more
 * paths, may count more than the single run (gmem at --threads 4:
 * fill_vs_remove 821 against 801). The merged report says whose work it is
 * (`shard.merged`).
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

/**
 * The shard report in a parsed JSON file, or why it is not one. Checked before
 * any field is read: a merge is given files by hand, and plain `explore --json`
 * output, `{}` or `null` must be a usage error naming the file, not a TypeError.
 */
export function shardReportOf(data: unknown): ShardReport | { error: string } {
  const how = "make it with `uffdkit explore ... --shard i/n --json`";
  if (typeof data !== "object" || data === null || Array.isArray(data)) return { error: `not a shard report (the file holds ${data === null ? "null" : Array.isArray(data) ? "an array" : typeof data}, not an object); ${how}` };
  const o = data as Record<string, unknown>;
  if (o.uffdkit !== "explore-shard") return { error: `not a shard report (no "uffdkit": "explore-shard" tag${"reports" in o && !("shard" in o) ? "; it looks like plain `explore --json` output" : ""}); ${how}` };
  if (o.version !== 1) return { error: `a shard report of version ${JSON.stringify(o.version)}, not 1; re-run the shards with this uffdkit` };
  for (const k of ["target", "kernel", "bounds"] as const) if (typeof o[k] !== "string") return { error: `a shard report without a "${k}" string; ${how}` };
  const sh = o.shard as Record<string, unknown> | null | undefined;
  if (typeof sh !== "object" || sh === null || !Number.isInteger(sh.index) || !Number.isInteger(sh.count) || (sh.count as number) < 1 || (sh.index as number) < 0 || (sh.index as number) >= (sh.count as number)) {
    return { error: `a shard report without a valid "shard": {"index": i, "count": n} (0 <= i < n); ${how}` };
  }
  if (!Array.isArray(o.reports) || !o.reports.every(isProgramReport)) return { error: `a shard report whose "reports" is not a list of program reports; ${how}` };
  if (!Array.isArray(o.programs) || !o.programs.every((p) => typeof p === "object" && p !== null && typeof (p as { name?: unknown }).name === "string")) return { error: `a shard report whose "programs" is not a list of programs; ${how}` };
  return data as ShardReport;
}

/** The fields the merge reads of a program report. */
function isProgramReport(r: unknown): boolean {
  if (typeof r !== "object" || r === null) return false;
  const p = r as Record<string, unknown>;
  const sh = p.shard as Record<string, unknown> | null | undefined;
  return typeof p.program === "string" && typeof p.verdict === "string" && isStats(p.stats) && Array.isArray(p.counterexamples) && Array.isArray(p.outcomes) && typeof sh === "object" && sh !== null && isStats(sh.prefix) && typeof sh.depth === "number" && typeof sh.subtrees === "number" && typeof sh.explored === "number" && (sh.keys === undefined || (Array.isArray(sh.keys) && sh.keys.every((k) => typeof k === "string")));
}

function isStats(s: unknown): boolean {
  if (typeof s !== "object" || s === null) return false;
  const o = s as Record<string, unknown>;
  return ["schedules", "states", "pruned", "transitions", "millis"].every((k) => typeof o[k] === "number");
}

export function mergeShards(files: readonly ShardReport[]): Merged | { error: string } {
  if (files.length === 0) return { error: "no shard reports to merge" };
  for (const f of files) {
    const checked = shardReportOf(f);
    if ("error" in checked) return checked;
  }
  const first = files[0]!;
  const n = first.shard.count;
  const name = (f: ShardReport) => `shard ${f.shard.index}/${f.shard.count}`;
  for (const f of files) {
    if (f.target !== first.target || f.kernel !== first.kernel || f.bounds !== first.bounds) return { error: `${name(f)} explored ${f.target} (${f.bounds}) on ${f.kernel}, not ${first.target} (${first.bounds}) on ${first.kernel}; merge shards of one run` };
    if (f.shard.count !== n) return { error: `${name(f)} is of a split into ${f.shard.count}, not ${n}; merge shards of one run` };
  }
  const indexes = files.map((f) => f.shard.index).sort((a, b) => a - b);
  const want = Array.from({ length: n }, (_, i) => i);
  if (indexes.join(",") !== want.join(",")) return { error: `the shards given are ${indexes.join(", ")} of ${n}; a merge needs each of 0..${n - 1} exactly once` };
  const byIndex = [...files].sort((a, b) => a.shard.index - b.shard.index);
  const missing = programsMissing(byIndex);
  if (missing) return missing;
  const reports: ProgramReport[] = [];
  for (const [k, r0] of byIndex[0]!.reports.entries()) {
    // Every shard has the program (programsMissing), except a weak-memory one, which is shard 0's.
    const parts = byIndex.map((f) => f.reports.find((r) => r.program === r0.program)).filter((r): r is ProgramReport => r !== undefined);
    const merged = mergeProgram(parts, k);
    if ("error" in merged) return merged;
    reports.push(merged);
  }
  const programs = first.programs.slice();
  return { target: first.target, kernel: first.kernel, bounds: first.bounds, reports, programs };
}

/**
 * Every shard explores a share of every program, so a program some shard lacks
 * means its subtrees there were never explored: merging the rest would call a
 * partial search exhaustive. Refused, naming the program and the shards. The
 * one exception is by design: KVM Userfault (weak-memory) programs are not
 * partitioned and are shard 0's alone.
 */
function programsMissing(byIndex: readonly ShardReport[]): { error: string } | undefined {
  const rerun = "re-run the shards with the same spec, bounds and uffdkit";
  const names: string[] = [];
  for (const f of byIndex) for (const r of f.reports) if (!names.includes(r.program)) names.push(r.program);
  for (const program of names) {
    const holding = byIndex.filter((f) => f.reports.some((r) => r.program === program));
    const weak = holding.some((f) => f.reports.some((r) => r.program === program && r.weakMemory));
    const of = (fs: readonly ShardReport[]) => fs.map((f) => `${f.shard.index}/${f.shard.count}`).join(", ");
    if (weak) {
      if (holding.length !== 1 || holding[0]!.shard.index !== 0) return { error: `weak-memory program ${program} is shard 0's alone, but shard(s) ${of(holding)} have it; ${rerun}` };
      continue;
    }
    const lacking = byIndex.filter((f) => !holding.includes(f));
    if (lacking.length) return { error: `program ${program} is missing from shard${lacking.length > 1 ? "s" : ""} ${of(lacking)}: its schedules there were not explored, so the merge would not be the whole search; ${rerun}` };
  }
  return undefined;
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
  if (parts.some((p) => p.verdict !== "not-applicable" && !p.shard.keys)) {
    return { error: `program ${p0.program} (#${k + 1}): a shard report without its state keys (made by an older uffdkit?); re-run the shards with this uffdkit` };
  }
  let stats: SearchStats = { ...p0.shard.prefix };
  let explored = 0;
  const below = new Set<string>(); // every state some shard visited, above the cut or below
  for (const p of parts) {
    stats = addStats(stats, minus(p.stats, p.shard.prefix));
    explored += p.shard.explored;
    for (const key of p.shard.keys ?? []) below.add(key);
  }
  // Distinct state keys: the union of the shards' (a shard counts a key once per subtree it is seen in).
  stats.states = below.size;
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
    shard: { index: 0, count: 1, depth: p0.shard.depth, subtrees: p0.shard.subtrees, explored, prefix: p0.shard.prefix, merged: parts.length },
  };
}

function minus(a: SearchStats, b: SearchStats): SearchStats {
  return { schedules: a.schedules - b.schedules, states: a.states - b.states, pruned: a.pruned - b.pruned, transitions: a.transitions - b.transitions, millis: a.millis - b.millis };
}
