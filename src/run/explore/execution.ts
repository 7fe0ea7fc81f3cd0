/**
 * One execution of a concurrent program under a schedule the caller chooses,
 * one transition at a time.
 *
 * A transition runs one thread from where it stands to its next preemption
 * point (src/run/sim/preempt.ts), to the end of its operation, or until it
 * blocks. Threads run the simulator's own kernel paths: a fault is
 * Simulation.accessPath(), a COPY/ZEROPAGE/CONTINUE is
 * Simulation.mfillPath(), every other step is Simulation.executeStep(), and
 * a declared type's callbacks are its emitted C. The explorer
 * (src/run/explore/search.ts) never copies a state: it replays a schedule
 * from the start, which the simulator's determinism makes exact.
 */
import type { ConcurrentProgram, ProgramOp, ServeOp } from "../../ir/program.js";
import { monitorByte } from "../../ir/program.js";
import type { Scenario, Step } from "../../ir/scenario.js";
import { formatObservation, type Observed } from "../../ir/observation.js";
import { Simulation, type SimOptions } from "../sim/simulation.js";
import type { SimThread } from "../sim/state.js";
import type { KernelPath, PreemptionPoint } from "../sim/preempt.js";
import { userfaultfd_ctx_read } from "../sim/fs_userfaultfd.js";
import { kvm_gmem_convert } from "../sim/gmem_convert.js";
import { checkInvariants } from "../sim/invariants.js";
import { ERRNO, UFFD_FEATURES } from "../../kernel/uapi.js";
import { stateKeyOf } from "./state-key.js";
import { checkState, type Violation } from "./properties.js";

/** Steps that take the mmap_lock for write: they wait while another thread holds it for read. */
const MMAP_WRITERS: ReadonlySet<string> = new Set(["register", "unregister", "close", "munmap", "mremap", "fork"]);

/**
 * A resolution the monitor still has to make: pages of the mapping that was at
 * `base` when the fault was read. The monitor keeps REMAP bookkeeping (as
 * CRIU's lazy-pages daemon does): once it has read that the mapping moved, it
 * resolves at the new address and then wakes the faulter at the old one,
 * where it waits; `literal` is such a wake, not translated again.
 */
interface Resolution {
  readonly kind: "copy" | "zeropage" | "move" | "continue" | "unprotect" | "wake" | "writeprotect";
  readonly base: number;
  readonly page: number;
  readonly pages: number;
  readonly literal?: boolean;
}

interface ThreadRun {
  readonly name: string;
  readonly ops: readonly ProgramOp[];
  /** Index of the operation in progress (ops.length: finished). */
  pc: number;
  /** The kernel path in flight, paused at `at`. */
  path: KernelPath<Observed | void> | null;
  at: PreemptionPoint | null;
  /** What the in-flight path is doing, for the trace and the serve loop. */
  pathFor: Resolution | "access" | "step" | null;
  /** The step an in-flight mfill path runs. */
  pathStep: Step | null;
  /** Folios allocated in the machine when the in-flight mfill path started (did the fill allocate?). */
  allocsAtStart: number;
  /** State keys at the start of each segment of the in-flight path: its local state's provenance. */
  segments: string[];
  /** The monitor's resolutions to make, in order. */
  todo: Resolution[];
  /** The serve op's settings while it runs. */
  serve: ServeOp | null;
  /** A step that blocked until its event is read. */
  blockedStep: boolean;
  /** The monitor must read the pending events before its next resolution (after EAGAIN). */
  mustRead: boolean;
  /** REMAP events the monitor read: old base → new base. */
  remaps: Map<number, number>;
}

export interface TraceEntry {
  readonly thread: string;
  /** The operation, as text. */
  readonly op: string;
  /** Where the thread stopped: a preemption point, or how the operation ended. */
  readonly stop: string;
  /** The lock(s) held at the stop. */
  readonly holds: string;
  /** What the transition changed (replays only: ExecutionOptions.describeChanges). */
  change?: string;
}

/**
 * What an execution did, as a scenario could say it (src/run/explore/forced.ts
 * turns a schedule into a kselftest scenario from this): accesses and how they
 * ended, steps and ioctls with what they returned, events read.
 */
export type ForcedEvent =
  | { readonly k: "touch"; readonly thread: string; readonly page: number; readonly access: "read" | "write"; readonly value: number; readonly kernel: boolean }
  | { readonly k: "end"; readonly thread: string; readonly outcome: string; readonly value: number }
  | { readonly k: "step"; readonly thread: string; readonly step: Step; readonly obs: Observed }
  | { readonly k: "stepEnd"; readonly thread: string }
  | { readonly k: "event"; readonly event: string; readonly page: number; readonly pages: number; readonly flags: number }
  | { readonly k: "transition"; readonly thread: string; readonly paused: string | null; readonly woke: readonly string[] };

export interface ExecutionOptions extends SimOptions {
  /** Describe what each transition changed (a replay does; the search does not pay for it). */
  readonly describeChanges?: boolean;
}

export class Execution {
  readonly sim: Simulation;
  readonly threads: ThreadRun[];
  readonly trace: TraceEntry[] = [];
  readonly violations: Violation[] = [];
  /** Outcomes the ABI documents for a race, seen in this execution (e.g. COPY → EAGAIN). */
  readonly outcomes = new Set<string>();
  /** What each access read, by thread and op index: checked against what the monitor supplied. */
  readonly reads: { thread: string; page: number; value: number; expect: readonly number[] }[] = [];
  /** What happened, in order, for a forced (kselftest) form of the schedule. */
  readonly forced: ForcedEvent[] = [];
  private stepIndex = 0;
  private readonly describe: boolean;
  /** The program calls fallocate(), which may cache folios beyond i_size (KEEP_SIZE). */
  private readonly fallocates: boolean;

  constructor(
    readonly program: ConcurrentProgram,
    opts: ExecutionOptions,
  ) {
    const scenario: Scenario = { name: program.name, title: program.title, source: [], setup: program.setup, steps: [...program.prologue] };
    this.describe = opts.describeChanges === true;
    this.fallocates = program.threads.some((t) => t.ops.some((o) => o.op === "step" && o.step.op === "fallocate"));
    this.sim = new Simulation(scenario, opts);
    // Kernel paths stop at their preemption points (the plain simulator runs them straight through).
    this.sim.machine.preempt = true;
    while (!this.sim.done) {
      const r = this.sim.step();
      if (r && r.observed.startsWith("error")) throw new ProgramError(`prologue step ${r.index} (${r.op}) failed: ${r.observed}`);
    }
    const setupFailure = this.sim.result();
    if (setupFailure.verdict === "error") throw new ProgramError(setupFailure.reason ?? "setup failed");
    this.stepIndex = program.prologue.length;
    this.threads = program.threads.map((t) => ({
      name: t.name,
      ops: t.ops,
      pc: 0,
      path: null,
      at: null,
      pathFor: null,
      pathStep: null,
      allocsAtStart: 0,
      segments: [],
      todo: [],
      serve: null,
      blockedStep: false,
      mustRead: false,
      remaps: new Map(),
    }));
    this.sim.machine.runnable.length = 0;
  }

  private get m() {
    return this.sim.machine;
  }

  /** Threads that can take a transition now, by index. */
  enabled(): number[] {
    const out: number[] = [];
    for (let t = 0; t < this.threads.length; t++) if (this.canRun(t)) out.push(t);
    return out;
  }

  /** Is every thread finished (the monitor finishes when the others have)? */
  finished(): boolean {
    return this.threads.every((th) => this.threadFinished(th));
  }

  private threadFinished(th: ThreadRun): boolean {
    if (th.pc >= th.ops.length) return true;
    const op = th.ops[th.pc]!;
    // The serve loop ends once every other thread is finished and nothing is left to do.
    return op.op === "serve" && th.pc === th.ops.length - 1 && !th.path && th.todo.length === 0 && this.othersFinished(th) && !this.hasEvents();
  }

  private othersFinished(me: ThreadRun): boolean {
    return this.threads.every((th) => th === me || th.pc >= th.ops.length);
  }

  private hasEvents(): boolean {
    const ctx = this.sim.ctx(0);
    return ctx !== undefined && !ctx.released && ctx.pending.length > 0;
  }

  private simThread(th: ThreadRun): SimThread {
    return this.sim.threadFor(th.name);
  }

  /** Does another thread hold the mmap_lock for read at a preemption point? */
  private mmapReadHeld(me: ThreadRun): boolean {
    return this.threads.some((th) => th !== me && th.at !== null && th.at.holds.includes("mmap_lock(read)"));
  }

  private canRun(t: number): boolean {
    const th = this.threads[t]!;
    if (this.threadFinished(th) || th.pc >= th.ops.length) return false;
    if (th.path) return true;
    const op = th.ops[th.pc]!;
    switch (op.op) {
      case "access":
      case "step": {
        const st = this.simThread(th);
        if (th.blockedStep) {
          // Waiting for its event to be read: the reader runs the rest of the call and marks it done.
          return st.state === "running" || st.state === "done";
        }
        // Blocked in handle_userfault(): runnable again once woken.
        if (op.op === "access" && st.state === "blocked") return false;
        if (op.op === "step" && MMAP_WRITERS.has(op.step.op) && this.mmapReadHeld(th)) return false;
        return true;
      }
      case "convert":
        return true;
      case "serve":
        return th.todo.length > 0 || this.hasEvents();
    }
  }

  /** Run thread t for one transition. */
  step(t: number): void {
    const th = this.threads[t]!;
    const before = this.describe ? pageSummary(this.sim) : null;
    const traced = this.trace.length;
    // A resumed path's local state depends on the states its segments started from.
    if (!th.path) this.start(th);
    else th.segments.push(this.stateKey());
    const blockedBefore = this.threads.filter((x) => x !== th && this.simThread(x).state === "blocked").map((x) => x.name);
    if (th.path) this.advance(th);
    const woke = blockedBefore.filter((n) => this.sim.threadFor(n).state !== "blocked");
    this.forced.push({ k: "transition", thread: th.name, paused: th.at ? `${th.at.fn}: ${th.at.at}` : null, woke });
    this.m.runnable.length = 0;
    if (before && this.trace.length > traced) this.trace[this.trace.length - 1]!.change = changes(before, pageSummary(this.sim));
  }

  /** Start the thread's next operation (or, for serve, its next resolution). */
  private start(th: ThreadRun): void {
    const op = th.ops[th.pc]!;
    th.segments = [];
    switch (op.op) {
      case "access": {
        const st = this.simThread(th);
        if (st.state !== "running") {
          this.forced.push({ k: "touch", thread: th.name, page: op.page, access: op.access, value: (op.value ?? 0) & 0xff, kernel: op.mode === "kernel" });
          Object.assign(st, { state: "running", vma: this.sim.primary, page: op.page, write: op.access === "write", value: (op.value ?? 0) & 0xff, result: -1, offset: 0, kernelMode: op.mode === "kernel" });
        }
        th.path = this.sim.accessPath(st);
        th.pathFor = "access";
        return;
      }
      case "step": {
        if (th.blockedStep) {
          // Woken out of an event wait: finish the call (its continuation ran when the event was read).
          const st = this.simThread(th);
          if (st.state === "running") this.sim.runThread(st);
          th.blockedStep = st.state === "blocked";
          if (!th.blockedStep) this.forced.push({ k: "stepEnd", thread: th.name });
          this.record(th, describeStep(op.step), th.blockedStep ? "blocked" : "returned", "");
          if (!th.blockedStep) th.pc++;
          return;
        }
        const s = this.withThread(op.step, th.name);
        if (isMfill(s)) {
          th.path = this.sim.mfillPath(s);
          th.allocsAtStart = this.sim.machine.folios.allocations;
          th.pathFor = "step";
          th.pathStep = s;
          return;
        }
        const obs = this.sim.executeStep(s, this.stepIndex++);
        this.forced.push({ k: "step", thread: th.name, step: s, obs });
        this.noteOutcome(s.op, obs);
        if (obs.status === "blocked") {
          th.blockedStep = true;
          this.record(th, describeStep(s), "blocked (waits until its event is read)", "");
          return;
        }
        this.record(th, describeStep(s), formatObservation(obs), "");
        th.pc++;
        return;
      }
      case "convert": {
        const file = this.sim.primary.file;
        const r = file ? kvm_gmem_convert(this.m, file, op.page, op.to) : -ERRNO.EBADF;
        this.record(th, `convert page ${op.page} to ${op.to}`, r === 0 ? "done" : `-${errnoName(r)}`, "filemap_invalidate_lock (write)");
        if (r === -ERRNO.EAGAIN) this.outcomes.add(`convert → EAGAIN (the page was in use)`);
        th.pc++;
        return;
      }
      case "serve":
        th.serve = op;
        this.serveNext(th);
        return;
    }
  }

  /** The monitor: resolve the next thing it knows of, or read an event. */
  private serveNext(th: ThreadRun): void {
    const ctx = this.sim.ctx(0)!;
    const next = th.todo[0];
    // After an EAGAIN for mmap_changing the monitor reads the pending events before it retries.
    if (next && !(th.mustRead && this.hasEvents())) {
      th.mustRead = false;
      th.todo.shift();
      this.startResolution(th, next);
      return;
    }
    const msg = userfaultfd_ctx_read(this.m, ctx);
    if (!msg) return;
    // Pages count from the mapping the message is about, wherever it is now.
    const base = msg.vma.base;
    const page = Math.floor((msg.address - base) / msg.vma.pageSize);
    this.forced.push({ k: "event", event: msg.event, page, pages: Math.round((msg.end - msg.address) / msg.vma.pageSize), flags: msg.flags });
    if (msg.event !== "pagefault") {
      if (msg.event === "remap" && msg.to !== undefined) th.remaps.set(msg.address, msg.to);
      this.record(th, "read()", `event ${msg.event} page ${page}${msg.event === "remap" ? " (the mapping moved)" : ""}`, "");
      return;
    }
    const serve = th.serve!;
    const minor = (msg.flags & 4) !== 0;
    const wp = (msg.flags & 2) !== 0;
    const kind = wp ? (serve.wp ? "unprotect" : null) : minor ? (serve.minor ?? null) : (serve.missing ?? null);
    this.record(th, "read()", `pagefault page ${page}${minor ? " minor" : wp ? " wp" : ""}`, "");
    if (!kind) {
      this.violation("abi", `the monitor cannot resolve a ${minor ? "MINOR" : wp ? "WP" : "MISSING"} fault on page ${page}: the program's serve op declares no resolution for it`);
      return;
    }
    const pages = kind === "copy" || kind === "zeropage" || kind === "move" ? Math.min(serve.span ?? 1, this.sim.primary.npages - page) : 1;
    th.todo.push({ kind, base, page, pages });
  }

  private startResolution(th: ThreadRun, r0: Resolution): void {
    const serve = th.serve!;
    // Where the monitor believes the pages are now, as a page index of the current mapping.
    const to = r0.literal ? r0.base : (th.remaps.get(r0.base) ?? r0.base);
    const primary = this.sim.primary;
    const r = { ...r0, page: Math.round((to + r0.page * primary.pageSize - primary.base) / primary.pageSize) };
    if (to !== r0.base && r0.kind !== "wake") {
      this.outcomes.add(`${r0.kind.toUpperCase()} after REMAP: resolved at the new address, the faulter woken at the old one`);
      th.todo.unshift({ kind: "wake", base: r0.base, page: r0.page, pages: r0.pages, literal: true });
    }
    let step: Step;
    switch (r.kind) {
      case "copy":
        step = { op: "copy", page: r.page, pages: r.pages, src: { pattern: "page-index", seed: monitorByte(0) }, ...(serve.copyWp ? { mode: ["wp"] } : {}) } as Step;
        break;
      case "zeropage":
        step = { op: "zeropage", page: r.page, pages: r.pages } as Step;
        break;
      case "move":
        // The monitor's source page holds what it supplies for that page (monitorByte).
        step = { op: "move", srcPage: r.page, dstPage: r.page, pages: r.pages, srcFill: { pattern: "page-index", seed: monitorByte(0) } } as Step;
        break;
      case "continue":
        step = { op: "continue", page: r.page, pages: r.pages } as Step;
        break;
      case "unprotect":
        step = { op: "writeprotect", page: r.page, pages: r.pages, wp: false } as Step;
        break;
      case "writeprotect":
        step = { op: "writeprotect", page: r.page, pages: r.pages, wp: true, dontwake: false } as Step;
        break;
      case "wake":
        step = { op: "wake", page: r.page, pages: r.pages } as Step;
        break;
    }
    if (isMfill(step)) {
      th.path = this.sim.mfillPath(step);
      th.allocsAtStart = this.sim.machine.folios.allocations;
      th.pathFor = r0;
      th.pathStep = step;
      return;
    }
    const obs = this.sim.executeStep(step, this.stepIndex++);
    this.forced.push({ k: "step", thread: th.name, step, obs });
    this.record(th, describeStep(step), formatObservation(obs), "");
    this.handleResult(th, r0, obs);
  }

  /** The ABI's answer to each result of a resolution (6.18 as conform observes it; userfaultfd(2) ERRORS). */
  private handleResult(th: ThreadRun, r: Resolution, obs: Observed): void {
    if (obs.status === "ok") return;
    const err = obs.status.startsWith("errno=") ? obs.status.slice("errno=".length) : undefined;
    const field = Number(obs.fields.copy ?? obs.fields.zeropage ?? obs.fields.mapped ?? obs.fields.move ?? NaN);
    const what = r.kind.toUpperCase();
    if ((err === "EFAULT" || err === "ENOMEM") && this.beyondEof(r.page)) {
      // The file was truncated under the fill: 7.1's ->alloc_folio() returns NULL beyond
      // i_size (ENOMEM), mfill_file_over_size() refuses the install (EFAULT). The faulter is
      // woken and refaults, which is SIGBUS beyond i_size (or MISSING again if it grew back).
      this.outcomes.add(`${what} → ${err} (the page is beyond the end of the file: truncated meanwhile)`);
      this.noteAllocatedBeyondEof(th, what, err);
      th.todo.unshift({ ...r, kind: "wake" });
      return;
    }
    switch (err) {
      case "EAGAIN":
        if (field > 0) {
          // A partial fill: retry from the first page not done.
          const done = Math.round(field / this.sim.primary.pageSize);
          this.outcomes.add(`${what} → EAGAIN after a partial fill (${done} of ${r.pages} pages)`);
          th.todo.unshift({ ...r, page: r.page + done, pages: r.pages - done });
        } else {
          // mmap_changing: read the pending events first, then retry.
          this.outcomes.add(`${what} → EAGAIN (mmap_changing: a non-cooperative event is pending)`);
          th.todo.unshift(r);
          th.mustRead = true;
        }
        return;
      case "EEXIST":
        // Someone else filled the page: wake the faulter; with COPY_MODE_WP protect it ourselves.
        this.outcomes.add(`${what} → EEXIST (the page was filled meanwhile)`);
        if (r.kind === "copy" && th.serve?.copyWp) th.todo.unshift({ ...r, kind: "writeprotect", pages: 1 });
        th.todo.unshift({ ...r, kind: "wake" });
        return;
      case "ENOENT":
        // The range is gone (unregistered, unmapped or moved): the faulter still waits on its
        // old address unless UNREGISTER woke it; WAKE needs no VMA, and the faulter refaults.
        this.outcomes.add(`${what} → ENOENT (the range was unregistered, unmapped or moved meanwhile)`);
        if (r.kind !== "wake") th.todo.unshift({ ...r, kind: "wake" });
        return;
      case "EFAULT":
        if (r.kind === "continue") {
          // No folio any more (a hole was punched): wake the faulter so that it refaults.
          this.outcomes.add(`CONTINUE → EFAULT (the folio went away meanwhile)`);
          th.todo.unshift({ ...r, kind: "wake" });
          return;
        }
        break;
      case "EACCES":
        if (r.kind === "copy" || r.kind === "zeropage") {
          // The page is not shared any more (guest_memfd converted it to private): no fill can
          // succeed until it is converted back. Wake the faulter: it refaults, and the type's
          // fault path refuses the private page (SIGBUS), as it does without userfaultfd.
          this.outcomes.add(`${what} → EACCES (the page is private now: no fill can succeed)`);
          th.todo.unshift({ ...r, kind: "wake" });
          return;
        }
        break;
      case "ESRCH":
        this.outcomes.add(`${what} → ESRCH (the mm is gone)`);
        return;
      case "EBADF":
        // The descriptor was closed (release woke every faulter): nothing is left to serve.
        this.outcomes.add(`${what} → EBADF (the userfaultfd was closed)`);
        th.todo.length = 0;
        return;
    }
    this.violation("errno", `${what} of page ${r.page} returned ${formatObservation(obs)}: not an error the ABI documents for this race, and the monitor cannot tell why it failed`);
    // What a careful monitor does with an error it cannot act on: wake the faulter, which refaults.
    if (r.kind !== "wake") th.todo.unshift({ ...r, kind: "wake" });
  }

  /** Run the in-flight path to its next point or its end. */
  private advance(th: ThreadRun): void {
    const r = th.path!.next();
    const op = th.ops[th.pc]!;
    const opText = th.pathFor && typeof th.pathFor === "object" ? `${th.pathFor.kind} page ${th.pathFor.page}` : op.op === "access" ? `${op.access} page ${op.page}` : op.op === "step" ? describeStep(op.step) : op.op;
    if (!r.done) {
      th.at = r.value;
      this.record(th, opText, `${r.value.fn}: ${r.value.at}`, r.value.holds.join(", "));
      return;
    }
    th.at = null;
    th.path = null;
    const pathFor = th.pathFor;
    th.pathFor = null;
    if (pathFor === "access") {
      this.finishAccess(th, opText);
      return;
    }
    const obs = r.value as Observed;
    if (th.pathStep) this.forced.push({ k: "step", thread: th.name, step: th.pathStep, obs });
    th.pathStep = null;
    this.record(th, opText, formatObservation(obs), "");
    if (pathFor && typeof pathFor === "object") {
      this.handleResult(th, pathFor, obs);
      return;
    }
    if (op.op === "step") {
      this.noteOutcome(op.step.op, obs);
      const page = "page" in op.step && typeof op.step.page === "number" ? op.step.page : -1;
      if (obs.status === "errno=EFAULT" && page >= 0 && this.beyondEof(page)) this.noteAllocatedBeyondEof(th, op.step.op.toUpperCase(), "EFAULT");
    }
    th.pc++;
  }

  private finishAccess(th: ThreadRun, opText: string): void {
    const st = this.simThread(th);
    const op = th.ops[th.pc]! as Extract<ProgramOp, { op: "access" }>;
    this.forced.push({ k: "end", thread: th.name, outcome: st.state, value: st.result });
    if (st.state === "blocked") {
      this.record(th, opText, "blocked in handle_userfault()", "");
      return;
    }
    this.record(th, opText, st.state === "done" ? (op.access === "read" ? `read 0x${st.result.toString(16)}` : "written") : st.state, "");
    if (st.state === "done" && op.access === "read") {
      this.reads.push({ thread: th.name, page: op.page, value: st.result, expect: this.expectedValues(op.page) });
    }
    th.pc++;
  }

  /** What a read of page p may return: what the monitor supplies, or what the program put there. */
  private expectedValues(page: number): number[] {
    const out = new Set<number>([monitorByte(page)]);
    const serve = this.threads.find((t) => t.ops.some((o) => o.op === "serve"))?.ops.find((o) => o.op === "serve") as ServeOp | undefined;
    if (serve?.missing === "zeropage") out.add(0);
    for (const f of this.program.setup.populate ?? []) if (page >= f.page && page < f.page + f.pages) out.add(f.value & 0xff);
    for (const t of this.program.threads) {
      for (const o of t.ops) {
        if (o.op === "access" && o.access === "write" && o.page === page) out.add((o.value ?? 0) & 0xff);
        // After UNREGISTER or close the page is not trapped any more; fallocate() promises zeros.
        if (o.op === "step" && (o.step.op === "unregister" || o.step.op === "close" || (o.step.op === "fallocate" && o.step.mode === "allocate"))) out.add(0);
      }
    }
    return [...out];
  }

  /** Is page p of the primary mapping at or beyond its file's i_size now? */
  /**
   * A fill refused beyond EOF after it had allocated: the type's allocation
   * did not check i_size (or checked before the file shrank), and core's
   * install re-check (mfill_file_over_size(), under the page table lock)
   * refused the page and the add was undone. Reached, not a violation: the
   * `eof` property holds after the transition (docs/explore.md, "Who owns
   * the EOF check").
   */
  private noteAllocatedBeyondEof(th: ThreadRun, what: string, err: string): void {
    if (err !== "EFAULT" || this.sim.machine.folios.allocations === th.allocsAtStart) return;
    this.outcomes.add(`${what} beyond EOF allocated a folio first; core's i_size re-check at install refused it and nothing stayed cached or mapped`);
  }

  private beyondEof(page: number): boolean {
    const file = this.sim.primary.file;
    return file !== null && page >= file.size;
  }

  private noteOutcome(op: string, obs: Observed): void {
    if (obs.status.startsWith("errno=")) this.outcomes.add(`${op.toUpperCase()} → ${obs.status.slice("errno=".length)}`);
  }

  private withThread(step: Step, thread: string): Step {
    // Calls that can block on their event run on the program thread's own worker.
    if (step.op === "madvise" || step.op === "punch_hole" || step.op === "munmap" || step.op === "mremap" || step.op === "fork") return { ...step, thread } as Step;
    return step;
  }

  private record(th: ThreadRun, op: string, stop: string, holds: string): void {
    this.trace.push({ thread: th.name, op, stop, holds });
  }

  violation(property: Violation["property"], message: string): void {
    if (this.violations.some((v) => v.message === message)) return;
    this.violations.push({ property, message, atTransition: this.trace.length });
  }

  /** The properties that must hold in every state (src/run/explore/properties.ts). */
  checkNow(): void {
    for (const v of checkState(this.sim, this.fallocates)) this.violation(v.property, v.message);
  }

  /** At the end of a schedule: nothing blocked forever, nothing leaked, contents as supplied. */
  checkEnd(): void {
    this.checkNow();
    for (const th of this.threads) {
      if (this.threadFinished(th)) continue;
      const st = this.simThread(th);
      const op = th.ops[th.pc];
      const where = st.state === "blocked" ? (st.waitMsg ? "in handle_userfault()" : "waiting for its event to be read") : `at ${th.at ? th.at.fn : "its next operation"}`;
      this.violation("lost-wake", `thread ${th.name} never finishes ${op ? describeOp(op) : ""}: blocked ${where}, and no thread is left to wake it`);
    }
    for (const r of this.reads) {
      if (!r.expect.includes(r.value)) {
        this.violation("contents", `thread ${r.thread} read 0x${r.value.toString(16)} from page ${r.page}; the monitor supplied ${r.expect.map((v) => `0x${v.toString(16)}`).join(" or ")}`);
      }
    }
    if (!this.finished()) return;
    for (const f of checkInvariants(this.m, this.sim.childMm ? [this.sim.childMm] : [])) this.violation("leak", f.message);
    for (let f = 1; f < this.m.folios.used; f++) {
      if (this.m.folios.isLocked(f)) this.violation("leak", `folio ${f} is still locked when every thread has finished`);
    }
  }

  /** A canonical key of the whole state: the simulator's, and each thread's position and provenance. */
  stateKey(): string {
    const threads = this.threads.map((th) => `${th.pc}|${th.blockedStep ? "B" : ""}${th.mustRead ? "R" : ""}|${th.path && th.at ? `${th.at.fn}:${th.at.at}|${th.segments.join(",")}` : ""}|${th.todo.map((r) => `${r.kind}${r.base}:${r.page}+${r.pages}${r.literal ? "L" : ""}`).join(",")}|${[...th.remaps].join(",")}`);
    return stateKeyOf(this.sim, threads);
  }

  /** What thread t would do next, for the sleep sets' independence test. */
  footprint(t: number): Footprint {
    const th = this.threads[t]!;
    const op = th.ops[th.pc];
    if (!op) return { pages: [], global: false };
    if (op.op === "serve") return { pages: [], global: true };
    if (op.op === "access") return { pages: [op.page], global: true };
    if (op.op === "convert") return { pages: [op.page], global: false };
    return stepFootprint(op.step, this.removeEvents(), th.blockedStep);
  }

  private removeEvents(): boolean {
    const ctx = this.sim.ctx(0);
    return ctx !== undefined && (ctx.features & UFFD_FEATURES.event_remove) !== 0;
  }
}

/**
 * What a transition may touch. Two transitions are independent when neither is
 * global and their pages are disjoint: they commute, and neither enables or
 * disables the other. Everything that can queue or read an event, wake a
 * thread, or change a VMA is global.
 */
export interface Footprint {
  readonly pages: readonly number[];
  readonly global: boolean;
}

/**
 * A step's footprint: a fill, a zap or a fallocate of a page range touches those
 * pages (a fill wakes only the faulters of its range); a zap that raises
 * EVENT_REMOVE, and every step that reads or changes registration, the event
 * queue or the VMAs, is global.
 */
function stepFootprint(s: Step, removeEvents: boolean, blocked: boolean): Footprint {
  const range = (p: number, n = 1) => Array.from({ length: n }, (_, k) => p + k);
  if (blocked) return { pages: [], global: true };
  switch (s.op) {
    case "copy":
      return "page" in s.src || s.thread ? { pages: [], global: true } : { pages: range(s.page, s.pages), global: false };
    case "zeropage":
    case "continue":
    case "poison":
    case "wake":
      return { pages: range(s.page, s.pages), global: false };
    case "writeprotect":
      return { pages: range(s.page, s.pages), global: false };
    case "fallocate":
      return { pages: range(s.page, s.pages), global: false };
    case "madvise":
      return s.advice === "dontneed" && !removeEvents ? { pages: range(s.page, s.pages), global: false } : { pages: [], global: true };
    default:
      return { pages: [], global: true };
  }
}

export class ProgramError extends Error {}

/** Per page of the primary mapping: its PTE, cache folio and attributes; then the event queue. */
function pageSummary(sim: Simulation): string[] {
  const v = sim.primary;
  const m = sim.machine;
  const out: string[] = [];
  const state = ["none", "present", "zero page", "marker"];
  for (let i = 0; i < v.npages; i++) {
    const f = v.pte[i] === 1 ? v.pteFolio[i]! : -1;
    const c = v.file?.cache[i] ?? -1;
    const bits = [`PTE ${state[v.pte[i]!] ?? v.pte[i]}${f >= 0 ? ` (folio ${f}${m.folios.isUptodate(f) ? "" : ", not up to date"})` : ""}`];
    if (v.file) bits.push(c >= 0 ? `cache folio ${c}${m.folios.isUptodate(c) ? "" : " (not up to date)"}${m.folios.isLocked(c) ? " (locked)" : ""}` : "no cache folio");
    if (v.file?.privatePages.has(i)) bits.push("private");
    out.push(`page ${i}: ${bits.join(", ")}`);
  }
  const ctx = sim.ctx(0);
  if (ctx) out.push(`queue: ${ctx.pending.length} unread, mmap_changing ${ctx.mmapChanging}`);
  return out;
}

function changes(before: readonly string[], after: readonly string[]): string {
  const diff = after.filter((line, k) => line !== before[k]);
  return diff.length ? diff.join("; ") : "no change to pages or queue";
}

function isMfill(s: Step): s is Extract<Step, { op: "copy" | "zeropage" | "continue" | "poison" }> {
  if (s.op === "copy") return !("page" in s.src) && !s.thread;
  return s.op === "zeropage" || s.op === "continue" || s.op === "poison";
}

function errnoName(r: number): string {
  for (const [k, v] of Object.entries(ERRNO)) if (v === -r) return k;
  return String(-r);
}


function describeStep(s: Step): string {
  const p = (s as { page?: number }).page;
  const n = (s as { pages?: number }).pages;
  const range = p !== undefined ? ` page ${p}${n && n > 1 ? `..${p + n - 1}` : ""}` : "";
  if (s.op === "truncate") return `ftruncate to ${s.pages} page${s.pages === 1 ? "" : "s"}`;
  const extra = s.op === "madvise" ? ` ${s.advice}` : s.op === "fallocate" ? ` ${s.mode}` : s.op === "writeprotect" ? (s.wp ? " wp" : " unprotect") : "";
  return `${s.op}${extra}${range}`;
}

export function describeOp(op: ProgramOp): string {
  switch (op.op) {
    case "access":
      return `${op.mode === "kernel" ? "kernel-mode " : ""}${op.access} page ${op.page}`;
    case "serve":
      return `serve (${[op.missing && `MISSING→${op.missing}${op.copyWp ? "+wp" : ""}`, op.minor && `MINOR→${op.minor}`, op.wp && `WP→${op.wp}`].filter(Boolean).join(", ")})`;
    case "convert":
      return `convert page ${op.page} to ${op.to}`;
    case "step":
      return describeStep(op.step);
  }
}
