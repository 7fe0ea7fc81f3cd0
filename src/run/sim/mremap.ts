/**
 * mremap() of the whole primary mapping to a new address, and UFFD_EVENT_REMAP.
 *
 * Sources: mm/mremap.c move_vma() (copy_vma() keeps vm_userfaultfd_ctx, the
 * page tables move with the VMA, the old range is unmapped) and
 * fs/userfaultfd.c mremap_userfaultfd_prep() / _complete(): with
 * EVENT_REMAP the registration moves along, mmap_changing is raised and the
 * caller waits until the monitor reads the REMAP message (6.18, fs/userfaultfd.c
 * userfaultfd_event_wait_completion()); without it the moved VMA loses its registration (userfaultfd_reset_ctx).
 */
import { UFFD_FEATURES } from "../../kernel/uapi.js";
import type { Machine } from "./machine.js";
import { vmaEnd, type SimThread, type UserfaultfdCtx, type UffdMsg, type Vma } from "./state.js";
import { PAGE_SIZE } from "../../kernel/uapi.js";
import type { Observed } from "../../ir/observation.js";
import type { Step } from "../../ir/scenario.js";
import type { Simulation } from "./simulation.js";
import { ScenarioSetupError } from "./setup-error.js";

export interface Remapped {
  /** The primary mapping's VMA at its new address (page 0 at its base). */
  readonly primary: Vma;
  /** The caller waits for the monitor to read a REMAP message. */
  readonly waits: boolean;
}

/** Move every VMA of `mapping` to a fresh address range; returns the mapping's new handle. */
export function moveMapping(m: Machine, mapping: Vma, th: SimThread): Remapped {
  const align = 2 << 20;
  const top = Math.max(...m.vmas.map(vmaEnd), vmaEnd(mapping));
  const newBase = Math.ceil((top + 64 * align) / align) * align;
  const delta = newBase - mapping.base;
  const len = mapping.npages * mapping.pageSize;
  const waiters: UserfaultfdCtx[] = [];
  for (let k = 0; k < m.vmas.length; k++) {
    const v = m.vmas[k]!;
    if (v.base !== mapping.base || v.role !== mapping.role) continue;
    const keep = v.ctx !== null && (v.ctx.features & UFFD_FEATURES.event_remap) !== 0;
    if (keep && !waiters.includes(v.ctx!)) waiters.push(v.ctx!);
    m.vmas[k] = { ...v, base: newBase, start: v.start + delta, uffd: keep ? v.uffd : 0, ctx: keep ? v.ctx : null };
  }
  const primary: Vma = { ...mapping, base: newBase, start: mapping.start + delta };
  for (const ctx of waiters) {
    // The message's page numbers count from the old mapping: page 0, all its pages.
    const msg: UffdMsg = { event: "remap", address: mapping.base, end: mapping.base + len, to: newBase, flags: 0, thread: ctx === waiters[0] ? th : null, vma: mapping, read: false };
    ctx.pending.push(msg);
    ctx.mmapChanging++;
  }
  if (waiters.length) {
    th.state = "blocked";
    th.afterEvent = () => undefined;
  }
  return { primary, waits: waiters.length > 0 };
}

/** mremap() of the whole primary mapping from a side thread (src/run/sim/mremap.ts). */
export function mremapStep(sim: Simulation, step: Extract<Step, { op: "mremap" }>, index: number): Observed {
  if (sim.primary.pageSize !== PAGE_SIZE || sim.primary.kind === "guest_memfd") throw new ScenarioSetupError("mremap is modelled for base-page kinds (anon, shmem, shmem-anon)");
  if (sim.scenario.setup.next) throw new ScenarioSetupError("mremap moves the primary mapping alone: not with setup.next");
  const th = sim.threadFor(step.thread ?? `side${index}`);
  if (th.state === "blocked") throw new ScenarioSetupError(`thread ${th.name} is still blocked; use another thread name`);
  Object.assign(th, { state: "running", vma: null, result: -1, kernelMode: false });
  const r = moveMapping(sim.machine, sim.primary, th);
  sim.primary = r.primary;
  if (r.waits) return { status: "blocked", fields: {} };
  th.state = "done";
  return { status: "ok", fields: {} };
}
