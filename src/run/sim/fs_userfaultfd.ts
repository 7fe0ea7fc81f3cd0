/**
 * fs/userfaultfd.c: the userfaultfd context, UFFDIO_API, REGISTER/UNREGISTER,
 * handle_userfault(), the wake and read paths, release, non-cooperative REMOVE
 * events, and the ioctl entry points with their write-back rules.
 * Sources: fs/userfaultfd.c itself, and what 6.18 does as conform observes it
 * (the abi618* sources of src/kernel/sources.ts): UFFDIO_API once, UNREGISTER
 * waking only MISSING ranges, the ioctls mask, REMOVE → EAGAIN, the error
 * write-back split, registration details, WAKE and fault flags.
 *
 * Ioctl entry points return { ret, field }: ret is 0 or a negative errno, field
 * the value written back into the result member, or undefined when the kernel
 * left it untouched.
 */
import {
  API_RANGE_IOCTLS,
  API_RANGE_IOCTLS_BASIC,
  ERRNO,
  PAGE_SIZE,
  UFFD_API,
  UFFD_FEATURES,
  UFFD_PAGEFAULT_FLAG,
  type RangeIoctl,
} from "../../kernel/uapi.js";
import type { Machine } from "./machine.js";
import { FAULT_BLOCKED, FAULT_RETRY, FAULT_SIGBUS } from "./memory.js";
import { andThen, isPath, type Maybe } from "./preempt.js";
import {
  PTEF_UFFD_WP,
  PTE_MARKER,
  PTE_NONE,
  PTE_PRESENT,
  PTE_ZERO,
  VM_UFFD_FLAGS,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  type SimThread,
  type UserfaultfdCtx,
  type UffdMsg,
  type Vma,
  vmaEnd,
} from "./state.js";
import { mfill_atomic, move_pages, mwriteprotect_range, uffd_wp_range, vma_can_userfault, type FillFn, type MfillMode } from "./userfaultfd.js";

export interface IoctlResult {
  readonly ret: number;
  readonly field?: number;
}

/** Bits 0..16 are the features a kernel may know; anything above is unknown. */
export const UNKNOWN_FEATURE_BIT = 1n << 63n;

export function new_userfaultfd(m: Machine, userModeOnly: boolean): UserfaultfdCtx {
  const ctx: UserfaultfdCtx = {
    id: m.ctxs.length,
    initialized: false,
    features: 0,
    released: false,
    userModeOnly,
    pending: [],
    delivered: [],
    mmapChanging: 0,
  };
  m.ctxs.push(ctx);
  return ctx;
}

/**
 * userfaultfd_api(): once per context (a second call is EINVAL even after
 * features=0); unknown or hidden features are EINVAL and leave the context
 * usable; WP_ASYNC implies WP_UNPOPULATED.
 */
export function userfaultfd_api(m: Machine, ctx: UserfaultfdCtx, api: number, features: bigint): number {
  if (api !== UFFD_API) return -ERRNO.EINVAL;
  let known = 0n;
  for (const f of m.version.features) known |= BigInt(UFFD_FEATURES[f]);
  if (features & ~known) return -ERRNO.EINVAL;
  if (ctx.initialized) return -ERRNO.EINVAL;
  let ctxFeatures = Number(features);
  if (ctxFeatures & UFFD_FEATURES.wp_async) ctxFeatures |= UFFD_FEATURES.wp_unpopulated;
  ctx.features = ctxFeatures;
  ctx.initialized = true;
  return 0;
}

/** validate_range(): page aligned, non-empty. */
function validate_range(start: number, len: number): number {
  if (start % PAGE_SIZE || len % PAGE_SIZE || len <= 0) return -ERRNO.EINVAL;
  return 0;
}

export interface RegisterResult {
  readonly ret: number;
  readonly ioctls?: RangeIoctl[];
}

/**
 * userfaultfd_register(): mode checks, range, hugetlb alignment, then per VMA
 * vma_can_userfault (EINVAL) before VM_MAYWRITE (EPERM) before another
 * context's ownership (EBUSY). A new mode replaces the old one. The ioctls
 * mask is the kernel's, inexact as it is: BASIC on hugetlb, minus WRITEPROTECT
 * without WP, minus CONTINUE without MINOR.
 */
export function userfaultfd_register(m: Machine, ctx: UserfaultfdCtx, start: number, len: number, modeBits: number): RegisterResult {
  if (!ctx.initialized) return { ret: -ERRNO.EINVAL };
  if (!modeBits || modeBits & ~VM_UFFD_FLAGS) return { ret: -ERRNO.EINVAL };
  const bad = validate_range(start, len);
  if (bad) return { ret: bad };
  const end = start + len;
  const vmas = m.vmasIn(start, end);
  const firstVma = vmas[0];
  if (!firstVma) return { ret: -ERRNO.EINVAL };
  if (firstVma.kind === "hugetlb" && (start - firstVma.base) % firstVma.pageSize) return { ret: -ERRNO.EINVAL };
  const wpAsync = (ctx.features & UFFD_FEATURES.wp_async) !== 0;
  let basic = false;
  for (const v of vmas) {
    if (!vma_can_userfault(m, v, modeBits, wpAsync)) return { ret: -ERRNO.EINVAL };
    if (!v.mayWrite) return { ret: -ERRNO.EPERM };
    if (v.kind === "hugetlb" && end < vmaEnd(v) && (end - v.base) % v.pageSize) return { ret: -ERRNO.EINVAL };
    if (v.ctx && v.ctx !== ctx) return { ret: -ERRNO.EBUSY };
    if (v.kind === "hugetlb") basic = true;
  }
  m.splitRange(start, end);
  for (const v of m.vmasIn(start, end)) {
    v.uffd = modeBits;
    v.ctx = ctx;
  }
  m.mergeVmas();
  let ioctls: RangeIoctl[] = [...(basic ? API_RANGE_IOCTLS_BASIC : API_RANGE_IOCTLS)];
  if (!(modeBits & VM_UFFD_WP)) ioctls = ioctls.filter((i) => i !== "writeprotect");
  if (!(modeBits & VM_UFFD_MINOR)) ioctls = ioctls.filter((i) => i !== "continue");
  ioctls = ioctls.filter((i) => m.version.rangeIoctls.includes(i));
  return { ret: 0, ioctls };
}

/**
 * userfaultfd_unregister(): another context's range is EINVAL, a never
 * registered one is fine; only a MISSING-registered VMA wakes its waiters;
 * the wp bits go with the registration.
 */
export function userfaultfd_unregister(m: Machine, ctx: UserfaultfdCtx, start: number, len: number): number {
  if (!ctx.initialized) return -ERRNO.EINVAL;
  const bad = validate_range(start, len);
  if (bad) return bad;
  const end = start + len;
  const vmas = m.vmasIn(start, end);
  const firstVma = vmas[0];
  if (!firstVma) return -ERRNO.EINVAL;
  if (firstVma.kind === "hugetlb" && (start - firstVma.base) % firstVma.pageSize) return -ERRNO.EINVAL;
  const wpAsync = (ctx.features & UFFD_FEATURES.wp_async) !== 0;
  for (const v of vmas) {
    if (!vma_can_userfault(m, v, v.uffd, wpAsync)) return -ERRNO.EINVAL;
    if (v.ctx && v.ctx !== ctx && m.version.unregisterOtherCtx === "einval") return -ERRNO.EINVAL;
  }
  m.splitRange(start, end);
  for (const v of m.vmasIn(start, end)) {
    if (!v.ctx) continue;
    // The VMA's own context: another userfaultfd's where the kernel lets it be unregistered from here.
    if (v.uffd & VM_UFFD_MISSING) wake_userfault(m, v.ctx, start, len);
    userfaultfd_clear_vma(m, v);
  }
  m.mergeVmas();
  return 0;
}

function userfaultfd_clear_vma(m: Machine, v: Vma): void {
  if (v.uffd & VM_UFFD_WP) uffd_wp_range(m, v, v.off, v.npages, false);
  v.uffd = 0;
  v.ctx = null;
}

/**
 * handle_userfault(): SIGBUS with UFFD_FEATURE_SIGBUS; otherwise queue a
 * pagefault message (address masked to the VMA's page size) and block.
 */
/**
 * userfaultfd_must_wait() (fs/userfaultfd.c): MISSING and MINOR wait while the
 * PTE is still none (a uffd-wp marker counts as none); WP waits while the PTE
 * is still write-protected.
 */
function userfaultfd_must_wait(vma: Vma, i: number, reason: number): boolean {
  const st = vma.pte[i];
  if (reason & VM_UFFD_WP) return st === PTE_PRESENT || st === PTE_ZERO ? (vma.pteFlags[i]! & PTEF_UFFD_WP) !== 0 : true;
  return st === PTE_NONE || st === PTE_MARKER;
}

export function handle_userfault(m: Machine, th: SimThread, vma: Vma, i: number, reason: number, flags: number): number {
  const ctx = vma.ctx;
  if (!ctx || ctx.released) return FAULT_SIGBUS;
  if (ctx.features & UFFD_FEATURES.sigbus) return FAULT_SIGBUS;
  // A fault taken in kernel mode (a syscall's copy to or from user memory) is not handled
  // for a context opened with UFFD_USER_MODE_ONLY: the copy fails (fs/userfaultfd.c, handle_userfault).
  if (th.kernelMode && ctx.userModeOnly) return FAULT_SIGBUS;
  let f = flags;
  if (reason & VM_UFFD_WP) f |= UFFD_PAGEFAULT_FLAG.wp;
  if (reason & VM_UFFD_MINOR) f |= UFFD_PAGEFAULT_FLAG.minor;
  // The message carries the address masked to the page (the huge page on hugetlb), or the
  // exact faulting address with UFFD_FEATURE_EXACT_ADDRESS (fs/userfaultfd.c, userfault_msg).
  const exact = (ctx.features & UFFD_FEATURES.exact_address) !== 0;
  const address = vma.base + i * vma.pageSize + (exact ? (th.offset ?? 0) : 0);
  // userfaultfd_must_wait(): the page may have been resolved since the fault
  // path decided to raise (another thread ran at a preemption point): then
  // the fault is retried without sleeping.
  if (!userfaultfd_must_wait(vma, i, reason)) return FAULT_RETRY;
  let msg = th.msgBuf;
  if (msg) {
    msg.event = "pagefault";
    msg.address = address;
    msg.end = vma.base + (i + 1) * vma.pageSize;
    msg.flags = f;
    msg.thread = th;
    msg.vma = vma;
    msg.read = false;
  } else {
    msg = { event: "pagefault", address, end: vma.base + (i + 1) * vma.pageSize, flags: f, thread: th, vma, read: false };
    th.msgBuf = msg;
  }
  // Recorded, not refused: the kernel raises whatever its fault path lets through.
  msg.beyondEof = vma.file !== null && i >= vma.file.size;
  ctx.pending.push(msg);
  th.state = "blocked";
  th.waitMsg = msg;
  th.waitCtx = ctx;
  return FAULT_BLOCKED;
}

/**
 * wake_userfault() / __wake_userfault(): wake every faulter of the context
 * whose address is in [start, start+len) (len 0: all). An unread message of a
 * woken faulter goes away with it. WAKE never looks at VMAs.
 */
export function wake_userfault(m: Machine, ctx: UserfaultfdCtx, start: number, len: number): void {
  wakeWaitersIn(m, ctx.pending, start, len);
  wakeWaitersIn(m, ctx.delivered, start, len);
}

function wakeWaitersIn(m: Machine, list: UffdMsg[], start: number, len: number): void {
  const end = start + len;
  for (let k = list.length - 1; k >= 0; k--) {
    const msg = list[k]!;
    if (msg.event !== "pagefault" || (len !== 0 && (msg.address < start || msg.address >= end))) continue;
    removeAt(list, k);
    const th = msg.thread;
    if (th && th.state === "blocked" && th.waitMsg === msg) {
      th.state = "running";
      th.waitMsg = null;
      th.waitCtx = null;
      m.runnable.push(th);
    }
  }
}

/**
 * userfaultfd_ctx_read(): page faults first (FIFO), then events; reading a
 * REMOVE event lets the process that caused it go on.
 */
export function userfaultfd_ctx_read(m: Machine, ctx: UserfaultfdCtx): UffdMsg | null {
  let k = 0;
  while (k < ctx.pending.length && ctx.pending[k]!.event !== "pagefault") k++;
  if (k < ctx.pending.length) {
    const msg = ctx.pending[k]!;
    removeAt(ctx.pending, k);
    msg.read = true;
    ctx.delivered.push(msg);
    return msg;
  }
  const msg = ctx.pending.shift();
  if (!msg) return null;
  msg.read = true;
  userfaultfd_event_complete(m, ctx, msg);
  return msg;
}

/** Remove one element in place (the queues are short; no array is allocated). */
function removeAt<T>(list: T[], k: number): void {
  if (k === 0) {
    list.shift();
    return;
  }
  for (let j = k; j + 1 < list.length; j++) list[j] = list[j + 1]!;
  list.length--;
}

function userfaultfd_event_complete(m: Machine, ctx: UserfaultfdCtx, msg: UffdMsg): void {
  ctx.mmapChanging = Math.max(0, ctx.mmapChanging - 1);
  const th = msg.thread;
  if (th && th.afterEvent) {
    const go = th.afterEvent;
    th.afterEvent = null;
    go();
    th.state = "done";
  }
}

/**
 * userfaultfd_remove(): with EVENT_REMOVE the madvise caller queues an event,
 * raises mmap_changing and waits until the monitor reads it (6.18, fs/userfaultfd.c userfaultfd_event_wait_completion()).
 * Returns true when the caller may go on at once.
 */
export function userfaultfd_remove(m: Machine, vma: Vma, first: number, n: number, th: SimThread, then: () => void): boolean {
  const ctx = vma.ctx;
  if (!ctx || !(ctx.features & UFFD_FEATURES.event_remove)) return true;
  const address = vma.base + first * vma.pageSize;
  const msg: UffdMsg = { event: "remove", address, end: address + n * vma.pageSize, flags: 0, thread: th, vma, read: false };
  ctx.pending.push(msg);
  ctx.mmapChanging++;
  th.state = "blocked";
  th.afterEvent = then;
  return false;
}

/**
 * userfaultfd_release(): close(). Every registration of the context goes
 * (wp bits too), pending events complete, every faulter wakes and retries
 * without userfaultfd.
 */
export function userfaultfd_release(m: Machine, ctx: UserfaultfdCtx): void {
  ctx.released = true;
  for (const v of m.vmas) if (v.ctx === ctx) userfaultfd_clear_vma(m, v);
  m.mergeVmas();
  for (const msg of [...ctx.pending]) {
    if (msg.event !== "pagefault") {
      ctx.pending.splice(ctx.pending.indexOf(msg), 1);
      userfaultfd_event_complete(m, ctx, msg);
    }
  }
  wake_userfault(m, ctx, 0, 0);
}

/** UFFDIO_WAKE. */
export function userfaultfd_wake(m: Machine, ctx: UserfaultfdCtx, start: number, len: number): number {
  if (!ctx.initialized) return -ERRNO.EINVAL;
  const bad = validate_range(start, len);
  if (bad) return bad;
  wake_userfault(m, ctx, start, len);
  return 0;
}

/** Mode bits of the mfill ioctls, as each handler reads them from its argument. */
export interface MfillModes {
  readonly dontwake?: boolean;
  readonly wp?: boolean;
  /** Bits the ioctl does not define. */
  readonly unknownMode?: boolean;
}

/** UFFDIO_COPY: userfaultfd_copy(); DONTWAKE and WP are its modes. */
export function userfaultfd_copy(m: Machine, ctx: UserfaultfdCtx, dst: number, len: number, modes: MfillModes, fill: FillFn): Maybe<IoctlResult> {
  return mfillIoctl(m, ctx, "copy", dst, len, modes, fill);
}

/** UFFDIO_ZEROPAGE: userfaultfd_zeropage(); DONTWAKE is its only mode. */
export function userfaultfd_zeropage(m: Machine, ctx: UserfaultfdCtx, dst: number, len: number, modes: MfillModes): Maybe<IoctlResult> {
  return mfillIoctl(m, ctx, "zeropage", dst, len, modes, () => 0);
}

/** UFFDIO_CONTINUE: userfaultfd_continue(); DONTWAKE and WP are its modes. */
export function userfaultfd_continue(m: Machine, ctx: UserfaultfdCtx, dst: number, len: number, modes: MfillModes): Maybe<IoctlResult> {
  return mfillIoctl(m, ctx, "continue", dst, len, modes, () => 0);
}

/** UFFDIO_POISON: userfaultfd_poison(); DONTWAKE is its only mode. */
export function userfaultfd_poison(m: Machine, ctx: UserfaultfdCtx, dst: number, len: number, modes: MfillModes): Maybe<IoctlResult> {
  return mfillIoctl(m, ctx, "poison", dst, len, modes, () => 0);
}

/**
 * What the four handlers share (each is its own function in fs/userfaultfd.c,
 * with the same shape): EAGAIN with -11 written back while an event is
 * pending; argument errors not written back; everything mfill_atomic() says
 * written back; wake unless DONTWAKE; partial success is EAGAIN with the
 * bytes done.
 */
function mfillIoctl(m: Machine, ctx: UserfaultfdCtx, mode: MfillMode, dst: number, len: number, modes: MfillModes, fill: FillFn): Maybe<IoctlResult> {
  if (!ctx.initialized) return { ret: -ERRNO.EINVAL };
  if (ctx.mmapChanging > 0) return mmap_changing_eagain(m);
  const bad = validate_range(dst, len);
  if (bad) return { ret: bad };
  // Mode bits the ioctl does not define: EINVAL after the range check, nothing written back (fs/userfaultfd.c).
  if (modes.unknownMode) return { ret: -ERRNO.EINVAL };
  if (modes.wp && (mode === "zeropage" || mode === "poison")) return { ret: -ERRNO.EINVAL };
  const done = mfill_atomic(m, ctx, dst, len, mode, modes.wp ?? false, fill);
  return isPath(done) ? andThen(done, (d) => mfillIoctlEnd(m, ctx, dst, len, modes.dontwake === true, d)) : mfillIoctlEnd(m, ctx, dst, len, modes.dontwake === true, done);
}

/** The ioctl's end: the fill's bytes or error written back, and the faulters of the range woken. */
function mfillIoctlEnd(m: Machine, ctx: UserfaultfdCtx, dst: number, len: number, dontwake: boolean, done: number): IoctlResult {
  if (done < 0) return { ret: done, field: done };
  if (!dontwake) wake_userfault(m, ctx, dst, done);
  return { ret: done === len ? 0 : -ERRNO.EAGAIN, field: done };
}

/** UFFDIO_WRITEPROTECT: WP together with DONTWAKE is EINVAL; unprotect wakes. */
export function userfaultfd_writeprotect(m: Machine, ctx: UserfaultfdCtx, start: number, len: number, wp: boolean, dontwake: boolean, unknownMode = false): number {
  if (!ctx.initialized) return -ERRNO.EINVAL;
  if (ctx.mmapChanging > 0) return -ERRNO.EAGAIN;
  const bad = validate_range(start, len);
  if (bad) return bad;
  if (unknownMode) return -ERRNO.EINVAL;
  if (wp && dontwake) return -ERRNO.EINVAL;
  const r = mwriteprotect_range(m, ctx, start, len, wp);
  if (r) return r;
  if (!wp && !dontwake) wake_userfault(m, ctx, start, len);
  return 0;
}

/** The ioctls' early mmap_changing check: -EAGAIN, in the output field too where the kernel writes it there (KernelVersion.eagainInField). */
export function mmap_changing_eagain(m: Machine): IoctlResult {
  return m.version.eagainInField ? { ret: -ERRNO.EAGAIN, field: -ERRNO.EAGAIN } : { ret: -ERRNO.EAGAIN };
}

/** UFFDIO_MOVE. */
export function userfaultfd_move(m: Machine, ctx: UserfaultfdCtx, dst: number, src: number, len: number, allowSrcHoles: boolean, dontwake: boolean, unknownMode = false): IoctlResult {
  if (!ctx.initialized) return { ret: -ERRNO.EINVAL };
  if (ctx.mmapChanging > 0) return mmap_changing_eagain(m);
  const bad = validate_range(dst, len) || validate_range(src, len);
  if (bad) return { ret: bad };
  if (unknownMode) return { ret: -ERRNO.EINVAL };
  const done = move_pages(m, ctx, dst, src, len, allowSrcHoles);
  if (done < 0) return { ret: done, field: done };
  if (!dontwake) wake_userfault(m, ctx, dst, done);
  return { ret: done === len ? 0 : -ERRNO.EAGAIN, field: done };
}
