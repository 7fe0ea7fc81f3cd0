/**
 * mm/userfaultfd.c: vma_can_userfault(), the mfill family behind COPY,
 * ZEROPAGE, CONTINUE and POISON, the hugetlb variant, MOVE and WRITEPROTECT.
 * Sources: vma_can_userfault() (its 6.18 and 7.1 forms), mfill_get_vma() and the
 * per-ioctl paths, include/linux/userfaultfd_k.h (callback contracts); what 6.18
 * really returns as conform observes it (the ioctls mask, poison, write-back, MOVE).
 *
 * Functions return bytes done (> 0), 0, or a negative errno, as the kernel's do.
 */
import { ERRNO, UFFD_FEATURES } from "../../kernel/uapi.js";
import { GENERATIONS } from "../../kernel/generations.js";
import type { Machine } from "./machine.js";
import { setPteFolio, userfaultfd_wp, zapPte } from "./memory.js";
import {
  FOLIO_IN_CACHE,
  PTEF_POISON,
  PTEF_RDONLY,
  PTEF_UFFD_WP,
  PTE_MARKER,
  PTE_NONE,
  PTE_PRESENT,
  PTE_ZERO,
  VM_UFFD_FLAGS,
  VM_UFFD_MINOR,
  VM_UFFD_WP,
  ZERO_FOLIO,
  type UserfaultfdCtx,
  type Vma,
  vmaEnd,
} from "./state.js";
import { filemap_add_folio, vma_uffd_ops, type SimUffdOps } from "./uffd_ops.js";
import { andThen, at, isPath, underMmapRead, type Maybe } from "./preempt.js";
import { RULE } from "./findings.js";

export type MfillMode = "copy" | "zeropage" | "continue" | "poison";

/** What a COPY writes: one byte per destination page. */
export type FillFn = (dstPageIndex: number) => number;

/**
 * vma_can_userfault(): may this VMA be registered with these modes?
 * The 6.18 form hard-codes anon, shmem and hugetlb; the 7.1 form asks the
 * VMA's vm_uffd_ops (a declared type always runs in the form of its own API
 * generation).
 */
export function vma_can_userfault(m: Machine, vma: Vma, vmFlags: number, wpAsync: boolean): boolean {
  vmFlags &= VM_UFFD_FLAGS;
  // VM_DROPPABLE memory may vanish at any time: never registrable (include/linux/userfaultfd_k.h),
  // once the test reads the VMA's own flags (KernelVersion.droppableRefused).
  if (vma.droppable && m.version.droppableRefused) return false;
  const isShmem = vma.kind === "shmem";
  const isHugetlb = vma.kind === "hugetlb";
  const declaredC = m.c !== null && (vma.kind === "declared" || (m.declared?.backing === "anon" && vma.anonymous) || (m.declared?.backing === "hugetlb" && isHugetlb));
  if (m.version.canUserfault === "shmem-hugetlb" && !declaredC) {
    if (vmFlags & VM_UFFD_MINOR && !isHugetlb && !isShmem) return false;
    if (wpAsync && vmFlags === VM_UFFD_WP) return true;
    return vma.anonymous || isHugetlb || isShmem;
  }
  if (wpAsync && vmFlags === VM_UFFD_WP) return true;
  const ops = vma_uffd_ops(m, vma);
  if (!ops) return false;
  const coreDoUserfault = vma.kind === "declared" ? GENERATIONS[m.declared!.api].coreDoUserfault : m.version.coreDoUserfault;
  // Pending patch 12/15: __do_userfault() needs get_folio_noalloc on page-cache types (R15).
  if (coreDoUserfault && !vma.anonymous && !isHugetlb && !ops.get_folio_noalloc) return false;
  return ops.can_userfault(m, vma, vmFlags);
}

/** The mfill path's preemption points (src/run/sim/preempt.ts). */
const BETWEEN_PAGES = underMmapRead("mfill_atomic", "page done; cond_resched() before the next page");
const AFTER_ALLOC = underMmapRead("__mfill_atomic_pte", "after ->alloc_folio(), copying from user; before ->filemap_add()");

/** pte_none_mostly(): none, or any marker. */
const pteNoneMostly = (vma: Vma, i: number) => vma.pte[i] === PTE_NONE || vma.pte[i] === PTE_MARKER;

/**
 * mfill_get_vma() (uffd_mfill_lock + validate_dst_vma): the destination must
 * lie in one registered VMA (else -ENOENT); then mmap_changing, the WP copy
 * flag, and the memory type are checked. Returns the VMA or a negative errno.
 */
export function mfill_get_vma(m: Machine, ctx: UserfaultfdCtx, dst: number, len: number, mode: MfillMode, wp: boolean): Vma | number {
  const vma = m.vmaLookup(dst);
  if (!vma) return -ERRNO.ENOENT;
  if (dst + len > vmaEnd(vma)) return -ERRNO.ENOENT;
  if (!vma.ctx) return -ERRNO.ENOENT;
  if (ctx.mmapChanging > 0) return -ERRNO.EAGAIN;
  if (vma.anonymous && vma.shared) return -ERRNO.EINVAL;
  if (wp && !(vma.uffd & VM_UFFD_WP)) return -ERRNO.EINVAL;
  if (vma.kind === "hugetlb") return vma;
  if (m.version.canUserfault === "shmem-hugetlb" && vma.kind !== "declared") {
    if (!vma.anonymous && vma.kind !== "shmem") return -ERRNO.EINVAL;
    if (vma.kind !== "shmem" && mode === "continue") return -ERRNO.EINVAL;
    return vma;
  }
  const ops = vma_uffd_ops(m, vma);
  if (!ops) return -ERRNO.EINVAL;
  if (mode === "continue" && (!ops.get_folio_noalloc || vma.anonymous)) return -ERRNO.EINVAL;
  return vma;
}

/**
 * mfill_atomic(): one page at a time until done or an error; returns the bytes
 * done, or the error when nothing was done.
 */
export function mfill_atomic(m: Machine, ctx: UserfaultfdCtx, dst: number, len: number, mode: MfillMode, wp: boolean, fill: FillFn): Maybe<number> {
  const got = mfill_get_vma(m, ctx, dst, len, mode, wp);
  if (typeof got === "number") return got;
  const vma = got;
  if (vma.kind === "hugetlb") return mfill_atomic_hugetlb(m, vma, dst, len, mode, wp, fill);
  return mfillAtomicPages(m, vma, (dst - vma.base) / vma.pageSize, len / vma.pageSize, 0, 0, mode, wp, fill);
}

/**
 * Pages k..n-1 of the fill, `done` bytes already filled: one page at a time
 * until done or an error; the bytes done, or the error when nothing was done.
 */
function mfillAtomicPages(m: Machine, vma: Vma, first: number, n: number, k: number, done: number, mode: MfillMode, wp: boolean, fill: FillFn): Maybe<number> {
  for (; k < n; k++) {
    // cond_resched() between pages; the mmap_lock stays held for read, so
    // nothing can unregister or unmap the range, but faults and zaps can run.
    if (k > 0 && m.preempt) {
      const from = k;
      const sofar = done;
      return at(m, BETWEEN_PAGES, () => mfillAtomicPage(m, vma, first, n, from, sofar, mode, wp, fill));
    }
    const r = mfill_atomic_pte(m, vma, first + k, mode, wp, fill(first + k));
    if (isPath(r)) {
      const from = k;
      const sofar = done;
      return andThen(r, (err) => (err ? (sofar ? sofar : err) : mfillAtomicPages(m, vma, first, n, from + 1, sofar + vma.pageSize, mode, wp, fill)));
    }
    if (r) return done ? done : r;
    done += vma.pageSize;
  }
  return done;
}

/** Page k after the point between pages, then the rest. */
function mfillAtomicPage(m: Machine, vma: Vma, first: number, n: number, k: number, done: number, mode: MfillMode, wp: boolean, fill: FillFn): Maybe<number> {
  return andThen(mfill_atomic_pte(m, vma, first + k, mode, wp, fill(first + k)), (err) =>
    err ? (done ? done : err) : mfillAtomicPages(m, vma, first, n, k + 1, done + vma.pageSize, mode, wp, fill),
  );
}

function mfill_atomic_pte(m: Machine, vma: Vma, i: number, mode: MfillMode, wp: boolean, byte: number): Maybe<number> {
  if (mode === "continue") return mfill_atomic_pte_continue(m, vma, i, wp);
  if (mode === "poison") return mfill_atomic_pte_poison(m, vma, i);
  // A declared anonymous type: COPY goes through its emitted alloc_folio, as 7.1's
  // mfill_atomic_pte_copy() calls __mfill_atomic_pte() with anon_uffd_ops.
  if (!vma.shared && mode === "copy" && vma.anonymous && m.c && m.declared?.backing === "anon") {
    return __mfill_atomic_pte(m, vma, i, mode, wp, byte, vma_uffd_ops(m, vma));
  }
  // A private mapping, even of a file, is filled with anonymous memory (anon_uffd_ops).
  if (!vma.shared) {
    if (mode === "copy") return mfill_atomic_pte_copy(m, vma, i, wp, byte);
    return mfill_atomic_pte_zeropage(m, vma, i);
  }
  const ops = vma_uffd_ops(m, vma);
  return __mfill_atomic_pte(m, vma, i, mode, wp, byte, ops);
}

/**
 * mfill_file_over_size(): is the page of a file mapping at or beyond i_size?
 * Every install checks it under the page table lock, so a truncation that
 * shrank the file meanwhile is seen (mm/userfaultfd.c since the POISON
 * series, 6.6; before it only shmem was checked, in the install).
 */
export function mfill_file_over_size(vma: Vma, i: number): boolean {
  return vma.file !== null && i >= vma.file.size;
}

/**
 * mfill_atomic_install_pte(): refuses a page beyond EOF (-EFAULT), then
 * anything but a none PTE or a marker (-EEXIST). The caller's reference
 * becomes the PTE's.
 */
export function mfill_atomic_install_pte(m: Machine, vma: Vma, i: number, folio: number, pageInCache: boolean, wp: boolean): number {
  if (mfill_file_over_size(vma, i)) return -ERRNO.EFAULT;
  if (!pteNoneMostly(vma, i)) return -ERRNO.EEXIST;
  let flags = wp ? PTEF_UFFD_WP : 0;
  if (pageInCache && !vma.shared) flags |= PTEF_RDONLY;
  setPteFolio(m, vma, i, folio, flags);
  if (!m.folios.isUptodate(folio)) {
    m.finding(`page ${i} was mapped while its folio is not up to date: user space sees stale contents`, RULE.staleContents);
  }
  return 0;
}

/** mfill_atomic_pte_copy(): a new anonymous folio with the source's contents. */
function mfill_atomic_pte_copy(m: Machine, vma: Vma, i: number, wp: boolean, byte: number): number {
  if (!pteNoneMostly(vma, i)) return -ERRNO.EEXIST;
  const f = m.folios.alloc();
  m.folios.value[f] = byte;
  m.folios.markUptodate(f);
  const r = mfill_atomic_install_pte(m, vma, i, f, false, wp);
  if (r) m.folios.put(f);
  return r;
}

/** mfill_atomic_pte_zeropage(): the zero page, mapped read-only. */
function mfill_atomic_pte_zeropage(m: Machine, vma: Vma, i: number): number {
  if (mfill_file_over_size(vma, i)) return -ERRNO.EFAULT;
  if (!pteNoneMostly(vma, i)) return -ERRNO.EEXIST;
  setPteFolio(m, vma, i, ZERO_FOLIO, 0);
  return 0;
}

/**
 * __mfill_atomic_pte() for VM_SHARED (7.1; shmem_mfill_atomic_pte() in 6.18,
 * same steps): alloc_folio → fill → mark up to date → filemap_add → install
 * PTE → on failure filemap_remove, unlock, put.
 */
function __mfill_atomic_pte(m: Machine, vma: Vma, i: number, mode: MfillMode, wp: boolean, byte: number, ops: SimUffdOps | null): Maybe<number> {
  // peterx-v1: core hands the whole fill to the type's uffd_copy.
  if (ops?.uffd_copy) return ops.uffd_copy(m, vma, i, mode === "zeropage", wp, byte);
  // df3ee3b3bbc3 (7.1 hotfix) refuses a VMA with no vm_uffd_ops at all, with a warning.
  if (!ops) return m.version.refuseUnsupportedMfill ? -ERRNO.EOPNOTSUPP : -ERRNO.EINVAL;
  if (!ops.alloc_folio) {
    // A declared type on a generation without the member (peterx-v4): core's mfill path knows
    // only anonymous memory and shmem, and refuses the VMA before any callback (R60).
    const gen = vma.kind === "declared" && m.declared ? GENERATIONS[m.declared.api] : undefined;
    if (!gen || !gen.callbacks.some((c) => c.role === "allocFolio")) return -ERRNO.EINVAL;
    // 7.1: __mfill_atomic_pte() calls ops->alloc_folio() with no NULL check, and a COPY needs no
    // MISSING registration: a NULL pointer dereference in the kernel (R20).
    m.finding(`UFFDIO_${mode.toUpperCase()} into page ${i}: the type's vm_uffd_ops has no alloc_folio, and __mfill_atomic_pte() calls it unchecked: NULL pointer dereference (oops)`, RULE.nullAllocFolio);
    return -ERRNO.EFAULT;
  }
  const f = ops.alloc_folio(m, vma, i);
  if (f < 0) return -ERRNO.ENOMEM;
  // The new folio is this thread's alone until ->filemap_add(): the copy from
  // user runs unlocked, and whatever ->alloc_folio() checked may change.
  return at(m, AFTER_ALLOC, () => mfillFillAndInstall(m, vma, i, mode, wp, byte, ops, f));
}

/** The rest of __mfill_atomic_pte() once the folio is allocated: fill, ->filemap_add(), install, undo on failure. */
function mfillFillAndInstall(m: Machine, vma: Vma, i: number, mode: MfillMode, wp: boolean, byte: number, ops: SimUffdOps, f: number): number {
  m.folios.value[f] = mode === "copy" ? byte : 0;
  m.folios.markUptodate(f);
  if (ops.filemap_add) {
    const r = ops.filemap_add(m, f, vma, i);
    if (r) {
      m.folios.put(f);
      return r;
    }
  }
  const inCache = (m.folios.flags[f]! & FOLIO_IN_CACHE) !== 0;
  if (!inCache && vma.file) {
    m.finding(`COPY into shared page ${i} mapped a folio that is not in the page cache (no filemap_add)`, RULE.filemapInverse);
  }
  // Fault injection: a truncate racing the install (the page is now past EOF).
  const r = m.c?.fire("install_pte") ? -ERRNO.EFAULT : mfill_atomic_install_pte(m, vma, i, f, inCache, wp);
  if (r) {
    if (ops.filemap_remove) ops.filemap_remove(m, f, vma);
    else if (m.folios.isLocked(f)) {
      m.finding(`install failed at page ${i} and the type has no filemap_remove: the folio stays in the cache, locked`, RULE.filemapInverse);
    }
    m.folios.put(f);
    return r === -ERRNO.ENOENT ? -ERRNO.EFAULT : r;
  }
  m.folios.unlock(f);
  return 0;
}

/**
 * mfill_atomic_pte_continue(): get_folio_noalloc (shmem_get_folio(SGP_NOALLOC)
 * in 6.18, which clears a fallocated folio); no folio is -EFAULT.
 */
function mfill_atomic_pte_continue(m: Machine, vma: Vma, i: number, wp: boolean): number {
  const file = vma.file!;
  let f: number;
  if (vma.kind === "shmem") {
    f = file.cache[i] ?? -1;
    if (f >= 0) {
      m.folios.get(f);
      m.folios.lock(f);
      if (!m.folios.isUptodate(f)) {
        m.folios.value[f] = 0;
        m.folios.markUptodate(f);
      }
    }
  } else {
    f = vma_uffd_ops(m, vma)!.get_folio_noalloc!(m, file, i);
  }
  if (f < 0) return -ERRNO.EFAULT;
  const wasLocked = m.folios.isLocked(f);
  const r = mfill_atomic_install_pte(m, vma, i, f, true, wp);
  if (!wasLocked) m.finding(`get_folio_noalloc returned page ${i} unlocked; CONTINUE unlocks it (VM_BUG_ON)`, RULE.getFolioContract);
  m.folios.unlock(f);
  if (r) m.folios.put(f);
  return r;
}

/** mfill_atomic_pte_poison(): refuses any PTE, even a marker (-EEXIST). */
function mfill_atomic_pte_poison(m: Machine, vma: Vma, i: number): number {
  if (mfill_file_over_size(vma, i)) return -ERRNO.EFAULT;
  if (vma.pte[i] !== PTE_NONE) return -ERRNO.EEXIST;
  vma.pte[i] = PTE_MARKER;
  vma.pteFlags[i] = PTEF_POISON;
  return 0;
}

/**
 * mfill_atomic_hugetlb(): no ZEROPAGE (no zero huge page), huge-page aligned
 * ranges only; both written back as -EINVAL because they come after the vma
 * lookup (6.18, as conform observes it).
 */
function mfill_atomic_hugetlb(m: Machine, vma: Vma, dst: number, len: number, mode: MfillMode, wp: boolean, fill: FillFn): number {
  if (mode === "zeropage") return -ERRNO.EINVAL;
  if ((dst - vma.base) % vma.pageSize || len % vma.pageSize) return -ERRNO.EINVAL;
  const first = (dst - vma.base) / vma.pageSize;
  const n = len / vma.pageSize;
  let done = 0;
  let err = 0;
  for (let k = 0; k < n; k++) {
    err = hugetlb_mfill_atomic_pte(m, vma, first + k, mode, wp, fill(first + k));
    if (err) break;
    done += vma.pageSize;
  }
  return done ? done : err;
}

function hugetlb_mfill_atomic_pte(m: Machine, vma: Vma, i: number, mode: MfillMode, wp: boolean, byte: number): number {
  const file = vma.file!;
  if (mode === "poison") return mfill_atomic_pte_poison(m, vma, i);
  if (mode === "continue") {
    const f = file.cache[i] ?? -1;
    if (f < 0) return -ERRNO.EFAULT;
    if (!pteNoneMostly(vma, i)) return -ERRNO.EEXIST;
    m.folios.get(f);
    return mfill_atomic_install_pte(m, vma, i, f, true, wp);
  }
  // hugetlb_mfill_atomic_pte() checks the index against i_size itself (-EFAULT), then the PTE.
  if (i >= file.size) return -ERRNO.EFAULT;
  if (!pteNoneMostly(vma, i)) return -ERRNO.EEXIST;
  const f = m.folios.alloc();
  m.folios.value[f] = byte;
  m.folios.markUptodate(f);
  if (vma.shared) {
    const r = filemap_add_folio(m, file, f, i);
    if (r) {
      m.folios.put(f);
      return r;
    }
  }
  return mfill_atomic_install_pte(m, vma, i, f, vma.shared, wp);
}

/**
 * uffd_wp_range() / change_protection(MM_CP_UFFD_WP[_RESOLVE]): set or clear
 * the wp bit of present PTEs; on none PTEs install uffd-wp markers where the
 * VMA uses them (file memory always, anon with WP_UNPOPULATED), and remove them
 * on resolve.
 */
export function uffd_wp_range(m: Machine, vma: Vma, first: number, n: number, enable: boolean): void {
  const useMarkers = !vma.anonymous || (vma.ctx !== null && (vma.ctx.features & UFFD_FEATURES.wp_unpopulated) !== 0);
  for (let i = first; i < first + n; i++) {
    const st = vma.pte[i];
    if (st === PTE_PRESENT || st === PTE_ZERO) {
      if (enable) vma.pteFlags[i]! |= PTEF_UFFD_WP;
      else vma.pteFlags[i]! &= ~PTEF_UFFD_WP;
    } else if (st === PTE_NONE) {
      if (enable && useMarkers) {
        vma.pte[i] = PTE_MARKER;
        vma.pteFlags[i] = PTEF_UFFD_WP;
      }
    } else if (st === PTE_MARKER && !enable && vma.pteFlags[i] === PTEF_UFFD_WP) {
      vma.pte[i] = PTE_NONE;
      vma.pteFlags[i] = 0;
    }
  }
}

/** mwriteprotect_range(): every VMA in the range must be WP-registered (-ENOENT); hugetlb alignment. */
export function mwriteprotect_range(m: Machine, ctx: UserfaultfdCtx, start: number, len: number, enable: boolean): number {
  if (ctx.mmapChanging > 0) return -ERRNO.EAGAIN;
  const end = start + len;
  let err = -ERRNO.ENOENT;
  for (const vma of m.vmasIn(start, end)) {
    if (!userfaultfd_wp(vma)) return -ERRNO.ENOENT;
    if (vma.kind === "hugetlb" && ((start - vma.base) % vma.pageSize || len % vma.pageSize)) return -ERRNO.EINVAL;
    const s = Math.max(start, vma.start);
    const e = Math.min(end, vmaEnd(vma));
    const first = Math.floor((s - vma.base) / vma.pageSize);
    const last = Math.ceil((e - vma.base) / vma.pageSize);
    uffd_wp_range(m, vma, first, last - first, enable);
    err = 0;
  }
  return err;
}

/**
 * validate_move_areas(): both VMAs private anonymous, the same protections,
 * a writable source, the destination registered on this context.
 */
export function validate_move_areas(ctx: UserfaultfdCtx, src: Vma, dst: Vma): number {
  if (!src.anonymous || !dst.anonymous) return -ERRNO.EINVAL;
  if (src.write !== dst.write || !src.write) return -ERRNO.EINVAL;
  if (dst.ctx !== ctx) return -ERRNO.EINVAL;
  return 0;
}

/**
 * move_pages(): UFFDIO_MOVE. Works without UFFD_FEATURE_MOVE; a source hole is
 * -ENOENT unless ALLOW_SRC_HOLES; a zero-page source moves (6.18, mm/userfaultfd.c move_pages()).
 */
export function move_pages(m: Machine, ctx: UserfaultfdCtx, dst: number, src: number, len: number, allowSrcHoles: boolean): number {
  const dvma = m.vmaLookup(dst);
  const svma = m.vmaLookup(src);
  if (!dvma || !svma) return -ERRNO.ENOENT;
  if (ctx.mmapChanging > 0) return -ERRNO.EAGAIN;
  if (svma.shared || dvma.shared) return -ERRNO.EINVAL;
  if (src + len > vmaEnd(svma) || dst + len > vmaEnd(dvma)) return -ERRNO.EINVAL;
  const bad = validate_move_areas(ctx, svma, dvma);
  if (bad) return bad;
  const ps = dvma.pageSize;
  let moved = 0;
  for (let off = 0; off < len; off += ps) {
    const si = (src + off - svma.base) / ps;
    const di = (dst + off - dvma.base) / ps;
    if (dvma.pte[di] !== PTE_NONE) return moved || -ERRNO.EEXIST;
    const st = svma.pte[si];
    if (st === PTE_NONE || st === PTE_MARKER) {
      if (!allowSrcHoles) return moved || -ERRNO.ENOENT;
      moved += ps;
      continue;
    }
    const f = svma.pteFolio[si]!;
    if (st === PTE_PRESENT && m.folios.mapcount[f]! > 1) return moved || -ERRNO.EBUSY;
    // The folio changes PTE without changing hands: no reference moves.
    dvma.pte[di] = st!;
    dvma.pteFolio[di] = f;
    dvma.pteFlags[di] = 0;
    svma.pte[si] = PTE_NONE;
    svma.pteFolio[si] = -1;
    svma.pteFlags[si] = 0;
    moved += ps;
  }
  return moved;
}

/** zap a page range of one VMA (madvise DONTNEED, truncation). */
export function zapRange(m: Machine, vma: Vma, first: number, n: number, dropMarkers: boolean): void {
  for (let i = first; i < first + n && i < vma.off + vma.npages; i++) zapPte(m, vma, i, dropMarkers);
}
