/**
 * UFFDIO_COPY from an address in the process's own mappings, read the way the
 * kernel reads it: after the ioctl's argument checks and the destination VMA
 * lookup, each page's source is copied with copy_from_user(). That copy is a
 * kernel-mode access, so it can fault like any other: an unmapped source is
 * EFAULT, a MISSING-registered source blocks the caller in handle_userfault()
 * until the monitor resolves it (6.18, mm/userfaultfd.c mfill_atomic_pte_copy()), and a context opened
 * with UFFD_USER_MODE_ONLY turns that into EFAULT.
 *
 * Sources: mm/userfaultfd.c mfill_atomic() (copy_from_user outside the lock
 * after -ENOENT from mfill_atomic_pte_copy(); -EFAULT on failure; bytes done
 * so far win over the error) and fs/userfaultfd.c userfaultfd_copy().
 *
 * The simulator models page contents as one byte per page, so an unaligned
 * source must span two pages holding the same byte.
 */
import { ERRNO, PAGE_SIZE, UFFDIO_COPY_MODE } from "../../kernel/uapi.js";
import type { Machine } from "./machine.js";
import { FAULT_BLOCKED, FAULT_RETRY, FAULT_SIGBUS, handle_mm_fault } from "./memory.js";
import { settle } from "./preempt.js";
import type { SimThread, UserfaultfdCtx, Vma } from "./state.js";
import { mmap_changing_eagain, userfaultfd_copy, type IoctlResult } from "./fs_userfaultfd.js";
import { mfill_get_vma } from "./userfaultfd.js";
import type { Observed } from "../../ir/observation.js";
import type { Step } from "../../ir/scenario.js";
import type { Simulation } from "./simulation.js";
import { ScenarioSetupError } from "./setup-error.js";
import { field, fillFn, modeBits, unknownBits } from "./observe.js";

export interface CopyJob {
  readonly ctx: UserfaultfdCtx;
  readonly dst: number;
  readonly len: number;
  /** The destination's page size (the unit of srcAddrs and values). */
  readonly pageSize: number;
  /** First destination page (index in the destination mapping) of the fill function. */
  readonly firstPage: number;
  /** Source byte address of each destination page. */
  readonly srcAddrs: readonly number[];
  readonly mode: number;
  readonly unknownMode: boolean;
  /** Source bytes read so far. */
  readonly values: number[];
}

export type CopyProgress = { blocked: true } | { blocked: false; result: IoctlResult };

/** A source read that cannot be modelled (an unaligned source over two different bytes). */
export class SourceNotModelled extends Error {}

/** The checks userfaultfd_copy() and mfill_atomic() make before any source byte is read. */
function precheck(m: Machine, job: CopyJob): IoctlResult | null {
  const { ctx, dst, len } = job;
  if (!ctx.initialized) return { ret: -ERRNO.EINVAL };
  if (ctx.mmapChanging > 0) return mmap_changing_eagain(m);
  if (dst % PAGE_SIZE || len % PAGE_SIZE || len <= 0) return { ret: -ERRNO.EINVAL };
  if (job.unknownMode) return { ret: -ERRNO.EINVAL };
  const got = mfill_get_vma(m, ctx, dst, len, "copy", (job.mode & UFFDIO_COPY_MODE.wp) !== 0);
  return typeof got === "number" ? { ret: got, field: got } : null;
}

/**
 * Read one byte at `addr` as the kernel would. Returns the byte, "efault",
 * or "blocked" (the thread now waits in handle_userfault()).
 */
function readUser(m: Machine, th: SimThread, addr: number): number | "efault" | "blocked" {
  for (let k = 0; k < 16; k++) {
    const vma: Vma | null = m.vmaLookup(addr);
    if (!vma) return "efault";
    const i = Math.floor((addr - vma.base) / vma.pageSize);
    Object.assign(th, { vma, page: i, write: false, value: 0, kernelMode: true, offset: (addr - vma.base) % vma.pageSize });
    const r = settle(handle_mm_fault(m, th, vma, i, false, 0));
    if (r === FAULT_RETRY) continue;
    if (r === FAULT_BLOCKED) return "blocked";
    if (r === FAULT_SIGBUS) return "efault";
    return r;
  }
  return "efault";
}

/** Read the next source pages; when all are read (or one fails), do the COPY. */
export function advanceCopy(m: Machine, th: SimThread, job: CopyJob): CopyProgress {
  const early = precheck(m, job);
  if (early) return { blocked: false, result: early };
  while (job.values.length < job.srcAddrs.length) {
    const addr = job.srcAddrs[job.values.length]!;
    const first = readUser(m, th, addr);
    if (first === "blocked") return { blocked: true };
    // An unaligned source also reads the start of the next page.
    const second = addr % PAGE_SIZE ? readUser(m, th, addr - (addr % PAGE_SIZE) + PAGE_SIZE) : first;
    if (second === "blocked") return { blocked: true };
    if (first === "efault" || second === "efault") return { blocked: false, result: finish(m, job, true) };
    if (first !== second) throw new SourceNotModelled("an unaligned COPY source over two pages holding different bytes is not modelled (a page holds one byte value)");
    job.values.push(first);
  }
  return { blocked: false, result: finish(m, job, false) };
}

/** COPY the pages whose source was read; a source fault after some pages is a partial copy. */
function finish(m: Machine, job: CopyJob, faulted: boolean): IoctlResult {
  const n = job.values.length;
  if (n === 0) return { ret: -ERRNO.EFAULT, field: -ERRNO.EFAULT };
  const modes = { dontwake: (job.mode & UFFDIO_COPY_MODE.dontwake) !== 0, wp: (job.mode & UFFDIO_COPY_MODE.wp) !== 0 };
  const r = settle(userfaultfd_copy(m, job.ctx, job.dst, n * job.pageSize, modes, (p) => job.values[p - job.firstPage] ?? 0));
  if (!faulted || r.ret !== 0) return r;
  return { ret: -ERRNO.EAGAIN, field: r.field ?? 0 };
}

/**
 * UFFDIO_COPY whose source is an address (or which runs on a worker): the
 * source is read as the kernel reads it and may block the caller
 * (src/run/sim/copysrc.ts).
 */
export function copyStep(sim: Simulation, step: Extract<Step, { op: "copy" }>, index: number): Observed {
  const m = sim.machine;
  const ctx = sim.getCtx(step);
  const threaded = step.thread !== undefined;
  const th = sim.threadFor(step.thread ?? `copy${index}`);
  if (th.state === "blocked") throw new ScenarioSetupError(`thread ${th.name} is still blocked; use another thread name`);
  const { start, len } = sim.range(step);
  const ps = sim.primary.pageSize;
  const mode = modeBits(UFFDIO_COPY_MODE, step.mode, step.rawMode);
  const src = step.src;
  const pages = len > 0 ? Math.floor(len / ps) : 0;
  let srcAddrs: number[] = [];
  // A filled buffer never faults: its bytes are known up front.
  let values: number[] = [];
  if ("page" in src) {
    // A huge-page destination copies a whole huge page per step: model an aligned source only.
    if (ps !== PAGE_SIZE && (src.offsetBytes ?? 0) % ps) throw new ScenarioSetupError("an unaligned COPY source is modelled for base-page destinations only");
    const from = src.in === "alias" ? sim.alias : src.in === "src" ? sim.src : sim.primary;
    if (!from) throw new ScenarioSetupError(`copy source in "${src.in}" needs that mapping in the setup`);
    const base = from.base + src.page * from.pageSize + (src.offsetBytes ?? 0);
    srcAddrs = Array.from({ length: pages }, (_, k) => base + k * ps);
  } else {
    const fill = fillFn(src, step.page);
    values = Array.from({ length: pages }, (_, k) => fill(step.page + k));
    srcAddrs = values.map(() => 0);
  }
  const job: CopyJob = {
    ctx,
    dst: start,
    len,
    pageSize: ps,
    firstPage: Math.floor((start - sim.primary.base) / ps),
    srcAddrs,
    mode,
    unknownMode: unknownBits(UFFDIO_COPY_MODE, mode),
    values,
  };
  Object.assign(th, { state: "running", result: -1, ioctlObs: null, kernelMode: true });
  const observe = (r: IoctlResult): Observed => {
    const o = field(r, "copy");
    return threaded ? { status: "done", fields: { result: o.status === "ok" ? "ok" : o.status.replace("errno=", ""), copy: o.fields.copy! } } : o;
  };
  const run = (): boolean => {
    let prog: CopyProgress;
    try {
      prog = ctx.released ? { blocked: false, result: { ret: -ERRNO.EBADF } } : advanceCopy(m, th, job);
    } catch (e) {
      if (e instanceof SourceNotModelled) throw new ScenarioSetupError(e.message);
      throw e;
    }
    if (prog.blocked) return false;
    th.resume = null;
    th.state = "done";
    th.ioctlObs = observe(prog.result);
    return true;
  };
  th.resume = () => void run();
  if (run()) return th.ioctlObs!;
  if (!threaded) throw new ScenarioSetupError("this COPY's source faults, which blocks the caller: give the copy step a thread");
  return { status: "blocked", fields: {} };
}
