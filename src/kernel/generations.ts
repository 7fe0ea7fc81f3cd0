/**
 * The four API generations of `struct vm_uffd_ops`, as data.
 * Facts: the sources each entry cites (src/kernel/sources.ts). One entry per generation; the emitter,
 * the rules and the shim headers all read from here.
 */
import type { SourceKey } from "./sources.js";

export const API_GENERATIONS = ["peterx-v1", "peterx-v4", "linux-7.1", "linux-7.1+gmem"] as const;
export type ApiGenerationId = (typeof API_GENERATIONS)[number];

/** A callback member: its C name, its full C prototype with `NAME` for the function name. */
export interface CallbackMember {
  /** What the spec calls it (getFolio, copy, canUserfault, allocFolio, filemapAdd, filemapRemove). */
  readonly role: CallbackRole;
  readonly member: string;
  /** Return type and parameter list; `NAME` is replaced by the function name. */
  readonly prototype: string;
  readonly required: "always" | "with-continue" | "with-missing" | "optional";
}

export type CallbackRole = "canUserfault" | "getFolio" | "allocFolio" | "filemapAdd" | "filemapRemove" | "copy";

export interface ApiGeneration {
  readonly id: ApiGenerationId;
  readonly title: string;
  readonly date: string;
  /** How the ops type is spelled in C. */
  readonly opsType: string;
  /** The member of vm_operations_struct that points at the ops. */
  readonly hookMember: string;
  /** The header that declares the ops. */
  readonly header: string;
  /** Mode and ioctl masks: which members exist, and how they are spelled. */
  readonly featuresMember?: string; // peterx-v1: uffd_features (VM_UFFD_* flags)
  readonly ioctlsMember?: string; // peterx-v1: uffd_ioctls; v4: supported_ioctls
  readonly callbacks: readonly CallbackMember[];
  /** Modes are deduced from ioctls rather than declared. */
  readonly modesFromIoctls: boolean;
  /** Can a type outside mm/ support MISSING (COPY/ZEROPAGE)? */
  readonly missingOutsideMm: boolean;
  /** Does core raise MISSING/MINOR in __do_fault() through __do_userfault()? */
  readonly coreDoUserfault: boolean;
  /** Is handle_userfault() callable from a module? */
  readonly handleUserfaultExported: boolean;
  /**
   * The base tree's filemap_alloc_folio() takes a mempolicy as its third argument
   * (the 7.x mm tree the vm_uffd_ops series is cut from; source: filemapAllocMpol).
   */
  readonly filemapAllocMpol: boolean;
  /**
   * mfill_atomic_install_pte(..., newly_allocated) adds a new page-cache folio to the LRU
   * (6.x; peterx-v1's core). From 7.1 it does not, and filemap_add must (rppt1010: the
   * parameter is dropped, shmem's filemap_add calls folio_add_lru()).
   */
  readonly installAddsLru: boolean;
  readonly merged: boolean;
  readonly sources: readonly SourceKey[];
}

/** struct vm_uffd_ops as merged for 7.1 (include/linux/userfaultfd_k.h; mainline 0f48947c4232, ad9ac3081332, f74991b4e383). */
const V71_CALLBACKS: readonly CallbackMember[] = [
  { role: "canUserfault", member: "can_userfault", prototype: "bool NAME(struct vm_area_struct *vma, vm_flags_t vm_flags)", required: "always" },
  { role: "getFolio", member: "get_folio_noalloc", prototype: "struct folio *NAME(struct inode *inode, pgoff_t pgoff)", required: "with-continue" },
  { role: "allocFolio", member: "alloc_folio", prototype: "struct folio *NAME(struct vm_area_struct *vma, unsigned long addr)", required: "with-missing" },
  { role: "filemapAdd", member: "filemap_add", prototype: "int NAME(struct folio *folio, struct vm_area_struct *vma, unsigned long addr)", required: "optional" },
  { role: "filemapRemove", member: "filemap_remove", prototype: "void NAME(struct folio *folio, struct vm_area_struct *vma)", required: "optional" },
];

const GET_FOLIO_INT = "int NAME(struct inode *inode, pgoff_t pgoff, struct folio **folio)";

export const GENERATIONS: Record<ApiGenerationId, ApiGeneration> = {
  "peterx-v1": {
    id: "peterx-v1",
    title: "Peter Xu, mm/userfaultfd: modulize memory types (v1)",
    date: "2025-06-20",
    opsType: "vm_uffd_ops",
    hookMember: "userfaultfd_ops",
    header: "linux/mm.h",
    featuresMember: "uffd_features",
    ioctlsMember: "uffd_ioctls",
    callbacks: [
      { role: "getFolio", member: "uffd_get_folio", prototype: GET_FOLIO_INT, required: "with-continue" },
      {
        role: "copy",
        member: "uffd_copy",
        prototype:
          "int NAME(pmd_t *dst_pmd, struct vm_area_struct *dst_vma, unsigned long dst_addr, unsigned long src_addr, uffd_flags_t flags, struct folio **foliop)",
        required: "with-missing",
      },
    ],
    modesFromIoctls: false,
    missingOutsideMm: true,
    coreDoUserfault: false,
    handleUserfaultExported: false,
    filemapAllocMpol: false,
    installAddsLru: true,
    merged: false,
    sources: ["peterxV1", "peterxV2p4"],
  },
  "peterx-v4": {
    id: "peterx-v4",
    title: "Peter Xu, mm/userfaultfd: modulize memory types (v4)",
    date: "2025-10-14",
    opsType: "struct vm_uffd_ops",
    hookMember: "userfaultfd_ops",
    header: "linux/userfaultfd_k.h",
    ioctlsMember: "supported_ioctls",
    callbacks: [{ role: "getFolio", member: "minor_get_folio", prototype: GET_FOLIO_INT, required: "with-continue" }],
    modesFromIoctls: true,
    missingOutsideMm: false,
    coreDoUserfault: false,
    handleUserfaultExported: false,
    filemapAllocMpol: false,
    installAddsLru: true,
    merged: false,
    sources: ["peterxV3", "peterxV4"],
  },
  "linux-7.1": {
    id: "linux-7.1",
    title: "struct vm_uffd_ops as merged for Linux 7.1",
    date: "2026-04-18",
    opsType: "struct vm_uffd_ops",
    hookMember: "uffd_ops",
    header: "linux/userfaultfd_k.h",
    callbacks: V71_CALLBACKS,
    modesFromIoctls: false,
    missingOutsideMm: true,
    coreDoUserfault: false,
    handleUserfaultExported: false,
    filemapAllocMpol: true,
    installAddsLru: false,
    merged: true,
    sources: ["rppt0707", "rppt0808", "rppt0909", "rppt1010"],
  },
  "linux-7.1+gmem": {
    id: "linux-7.1+gmem",
    title: "Linux 7.1 plus the pending guest_memfd series (core __do_userfault())",
    date: "2026-04-02",
    opsType: "struct vm_uffd_ops",
    hookMember: "uffd_ops",
    header: "linux/userfaultfd_k.h",
    // Registration of a non-anon, non-hugetlb VMA requires get_folio_noalloc (v2 12/15, R15).
    callbacks: V71_CALLBACKS.map((c) => (c.role === "getFolio" ? { ...c, required: "always" as const } : c)),
    modesFromIoctls: false,
    missingOutsideMm: true,
    coreDoUserfault: true,
    handleUserfaultExported: false,
    filemapAllocMpol: true,
    installAddsLru: false,
    merged: false,
    sources: ["rppt0707", "rppt1212", "rppt1313"],
  },
};

export function isApiGeneration(s: string): s is ApiGenerationId {
  return (API_GENERATIONS as readonly string[]).includes(s);
}
