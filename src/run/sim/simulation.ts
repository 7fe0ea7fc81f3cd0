/**
 * The step-able simulation: builds the machine a scenario's setup describes,
 * runs one step at a time under an explicit scheduler, prints the canonical
 * observation of each step (src/ir/observation.ts), checks it, and checks
 * the invariants after every step.
 *
 * The scheduler owns every thread: the monitor (which performs every step that
 * is not a touch) and each worker named by a touch. A touch runs its worker
 * until the access completes, raises SIGBUS, or blocks in handle_userfault();
 * a blocked worker runs again only when a wake, a resolution or a close makes
 * it runnable, and it then runs to its next stop before the step ends.
 *
 * Side calls (madvise, fallocate) run in a side thread as the generated
 * selftest runs them; with EVENT_REMOVE they block until the event is read
 * (6.18, fs/userfaultfd.c userfaultfd_event_wait_completion()). Sources for what each op does are in the module
 * that implements it; the observation grammar is src/ir/observation.ts.
 */
import {
  ERRNO,
  RANGE_IOCTLS,
  UFFD_API,
  UFFD_FEATURES,
  UFFDIO_CONTINUE_MODE,
  UFFDIO_COPY_MODE,
  UFFDIO_MOVE_MODE,
  UFFDIO_POISON_MODE,
  UFFDIO_REGISTER_MODE,
  UFFDIO_WRITEPROTECT_MODE,
  UFFDIO_ZEROPAGE_MODE,
  type UffdFeature,
} from "../../kernel/uapi.js";
import { KIND_SUPPORT } from "../../kernel/kinds.js";
import { kernelVersion, type KernelVersionId } from "../../kernel/versions.js";
import { NEED_POLICY, type KernelNeed, type PageRange, type Scenario, type Step } from "../../ir/scenario.js";
import { apiReportsMasks, checkObservation, formatObservation, hexByte, reventsText, type Observed } from "../../ir/observation.js";
import {
  UFFD_MSG_SIZE,
  errnoObs,
  fallocateFile,
  fstatFile,
  gmemCreateErrno,
  kvmCap,
  gmemMemslot,
  openUserfaultfd,
  pollRevents,
  readFile,
  readRefusal,
  truncateFile,
  withApiMasks,
} from "./fdops.js";
import type { RunFinding, ScenarioResult, StepResult } from "../../ir/result.js";
import { Machine } from "./machine.js";
import { FAULT_BLOCKED, FAULT_RETRY, FAULT_SIGBUS, handle_mm_fault } from "./memory.js";
import {
  KIND_VMA,
  PTE_NONE,
  PTE_PRESENT,
  PTE_ZERO,
  type SimThread,
  type UserfaultfdCtx,
  type Vma,
  type VmaKind,
} from "./state.js";
import {
  UNKNOWN_FEATURE_BIT,
  new_userfaultfd,
  userfaultfd_api,
  userfaultfd_continue,
  userfaultfd_copy,
  userfaultfd_poison,
  userfaultfd_zeropage,
  userfaultfd_move,
  userfaultfd_ctx_read,
  userfaultfd_register,
  userfaultfd_release,
  userfaultfd_remove,
  userfaultfd_unregister,
  userfaultfd_wake,
  userfaultfd_writeprotect,
} from "./fs_userfaultfd.js";
import { mfill_atomic_install_pte, zapRange } from "./userfaultfd.js";
import { DeclaredC } from "../c/instance.js";
import type { CompiledType } from "../c/compile.js";
import type { CoreHooks } from "../c/contracts.js";
import { pageIsShared } from "./declared.js";
import { filemap_add_folio, filemap_remove_folio } from "./uffd_ops.js";
import { checkInvariants } from "./invariants.js";
import { isPath, run, type KernelPath } from "./preempt.js";
import { ScenarioSetupError } from "./setup-error.js";
import { errno, field, fillFn, modeBits, ret, unknownBits } from "./observe.js";
import { munmapStep } from "./munmap.js";
import { accessAllowed, mapNext } from "./layout.js";
import { mremapStep } from "./mremap.js";
import { FORK_CHILD_THREAD, forkStep } from "./fork.js";
import { madvise_collapse } from "./collapse.js";

import { copyStep } from "./copysrc.js";
import { KvmUserfault, type AccessOutcome } from "./kvm_userfault.js";
import type { ErrnoName } from "../../kernel/uapi.js";

export interface SimOptions {
  kernel: KernelVersionId;
  /** A declared type's emitted C, compiled (src/run/c); required for setup.kind "declared". */
  declaredC?: CompiledType;
  /** Why the emitted C could not be compiled, when it could not (reported as the setup error). */
  declaredCError?: string;
}

/** How a kvm_vcpu_access step picks among the weak-memory schedules (explore.ts passes its own). */
export type VcpuChooser = (stepIndex: number, outcomes: AccessOutcome[]) => AccessOutcome;

export { ScenarioSetupError } from "./setup-error.js";
export { fillFn } from "./observe.js";

const MAX_RETRIES = 16;

export class Simulation {
  readonly machine: Machine;
  readonly scenario: Scenario;
  readonly results: StepResult[] = [];
  readonly findings: RunFinding[] = [];
  readonly kvm = new KvmUserfault();
  /** Outcomes a vcpu access could have had, per step index (filled for exploration). */
  readonly vcpuOutcomes = new Map<number, AccessOutcome[]>();
  primary!: Vma;
  alias: Vma | null = null;
  src: Vma | null = null;
  private ctxs: UserfaultfdCtx[] = [];
  private next = 0;
  private setupError: string | null = null;
  private setupMismatch = false;
  private findingKeys = new Set<string>();
  /** Primary pages that have had a PTE (their page table exists: MADV_COLLAPSE looks at that). */
  private readonly everMapped = new Set<number>();
  /** A forked child's VMAs (another mm at the same addresses, sharing the machine's folios). */
  childMm: Vma[] | null = null;
  /** The address space of each forked child's context (the child is another mm at the same addresses). */
  readonly ctxMm = new Map<UserfaultfdCtx, Vma[]>();
  /** KVM_CREATE_GUEST_MEMFD failed as the setup expected: there is no backing file. */
  private noFile = false;

  constructor(
    scenario: Scenario,
    readonly opts: SimOptions,
    private readonly chooseVcpu: VcpuChooser | null = null,
  ) {
    this.scenario = scenario;
    this.machine = new Machine(kernelVersion(opts.kernel), scenario.setup.declared ?? null);
    try {
      this.setup();
    } catch (e) {
      if (!(e instanceof ScenarioSetupError)) throw e;
      this.setupError = e.message;
      this.setupMismatch = e.kind === "mismatch";
    }
  }

  get done(): boolean {
    return this.setupError !== null || this.next >= this.scenario.steps.length;
  }

  get stepIndex(): number {
    return this.next;
  }

  thread(name: string): SimThread | undefined {
    return this.machine.threads.get(name);
  }

  ctx(i = 0): UserfaultfdCtx | undefined {
    return this.ctxs[i];
  }

  private setup(): void {
    const s = this.scenario.setup;
    const m = this.machine;
    const d = s.declared;
    let kind: VmaKind;
    let pageSize: number;
    let anonymous = false;
    let fileBacked: boolean;
    if (s.kind === "declared") {
      if (!d) throw new ScenarioSetupError("setup.kind is \"declared\" but setup.declared is missing");
      pageSize = d.kernelKind === "hugetlb" || d.backing === "hugetlb" ? KIND_SUPPORT.hugetlb.pageSize : KIND_SUPPORT.anon.pageSize;
      if (d.backing === "anon") {
        kind = "anon";
        anonymous = s.map === "private";
        fileBacked = false;
        if (!anonymous) kind = "shmem";
      } else if (d.backing === "hugetlb") {
        kind = "hugetlb";
        fileBacked = true;
      } else {
        kind = "declared";
        fileBacked = true;
      }
    } else {
      kind = KIND_VMA[s.kind];
      pageSize = KIND_SUPPORT[s.kind].pageSize;
      anonymous = s.kind === "anon";
      fileBacked = !anonymous;
      if (s.kind === "anon" && s.map === "shared") throw new ScenarioSetupError("kind anon is private anonymous memory; use shmem-anon for MAP_SHARED|MAP_ANONYMOUS");
      if (s.kind === "shmem-anon" && s.map === "private") throw new ScenarioSetupError("shmem-anon is MAP_SHARED|MAP_ANONYMOUS; use anon for a private mapping");
    }
    let mmapErrno: ErrnoName | null = null;
    if (kind === "guest_memfd") {
      const flags = s.gmemFlags ?? [];
      const createErrno = gmemCreateErrno(m, flags, s.gmemRawFlags ?? 0);
      if ((s.createExpect ?? null) !== createErrno) {
        throw new ScenarioSetupError(
          createErrno ? `KVM_CREATE_GUEST_MEMFD failed with ${createErrno}, but setup.createExpect is ${s.createExpect ?? "absent (success)"}` : `KVM_CREATE_GUEST_MEMFD succeeded, but setup.createExpect is ${s.createExpect}`,
          "mismatch",
        );
      }
      if (createErrno) {
        // No file, no mapping: keep a detached VMA so page numbers compute; steps see neither.
        this.noFile = true;
        this.primary = m.newVma({ role: "primary", npages: s.pages, pageSize, kind, anonymous: false, shared: true, mayWrite: true, write: true, file: null });
        m.vmas.pop();
        for (let i = 0; i < (s.contexts ?? 1); i++) this.ctxs.push(new_userfaultfd(m, s.userModeOnly === true));
        return;
      }
      // kvm_gmem_mmap(): no MMAP flag is ENODEV (INIT_SHARED alone too); MAP_PRIVATE is EINVAL (6.18, virt/kvm/guest_memfd.c).
      if (!flags.includes("mmap")) mmapErrno = "ENODEV";
      else if (s.map === "private") mmapErrno = "EINVAL";
    }
    if ((s.mmapExpect ?? null) !== mmapErrno) {
      throw new ScenarioSetupError(
        mmapErrno ? `mmap failed with ${mmapErrno}, but setup.mmapExpect is ${s.mmapExpect ?? "absent (success)"}` : `mmap succeeded, but setup.mmapExpect is ${s.mmapExpect}`,
        "mismatch",
      );
    }
    if (!Number.isInteger(s.pages) || s.pages < 1) throw new ScenarioSetupError("setup.pages must be a positive integer");
    const file = fileBacked
      ? m.newFile(kind, s.pages, { gmemFlags: s.gmemFlags ?? [], hasFd: s.kind !== "shmem-anon" && !(s.kind === "declared" && d?.backing === "anon") })
      : null;
    const shared = s.map === "shared";
    const ro = s.readonly === true;
    this.primary = m.newVma({
      role: "primary",
      npages: s.pages,
      pageSize,
      kind,
      anonymous,
      shared,
      mayWrite: !(ro && shared && fileBacked),
      write: !ro,
      file,
    });
    if (mmapErrno) {
      // The mapping does not exist: keep a detached VMA so page numbers still compute, but no lookup finds it.
      m.vmas.pop();
    }
    if (s.alias && !mmapErrno) {
      // A file is mapped twice; shared anonymous memory is duplicated with mremap(old_size = 0).
      if (!file || (!file.hasFd && !shared)) throw new ScenarioSetupError("setup.alias needs shared file-backed memory (not private anonymous memory)");
      this.alias = m.newVma({ role: "alias", npages: s.pages, pageSize, kind, anonymous: false, shared: true, mayWrite: true, write: true, file });
    }
    if (s.next) {
      if (pageSize !== KIND_SUPPORT.anon.pageSize || this.primary.kind === "guest_memfd") throw new ScenarioSetupError("setup.next needs a base-page primary mapping (anon, shmem, shmem-anon)");
      if (s.next.droppable && s.next.kind !== "anon") throw new ScenarioSetupError("MAP_DROPPABLE is anonymous memory: setup.next.kind must be anon");
      mapNext(m, this.primary, s.next);
    }
    if (s.srcPages) {
      this.src = m.newVma({
        role: "src",
        npages: s.srcPages,
        pageSize: KIND_SUPPORT.anon.pageSize,
        kind: "anon",
        anonymous: true,
        shared: false,
        mayWrite: true,
        write: true,
        file: null,
      });
    }
    for (const p of d?.privatePages ?? []) file?.privatePages.add(p);
    if (d && s.kind === "declared") this.startDeclaredC(d);
    for (const fill of s.populate ?? []) this.populate(fill.page, fill.pages, fill.value);
    for (const p of s.fallocated ?? []) {
      if (!file || p < 0 || p >= file.npages) throw new ScenarioSetupError(`setup.fallocated: page ${p} is not a page of the backing file`);
      // fallocate(0): the folio is allocated and cached, but nobody has written it.
      const f = m.folios.alloc();
      filemap_add_folio(m, file, f, p);
      m.folios.put(f);
    }
    const n = s.contexts ?? 1;
    for (let i = 0; i < n; i++) this.ctxs.push(new_userfaultfd(m, s.userModeOnly === true));
  }

  /** The type's callbacks are its emitted C: instantiate it against the contract model. */
  private startDeclaredC(d: NonNullable<Scenario["setup"]["declared"]>): void {
    const compiled = this.opts.declaredC;
    if (!compiled) {
      throw new ScenarioSetupError(
        this.opts.declaredCError
          ? `setup.declared: the emitted C of ${d.name} does not compile against uffdkit's kernel model: ${this.opts.declaredCError}`
          : `setup.declared: the emitted C of ${d.name} was not given (${d.c ? `expected at ${d.c.file}` : "setup.declared.c is missing"}); the simulator runs a declared type only through its C`,
      );
    }
    const hooks: CoreHooks = {
      installPte: (m, vma, page, folio, inCache, wp) => mfill_atomic_install_pte(m, vma, page, folio, inCache, wp),
      pageIsShared,
    };
    this.machine.c = new DeclaredC(compiled, this.machine, hooks, d.inject ?? []);
  }

  /** Does no page of the primary mapping have a PTE (not even a marker)? */
  private mappingEmpty(): boolean {
    for (const v of this.machine.vmas) {
      if (v.base !== this.primary.base) continue;
      for (let i = v.off; i < v.off + v.npages; i++) if (v.pte[i] !== PTE_NONE) return false;
    }
    return true;
  }

  /** Remember which primary pages have had a PTE (see everMapped). */
  private noteMapped(): void {
    for (const v of this.machine.vmas) {
      if (v.base !== this.primary.base) continue;
      for (let i = v.off; i < v.off + v.npages; i++) if (v.pte[i] !== PTE_NONE) this.everMapped.add(i);
    }
  }

  /** setup.populate: write the pages through the primary mapping, as the selftest's memset does. */
  private populate(first: number, n: number, value: number): void {
    if (first < 0 || first + n > this.primary.npages) throw new ScenarioSetupError(`setup.populate: pages ${first}..${first + n - 1} are not all in the mapping`);
    const th = this.threadFor("populate");
    for (let i = first; i < first + n; i++) {
      Object.assign(th, { state: "running", vma: this.primary, page: i, write: true, value: value & 0xff, result: -1, offset: 0, kernelMode: false });
      this.runThread(th);
      if (th.state !== "done") throw new ScenarioSetupError(`setup.populate: page ${i} could not be written (${th.state})`);
    }
    this.machine.threads.delete("populate");
    this.noteMapped();
  }

  /** Run the next step; returns its result, or null when there is none. */
  step(): StepResult | null {
    if (this.done) return null;
    const index = this.next++;
    const step = this.scenario.steps[index]!;
    const m = this.machine;
    m.findings.length = 0;
    let observed: Observed;
    try {
      // A step on a forked child's context acts on the child's address space.
      const own = this.ctxs[step.ctx ?? 0];
      const mm = own ? this.ctxMm.get(own) : undefined;
      observed = mm ? this.withMm(mm, () => this.execute(step, index)) : this.execute(step, index);
    } catch (e) {
      if (!(e instanceof ScenarioSetupError)) throw e;
      observed = { status: "error", fields: { reason: e.message.replace(/\s+/g, "_") } };
    }
    this.schedule();
    this.noteMapped();
    if (this.kvm.enabled && !step.op.startsWith("kvm_")) this.kvm.recordContentStores((p) => this.pageValue(this.primary, p));
    for (const f of [...m.findings, ...checkInvariants(m, this.childMm ? [this.childMm] : [])]) this.addFinding(index, f.message, f.rule);
    const check = checkObservation(step, observed);
    const r: StepResult = check.ok
      ? { index, op: step.op, observed: formatObservation(observed), ok: true }
      : { index, op: step.op, observed: formatObservation(observed), expected: check.expected, ok: false };
    this.results.push(r);
    return r;
  }

  private addFinding(step: number, message: string, rule?: string): void {
    if (this.findingKeys.has(message)) return;
    this.findingKeys.add(message);
    this.findings.push(rule ? { step, message, rule } : { step, message });
  }

  /** What the scenario needs that the modelled kernel lacks (verdict "lacks", as on a real kernel). */
  missingNeeds(): string[] {
    return (this.scenario.setup.needs ?? []).filter((n) => !this.machine.version.provides.includes(n));
  }

  /** Run every step; the result never throws for the scenario's sake. */
  run(): ScenarioResult {
    const lacking = this.missingNeeds();
    const lacks = (why: string) => `simulated Linux ${this.machine.version.id} lacks ${lacking.join(", ")}${why}`;
    if (lacking.some((n) => NEED_POLICY[n as KernelNeed] === "skip")) {
      return { scenario: this.scenario.name, verdict: "lacks", steps: [], reason: lacks("") };
    }
    if (this.setupError === null) while (!this.done) this.step();
    const r = this.result();
    // Needs the runners try anyway (NEED_POLICY): a failure is the missing feature's evidence.
    if (lacking.length && r.verdict !== "pass") return { ...r, verdict: "lacks", reason: lacks(`: ${r.reason ?? r.verdict}`) };
    return r;
  }

  result(): ScenarioResult {
    const failed = this.results.filter((r) => !r.ok);
    const c = this.machine.c;
    const base = {
      scenario: this.scenario.name,
      steps: this.results,
      ...(this.findings.length ? { findings: this.findings } : {}),
      ...(c ? { cBranches: { taken: [...c.branches.taken], notTaken: [...c.branches.notTaken] } } : {}),
    };
    if (this.setupError !== null) return { ...base, verdict: this.setupMismatch ? "fail" : "error", reason: `setup: ${this.setupError}` };
    if (failed.length) return { ...base, verdict: "fail", reason: `step ${failed[0]!.index} ${failed[0]!.op}: got "${failed[0]!.observed}", expected "${failed[0]!.expected}"` };
    if (this.findings.length) return { ...base, verdict: "fail", reason: `invariant broken at step ${this.findings[0]!.step}: ${this.findings[0]!.message}` };
    return { ...base, verdict: "pass" };
  }

  /** The scheduler: run woken threads, oldest wake first, until none is runnable. */
  private schedule(): void {
    const m = this.machine;
    let guard = 0;
    while (m.runnable.length) {
      const th = m.runnable.shift()!;
      if (th.state === "running") {
        if (th.mm) this.withMm(th.mm, () => this.runThread(th));
        else this.runThread(th);
      }
      if (++guard > 100000) throw new Error("scheduler livelock");
    }
  }

  /**
   * Run `fn` with the machine's VMAs being `mm` (a forked child's), then hand
   * back whatever splits and merges it made. One Machine serves both processes:
   * they share folios, and the child's VMAs sit at the parent's addresses.
   */
  withMm<T>(mm: Vma[], fn: () => T): T {
    const vmas = this.machine.vmas;
    const own = vmas.splice(0, vmas.length, ...mm);
    try {
      return fn();
    } finally {
      const child = vmas.splice(0, vmas.length, ...own);
      mm.splice(0, mm.length, ...child);
    }
  }

  /** Run a worker's access until it completes, raises SIGBUS or blocks. */
  runThread(th: SimThread): void {
    if (th.resume) {
      th.resume();
      return;
    }
    run(this.accessPath(th));
  }

  /** A worker's access as a kernel path: the fault, retried from the top on VM_FAULT_RETRY. */
  *accessPath(th: SimThread): KernelPath<void> {
    for (let k = 0; k < MAX_RETRIES; k++) {
      // Registration may have split or merged VMAs since the thread last ran.
      const vma = this.vmaOf(th.vma!, th.page);
      if (!vma || !accessAllowed(vma, th.write)) {
        // Nothing is mapped there (munmap, a hole) or the protection forbids it: SIGSEGV,
        // or EFAULT for a kernel-mode copy.
        th.state = "sigsegv";
        return;
      }
      // The page may lie in the next mapping of a layout: index it in its own VMA.
      const i = Math.round((th.vma!.base + th.page * th.vma!.pageSize - vma.base) / vma.pageSize);
      const f = handle_mm_fault(this.machine, th, vma, i, th.write, th.value);
      const r = isPath(f) ? yield* f : f;
      if (r === FAULT_RETRY) continue;
      if (r === FAULT_BLOCKED) return;
      if (r === FAULT_SIGBUS) {
        th.state = "sigbus";
        return;
      }
      th.state = "done";
      th.result = th.write ? -1 : r;
      return;
    }
    th.state = "sigbus";
  }

  /** Pages a mapping's numbering covers: the primary's runs on through setup.next. */
  private layoutPages(vma: Vma): number {
    const next = this.scenario.setup.next;
    return vma === this.primary && next ? vma.npages + (next.gapPages ?? 0) + next.pages : vma.npages;
  }

  /** The VMA that holds page `page` of a mapping now (null when the mapping does not exist). */
  vmaOf(mapping: Vma, page: number): Vma | null {
    return this.machine.vmaLookup(mapping.base + page * mapping.pageSize);
  }

  /** What the page holds as a reader of `vma` would see it (no fault taken). */
  pageValue(vma: Vma, i: number): number {
    const st = vma.pte[i];
    if (st === PTE_PRESENT || st === PTE_ZERO) return this.machine.folios.value[vma.pteFolio[i]!]!;
    const c = vma.file?.cache[i] ?? -1;
    if (c >= 0) return this.machine.folios.value[c]!;
    return 0;
  }

  getCtx(step: Step): UserfaultfdCtx {
    const c = this.ctxs[step.ctx ?? 0];
    if (!c) throw new ScenarioSetupError(`step uses ctx ${step.ctx} but setup.contexts opens ${this.ctxs.length}`);
    return c;
  }

  range(r: PageRange, vma: Vma = this.primary): { start: number; len: number } {
    const start = vma.start + r.page * vma.pageSize + (r.offsetBytes ?? 0);
    const len = r.lenBytes ?? (r.pages ?? 1) * vma.pageSize;
    return { start, len };
  }

  threadFor(name: string): SimThread {
    let th = this.machine.threads.get(name);
    if (!th) {
      th = { name, state: "idle", vma: null, page: 0, write: false, value: 0, result: -1, waitMsg: null, waitCtx: null, afterEvent: null };
      this.machine.threads.set(name, th);
    }
    return th;
  }

  threadObs(th: SimThread | undefined): Observed {
    if (!th) return { status: "error", fields: { reason: "no_such_thread" } };
    if (th.ioctlObs && th.state === "done") return th.ioctlObs;
    if (th.kernelMode && !th.resume) {
      // A system call returns: the copy succeeded, or it hit what a user access would get SIGBUS for.
      if (th.state === "done") return { status: "done", fields: { result: "ok" } };
      if (th.state === "sigbus" || th.state === "sigsegv") return { status: "done", fields: { result: "EFAULT" } };
    }
    switch (th.state) {
      case "blocked":
        return { status: "blocked", fields: {} };
      case "sigbus":
        return { status: "sigbus", fields: {} };
      case "sigsegv":
        return { status: "sigsegv", fields: {} };
      case "done":
        return { status: "done", fields: th.result >= 0 ? { value: hexByte(th.result) } : {} };
      default:
        return { status: "error", fields: { reason: `thread_${th.state}` } };
    }
  }

  /**
   * One step's operation without the step's bookkeeping (no observation check,
   * no scheduling of woken threads): the explorer's threads run steps this way
   * and schedule the woken threads themselves.
   */
  executeStep(step: Step, index: number): Observed {
    return this.execute(step, index);
  }

  private execute(step: Step, index: number): Observed {
    switch (step.op) {
      case "api":
      case "register":
      case "unregister":
      case "wake":
      case "writeprotect":
      case "move":
      case "copy":
      case "zeropage":
      case "continue":
      case "poison":
        return this.ioctlStep(step, index);
      case "event":
      case "poll":
      case "open":
      case "close":
      case "fstat":
      case "fallocate":
      case "truncate":
      case "file_read":
      case "file_write":
      case "punch_hole":
        return this.fileStep(step, index);
      case "touch":
      case "wait":
      case "syscall":
      case "child_wait":
      case "madvise":
      case "munmap":
      case "mremap":
      case "fork":
        return this.taskStep(step, index);
      case "kvm_cap":
      case "kvm_memslot":
      case "kvm_enable_userfault":
      case "kvm_bitmap":
      case "kvm_vcpu_access":
        return this.kvmStep(step, index);
    }
  }

  /** The userfaultfd ioctls: fs/userfaultfd.c's handlers (fs_userfaultfd.ts). */
  private ioctlStep(step: Extract<Step, { op: "api" | "register" | "unregister" | "wake" | "writeprotect" | "move" | "copy" | "zeropage" | "continue" | "poison" }>, index: number): Observed {
    const m = this.machine;
    // An ioctl this kernel does not have yet: userfaultfd_ioctl()'s default, -EINVAL.
    if ((step.op === "move" || step.op === "poison") && !m.version.rangeIoctls.includes(step.op) && !this.getCtx(step).released) return field({ ret: -ERRNO.EINVAL }, step.op === "move" ? "move" : "updated");
    switch (step.op) {
      case "api": {
        const ctx = this.getCtx(step);
        if (ctx.released) return errno("EBADF");
        let bits = 0n;
        for (const f of step.features ?? []) bits |= BigInt(UFFD_FEATURES[f as UffdFeature]);
        if (step.unknownFeature) bits |= UNKNOWN_FEATURE_BIT;
        if (step.rawFeatures) bits |= BigInt(step.rawFeatures);
        const o = ret(userfaultfd_api(m, ctx, step.badApi ? 0xab : UFFD_API, bits));
        return apiReportsMasks(step) ? withApiMasks(o, m, true, bits) : o;
      }
      case "register": {
        const ctx = this.getCtx(step);
        if (ctx.released) return errno("EBADF");
        let bits = step.rawMode ?? 0;
        for (const md of step.modes) bits |= UFFDIO_REGISTER_MODE[md];
        const { start, len } = this.range(step);
        const r = userfaultfd_register(m, ctx, start, len, bits);
        if (r.ret) return ret(r.ret);
        const list = RANGE_IOCTLS.filter((i) => r.ioctls!.includes(i)).join(",");
        return { status: "ok", fields: { ioctls: list || "0" } };
      }
      case "unregister": {
        const ctx = this.getCtx(step);
        if (ctx.released) return errno("EBADF");
        const { start, len } = this.range(step);
        return ret(userfaultfd_unregister(m, ctx, start, len));
      }
      case "wake": {
        const ctx = this.getCtx(step);
        if (ctx.released) return errno("EBADF");
        const { start, len } = this.range(step);
        return ret(userfaultfd_wake(m, ctx, start, len));
      }
      case "copy": {
        if ("page" in step.src || step.thread) {
          if (this.getCtx(step).released) return errno("EBADF");
          return copyStep(this, step, index);
        }
        return run(this.mfillPath(step));
      }
      case "zeropage":
      case "continue":
      case "poison":
        return run(this.mfillPath(step));
      case "writeprotect": {
        const ctx = this.getCtx(step);
        if (ctx.released) return errno("EBADF");
        const { start, len } = this.range(step);
        const named = [...(step.wp ? ["wp" as const] : []), ...(step.dontwake ? ["dontwake" as const] : [])];
        const mode = modeBits(UFFDIO_WRITEPROTECT_MODE, named, step.rawMode);
        const wp = (mode & UFFDIO_WRITEPROTECT_MODE.wp) !== 0;
        const dontwake = (mode & UFFDIO_WRITEPROTECT_MODE.dontwake) !== 0;
        return ret(userfaultfd_writeprotect(m, ctx, start, len, wp, dontwake, unknownBits(UFFDIO_WRITEPROTECT_MODE, mode)));
      }
      case "move": {
        const ctx = this.getCtx(step);
        if (ctx.released) return errno("EBADF");
        const from = step.srcIn === "primary" ? this.primary : this.src;
        if (!from) throw new ScenarioSetupError("move needs setup.srcPages (or srcIn: primary)");
        if (step.srcIn === "primary" && step.srcFill) throw new ScenarioSetupError("srcFill writes the source directly; with srcIn primary populate it with touch steps");
        const pages = step.pages ?? 1;
        if (step.srcFill) {
          const fill = fillFn(step.srcFill, step.srcPage);
          for (let p = step.srcPage; p < step.srcPage + pages && p < from.npages; p++) {
            const f = m.folios.alloc();
            m.folios.value[f] = fill(p);
            m.folios.markUptodate(f);
            zapRange(m, from, p, 1, true);
            from.pte[p] = PTE_PRESENT;
            from.pteFolio[p] = f;
            m.folios.mapcount[f] = 1;
          }
        }
        const dst = this.primary.base + step.dstPage * this.primary.pageSize;
        const src = from.base + step.srcPage * from.pageSize;
        const mode = modeBits(UFFDIO_MOVE_MODE, step.allowSrcHoles ? ["allow_src_holes"] : [], step.rawMode);
        const holes = (mode & UFFDIO_MOVE_MODE.allow_src_holes) !== 0;
        const dontwake = (mode & UFFDIO_MOVE_MODE.dontwake) !== 0;
        const r = userfaultfd_move(m, ctx, dst, src, pages * from.pageSize, holes, dontwake, unknownBits(UFFDIO_MOVE_MODE, mode));
        return field(r, "move");
      }
    }
  }

  /** What is done to a file descriptor: the userfaultfd's own (read, poll, open, close) and the backing file's. */
  private fileStep(step: Extract<Step, { op: "event" | "poll" | "open" | "close" | "fstat" | "fallocate" | "truncate" | "file_read" | "file_write" | "punch_hole" }>, index: number): Observed {
    const m = this.machine;
    switch (step.op) {
      case "event": {
        const ctx = this.getCtx(step);
        if (ctx.released) return errno("EBADF");
        const refused = readRefusal(ctx, step.bufBytes ?? UFFD_MSG_SIZE);
        if (refused) return errno(refused);
        const msg = userfaultfd_ctx_read(m, ctx);
        if (!msg) return { status: "none", fields: {} };
        // Pages count from the primary mapping, whichever mapping of the layout the message is in.
        const origin = msg.vma.role === "primary" ? this.primary : msg.vma;
        const page = Math.floor((msg.address - origin.base) / origin.pageSize);
        const offset = (msg.address - origin.base) % origin.pageSize;
        if (msg.event === "fork") {
          // read() installs the child's userfaultfd: it becomes the next context index.
          if (msg.child) this.ctxs.push(msg.child);
          return { status: "fork", fields: {} };
        }
        if (msg.event === "remap") return { status: "remap", fields: { pages: String(Math.round((msg.end - msg.address) / msg.vma.pageSize)) } };
        if (msg.event !== "pagefault") {
          return { status: msg.event, fields: { page: String(page), pages: String(Math.round((msg.end - msg.address) / msg.vma.pageSize)) } };
        }
        const names = (["write", "wp", "minor"] as const).filter((n) => msg.flags & { write: 1, wp: 2, minor: 4 }[n]);
        const fields: Record<string, string> = { page: String(page) };
        if (offset) fields.offset = String(offset);
        fields.flags = names.length ? names.sort().join(",") : "0";
        if (ctx.features & UFFD_FEATURES.thread_id && msg.thread) fields.thread = msg.thread.name;
        return { status: "pagefault", fields };
      }
      case "file_write":
        return this.fileWrite(step.page, step.value & 0xff, step.via);
      case "punch_hole":
        return this.sideCall(step, index, "punch");
      case "close": {
        const ctx = this.getCtx(step);
        if (!ctx.released) userfaultfd_release(m, ctx);
        return { status: "ok", fields: {} };
      }
      case "poll": {
        const ctx = this.getCtx(step);
        if (ctx.released) throw new ScenarioSetupError("poll on a context a close step has closed");
        return { status: "ok", fields: { revents: reventsText(pollRevents(ctx)) } };
      }
      case "open":
        return openUserfaultfd(step);
      case "fstat":
        return fstatFile(this.noFile ? null : this.primary.file);
      case "fallocate": {
        // File offsets, not addresses: the mapping maps the file from offset 0.
        const ps = this.primary.pageSize;
        const start = step.page * ps + (step.offsetBytes ?? 0);
        const len = step.lenBytes ?? (step.pages ?? 1) * ps;
        const r = fallocateFile(m, this.noFile ? null : this.primary.file, m.vmas, step, start, len);
        if (typeof r === "string") throw new ScenarioSetupError(r);
        return r;
      }
      case "truncate": {
        const r = truncateFile(m, this.noFile ? null : this.primary.file, m.vmas, step.pages);
        if (typeof r === "string") throw new ScenarioSetupError(r);
        return r;
      }
      case "file_read":
        return readFile(m, this.noFile ? null : this.primary.file, step.page, step.via);
    }
  }

  /** What a task does to memory: accesses and system calls from worker threads, madvise, munmap, mremap, fork. */
  private taskStep(step: Extract<Step, { op: "touch" | "wait" | "syscall" | "child_wait" | "madvise" | "munmap" | "mremap" | "fork" }>, index: number): Observed {
    const m = this.machine;
    switch (step.op) {
      case "touch": {
        const th = this.threadFor(step.thread);
        if (th.state === "blocked") throw new ScenarioSetupError(`thread ${step.thread} is still blocked; use another thread name`);
        const vma = step.via === "alias" ? this.alias : this.primary;
        if (!vma) throw new ScenarioSetupError("touch via alias needs setup.alias");
        if (step.page < 0 || step.page >= this.layoutPages(vma)) throw new ScenarioSetupError(`touch page ${step.page} is outside the mapping`);
        if ((step.offsetBytes ?? 0) >= vma.pageSize) throw new ScenarioSetupError(`touch offsetBytes ${step.offsetBytes} is not inside the page`);
        Object.assign(th, { state: "running", vma, page: step.page, write: step.access === "write", value: (step.value ?? 0) & 0xff, result: -1, offset: step.offsetBytes ?? 0, kernelMode: false });
        this.runThread(th);
        return this.threadObs(th);
      }
      case "wait":
        return this.threadObs(this.machine.threads.get(step.thread));
      case "madvise":
        return this.sideCall(step, index, step.advice);
      case "munmap":
        return munmapStep(this, step, index);
      case "mremap":
        return mremapStep(this, step, index);
      case "fork":
        return forkStep(this, step, index);
      case "child_wait":
        return this.threadObs(this.machine.threads.get(FORK_CHILD_THREAD));
      case "syscall":
        return this.syscall(step);
    }
  }

  /** KVM: KVM_CHECK_EXTENSION on a guest_memfd's VM, and KVM Userfault (Oliver Upton on KVM Userfault v3 04/15). */
  private kvmStep(step: Extract<Step, { op: "kvm_cap" | "kvm_memslot" | "kvm_enable_userfault" | "kvm_bitmap" | "kvm_vcpu_access" }>, index: number): Observed {
    const m = this.machine;
    switch (step.op) {
      case "kvm_cap":
        if (this.scenario.setup.kind !== "guest_memfd") throw new ScenarioSetupError("kvm_cap needs a guest_memfd setup (its VM)");
        return kvmCap(m, step.cap);
      case "kvm_memslot": {
        if (this.scenario.setup.kind !== "guest_memfd") throw new ScenarioSetupError("kvm_memslot needs a guest_memfd setup (its VM and file)");
        const r = gmemMemslot(this.scenario.setup.gmemVmType, !this.noFile);
        if (typeof r === "string") throw new ScenarioSetupError(r);
        return r;
      }
      case "kvm_enable_userfault":
        this.kvm.enable(this.primary.npages, (p) => this.pageValue(this.primary, p));
        return { status: "ok", fields: {} };
      case "kvm_bitmap":
        if (!this.kvm.enabled) return errno("EINVAL");
        this.kvm.storeBit(step.page, step.set, step.order === "release");
        return { status: "ok", fields: {} };
      case "kvm_vcpu_access": {
        if (!this.kvm.enabled) return errno("EINVAL");
        const current = this.pageValue(this.primary, step.page);
        let o: AccessOutcome;
        if (this.chooseVcpu) {
          const all = this.kvm.enumerateAccess(step.page, step.load, current);
          this.vcpuOutcomes.set(index, all);
          o = this.chooseVcpu(index, all);
          this.kvm.drainAll();
        } else {
          o = this.kvm.kvm_do_userfault(step.page, current);
        }
        if (o.exit) return { status: "exit-userfault", fields: {} };
        return { status: "done", fields: { value: hexByte(o.value) } };
      }
    }
  }

  /** COPY (from a fill pattern), ZEROPAGE, CONTINUE and POISON as kernel paths, with their preemption points. */
  *mfillPath(step: Extract<Step, { op: "copy" | "zeropage" | "continue" | "poison" }>): KernelPath<Observed> {
    const m = this.machine;
    const ctx = this.getCtx(step);
    if (ctx.released) return errno("EBADF");
    const { start, len } = this.range(step);
    switch (step.op) {
      case "copy": {
        if ("page" in step.src) throw new ScenarioSetupError("a COPY from an address runs through copyStep()");
        const fill = fillFn(step.src, step.page);
        const mode = modeBits(UFFDIO_COPY_MODE, step.mode, step.rawMode);
        const modes = { dontwake: (mode & UFFDIO_COPY_MODE.dontwake) !== 0, wp: (mode & UFFDIO_COPY_MODE.wp) !== 0, unknownMode: unknownBits(UFFDIO_COPY_MODE, mode) };
        const p = userfaultfd_copy(m, ctx, start, len, modes, (p) => fill(p));
        return field(isPath(p) ? yield* p : p, "copy");
      }
      case "zeropage": {
        const mode = modeBits(UFFDIO_ZEROPAGE_MODE, step.mode, step.rawMode);
        const opts = { dontwake: (mode & UFFDIO_ZEROPAGE_MODE.dontwake) !== 0, unknownMode: unknownBits(UFFDIO_ZEROPAGE_MODE, mode) };
        const r = userfaultfd_zeropage(m, ctx, start, len, opts);
        return field(isPath(r) ? yield* r : r, "zeropage");
      }
      case "continue": {
        const mode = modeBits(UFFDIO_CONTINUE_MODE, step.mode, step.rawMode);
        // Before UFFDIO_CONTINUE_MODE_WP existed (KernelVersion.continueModeWp) its bit is an unknown mode.
        const wpKnown = m.version.continueModeWp;
        const wpBit = (mode & UFFDIO_CONTINUE_MODE.wp) !== 0;
        const opts = { dontwake: (mode & UFFDIO_CONTINUE_MODE.dontwake) !== 0, wp: wpBit && wpKnown, unknownMode: unknownBits(UFFDIO_CONTINUE_MODE, mode) || (wpBit && !wpKnown) };
        const r = userfaultfd_continue(m, ctx, start, len, opts);
        return field(isPath(r) ? yield* r : r, "mapped");
      }
      case "poison": {
        const mode = modeBits(UFFDIO_POISON_MODE, [], step.rawMode);
        const opts = { dontwake: (mode & UFFDIO_POISON_MODE.dontwake) !== 0, unknownMode: unknownBits(UFFDIO_POISON_MODE, mode) };
        const r = userfaultfd_poison(m, ctx, start, len, opts);
        return field(isPath(r) ? yield* r : r, "updated");
      }
    }
  }

  /**
   * A system call from a worker whose kernel-side copy touches page `page`:
   * read(2) from a pipe into it (a kernel write) or write(2) of it into a pipe
   * (a kernel read). The fault is taken in kernel mode; what cannot be
   * resolved (SIGBUS for a user access) makes the call fail with EFAULT.
   */
  private syscall(step: Extract<Step, { op: "syscall" }>): Observed {
    const th = this.threadFor(step.thread);
    if (th.state === "blocked") throw new ScenarioSetupError(`thread ${step.thread} is still blocked; use another thread name`);
    if (step.page < 0 || step.page >= this.layoutPages(this.primary)) throw new ScenarioSetupError(`syscall page ${step.page} is outside the mapping`);
    const write = step.call === "read";
    Object.assign(th, { state: "running", vma: this.primary, page: step.page, write, value: (step.value ?? 0) & 0xff, result: -1, offset: 0, kernelMode: true });
    this.runThread(th);
    return this.threadObs(th);
  }

  /** pwrite() to the file, or a write through the alias mapping: fills the page cache without touching the primary mapping. */
  private fileWrite(page: number, value: number, via: "pwrite" | "write" | "alias"): Observed {
    const m = this.machine;
    const file = this.primary.file;
    if (via === "alias") {
      if (!this.alias) throw new ScenarioSetupError("file_write via alias needs setup.alias");
      const th = this.threadFor(`alias-writer`);
      Object.assign(th, { state: "running", vma: this.alias, page, write: true, value, result: -1 });
      this.runThread(th);
      if (th.state === "sigbus") return errno("EFAULT");
      return { status: "ok", fields: {} };
    }
    if (this.noFile || !file || !file.hasFd) return errno("EBADF");
    // guest_memfd files cannot pwrite (no FMODE_PWRITE: ESPIPE) nor write (no write_iter: EINVAL);
    // hugetlbfs has no write_iter (EINVAL).
    if (file.kind === "guest_memfd") return errno(via === "write" ? "EINVAL" : "ESPIPE");
    if (via === "write") page = 0;
    if (file.kind !== "shmem" && file.kind !== "declared") return errno("EINVAL");
    if (page < 0 || page >= file.npages) return errno("EINVAL");
    let f = file.cache[page]!;
    if (f < 0) {
      f = m.folios.alloc();
      filemap_add_folio(m, file, f, page);
      m.folios.put(f);
    }
    m.folios.value[f] = value;
    m.folios.markUptodate(f);
    return { status: "ok", fields: {} };
  }

  /**
   * madvise() and fallocate() run in a side thread, as the generated selftest
   * runs them: with EVENT_REMOVE the thread blocks until the event is read.
   */
  private sideCall(step: Step & { page: number; pages?: number }, index: number, what: "punch" | "dontneed" | "remove" | "collapse"): Observed {
    const m = this.machine;
    const vma = this.primary;
    const first = step.page;
    const n = step.pages ?? 1;
    const name = (step as { thread?: string }).thread ?? `side${index}`;
    const th = this.threadFor(name);
    Object.assign(th, { state: "running", vma: null, result: -1 });
    if (first < 0 || first + n > vma.npages) return errno("EINVAL");
    if (what === "punch") {
      if (!vma.file || !vma.file.hasFd) return errno("EBADF");
      this.punchHole(first, n);
      th.state = "done";
      return { status: "ok", fields: {} };
    }
    if (what === "remove") {
      if (!vma.shared || !vma.file) return errno("EINVAL");
      if (!vma.write) return errno("EACCES");
    }
    if (what === "collapse") {
      const refused = madvise_collapse(m, vma, first, n, (i) => this.everMapped.has(i));
      th.state = "done";
      return refused ? errno(refused) : { status: "ok", fields: {} };
    }
    const go = () => {
      if (what === "remove") this.punchHole(first, n);
      else for (let i = first; i < first + n; i++) zapRange(m, this.vmaOf(vma, i) ?? vma, i, 1, false);
      // MADV_DONTNEED frees page tables it leaves empty (mm/pt_reclaim.c, 6.14+); modelled per mapping.
      if (what === "dontneed" && m.version.ptReclaim && this.mappingEmpty()) this.everMapped.clear();
    };
    const target = this.vmaOf(vma, first);
    if (!target) return errno("ENOMEM");
    if (!userfaultfd_remove(m, target, first, n, th, go)) return { status: "blocked", fields: {} };
    go();
    th.state = "done";
    return { status: "ok", fields: {} };
  }

  /** fallocate(PUNCH_HOLE): drop the cached folios and every PTE that maps them (markers too). */
  private punchHole(first: number, n: number): void {
    const m = this.machine;
    const file = this.primary.file!;
    for (const v of m.vmas) {
      if (v.file !== file) continue;
      for (let i = Math.max(first, v.off); i < Math.min(first + n, v.off + v.npages); i++) {
        // Private COW copies survive a punch (unmap_mapping_range without even_cows).
        if (v.pte[i] === PTE_PRESENT && v.pteFolio[i] !== file.cache[i]) continue;
        zapRange(m, v, i, 1, true);
      }
    }
    for (let i = first; i < first + n; i++) {
      const f = file.cache[i]!;
      if (f >= 0) filemap_remove_folio(m, file, f);
    }
  }
}
