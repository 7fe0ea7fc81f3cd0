/**
 * fork() and UFFD_EVENT_FORK: the child's copy of the address space and what
 * becomes of its registrations.
 *
 * Sources: kernel/fork.c dup_mmap() (every VMA copied, anonymous pages shared
 * copy-on-write); fs/userfaultfd.c dup_userfaultfd() (a context without
 * EVENT_FORK is dropped from the child's VMAs, userfaultfd_reset_ctx(); with
 * it the child gets a new context with the parent's flags and features, and
 * the parent's mmap_changing is raised), dup_userfaultfd_complete() (the FORK
 * message carries the new context's fd; fork() waits until the monitor reads
 * it: 6.18, fs/userfaultfd.c userfaultfd_event_wait_completion()); mm/memory.c copy_pte_range() /
 * pte_clear_uffd_wp() (the child's uffd-wp bits and markers go unless the VMA
 * keeps VM_UFFD_WP: [ut wp-fork], [ut wp-fork-with-event]).
 */
import { UFFD_FEATURES } from "../../kernel/uapi.js";
import type { Machine } from "./machine.js";
import { PTEF_RDONLY, PTEF_UFFD_WP, PTE_MARKER, PTE_NONE, PTE_PRESENT, VM_UFFD_WP, type SimThread, type UserfaultfdCtx, type UffdMsg, type Vma } from "./state.js";
import type { Observed } from "../../ir/observation.js";
import type { Step } from "../../ir/scenario.js";
import type { Simulation } from "./simulation.js";
import { ScenarioSetupError } from "./setup-error.js";

export interface Forked {
  /** The child's VMAs (its own list: the child is another mm at the same addresses). */
  readonly vmas: Vma[];
  /** The new contexts, one per parent context with EVENT_FORK. */
  readonly ctxs: UserfaultfdCtx[];
  /** fork() waits for the monitor to read a FORK message. */
  readonly waits: boolean;
}

export function forkMm(m: Machine, th: SimThread, newCtxId: () => number): Forked {
  const created = new Map<UserfaultfdCtx, UserfaultfdCtx>();
  const vmas: Vma[] = [];
  const tables = new Map<number, Pick<Vma, "pte" | "pteFlags" | "pteFolio">>();
  for (const v of m.vmas) {
    const octx = v.ctx;
    const keep = octx !== null && !octx.released && (octx.features & UFFD_FEATURES.event_fork) !== 0;
    let ctx: UserfaultfdCtx | null = null;
    if (keep) {
      ctx = created.get(octx!) ?? null;
      if (!ctx) {
        ctx = { id: newCtxId(), initialized: true, features: octx!.features, released: false, userModeOnly: octx!.userModeOnly, pending: [], delivered: [], mmapChanging: 0 };
        created.set(octx!, ctx);
      }
    }
    // Split VMAs of one mapping share their page-table arrays: copy them once per mapping.
    let t = tables.get(v.base);
    if (!t) {
      t = { pte: v.pte.slice(), pteFlags: v.pteFlags.slice(), pteFolio: v.pteFolio.slice() };
      tables.set(v.base, t);
    }
    const { pte, pteFlags, pteFolio } = t;
    for (let i = v.off; i < v.off + v.npages; i++) {
      if (pte[i] === PTE_PRESENT) {
        // The child maps the same folio; in a private mapping both sides are write-protected
        // for COW (mm/memory.c copy_present_pte), so the first write on either side copies.
        m.folios.get(pteFolio[i]!);
        m.folios.mapcount[pteFolio[i]!]! += 1;
        if (!v.shared) {
          pteFlags[i]! |= PTEF_RDONLY;
          v.pteFlags[i]! |= PTEF_RDONLY;
        }
      }
      if (!keep || !(v.uffd & VM_UFFD_WP)) {
        pteFlags[i]! &= ~PTEF_UFFD_WP;
        if (pte[i] === PTE_MARKER && pteFlags[i] === 0) pte[i] = PTE_NONE;
      }
    }
    vmas.push({ ...v, id: v.id + 2_000_000, uffd: keep ? v.uffd : 0, ctx, pte, pteFlags, pteFolio });
  }
  for (const [octx] of created) {
    const msg: UffdMsg = { event: "fork", address: 0, end: 0, flags: 0, thread: th, vma: m.vmas[0]!, read: false, child: created.get(octx)! };
    octx.pending.push(msg);
    octx.mmapChanging++;
  }
  return { vmas, ctxs: [...created.values()], waits: created.size > 0 };
}

/** The forked child's one thread, as `child_wait` observes it. */
export const FORK_CHILD_THREAD = "child";

/** fork() from a side thread (src/run/sim/fork.ts); the child may read one page of the primary mapping. */
export function forkStep(sim: Simulation, step: Extract<Step, { op: "fork" }>, index: number): Observed {
  const m = sim.machine;
  const th = sim.threadFor(step.thread ?? `side${index}`);
  if (th.state === "blocked") throw new ScenarioSetupError(`thread ${th.name} is still blocked; use another thread name`);
  if (m.threads.has(FORK_CHILD_THREAD)) throw new ScenarioSetupError("one fork per scenario");
  if (step.childReads !== undefined && step.childWrites !== undefined) throw new ScenarioSetupError("a forked child either reads (childReads) or writes (childWrites)");
  Object.assign(th, { state: "running", vma: null, result: -1, kernelMode: false });
  const f = forkMm(m, th, () => m.ctxs.length);
  sim.childMm = f.vmas;
  for (const c of f.ctxs) {
    m.ctxs.push(c);
    sim.ctxMm.set(c, f.vmas);
  }
  const child = sim.threadFor(FORK_CHILD_THREAD);
  const page = step.childReads ?? step.childWrites;
  const write = step.childWrites !== undefined;
  const runChild = (): void => {
    if (page === undefined) {
      child.state = "done";
      return;
    }
    Object.assign(child, { state: "running", vma: sim.primary, page, write, value: (step.childValue ?? 0) & 0xff, result: -1, offset: 0, kernelMode: false, mm: f.vmas });
    sim.withMm(f.vmas, () => sim.runThread(child));
  };
  if (f.waits) {
    th.state = "blocked";
    th.afterEvent = runChild;
    return { status: "blocked", fields: {} };
  }
  runChild();
  th.state = "done";
  return { status: "ok", fields: {} };
}
