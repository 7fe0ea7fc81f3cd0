/**
 * What upstream merged or posted, callback by callback, as facts: for each of
 * the upstream examples (examples/upstream/), the calls each callback makes in
 * order, the errnos and returns, and where uffdkit is deliberately different.
 * Paraphrased from the patches and trees cited; no kernel text is copied.
 * test/emit-kernel/upstream.test.ts holds the emitted C to these facts.
 */
import type { ApiGenerationId } from "./generations.js";
import type { SourceKey } from "./sources.js";

export interface UpstreamCallback {
  /** The ops member (or "fault" for the ->fault glue, "export" for an export line). */
  readonly member: string;
  /** The upstream function that implements it. */
  readonly upstreamFn: string;
  /** Calls the body makes, in this order (others may come between). */
  readonly calls: readonly string[];
  /** Tokens the body returns on its paths (errnos, NULL, true). */
  readonly returns?: readonly string[];
  readonly source: SourceKey;
  /** Where uffdkit's C is deliberately different, and why. */
  readonly differs?: string;
}

export interface UpstreamType {
  readonly example: string;
  readonly api: ApiGenerationId;
  /** The ops members upstream defines, exactly. */
  readonly members: readonly string[];
  readonly callbacks: readonly UpstreamCallback[];
}

export const UPSTREAM: readonly UpstreamType[] = [
  {
    example: "examples/upstream/shmem-7.1.uffd.ts",
    api: "linux-7.1",
    members: ["can_userfault", "get_folio_noalloc", "alloc_folio", "filemap_add", "filemap_remove"],
    callbacks: [
      { member: "can_userfault", upstreamFn: "shmem_can_userfault", calls: [], returns: ["true"], source: "rppt0707" },
      { member: "get_folio_noalloc", upstreamFn: "shmem_get_folio_noalloc", calls: ["shmem_get_folio"], returns: ["ERR_PTR(err)", "SGP_NOALLOC"], source: "rppt0808" },
      {
        member: "alloc_folio",
        upstreamFn: "shmem_mfill_folio_alloc",
        calls: ["i_size_read", "shmem_alloc_folio", "mem_cgroup_charge", "folio_put"],
        returns: ["NULL"],
        source: "rppt1010",
      },
      {
        member: "filemap_add",
        upstreamFn: "shmem_mfill_filemap_add",
        calls: ["__folio_set_locked", "__folio_set_swapbacked", "shmem_add_to_page_cache", "shmem_inode_acct_blocks", "folio_add_lru", "shmem_recalc_inode", "filemap_remove_folio", "folio_unlock"],
        returns: ["-ENOMEM", "0"],
        source: "rppt1010",
      },
      { member: "filemap_remove", upstreamFn: "shmem_mfill_filemap_remove", calls: ["filemap_remove_folio", "shmem_recalc_inode", "folio_unlock"], source: "rppt1010" },
      {
        member: "fault",
        upstreamFn: "shmem_get_folio_gfp",
        calls: ["i_size_read", "handle_userfault"],
        returns: ["VM_FAULT_SIGBUS"],
        source: "rppt1212",
        differs: "7.1 raises inside shmem_get_folio_gfp(); uffdkit writes the same order (EOF, then MINOR/MISSING) as glue at the top of shmem_fault()",
      },
    ],
  },
  {
    example: "examples/upstream/hugetlb-7.1.uffd.ts",
    api: "linux-7.1",
    members: ["can_userfault"],
    callbacks: [{ member: "can_userfault", upstreamFn: "hugetlb_can_userfault", calls: [], returns: ["true"], source: "rppt0707" }],
  },
  {
    example: "examples/upstream/anon-7.1.uffd.ts",
    api: "linux-7.1",
    members: ["can_userfault", "alloc_folio"],
    callbacks: [
      {
        member: "can_userfault",
        upstreamFn: "anon_can_userfault",
        calls: [],
        returns: ["false", "true"],
        source: "rppt0707",
        differs: "upstream refuses VM_UFFD_MINOR; uffdkit refuses every mode outside MISSING|WP, the same set for VM_UFFD_* bits",
      },
      { member: "alloc_folio", upstreamFn: "anon_alloc_folio", calls: ["vma_alloc_folio", "mem_cgroup_charge", "folio_put"], returns: ["NULL"], source: "rppt0909" },
    ],
  },
  {
    example: "examples/upstream/gmem-v2.uffd.ts",
    api: "linux-7.1+gmem",
    members: ["can_userfault", "get_folio_noalloc", "alloc_folio", "filemap_add", "filemap_remove"],
    callbacks: [
      {
        member: "can_userfault",
        upstreamFn: "kvm_gmem_can_userfault",
        calls: [],
        returns: ["true"],
        source: "rppt1313",
        differs: "v2 checks INIT_SHARED here only; uffdkit checks shared-ness per page at use (R39, Sean on v4 13/15)",
      },
      {
        member: "get_folio_noalloc",
        upstreamFn: "kvm_gmem_get_folio_noalloc",
        calls: ["filemap_lock_folio"],
        source: "rppt1313",
        differs: "v2 calls __filemap_get_folio(FGP_LOCK | FGP_ACCESSED) and returns a folio that is not up to date as is; uffdkit uses filemap_lock_folio() and zero-fills such a folio (R40)",
      },
      {
        member: "alloc_folio",
        upstreamFn: "kvm_gmem_folio_alloc",
        calls: ["i_size_read", "mpol_shared_policy_lookup", "get_task_policy", "filemap_alloc_folio", "mpol_cond_put"],
        returns: ["NULL"],
        source: "rppt1313",
      },
      {
        member: "filemap_add",
        upstreamFn: "kvm_gmem_filemap_add",
        calls: ["filemap_add_folio"],
        source: "rppt1313",
        differs: "v2 sets the lock before filemap_add_folio() and unlocks after it fails; filemap_add_folio() does both itself, so v2's unlock is of an unlocked folio (filemapAddFolio)",
      },
      { member: "filemap_remove", upstreamFn: "kvm_gmem_filemap_remove", calls: ["filemap_remove_folio", "folio_unlock"], source: "rppt1313" },
      { member: "export", upstreamFn: "mm/filemap.c", calls: ["EXPORT_SYMBOL_FOR_MODULES"], returns: ['filemap_remove_folio, "kvm"'], source: "rppt1313" },
    ],
  },
  {
    example: "examples/upstream/shmem-peterx-v1.uffd.ts",
    api: "peterx-v1",
    members: ["uffd_features", "uffd_ioctls", "uffd_get_folio", "uffd_copy"],
    callbacks: [
      { member: "uffd_get_folio", upstreamFn: "shmem_uffd_get_folio", calls: ["shmem_get_folio"], returns: ["SGP_NOALLOC"], source: "peterxV1p2" },
      {
        member: "uffd_copy",
        upstreamFn: "shmem_mfill_atomic_pte",
        calls: [
          "kmap_local_folio",
          "pagefault_disable",
          "copy_from_user",
          "pagefault_enable",
          "kunmap_local",
          "flush_dcache_folio",
          "clear_user_highpage",
          "__folio_mark_uptodate",
          "__folio_set_locked",
          "__folio_set_swapbacked",
          "shmem_add_to_page_cache",
          "mfill_atomic_install_pte",
          "filemap_remove_folio",
          "folio_unlock",
          "folio_put",
        ],
        returns: ["-ENOENT", "-EFAULT", "-ENOMEM", "&folio->page, true, flags"],
        source: "shmemMfillPre71",
        differs: "v1 accounts the block before allocating and checks EOF after the copy; uffdkit checks EOF first and accounts after the page-cache add (7.1's order), undoing the add when accounting fails",
      },
    ],
  },
];
