/**
 * struct vm_uffd_ops as the simulator runs it: per memory kind, the callbacks
 * core mm calls (include/linux/userfaultfd_k.h; mm/userfaultfd.c __mfill_atomic_pte(); guest_memfd v2 13/15). Anonymous memory gets
 * anon_uffd_ops; shmem its five callbacks; hugetlb only can_userfault (its mfill
 * path is hard-coded); guest_memfd kvm_gmem_uffd_ops when the kernel version has
 * the pending series; a declared type its emitted C (declared.ts, src/run/c).
 *
 * Return conventions follow the kernel's: a folio id or -1 for NULL/ERR_PTR,
 * 0 or a negative errno.
 */
import { ERRNO } from "../../kernel/uapi.js";
import type { Machine } from "./machine.js";
import { FOLIO_IN_CACHE, VM_UFFD_MINOR, type SimFile, type Vma } from "./state.js";
import { declaredUffdOps } from "./declared.js";

export interface SimUffdOps {
  readonly name: string;
  /** can_userfault(vma, vm_flags): vm_flags masked to VM_UFFD_*. */
  can_userfault(m: Machine, vma: Vma, vmFlags: number): boolean;
  /** get_folio_noalloc(inode, pgoff): locked and referenced folio, or -1. */
  get_folio_noalloc?(m: Machine, file: SimFile, pgoff: number): number;
  /**
   * The errno of the ERR_PTR the last get_folio_noalloc returned (0: a folio, or
   * NULL). Only the emitted C reports it; the built-in kinds return no ERR_PTR
   * but -ENOENT's.
   */
  get_folio_error?(): number;
  /** alloc_folio(vma, addr): an unlocked folio with one reference, or -1. */
  alloc_folio?(m: Machine, vma: Vma, pgoff: number): number;
  /** filemap_add(folio, vma, addr): lock and add to the cache; 0 or -errno (folio left unlocked). */
  filemap_add?(m: Machine, folio: number, vma: Vma, pgoff: number): number;
  /** filemap_remove(folio, vma): undo filemap_add and unlock. */
  filemap_remove?(m: Machine, folio: number, vma: Vma): void;
  /** peterx-v1 uffd_copy: the type fills and installs the page itself; 0 or -errno. */
  uffd_copy?(m: Machine, vma: Vma, pgoff: number, zeropage: boolean, wp: boolean, byte: number): number;
}

/** filemap_lock_folio(): the cached folio locked with a reference, or -1. */
export function filemap_lock_folio(m: Machine, file: SimFile, pgoff: number): number {
  const f = file.cache[pgoff] ?? -1;
  if (f < 0) return -1;
  m.folios.get(f);
  m.folios.lock(f);
  return f;
}

/** filemap_add_folio(): the cache takes its own reference; -EEXIST when the slot is taken. */
export function filemap_add_folio(m: Machine, file: SimFile, folio: number, pgoff: number): number {
  if (pgoff >= file.npages) return -ERRNO.EFAULT;
  if ((file.cache[pgoff] ?? -1) >= 0) return -ERRNO.EEXIST;
  file.cache[pgoff] = folio;
  m.folios.get(folio);
  m.folios.flags[folio]! |= FOLIO_IN_CACHE;
  m.folios.file[folio] = file.id;
  m.folios.index[folio] = pgoff;
  return 0;
}

/** filemap_remove_folio(): drop the cache's reference. */
export function filemap_remove_folio(m: Machine, file: SimFile, folio: number): void {
  const pgoff = m.folios.index[folio]!;
  if (file.cache[pgoff] === folio) file.cache[pgoff] = -1;
  m.folios.flags[folio]! &= ~FOLIO_IN_CACHE;
  m.folios.put(folio);
}

/** The shmem-style callbacks every page-cache kind shares. */
function pagecacheOps(name: string, canUserfault: SimUffdOps["can_userfault"]): SimUffdOps {
  return {
    name,
    can_userfault: canUserfault,
    get_folio_noalloc: filemap_lock_folio,
    alloc_folio(m, vma, pgoff) {
      if (!vma.file) return -1;
      // 7.1's shmem_mfill_folio_alloc() returns NULL at or beyond i_size (COPY: ENOMEM); 6.18's
      // shmem_mfill_atomic_pte() allocates and checks i_size after the copy (EFAULT), which the
      // install's mfill_file_over_size() stands for here.
      if (pgoff >= vma.file.size && m.version.canUserfault !== "shmem-hugetlb") return -1;
      return m.folios.alloc();
    },
    filemap_add(m, folio, vma, pgoff) {
      m.folios.lock(folio);
      const r = filemap_add_folio(m, vma.file!, folio, pgoff);
      if (r) m.folios.unlock(folio);
      return r;
    },
    filemap_remove(m, folio, vma) {
      filemap_remove_folio(m, vma.file!, folio);
      m.folios.unlock(folio);
    },
  };
}

/** anon_uffd_ops: MINOR refused (anon_can_userfault), order-0 anonymous folios. */
export const anon_uffd_ops: SimUffdOps = {
  name: "anon_uffd_ops",
  can_userfault: (_m, _vma, vmFlags) => (vmFlags & VM_UFFD_MINOR) === 0,
  alloc_folio: (m) => m.folios.alloc(),
};

export const shmem_uffd_ops: SimUffdOps = pagecacheOps("shmem_uffd_ops", () => true);

/** hugetlb: can_userfault only; mfill_atomic_hugetlb() is hard-coded. */
export const hugetlb_uffd_ops: SimUffdOps = { name: "hugetlb_uffd_ops", can_userfault: () => true };

/** kvm_gmem_uffd_ops of the pending series (v2 13/15): INIT_SHARED decided in can_userfault. */
export function kvm_gmem_uffd_ops(modes: number): SimUffdOps {
  return pagecacheOps("kvm_gmem_uffd_ops", (_m, vma, vmFlags) => {
    if (!vma.file?.gmemFlags.has("init_shared")) return false;
    return (vmFlags & ~modes) === 0;
  });
}

/**
 * vma_uffd_ops(): private anonymous VMAs get anon_uffd_ops, everything else its
 * vm_ops->uffd_ops (NULL for a type without support).
 */
function declaredOpsOf(m: Machine): SimUffdOps | null {
  if (!m.declaredOps) m.declaredOps = declaredUffdOps(m);
  return m.declaredOps;
}

export function vma_uffd_ops(m: Machine, vma: Vma): SimUffdOps | null {
  // A declared anonymous type: its emitted ops stand in for core's anon_uffd_ops.
  if (vma.anonymous) return m.c && m.declared?.backing === "anon" ? declaredOpsOf(m) : anon_uffd_ops;
  switch (vma.kind) {
    case "shmem":
      return shmem_uffd_ops;
    case "hugetlb":
      // A declared hugetlb type: its emitted can_userfault (core's mfill stays hard-coded).
      if (m.declared?.backing === "hugetlb" && m.c) return declaredOpsOf(m);
      return hugetlb_uffd_ops;
    case "guest_memfd": {
      if (m.version.gmemUffd === "none") return null;
      let modes = 0;
      for (const md of m.version.gmemModes) modes |= md === "missing" ? 1 : md === "wp" ? 2 : 4;
      return kvm_gmem_uffd_ops(modes);
    }
    case "declared":
      return declaredOpsOf(m);
    default:
      return null;
  }
}
