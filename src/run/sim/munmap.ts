/**
 * munmap() of part of the primary mapping, and UFFD_EVENT_UNMAP.
 *
 * Sources: mm/vma.c do_vmi_align_munmap() (userfaultfd_unmap_prep() for
 * each VMA before the unmap, userfaultfd_unmap_complete() after it);
 * fs/userfaultfd.c userfaultfd_unmap_prep() (one message per context with
 * EVENT_UNMAP, carrying the munmap() range; mmap_changing raised) and
 * userfaultfd_event_wait_completion() (the caller waits until the monitor
 * read()s the message: 6.18, fs/userfaultfd.c userfaultfd_event_wait_completion()). The pages and their
 * registration go with the VMAs; a later access is SIGSEGV.
 */
import { ERRNO, PAGE_SIZE, UFFD_FEATURES } from "../../kernel/uapi.js";
import type { Machine } from "./machine.js";
import type { SimThread, UserfaultfdCtx, UffdMsg, Vma } from "./state.js";
import { zapRange } from "./userfaultfd.js";
import type { Observed } from "../../ir/observation.js";
import type { Step } from "../../ir/scenario.js";
import type { Simulation } from "./simulation.js";
import { ScenarioSetupError } from "./setup-error.js";
import { ret } from "./observe.js";

/**
 * Unmap [start, end). Returns a negative errno, 0 when the caller returns at
 * once, or 1 when it waits for the monitor to read an UNMAP event. `mapping`
 * is the mapping the message's page numbers are counted in.
 */
export function do_munmap(m: Machine, mapping: Vma, start: number, len: number, th: SimThread): number {
  if (start % PAGE_SIZE || len <= 0) return -ERRNO.EINVAL;
  const end = start + Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  const waiters: UserfaultfdCtx[] = [];
  for (const v of m.vmasIn(start, end)) {
    const ctx = v.ctx;
    if (ctx && !ctx.released && ctx.features & UFFD_FEATURES.event_unmap && !waiters.includes(ctx)) waiters.push(ctx);
  }
  m.splitRange(start, end);
  for (const v of m.vmasIn(start, end)) {
    zapRange(m, v, v.off, v.npages, true);
    m.vmas.splice(m.vmas.indexOf(v), 1);
  }
  const ctx = waiters[0];
  if (!ctx) return 0;
  for (const c of waiters) {
    // Each context gets its message; the caller is released once the first is read
    // (the kernel waits for each in turn; scenarios use one context).
    const msg: UffdMsg = { event: "unmap", address: start, end, flags: 0, thread: c === ctx ? th : null, vma: mapping, read: false };
    c.pending.push(msg);
    c.mmapChanging++;
  }
  th.state = "blocked";
  th.afterEvent = () => undefined;
  return 1;
}

/** munmap() from a side thread: with EVENT_UNMAP it blocks until the event is read. */
export function munmapStep(sim: Simulation, step: Extract<Step, { op: "munmap" }>, index: number): Observed {
  const th = sim.threadFor(step.thread ?? `side${index}`);
  if (th.state === "blocked") throw new ScenarioSetupError(`thread ${th.name} is still blocked; use another thread name`);
  Object.assign(th, { state: "running", vma: null, result: -1, kernelMode: false });
  const { start, len } = sim.range({ page: step.page, pages: step.pages ?? 1 });
  const r = do_munmap(sim.machine, sim.primary, start, len, th);
  if (r < 0) {
    th.state = "done";
    return ret(r);
  }
  if (r > 0) return { status: "blocked", fields: {} };
  th.state = "done";
  return { status: "ok", fields: {} };
}
