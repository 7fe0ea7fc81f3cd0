/**
 * MADV_COLLAPSE as far as userfaultfd decides it: whether the collapse of a
 * range is refused, and with which errno. The simulator does not model PMD
 * mappings, so a successful collapse changes nothing it observes (the data
 * stays); what it models is the refusals.
 *
 * Sources (mm/khugepaged.c, 6.12): hpage_collapse_scan_pmd() — on anonymous
 * memory a none or zero-page PTE in a VMA with any userfaultfd registration
 * (userfaultfd_armed) is SCAN_EXCEED_NONE_PTE, and a PTE (or marker) with the
 * uffd-wp bit is SCAN_PTE_UFFD_WP; hpage_collapse_scan_file() /
 * collapse_file() — a page-cache hole under a MISSING registration is
 * SCAN_EXCEED_NONE_PTE; madvise_collapse_errno() maps EXCEED_NONE_PTE to
 * EBUSY and PTE_UFFD_WP (a "continue" result that fails the call at the end)
 * to EINVAL; find_pmd_or_thp_or_none() — a range whose page table was never
 * allocated is SCAN_PMD_NULL, also EINVAL. Scenarios keep the range's pages
 * in one state, so which 2 MiB-aligned part of it the kernel scans does not
 * matter. Not modelled: the THP sysfs settings (anonymous collapse needs
 * transparent_hugepage/enabled other than "never"; on this project's machine
 * memfd collapse is EINVAL whatever the registration, shmem_enabled being
 * "never"), so the reference suites hold only anonymous collapse.
 */
import type { ErrnoName } from "../../kernel/uapi.js";
import type { Machine } from "./machine.js";
import { PTEF_UFFD_WP, PTE_MARKER, PTE_NONE, PTE_ZERO, VM_UFFD_MISSING, type Vma } from "./state.js";

/** The errno MADV_COLLAPSE fails with over pages [first, first+n) of `mapping`, or null for success. */
export function madvise_collapse(m: Machine, mapping: Vma, first: number, n: number, everMapped: (page: number) => boolean): ErrnoName | null {
  const start = mapping.base + first * mapping.pageSize;
  // No page of the range was ever mapped: there is no page table to collapse (SCAN_PMD_NULL).
  let table = false;
  for (let i = first; i < first + n && !table; i++) table = everMapped(i);
  if (!table) return "EINVAL";
  for (const v of m.vmasIn(start, start + n * mapping.pageSize)) {
    const lo = Math.max(first, v.off);
    const hi = Math.min(first + n, v.off + v.npages);
    for (let i = lo; i < hi; i++) {
      const refusal = v.anonymous ? anonPte(m, v, i) : filePage(v, i);
      if (refusal) return refusal;
    }
  }
  return null;
}

function anonPte(m: Machine, v: Vma, i: number): ErrnoName | null {
  const st = v.pte[i];
  const wp = (v.pteFlags[i]! & PTEF_UFFD_WP) !== 0;
  if (st === PTE_MARKER) return wp ? "EINVAL" : null;
  // SCAN_EXCEED_NONE_PTE: EBUSY since 6.4 (KernelVersion.collapseNoneEbusy), the default EINVAL before.
  if (st === PTE_NONE || st === PTE_ZERO) return v.ctx ? (m.version.collapseNoneEbusy ? "EBUSY" : "EINVAL") : null;
  return wp ? "EINVAL" : null;
}

function filePage(v: Vma, i: number): ErrnoName | null {
  const cached = v.file ? v.file.cache[i]! >= 0 : false;
  if (!cached && v.uffd & VM_UFFD_MISSING) return "EBUSY";
  return null;
}
