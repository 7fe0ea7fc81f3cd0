/**
 * Review findings a declaration shows (the review checklist C01–C22 of
 * src/report/checklist/items.ts, each with its thread), from R42 on. Items
 * already covered by a kernel rule cite it there instead: C01 → R39,
 * C03 → R36, C06 → R40, C11 (handle_userfault) → R35.
 */
import type { Model } from "../../model/model.js";
import { ALL_GENS, GENS_71, type Finding, type Rule } from "../types.js";

const COPY_GENS = ["peterx-v1", "linux-7.1", "linux-7.1+gmem"] as const;

/** The path if the user wrote it (so the caret lands on it), else a fallback they did write. */
function written(m: Model, path: string, fallback: string): string {
  return m.positions.has(path) ? path : fallback;
}

export const REVIEW_RULES: readonly Rule[] = [
  {
    id: "R42",
    title: "get_folio must not allocate, and returns the folio locked and referenced",
    severity: "error",
    kind: "review",
    condition: "the get_folio strategy may allocate (a get-or-create helper), or the folio comes back unlocked or unreferenced",
    predicts: "a lookup that allocates turns every MISSING fault into a MINOR one and fills the cache behind userspace's back; core unlocks and puts the folio, so an unlocked or unreferenced return corrupts the lock or refcount",
    applies: ALL_GENS,
    appliesNote: "contract of get_folio_noalloc (v2 08/15); the same for uffd_get_folio / minor_get_folio",
    sources: ["rppt0808"],
    checklist: [4],
    judgeable: true,
    check: (_m, lowered) => {
      const g = lowered.declared.getFolio;
      if (!g) return [];
      const out: Finding[] = [];
      if (g.strategy === "lookup-or-create")
        out.push({ path: "getFolio.strategy", message: `get_folio uses ${g.helper ? `\`${g.helper}\`` : "a get-or-create helper"}, which allocates: the lookup must never create a folio` });
      if (!g.locked) out.push({ path: "getFolio.locked", message: "get_folio returns the folio unlocked; core unlocks it after installing the PTE" });
      if (!g.referenced) out.push({ path: "getFolio.referenced", message: "get_folio returns the folio without a reference; core puts it after use" });
      return out;
    },
    fix: "use `getFolio: { strategy: \"lookup\", lookup: \"filemap_lock_folio\" }`: a page-cache lookup that returns the folio locked and referenced, or ERR_PTR(-ENOENT)",
  },
  {
    id: "R43",
    title: "a filemap_get_entry lookup must drop its reference on every path",
    severity: "error",
    kind: "review",
    condition: "the lookup uses filemap_get_entry (which returns a referenced folio) and does not put it on early returns",
    predicts: "a folio reference leaks on every fault that finds a page: the folio is never freed (memory leak, truncate cannot reclaim it)",
    applies: ALL_GENS,
    appliesNote: "all",
    sources: ["peterRefLeak"],
    checklist: [5],
    judgeable: true,
    check: (m, lowered) =>
      lowered.declared.getFolio?.lookup === "filemap_get_entry" && !lowered.declared.getFolio.putOnEarlyReturn
        ? [{ path: written(m, "getFolio.putOnEarlyReturn", "getFolio.lookup"), message: "the filemap_get_entry() lookup returns early without folio_put() when it finds a folio: the reference leaks (Peter Xu, 27 Jun 2025)" }]
        : [],
    fix: "set `putOnEarlyReturn: true` (drop the reference on every path, value entries included), or use `lookup: \"filemap_lock_folio\"`",
  },
  {
    id: "R44",
    title: "filemap_remove must be the exact inverse of filemap_add",
    severity: "error",
    kind: "review",
    condition: "filemap_add without filemap_remove (or the reverse), or a page-cache type whose COPY never adds the folio to the cache",
    predicts: "when the PTE install fails after filemap_add, core puts a folio that is still in the page cache: a stale cache entry (and accounting that never comes back)",
    applies: GENS_71,
    appliesNote: "7.1",
    sources: ["peterRecalc", "rppt1010"],
    checklist: [7],
    judgeable: true,
    check: (m, lowered) => {
      const c = lowered.declared.copy;
      if (!c) return [];
      if (c.filemapAdd !== "none" && c.filemapRemove === "none")
        return [{ path: written(m, "copy.filemapRemove", "copy"), message: "filemap_add has no inverse: on a failed PTE install the folio stays in the page cache" }];
      if (c.filemapAdd === "none" && c.filemapRemove !== "none")
        return [{ path: written(m, "copy.filemapAdd", "copy"), severity: "warning", message: "filemap_remove without filemap_add removes a folio that was never added" }];
      if (c.filemapAdd === "none" && m.backing === "pagecache")
        return [{ path: written(m, "copy.filemapAdd", "copy"), severity: "warning", message: "COPY fills a folio that never enters the page cache: the next fault on the file finds nothing there" }];
      return [];
    },
    fix: "keep the defaults `filemapAdd: \"filemap_add_folio\"`, `filemapRemove: \"filemap_remove_folio\"`, and undo accounting with `unaccount` (shmem: shmem_recalc_inode)",
  },
  {
    id: "R45",
    title: "alloc_folio checks i_size before it allocates (core's install re-check is what keeps EOF)",
    severity: "warning",
    kind: "review",
    condition: "the COPY allocation does not check the offset against i_size",
    predicts:
      "nothing leaks and nothing is mapped beyond EOF: core's mfill_atomic_install_pte() re-checks i_size under the page table lock (mfill_file_over_size()), so a COPY at or beyond EOF fails with EFAULT there and the add is undone (->filemap_remove() on 7.1, the uffd_copy error path on peterx-v1); the folio is locked from the add to the undo. " +
      "What the check saves is the allocation, memcg charge, copy and page-cache insertion of a page that cannot be mapped; on 7.1 it also decides the errno (with it ENOMEM, as shmem's alloc_folio; without it EFAULT, as before 7.1)",
    applies: COPY_GENS,
    appliesNote: "7.1 (alloc_folio) and peterx-v1 (uffd_copy); the EOF check that matters is core's in every generation, and the type's own is in ->fault (fault.eofFirst)",
    sources: ["rppt1010", "mfillFileOverSize", "mfill71"],
    checklist: [9],
    judgeable: true,
    check: (m, lowered) =>
      lowered.declared.copy && !lowered.declared.copy.alloc.eofCheck
        ? [{ path: written(m, "copy.alloc.eofCheck", "copy.alloc"), message: "the COPY allocation does not check i_size: a COPY at or beyond EOF allocates, charges, fills and adds a folio that core's install then refuses (mfill_file_over_size(), EFAULT) and removes again; not a leak, but wasted work, and on 7.1 an errno unlike shmem's (ENOMEM)" }]
        : [],
    fix: "set `copy.alloc.eofCheck: true` (the default), as shmem's alloc_folio does; charge memcg with `chargeMemcg` where the type requires it",
  },
  {
    id: "R46",
    title: "a module must not rely on non-exported mm helpers",
    severity: "error",
    kind: "review",
    condition:
      "a modular type allocates through folio_alloc_mpol() (the shared policy without a policy lookup, or before 7.x), calls mem_cgroup_charge() (__mem_cgroup_charge is not exported), or calls filemap_remove_folio without an export",
    predicts: "link failure: modpost reports an undefined symbol, the module does not load",
    applies: COPY_GENS,
    appliesNote: "7.1 and peterx-v1",
    sources: ["nikitaExports", "rppt1313"],
    checklist: [11],
    judgeable: true,
    check: (m, lowered) => {
      const c = lowered.declared.copy;
      if (!c || !lowered.modular) return [];
      const out: Finding[] = [];
      // 7.x: mpol_shared_policy_lookup() and get_task_policy() are exported to KVM and filemap_alloc_folio()
      // takes the policy (rppt1313); without a policy to look up, or on a 6.x base, it is folio_alloc_mpol().
      if (c.alloc.strategy === "shared-policy" && !(c.alloc.policy && m.gen.filemapAllocMpol))
        out.push({
          path: "copy.alloc.strategy",
          message: "this shared-policy allocation calls folio_alloc_mpol(), which is not exported to modules: the module fails to link",
          hint: m.gen.filemapAllocMpol
            ? "name the inode's shared policy (`alloc.policy: { info: \"GMEM_I\", field: \"policy\" }`): uffdkit then allocates as guest_memfd does, with exported helpers"
            : "on this generation allocate with `strategy: \"mapping-gfp\"`",
        });
      if (lowered.declared.getFolio?.strategy === "lookup" && lowered.declared.getFolio.lookup === "filemap_get_entry")
        out.push({ path: "getFolio.lookup", message: "filemap_get_entry() is not exported to modules: the module fails to link", hint: "use `lookup: \"filemap_lock_folio\"` (an inline wrapper of the exported __filemap_get_folio())" });
      if (m.gen.id === "peterx-v1" && (m.ioctls.has("copy") || m.ioctls.has("zeropage")))
        out.push({ path: "api", message: "peterx-v1's uffd_copy calls mfill_atomic_install_pte(), which is not exported to modules: the module fails to link", hint: "target linux-7.1 or linux-7.1+gmem, where core installs the PTE" });
      if (c.alloc.chargeMemcg && c.filemapAdd !== "filemap_add_folio")
        out.push({ path: "copy.alloc.chargeMemcg", message: "mem_cgroup_charge() calls __mem_cgroup_charge(), which is not exported to modules: the module fails to link" });
      if (m.gen.id !== "peterx-v1" && c.filemapRemove === "filemap_remove_folio" && c.export === "none")
        out.push({ path: written(m, "copy.export", "copy"), message: "filemap_remove_folio() is not exported to modules and the spec requests no export: the module fails to link" });
      return out;
    },
    fix: "on 7.x allocate with the inode's shared policy (`strategy: \"shared-policy\", policy: {...}`) as guest_memfd does, else `strategy: \"mapping-gfp\"`; let filemap_add_folio() charge memcg; request a narrow export with `copy.export: \"EXPORT_SYMBOL_FOR_KVM\"`",
  },
  {
    id: "R47",
    title: "prefer EXPORT_SYMBOL_FOR_KVM for KVM-only exports",
    severity: "warning",
    kind: "review",
    condition: "the spec exports an mm helper with open-coded EXPORT_SYMBOL_FOR_MODULES(sym, \"kvm\")",
    predicts: "links, but misses the KVM vendor modules (kvm-intel, kvm-amd) and exports the symbol even when KVM is built in",
    applies: ALL_GENS,
    appliesNote: "all",
    sources: ["ackerleyExportKvm"],
    checklist: [12],
    judgeable: true,
    // Only KVM has the wrapper: another module's EXPORT_SYMBOL_FOR_MODULES(sym, "<module>") is the right form.
    check: (m, lowered) =>
      lowered.declared.copy?.export === "EXPORT_SYMBOL_FOR_MODULES" && lowered.module === "kvm"
        ? [{ path: "copy.export", message: "EXPORT_SYMBOL_FOR_MODULES(filemap_remove_folio, \"kvm\") is open-coded; EXPORT_SYMBOL_FOR_KVM() from <linux/kvm_types.h> is the reviewed form" }]
        : [],
    fix: "set `copy.export: \"EXPORT_SYMBOL_FOR_KVM\"`",
  },
  {
    id: "R48",
    title: "uffd_copy hands page-table pointers to the type",
    severity: "warning",
    kind: "review",
    condition: "peterx-v1 uffd_copy(pmd_t *dst_pmd, ...) is implemented by the type",
    predicts: "works, but reviewers rejected exposing pmd/pte to modules; uffd_copy was dropped in v3 and MISSING limited to mm/",
    applies: ["peterx-v1"],
    appliesNote: "peterx-v1",
    sources: ["liamPmd", "peterxV3"],
    checklist: [13],
    judgeable: true,
    check: (m) =>
      m.copy && m.backing !== "hugetlb"
        ? [{ path: "api", message: "on peterx-v1 COPY/ZEROPAGE go through uffd_copy(), which takes the destination pmd: the API review rejected page-table pointers in the ops" }]
        : [],
    fix: "target linux-7.1 or linux-7.1+gmem, where COPY works in folios (alloc_folio, filemap_add, filemap_remove)",
  },
  {
    id: "R49",
    title: "hugetlb does not use the PTE-level callbacks",
    severity: "warning",
    kind: "review",
    condition: "a hugetlb type declares get_folio or copy callbacks",
    predicts: "the callbacks are never called: hugetlb keeps its own mfill and fault paths (parent page-table setup differs)",
    applies: ALL_GENS,
    appliesNote: "all",
    sources: ["rpptHugetlbOut", "peterxV1"],
    checklist: [17],
    judgeable: true,
    check: (m) => {
      if (m.backing !== "hugetlb") return [];
      const out: Finding[] = [];
      if (m.getFolio) out.push({ path: "getFolio", message: "hugetlb resolves CONTINUE in its own path; the declared get_folio is never called" });
      if (m.copy) out.push({ path: "copy", message: "hugetlb resolves COPY in mfill_atomic_hugetlb(); the declared copy callbacks are never called" });
      return out;
    },
    fix: "drop `getFolio` and `copy` from a hugetlb spec; declare only features and ioctls",
  },
  {
    id: "R50",
    title: "design for in-place conversion now: check shared-ness per page",
    severity: "info",
    kind: "review",
    condition: "a guest_memfd type checks shared-ness per inode (e.g. the INIT_SHARED flag)",
    predicts: "correct today; wrong once in-place conversion makes shared-ness per page",
    applies: ALL_GENS,
    appliesNote: "all",
    sources: ["seanV4"],
    checklist: [15],
    judgeable: true,
    check: (m, lowered) =>
      lowered.guard && lowered.guard.granularity === "inode" && m.run.kernelKind === "guest_memfd"
        ? [{ path: written(m, "guard.granularity", "guard"), message: `\`${lowered.guard.shared}\` is per inode; with in-place conversion shared-ness is per page (kvm_gmem_is_shared_mem(inode, index))` }]
        : [],
    fix: "use `guard: { granularity: \"page\" }` with a `bool fn(struct inode *, pgoff_t)` predicate",
  },
  {
    id: "R59",
    title: "KVM Userfault: read the bitmap with a load-acquire, clear bits with a store-release",
    severity: "error",
    kind: "review",
    condition: "the spec declares KVM Userfault with a plain bitmap load in kvm_do_userfault() (v3's __get_user + test_bit), or a VMM that clears bits with a plain store",
    predicts:
      "on a weakly ordered CPU (arm64) the vCPU can see the bit clear and still read the page as it was before the VMM filled it: the guest runs on stale memory, with no exit and no error",
    applies: ALL_GENS,
    appliesNote: "all (KVM Userfault is independent of the vm_uffd_ops generation)",
    sources: ["oliverAcquire", "kvmUserfaultV3"],
    checklist: [21],
    judgeable: true,
    check: (m) => {
      const k = m.kvmUserfault;
      if (!k) return [];
      const out: Finding[] = [];
      if (k.bitmapLoad === "plain")
        out.push({ path: "kvmUserfault.bitmapLoad", message: "kvm_do_userfault() reads the bitmap word with a plain __get_user(): userspace's store-release orders nothing against it (Oliver Upton on v3 04/15, 18 Jun 2025)" });
      // A plain store is never the default (release is), so the user wrote it: point at it.
      if (k.userspaceStore === "plain")
        out.push({ path: "kvmUserfault.userspaceStore", message: "the VMM clears the bit with a plain store: the page contents it stored before may become visible after the clear" });
      return out;
    },
    fix: "set `kvmUserfault: { bitmapLoad: \"acquire\", userspaceStore: \"release\" }`: a load-acquire of the bitmap word in KVM pairs with the VMM's store-release",
  },
];
