/**
 * `uffdkit explore`: search every program's schedules, and for each property
 * that failed replay its shortest schedule step by step and write it as a
 * replay file that `uffdkit sim` runs again (docs/explore.md).
 */
import type { ConcurrentProgram } from "../../ir/program.js";
import { replaySchedule, search, type SearchBounds, type SearchResult, type Shard } from "./search.js";
import type { ExecutionOptions, TraceEntry } from "./execution.js";
import type { Violation } from "./properties.js";

export { search, replaySchedule, independent, PARTITION_DEPTH, type SearchBounds, type SearchResult, type SearchStats, type Shard } from "./search.js";
export { Execution, ProgramError, type TraceEntry } from "./execution.js";
export { PROPERTY_TITLES, type Property, type Violation } from "./properties.js";

export interface CounterexampleReport {
  readonly violation: Violation;
  readonly schedule: readonly string[];
  /** The replayed schedule, one entry per transition. */
  readonly steps: readonly TraceEntry[];
  /** KVM Userfault: the visibility order of the stale access (src/run/sim/kvm_userfault.ts). */
  readonly weakMemory?: { readonly step: number; readonly schedule: string };
}

export interface ProgramReport extends Omit<SearchResult, "counterexamples"> {
  readonly title: string;
  /** A KVM Userfault program: its schedules are the memory model's visibility orders (weak.ts). */
  readonly weakMemory?: boolean;
  readonly counterexamples: readonly CounterexampleReport[];
}

/** Search one program, then replay each counterexample with the changes described. */
export function exploreProgram(program: ConcurrentProgram, opts: ExecutionOptions, bounds: SearchBounds = {}, reduction = true, shard?: Shard): ProgramReport {
  const r = search(program, opts, bounds, reduction, undefined, shard);
  const counterexamples = r.counterexamples.map((c) => {
    const e = replaySchedule(program, { ...opts, describeChanges: true }, c.schedule);
    return { violation: c.violation, schedule: c.schedule, steps: e.trace };
  });
  return { ...r, title: program.title, counterexamples };
}

/** The replay file of a counterexample: the program, the schedule, and what it must show. */
export interface ReplayFile {
  readonly replay: {
    readonly kernel: string;
    readonly schedule: readonly string[];
    readonly expect: { readonly property: string; readonly message: string };
  };
  readonly program: ConcurrentProgram;
}

/**
 * A declared type's C is named relative to the file that names it: the replay
 * files sit one directory below out/<name>/, where gen writes the C.
 */
export function replayFileOf(program: ConcurrentProgram, cx: CounterexampleReport, kernel: string, cPrefix = "../"): ReplayFile {
  const d = program.setup.declared;
  const setup = d?.c ? { ...program.setup, declared: { ...d, c: { ...d.c, file: `${cPrefix}${d.c.file}` } } } : program.setup;
  return {
    replay: { kernel, schedule: cx.schedule, expect: { property: cx.violation.property, message: cx.violation.message } },
    program: { ...program, setup },
  };
}

export function replayFileName(program: string, property: string): string {
  return `${program}.${property}.replay.json`;
}

/** One line over all programs: how many were explored exhaustively, and the summed counts. */
export function summaryOf(reports: readonly ProgramReport[]): string {
  const ex = reports.filter((r) => r.verdict === "exhaustive").length;
  const na = reports.filter((r) => r.verdict === "not-applicable").length;
  const sum = (k: "schedules" | "states" | "transitions") => reports.filter((r) => !r.weakMemory).reduce((n, r) => n + r.stats[k], 0);
  const bounded = reports.length - ex - na;
  const v = reports.reduce((n, r) => n + r.counterexamples.length, 0);
  return `${reports.length} program${reports.length === 1 ? "" : "s"}: ${ex} exhaustive${bounded ? `, ${bounded} bounded (a bound cut the search: not every state was visited)` : ""}${na ? `, ${na} not applicable` : ""}; ${sum("schedules")} schedules, ${sum("states")} states, ${sum("transitions")} transitions; ${v ? `${v} violation${v === 1 ? "" : "s"}` : "no violation"}`;
}

/** The report, as a kernel developer reads it. */
export function formatReport(header: string, reports: readonly ProgramReport[], replayDir?: string): string {
  const lines = [header];
  for (const r of reports) {
    lines.push("", `program ${r.program}: ${r.title}`);
    const s = r.stats;
    if (r.verdict === "not-applicable") {
      lines.push(`  not applicable: ${r.reason} (not explored, and not a pass)`);
      continue;
    }
    const how = r.verdict === "exhaustive" ? "exhaustive" : `bounded (stopped at ${r.bound})`;
    lines.push(
      r.weakMemory
        ? `  ${how}: ${s.schedules} visibility orders of the VMM's stores and the vCPU's loads, ${s.millis} ms`
        : r.shard.merged
          ? `  ${how}: ${s.states} states; the work of ${r.shard.merged} shards: ${s.schedules} schedules, ${s.pruned} pruned, ${s.transitions} transitions, ${s.millis} ms`
          : `  ${how}: ${s.schedules} schedules, ${s.states} states, ${s.pruned} pruned, ${s.transitions} transitions, ${s.millis} ms`,
    );
    if (r.outcomes.length) lines.push(`  reached: ${r.outcomes.join("; ")}`);
    if (!r.counterexamples.length) {
      lines.push(r.verdict === "exhaustive" ? "  no violation" : "  no violation within the bound");
      continue;
    }
    for (const c of r.counterexamples) {
      lines.push(`  VIOLATION ${c.violation.property}: ${c.violation.message}`);
      lines.push(`  shortest counterexample, ${c.schedule.length} transitions:`);
      c.steps.forEach((t, k) => {
        lines.push(`    ${String(k + 1).padStart(2)}. ${t.thread.padEnd(12)} ${t.op} → ${t.stop}${t.holds ? ` [holds ${t.holds}]` : ""}`);
        if (t.change) lines.push(`        ${t.change}`);
      });
      if (replayDir) lines.push(`  replay: uffdkit sim ${replayDir}/${replayFileName(r.program, c.violation.property)}`);
    }
  }
  if (reports.length) lines.push("", summaryOf(reports));
  return `${lines.join("\n")}\n`;
}
