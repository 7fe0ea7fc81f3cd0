/**
 * The user fault path (mm/memory.c, mm/shmem.c, mm/hugetlb.c,
 * virt/kvm/guest_memfd.c): handle_mm_fault() and the handlers it reaches, with
 * the points where userfaultfd is consulted (handle_userfault()'s callers;
 * on 6.18 also poison markers, WP_ASYNC, the fault flags and guest_memfd).
 *
 * Return value of the fault functions: a byte >= 0 when the access completed
 * (the value read or written), or one of the FAULT_* codes.
 */
import { ERRNO } from "../../kernel/uapi.js";
import type { Machine } from "./machine.js";
import {
  FOLIO_UPTODATE,
  PTEF_POISON,
  PTEF_RDONLY,
  PTEF_UFFD_WP,
  PTE_MARKER,
  PTE_NONE,
  PTE_PRESENT,
  PTE_ZERO,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  ZERO_FOLIO,
  type SimFile,
  type SimThread,
  type Vma,
} from "./state.js";
import { UFFD_FEATURES, UFFD_PAGEFAULT_FLAG } from "../../kernel/uapi.js";
import { handle_userfault } from "./fs_userfaultfd.js";
import { filemap_add_folio, vma_uffd_ops } from "./uffd_ops.js";
import { declaredTypeFault } from "./declared.js";
import { RULE } from "./findings.js";
import { GENERATIONS } from "../../kernel/generations.js";
import { andThen, at, isPath, underMmapRead, type Maybe } from "./preempt.js";

/** The fault path's preemption points (src/run/sim/preempt.ts). */
const BEFORE_FAULT = underMmapRead("__do_fault", "__do_userfault() let the fault through; before vm_ops->fault()");
const BEFORE_MINOR = underMmapRead("__do_userfault", "->get_folio_noalloc() found a folio, now unlocked; before handle_userfault(MINOR)");
const BEFORE_MISSING = underMmapRead("__do_userfault", "->get_folio_noalloc() found no folio; before handle_userfault(MISSING)");

export const FAULT_SIGBUS = -1;
export const FAULT_BLOCKED = -2;
/** VM_FAULT_RETRY / NOPAGE: the access is retried from the top. */
export const FAULT_RETRY = -3;

const PF_WRITE = UFFD_PAGEFAULT_FLAG.write;

export const userfaultfd_missing = (v: Vma) => (v.uffd & VM_UFFD_MISSING) !== 0;
export const userfaultfd_minor = (v: Vma) => (v.uffd & VM_UFFD_MINOR) !== 0;
export const userfaultfd_wp = (v: Vma) => (v.uffd & VM_UFFD_WP) !== 0;
export const userfaultfd_wp_async = (v: Vma) => v.ctx !== null && (v.ctx.features & UFFD_FEATURES.wp_async) !== 0;

/** Install a present PTE; the caller's folio reference becomes the PTE's. */
export function setPteFolio(m: Machine, vma: Vma, i: number, folio: number, flags: number): void {
  vma.pte[i] = folio === ZERO_FOLIO ? PTE_ZERO : PTE_PRESENT;
  vma.pteFolio[i] = folio;
  vma.pteFlags[i] = flags;
  if (folio !== ZERO_FOLIO) m.folios.mapcount[folio]! += 1;
}

/**
 * zap_pte_range() for one PTE. uffd-wp markers survive a zap of file memory
 * unless dropMarkers (truncation); poison markers never survive (uffd-abi 4).
 */
export function zapPte(m: Machine, vma: Vma, i: number, dropMarkers: boolean): void {
  const st = vma.pte[i];
  const wp = (vma.pteFlags[i]! & PTEF_UFFD_WP) !== 0;
  const keepWpMarker = !dropMarkers && !vma.anonymous && wp && userfaultfd_wp(vma);
  if (st === PTE_PRESENT) {
    const f = vma.pteFolio[i]!;
    m.folios.mapcount[f]! -= 1;
    m.folios.put(f);
  }
  if (keepWpMarker) {
    vma.pte[i] = PTE_MARKER;
    vma.pteFlags[i] = PTEF_UFFD_WP;
  } else {
    vma.pte[i] = PTE_NONE;
    vma.pteFlags[i] = 0;
  }
  vma.pteFolio[i] = -1;
}

/**
 * A user access by `th` to page i of `vma`; value is the byte a write stores.
 * The fault holds the mmap_lock (or the VMA lock) for read throughout; its
 * preemption points are in __do_userfault() and before ->fault.
 */
export function handle_mm_fault(m: Machine, th: SimThread, vma: Vma, i: number, write: boolean, value: number): Maybe<number> {
  const st = vma.pte[i]!;
  const fl = vma.pteFlags[i]!;
  if (st === PTE_PRESENT || st === PTE_ZERO) {
    const f = vma.pteFolio[i]!;
    if (!write) return m.folios.value[f]!;
    if (fl & PTEF_UFFD_WP && userfaultfd_wp(vma)) {
      // do_wp_page(): userfaultfd_pte_wp() first.
      if (!userfaultfd_wp_async(vma)) return handle_userfault(m, th, vma, i, VM_UFFD_WP, PF_WRITE);
      vma.pteFlags[i] = fl & ~PTEF_UFFD_WP;
    }
    if (st === PTE_ZERO || fl & PTEF_RDONLY) return wpCopyFolio(m, vma, i, value);
    m.folios.value[f] = value;
    return value;
  }
  let origWp = false;
  if (st === PTE_MARKER) {
    if (fl & PTEF_POISON) return FAULT_SIGBUS; // handle_pte_marker(): VM_FAULT_HWPOISON → SIGBUS BUS_ADRERR here
    // pte_marker_handle_uffd_wp(): a stale marker of an unregistered range is just cleared.
    if (userfaultfd_wp(vma)) origWp = true;
    vma.pte[i] = PTE_NONE;
    vma.pteFlags[i] = 0;
  }
  if (vma.anonymous) return restoreWpMarker(vma, i, do_anonymous_page(m, th, vma, i, write, value, origWp), origWp);
  const r = do_fault(m, th, vma, i, write, value, origWp);
  // (No closure unless the fault stopped at a point: the plain simulator's path allocates nothing.)
  return isPath(r) ? andThen(r, (v) => restoreWpMarker(vma, i, v, origWp)) : restoreWpMarker(vma, i, r, origWp);
}

/** A fault that did not populate the PTE (it blocked or raised SIGBUS) puts the uffd-wp marker back. */
function restoreWpMarker(vma: Vma, i: number, r: number, origWp: boolean): number {
  if (r < 0 && origWp && vma.pte[i] === PTE_NONE) {
    vma.pte[i] = PTE_MARKER;
    vma.pteFlags[i] = PTEF_UFFD_WP;
  }
  return r;
}

/** wp_page_copy(): break COW into a new anonymous folio holding the written byte. */
function wpCopyFolio(m: Machine, vma: Vma, i: number, value: number): number {
  const old = vma.pteFolio[i]!;
  const keep = vma.pteFlags[i]! & PTEF_UFFD_WP;
  const f = m.folios.alloc();
  m.folios.value[f] = value;
  m.folios.markUptodate(f);
  if (vma.pte[i] === PTE_PRESENT) {
    m.folios.mapcount[old]! -= 1;
    m.folios.put(old);
  }
  setPteFolio(m, vma, i, f, keep);
  return value;
}

/** Install the result of a missing fault; with an uffd-wp marker the new PTE keeps the wp bit and a write retries into do_wp_page(). */
function installFaultedFolio(m: Machine, vma: Vma, i: number, folio: number, rdonly: boolean, write: boolean, value: number, origWp: boolean): number {
  // finish_fault(): under the PTE lock, a PTE someone installed meanwhile wins; the access retries.
  if (vma.pte[i] === PTE_PRESENT || vma.pte[i] === PTE_ZERO) {
    if (folio !== ZERO_FOLIO) m.folios.put(folio);
    return FAULT_RETRY;
  }
  setPteFolio(m, vma, i, folio, (origWp ? PTEF_UFFD_WP : 0) | (rdonly ? PTEF_RDONLY : 0));
  if (origWp && write) return FAULT_RETRY;
  if (!write) return m.folios.value[folio]!;
  if (rdonly || folio === ZERO_FOLIO) return wpCopyFolio(m, vma, i, value);
  m.folios.value[folio] = value;
  return value;
}

/** do_anonymous_page(): MISSING before anything is allocated; a read maps the zero page. */
export function do_anonymous_page(m: Machine, th: SimThread, vma: Vma, i: number, write: boolean, value: number, origWp: boolean): number {
  if (userfaultfd_missing(vma)) return handle_userfault(m, th, vma, i, VM_UFFD_MISSING, write ? PF_WRITE : 0);
  if (!write) return installFaultedFolio(m, vma, i, ZERO_FOLIO, false, false, 0, origWp);
  const f = m.folios.alloc();
  m.folios.value[f] = 0;
  m.folios.markUptodate(f);
  return installFaultedFolio(m, vma, i, f, false, write, value, origWp);
}

/** do_fault() → __do_fault() → vm_ops->fault for file-backed VMAs. */
function do_fault(m: Machine, th: SimThread, vma: Vma, i: number, write: boolean, value: number, origWp: boolean): Maybe<number> {
  const flags = write ? PF_WRITE : 0;
  switch (vma.kind) {
    case "shmem":
      return finishFileFault(m, vma, i, write, value, origWp, shmem_get_folio_gfp(m, th, vma, i, flags));
    case "hugetlb":
      return finishFileFault(m, vma, i, write, value, origWp, hugetlb_no_page(m, th, vma, i, flags));
    case "guest_memfd":
    case "declared":
    {
      const r = __do_userfault(m, th, vma, i, flags);
      const next = (v: number): Maybe<number> => {
        if (v !== 0) return v;
        // Another thread may fill or drop the page before ->fault runs.
        if (!m.preempt) return finishFileFault(m, vma, i, write, value, origWp, vmOpsFault(m, th, vma, i, flags));
        return at(m, BEFORE_FAULT, () => finishFileFault(m, vma, i, write, value, origWp, vmOpsFault(m, th, vma, i, flags)));
      };
      return isPath(r) ? andThen(r, next) : next(r);
    }
    default:
      return FAULT_SIGBUS;
  }
}

/** vm_ops->fault of guest_memfd, or of a declared type (its emitted C): a referenced folio or a FAULT_* code. */
function vmOpsFault(m: Machine, th: SimThread, vma: Vma, i: number, flags: number): number {
  if (vma.kind === "guest_memfd") return kvm_gmem_fault_user_mapping(m, vma, i);
  const got = declaredTypeFault(m, vma, i, (bits) => handle_userfault(m, th, vma, i, bits, flags), kvm_gmem_get_folio);
  if ("folio" in got) return got.folio;
  return got.code === "raised" ? got.value : FAULT_SIGBUS;
}

/** The folio ->fault returned, mapped: read-only for a private mapping (do_cow_fault() copies on write). */
function finishFileFault(m: Machine, vma: Vma, i: number, write: boolean, value: number, origWp: boolean, folio: number): number {
  if (folio < 0) return folio;
  return installFaultedFolio(m, vma, i, folio, !vma.shared, write, value, origWp);
}

/**
 * __do_userfault() (pending patch 12/15): before ->fault, ask get_folio_noalloc
 * whether the page is cached; MINOR if it is and MINOR is registered, MISSING
 * if it is not and MISSING is registered, else fall through. Returns 0 to
 * fall through. A type that raises its own events ("handle_userfault")
 * behaves the same from its ->fault; a type that raises nothing never traps.
 */
export function __do_userfault(m: Machine, th: SimThread, vma: Vma, i: number, flags: number): Maybe<number> {
  if (!(vma.uffd & (VM_UFFD_MISSING | VM_UFFD_MINOR))) return 0;
  let core: boolean;
  if (vma.kind === "declared") {
    const d = m.declared!;
    core = d.raise === "core";
    if (d.raise === "none") {
      // Lowering says why nothing raises the event (Lowered.silent); it decides no default here.
      const asked = d.silent === "core-without-do-userfault" ? "core" : "none";
      m.finding(
        asked === "core"
          ? `${d.name}: page ${i} is registered for MISSING/MINOR, but ${d.api} has no __do_userfault(): no event is raised`
          : `${d.name}: page ${i} is registered for MISSING/MINOR, but nothing raises the event`,
        asked === "core" ? RULE.coreNeedsDoUserfault : RULE.noRaise,
      );
    }
  } else {
    core = m.version.coreDoUserfault;
  }
  if (!core) return 0;
  const ops = vma_uffd_ops(m, vma);
  if (!ops?.get_folio_noalloc) return 0;
  const folio = ops.get_folio_noalloc(m, vma.file!, i);
  if (folio >= 0) {
    if (!m.folios.isUptodate(folio) && userfaultfd_minor(vma)) {
      m.finding(`page ${i} raised MINOR for a folio that is not up to date: it is missing, and CONTINUE would map stale contents`, RULE.staleContents);
    }
    if (!m.folios.isLocked(folio)) m.finding(`get_folio_noalloc returned page ${i} unlocked: __do_userfault() unlocks it`, RULE.getFolioContract);
    m.folios.unlock(folio);
    if (!m.folios.put(folio)) m.finding(`get_folio_noalloc returned page ${i} without a reference: the put underflows`, RULE.getFolioContract);
    if (!userfaultfd_minor(vma)) return 0;
    // The answer is acted on with the folio unlocked: the page may change meanwhile.
    return at(m, BEFORE_MINOR, () => handle_userfault(m, th, vma, i, VM_UFFD_MINOR, flags));
  }
  // A page the type refuses (an ERR_PTR other than -ENOENT: guest_memfd's -EACCES for a
  // private page) is not missing: no ioctl could fill it, so raising MISSING would only
  // repeat. It falls through to ->fault, whose own check refuses it (SIGBUS), as Sean asks:
  // the decision whether an address can be faulted belongs in __do_userfault() (Sean Christopherson on guest_memfd uffd v4 13/15).
  // v2 12/15 as posted raises MISSING for every error; docs/explore.md says why the series
  // needs this instead.
  const err = ops.get_folio_error?.() ?? 0;
  if (err !== 0 && err !== -ERRNO.ENOENT) return 0;
  if (!userfaultfd_missing(vma)) return 0;
  return at(m, BEFORE_MISSING, () => handle_userfault(m, th, vma, i, VM_UFFD_MISSING, flags));
}

/**
 * shmem_get_folio_gfp() for a fault (SGP_CACHE with a vma): a cached folio in a
 * MINOR range raises MINOR; a hole in a MISSING range raises MISSING just
 * before allocating; a fallocated (not up to date) folio is cleared.
 * Returns a referenced folio or a FAULT_* code.
 */
export function shmem_get_folio_gfp(m: Machine, th: SimThread, vma: Vma, i: number, flags: number): number {
  const file = vma.file!;
  if (i >= file.size) return FAULT_SIGBUS;
  let f = file.cache[i]!;
  if (f >= 0 && userfaultfd_minor(vma)) return handle_userfault(m, th, vma, i, VM_UFFD_MINOR, flags);
  if (f < 0) {
    if (userfaultfd_missing(vma)) return handle_userfault(m, th, vma, i, VM_UFFD_MISSING, flags);
    f = m.folios.alloc();
    filemap_add_folio(m, file, f, i);
    m.folios.put(f);
  }
  if (!(m.folios.flags[f]! & FOLIO_UPTODATE)) {
    m.folios.value[f] = 0;
    m.folios.markUptodate(f);
  }
  m.folios.get(f);
  return f;
}

/** hugetlb_no_page(): the same decisions on 2 MiB folios; private mappings get anonymous huge folios. */
export function hugetlb_no_page(m: Machine, th: SimThread, vma: Vma, i: number, flags: number): number {
  const file = vma.file!;
  if (i >= file.size) return FAULT_SIGBUS;
  let f = file.cache[i]!;
  if (f >= 0) {
    if (userfaultfd_minor(vma)) return handle_userfault(m, th, vma, i, VM_UFFD_MINOR, flags);
    m.folios.get(f);
    return f;
  }
  if (userfaultfd_missing(vma)) return handle_userfault(m, th, vma, i, VM_UFFD_MISSING, flags);
  f = m.folios.alloc();
  m.folios.value[f] = 0;
  m.folios.markUptodate(f);
  if (vma.shared) {
    filemap_add_folio(m, file, f, i);
    return f; // alloc reference → PTE; the cache took its own
  }
  return f;
}

/**
 * kvm_gmem_fault_user_mapping(): SIGBUS beyond EOF or when the inode lacks
 * INIT_SHARED (6.18; the guest_memfd INIT_SHARED thread); otherwise get-or-create and clear the folio.
 */
export function kvm_gmem_fault_user_mapping(m: Machine, vma: Vma, i: number): number {
  const file = vma.file!;
  if (i >= file.size || !file.gmemFlags.has("init_shared")) return FAULT_SIGBUS;
  return kvm_gmem_get_folio(m, file, i);
}

/**
 * kvm_gmem_get_folio(): the folio at @pgoff, created and added to the cache if
 * absent (FGP_CREAT), cleared and marked up to date if it was not. Returns the
 * folio with a reference for the caller.
 */
export function kvm_gmem_get_folio(m: Machine, file: SimFile, pgoff: number): number {
  let f = file.cache[pgoff] ?? -1;
  if (f < 0) {
    f = m.folios.alloc();
    filemap_add_folio(m, file, f, pgoff);
    m.folios.put(f);
  }
  if (!m.folios.isUptodate(f)) {
    m.folios.value[f] = 0;
    m.folios.markUptodate(f);
  }
  m.folios.get(f);
  return f;
}

/** Is a declared type's generation able to raise faults at all (for notes)? */
export function declaredCoreDoUserfault(m: Machine): boolean {
  return m.declared ? GENERATIONS[m.declared.api].coreDoUserfault : false;
}
