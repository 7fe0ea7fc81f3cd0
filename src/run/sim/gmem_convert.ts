/**
 * guest_memfd in-place conversion of one page between shared and private
 * (Ackerley Tng's in-place conversion series, not merged:
 * per-index attributes, checked by the user fault under
 * filemap_invalidate_lock_shared(); Sean Christopherson in the v4 review,
 * Sean Christopherson on guest_memfd uffd v4 13/15: a reference taken under the invalidate lock holds a conversion
 * off until the PTE is zapped).
 *
 * To private, under the invalidate lock held for write: every user mapping of
 * the page is zapped (unmap_mapping_range()), and a folio someone still holds
 * a reference to refuses the conversion with -EAGAIN (the series' safe
 * refcount check). To shared: the attribute is cleared.
 *
 * The conversion is one atomic step of the simulator: it holds the
 * invalidate lock for write throughout, and nothing it races with in this
 * model holds that lock across a preemption point (a filemap_add that
 * re-checks the guard, guard.recheck, takes it shared and drops it within
 * one callback, which runs whole).
 */
import { ERRNO } from "../../kernel/uapi.js";
import type { Machine } from "./machine.js";
import type { SimFile } from "./state.js";
import { zapPte } from "./memory.js";

export function kvm_gmem_convert(m: Machine, file: SimFile, pgoff: number, to: "private" | "shared"): number {
  if (pgoff < 0 || pgoff >= file.npages) return -ERRNO.EINVAL;
  if (to === "shared") {
    file.privatePages.delete(pgoff);
    return 0;
  }
  for (const vma of m.vmas) {
    if (vma.file !== file || pgoff < vma.off || pgoff >= vma.off + vma.npages) continue;
    zapPte(m, vma, pgoff, true);
  }
  const folio = file.cache[pgoff] ?? -1;
  // The page cache holds one reference; any other is a user the conversion would pull the page from.
  if (folio >= 0 && m.folios.ref[folio]! > 1) return -ERRNO.EAGAIN;
  file.privatePages.add(pgoff);
  return 0;
}
