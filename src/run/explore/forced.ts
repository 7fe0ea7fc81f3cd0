/**
 * Counterexamples a kernel developer can run: a schedule
 * whose every transition ends where userspace can hold a thread (a fault
 * blocked in handle_userfault(), a call waiting for its event to be read, an
 * operation returned) can be forced on a real kernel by the order of a
 * scenario's steps: a worker parked in a fault, then the ioctl, then the
 * event read. Such a schedule becomes a scenario, which the selftest emitter
 * turns into a kselftest and `uffdkit conform` runs on this machine's kernel
 * and on the simulator.
 *
 * Not forceable: a transition that stops inside a kernel path (a preemption
 * point: userspace cannot hold a thread there), a kernel-mode access, or an
 * order the scenario cannot say (a woken thread that does not run next: in a
 * scenario a woken worker runs to its next stop before the step ends). The
 * scenario is checked on the simulator before it is kept; one that does not
 * reproduce there is dropped.
 */
import type { ConcurrentProgram } from "../../ir/program.js";
import type { Scenario, Step, Suite } from "../../ir/scenario.js";

type PagefaultFlag = "write" | "wp" | "minor";
import type { Observed } from "../../ir/observation.js";
import type { ErrnoName } from "../../kernel/uapi.js";
import { Simulation } from "../sim/simulation.js";
import { Execution, ProgramError, type ExecutionOptions, type ForcedEvent } from "./execution.js";

export interface ForcedCase {
  /** The outcome the ABI documents that this schedule reaches (COPY → EEXIST ...). */
  readonly outcome: string;
  readonly schedule: readonly string[];
  readonly scenario: Scenario;
}

/** The scenario a schedule forces, or why it cannot be forced from userspace. */
export function forcedScenarioOf(program: ConcurrentProgram, opts: ExecutionOptions, schedule: readonly number[], name: string, title: string): Scenario | { reason: string } {
  const e = new Execution(program, opts);
  for (const t of schedule) e.step(t);
  const steps = stepsOf(e.forced);
  if ("reason" in steps) return steps;
  return { name, title, source: [`uffdkit explore: program ${program.name}, schedule ${schedule.map((t) => program.threads[t]!.name).join(" → ")}`], setup: program.setup, steps: [...program.prologue, ...steps] };
}

function stepsOf(log: readonly ForcedEvent[]): Step[] | { reason: string } {
  const out: Step[] = [];
  const touched = new Set<string>();
  let mustRun: string[] = [];
  let pending: ForcedEvent[] = [];
  let inPath: string | null = null;
  for (const ev of log) {
    if (ev.k !== "transition") {
      pending.push(ev);
      continue;
    }
    // A thread paused at a point must go on at once: userspace cannot hold it there.
    if (inPath && ev.thread !== inPath) return { reason: `${ev.thread} runs while ${inPath} is inside a kernel path: userspace cannot hold a thread there` };
    inPath = ev.paused ? ev.thread : null;
    if (ev.paused) continue;
    if (mustRun.length && !mustRun.includes(ev.thread)) return { reason: `${ev.thread} runs while ${mustRun.join(", ")}, woken, has not: a scenario runs a woken worker first` };
    mustRun = mustRun.filter((n) => n !== ev.thread).concat(ev.woke);
    for (const p of pending) {
      // An access that ended in the transition that started it is one touch with that outcome.
      const prev = out.at(-1);
      if (p.k === "end" && prev?.op === "touch" && prev.thread === p.thread && pending.includes(p) && pending.some((q) => q.k === "touch" && q.thread === p.thread)) {
        out[out.length - 1] = { ...prev, expect: outcomeOf(p.outcome, p.value) } as Step;
        continue;
      }
      const s = stepOf(p, touched);
      if (s && "reason" in s) return s;
      if (s) out.push(s);
    }
    pending = [];
  }
  return out;
}

function stepOf(ev: ForcedEvent, touched: Set<string>): Step | { reason: string } | null {
  switch (ev.k) {
    case "touch":
      if (ev.kernel) return { reason: "a kernel-mode access: forced as a syscall step, not done here" };
      touched.add(ev.thread);
      return { op: "touch", thread: ev.thread, page: ev.page, access: ev.access, ...(ev.access === "write" ? { value: ev.value } : {}), expect: { outcome: "blocked" } };
    case "end":
      return { op: "wait", thread: ev.thread, expect: outcomeOf(ev.outcome, ev.value) };
    case "step":
      return { ...ev.step, expect: expectOf(ev.step, ev.obs) } as Step;
    case "stepEnd":
      return { op: "wait", thread: ev.thread, expect: { outcome: "done" } };
    case "event":
      return { op: "event", expect: eventExpect(ev) };
    case "transition":
      return null;
  }
}

function outcomeOf(state: string, value: number): Extract<Step, { op: "wait" }>["expect"] {
  if (state === "blocked") return { outcome: "blocked" };
  if (state === "sigbus") return { outcome: "sigbus" };
  if (state === "sigsegv") return { outcome: "sigsegv" };
  return value >= 0 ? { outcome: "done", value } : { outcome: "done" };
}

const FIELD: Partial<Record<Step["op"], string>> = { copy: "copy", zeropage: "zeropage", continue: "mapped", poison: "updated", move: "move" };

function expectOf(step: Step, obs: Observed): Record<string, unknown> {
  if (obs.status === "blocked") return { outcome: "blocked" };
  const result: "ok" | ErrnoName = obs.status.startsWith("errno=") ? (obs.status.slice("errno=".length) as ErrnoName) : "ok";
  const f = FIELD[step.op];
  const v = f ? obs.fields[f] : undefined;
  return { result, ...(f && v !== undefined && /^-?\d+$/.test(v) ? { [f]: Number(v) } : {}) };
}

function eventExpect(ev: Extract<ForcedEvent, { k: "event" }>): Extract<Step, { op: "event" }>["expect"] {
  switch (ev.event) {
    case "pagefault": {
      const flags = (["write", "wp", "minor"] as const).filter((n) => ev.flags & { write: 1, wp: 2, minor: 4 }[n]) as PagefaultFlag[];
      return { event: "pagefault", page: ev.page, flags };
    }
    case "remove":
    case "unmap":
      return { event: ev.event, page: ev.page, pages: ev.pages };
    case "remap":
      return { event: "remap", pages: ev.pages };
    default:
      return { event: "fork" };
  }
}

/**
 * For each outcome a program reaches, the shortest schedule that reaches it,
 * runs to completion and can be forced, as a scenario that passes on the
 * simulator (breadth-first over the schedules, never stopping at a point).
 */
export function forcedCases(program: ConcurrentProgram, opts: ExecutionOptions, maxNodes = 4000): ForcedCase[] {
  const names = program.threads.map((t) => t.name);
  const covered = new Map<string, ForcedCase>();
  const tried = new Set<string>();
  const seen = new Set<string>();
  let frontier: number[][] = [[]];
  let nodes = 0;
  while (frontier.length && nodes < maxNodes) {
    const next: number[][] = [];
    for (const prefix of frontier) {
      if (++nodes > maxNodes) break;
      let e: Execution;
      try {
        e = new Execution(program, opts);
        for (const t of prefix) e.step(t);
      } catch (err) {
        if (err instanceof ProgramError) continue;
        throw err;
      }
      // A thread paused inside a kernel path goes on at once (see stepsOf).
      const last = e.forced.at(-1);
      const inPath = last?.k === "transition" && last.paused ? prefix.at(-1)! : null;
      const key = e.stateKey();
      if (seen.has(key)) continue;
      seen.add(key);
      const enabled = e.enabled();
      if (!enabled.length) {
        const fresh = [...e.outcomes].filter((o) => !covered.has(o)).sort();
        if (!fresh.length || tried.has(key)) continue;
        tried.add(key);
        const name = `explore_${program.name}_${new Set(covered.values()).size + 1}`.replace(/[^a-z0-9_]/gi, "_");
        const sc = forcedScenarioOf(program, opts, prefix, name, `forced from explore (${program.name}): ${fresh.join("; ")}`);
        if ("reason" in sc) continue;
        if (new Simulation(sc, opts).run().verdict !== "pass") continue;
        const c: ForcedCase = { outcome: fresh.join("; "), schedule: prefix.map((t) => names[t]!), scenario: sc };
        for (const o of fresh) covered.set(o, c);
        continue;
      }
      for (const t of inPath !== null ? [inPath] : enabled) next.push([...prefix, t]);
    }
    frontier = next;
  }
  return [...new Set(covered.values())];
}

/**
 * The forced scenarios of a kernel kind's programs, as a suite `uffdkit
 * conform` runs on the simulator and on this machine's kernel.
 */
export function forcedSuite(kind: string, programs: readonly ConcurrentProgram[], opts: ExecutionOptions): Suite {
  const scenarios = programs.flatMap((p) => forcedCases(p, opts).map((c) => c.scenario));
  return { name: `explore-${kind}`, title: `schedules explore reached on ${kind}, forced from userspace`, scenarios };
}
