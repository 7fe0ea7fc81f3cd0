/**
 * Branch coverage of a declared type's emitted C over a suite: each branch
 * site's two arcs (condition true, condition false), summed over every
 * scenario the simulator ran, and the arcs no scenario reached, by line.
 */
import type { SuiteResult } from "../../ir/result.js";
import type { BranchSite } from "./instrument.js";

export interface Coverage {
  readonly executed: number;
  readonly total: number;
  readonly missed: readonly { readonly line: number; readonly fn: string; readonly cond: string; readonly arc: "true" | "false"; readonly file?: string }[];
}

export function branchCoverage(sites: readonly BranchSite[], results: readonly SuiteResult[]): Coverage {
  const taken = new Array<number>(sites.length).fill(0);
  const notTaken = new Array<number>(sites.length).fill(0);
  for (const suite of results) {
    for (const r of suite.results) {
      if (!r.cBranches) continue;
      r.cBranches.taken.forEach((v, i) => (taken[i]! += v));
      r.cBranches.notTaken.forEach((v, i) => (notTaken[i]! += v));
    }
  }
  const missed: Coverage["missed"][number][] = [];
  for (const s of sites) {
    const at = s.file ? { file: s.file } : {};
    if (!taken[s.id]) missed.push({ line: s.line, fn: s.fn, cond: s.cond, arc: "true", ...at });
    if (!notTaken[s.id]) missed.push({ line: s.line, fn: s.fn, cond: s.cond, arc: "false", ...at });
  }
  return { executed: sites.length * 2 - missed.length, total: sites.length * 2, missed };
}

export function formatCoverage(file: string, c: Coverage, violations: number): string[] {
  const lines = [`C: ${c.executed}/${c.total} branches executed, ${violations} contract violation(s) (${file})`];
  for (const m of c.missed) lines.push(`  not reached: ${m.file ?? file}:${m.line} ${m.fn}(): (${m.cond}) is never ${m.arc}`);
  return lines;
}
