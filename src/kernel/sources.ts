/**
 * Where kernel facts come from. Every rule, generation and table entry cites one
 * of these by key, so `uffdkit explain` can say where a behaviour is documented.
 * Text is our own summary; the references point at the public record.
 */
export interface SourceRef {
  /** Short citation a kernel developer can look up. */
  readonly cite: string;
  /** Confidence: confirmed, inferred, general knowledge, unconfirmed. */
  readonly confidence: "C" | "I" | "M" | "U";
  /**
   * Where the fact can be read line by line in a public tree (repository, commit,
   * path and lines), when the cite alone (a commit or a thread) does not show the
   * code. Kept apart from `cite`, which is what the emitted C and selftests quote.
   */
  readonly readAt?: string;
}

export const SOURCES = {
  uapiUserfaultfd: { cite: "include/uapi/linux/userfaultfd.h (mainline)", confidence: "C" },
  uapiKvm: { cite: "include/uapi/linux/kvm.h (6.18: GUEST_MEMFD_FLAG_MMAP, INIT_SHARED; KVM_CAP_GUEST_MEMFD_FLAGS=244)", confidence: "C" },
  fsUserfaultfdApi: { cite: "fs/userfaultfd.c userfaultfd_api()", confidence: "C" },
  fsUserfaultfdRegister: { cite: "fs/userfaultfd.c userfaultfd_register() / vma_can_userfault()", confidence: "C" },
  mmUserfaultfdMfill: { cite: "mm/userfaultfd.c mfill_atomic() / mfill_get_vma()", confidence: "C" },
  mmUserfaultfdMove: { cite: "mm/userfaultfd.c validate_move_areas()", confidence: "C" },
  anonCanUserfault: { cite: "mm/userfaultfd.c anon_can_userfault() (7.1)", confidence: "C" },
  peterxV1: { cite: "Peter Xu, [PATCH 0/4] mm/userfaultfd: modulize memory types, <20250620190342.1780170-1-peterx@redhat.com>", confidence: "C" },
  peterxV1p2: { cite: "Peter Xu, [PATCH 2/4] mm/shmem: Support vm_uffd_ops API, <20250620190342.1780170-3-peterx@redhat.com> (uffd_copy = shmem_mfill_atomic_pte)", confidence: "C" },
  shmemMfillPre71: { cite: "mm/shmem.c shmem_mfill_atomic_pte() before 7.1 (linux-source-6.12; the '-' side of v2 10/15)", confidence: "C" },
  filemapAddFolio: { cite: "mm/filemap.c filemap_add_folio(): mem_cgroup_charge, __folio_set_locked, __folio_clear_locked on failure, folio_add_lru on success (linux-source-6.12)", confidence: "C" },
  mpolExports: { cite: "mm/mempolicy: Export memory policy symbols (f634f10809ec): mpol_shared_policy_lookup, get_task_policy exported to kvm", confidence: "C" },
  filemapAllocMpol: { cite: "mm/filemap: Add NUMA mempolicy support to filemap_alloc_folio() (7f3779a3ac3e): filemap_alloc_folio(gfp, order, struct mempolicy *)", confidence: "C" },
  peterxV2p4: { cite: "Peter Xu, [PATCH v2 4/4] mm: Apply vm_uffd_ops API to core mm, <20250627154655.2085903-5-peterx@redhat.com>", confidence: "C" },
  peterxV3: { cite: "Peter Xu, [PATCH v3 0/4] (uffd_copy dropped: MISSING only under mm/), <20250926211650.525109-1-peterx@redhat.com>", confidence: "C" },
  peterxV4: { cite: "Peter Xu, [PATCH v4 0/4] (supported_ioctls, minor_get_folio), <20251014231501.2301398-1-peterx@redhat.com>", confidence: "C" },
  rppt0707: { cite: "Mike Rapoport, [PATCH v2 07/15] userfaultfd: introduce vm_uffd_ops, <20260306171815.3160826-8-rppt@kernel.org>; mainline 0f48947c4232", confidence: "C" },
  rppt0808: { cite: "Mike Rapoport, [PATCH v2 08/15] shmem: get_folio_noalloc, <20260306171815.3160826-9-rppt@kernel.org>; mainline dfc4d771820a", confidence: "C" },
  rppt0909: { cite: "Mike Rapoport, [PATCH v2 09/15] userfaultfd: alloc_folio, <20260306171815.3160826-10-rppt@kernel.org>; mainline ad9ac3081332", confidence: "C" },
  rppt1010: { cite: "Mike Rapoport, [PATCH v2 10/15] shmem: filemap_add/filemap_remove, <20260306171815.3160826-11-rppt@kernel.org>; mainline f74991b4e383", confidence: "C" },
  rppt1212: { cite: "Peter Xu / Mike Rapoport, [PATCH v2 12/15] mm: generalize handling of userfaults in __do_fault() (__do_userfault), <20260306171815.3160826-13-rppt@kernel.org>", confidence: "C" },
  rppt1313: { cite: "Nikita Kalyazin / Mike Rapoport, [PATCH v2 13/15] KVM: guest_memfd: implement userfaultfd operations, <20260306171815.3160826-14-rppt@kernel.org>", confidence: "C" },
  rpptRfcNov: { cite: "Mike Rapoport, [RFC 0/4] mm, kvm: add guest_memfd support for uffd minor faults (handle_userfault not exported), <20251117114631.2029447-1-rppt@kernel.org>", confidence: "C" },
  hotfixCopyRetry: { cite: "mm/userfaultfd: verify VMA state across UFFDIO_COPY retry (7.1-rc7 hotfix 85668fda932a)", confidence: "C" },
  hotfixUnsupported: {
    cite: "userfaultfd: refuse to __mfill_atomic_pte() for unsupported VMAs (mainline df3ee3b3bbc3, via mm-hotfixes-stable-2026-06-01): refuses a VMA with no vm_uffd_ops (-EOPNOTSUPP, VM_WARN_ONCE); ops->alloc_folio() is still called with no NULL check",
    confidence: "C",
    // The index of public trees holds two copies with the hotfix: the mm tree's 7.2 queue (fs/userfaultfd.c
    // merged into mm/userfaultfd.c; its repository is not named by the index) and this fork of mainline,
    // whose __mfill_atomic_pte() is the same text (the fork's own MMUPAGE_SIZE changes are elsewhere in the file).
    readAt:
      "mm/userfaultfd.c lines 546-562, __mfill_atomic_pte(): `if (!ops)` warns and returns -EOPNOTSUPP (555-558), then `ops->alloc_folio()` is called with no NULL check (560); mfill_atomic_pte_continue() has the same `!ops` refusal. Read at github.com/NadiaYvette/linux commit 1e47bf77d691d4483d438e27758d4a6989883a6e (a public tree carrying the hotfix): https://github.com/NadiaYvette/linux/blob/1e47bf77d691d4483d438e27758d4a6989883a6e/mm/userfaultfd.c#L546-L562",
  },
  kconfigTristate: { cite: "Documentation/kbuild/kconfig-language.rst (a bool option is y or n; only a tristate can be m)", confidence: "C" },
  hardeningJun2026: { cite: "Mike Rapoport, reject VM_SHADOW_STACK and VM_SPECIAL in vma_can_userfault(), <20260617194059.2529406-1-rppt@kernel.org>", confidence: "C" },
  rwpV5: { cite: "Kirill A. Shutemov, RWP series v5, <20260526130509.2748441-1-kirill@shutemov.name>", confidence: "C" },
  filemapLockOrder: {
    cite: "mm/filemap.c, the lock-ordering comment: ->mmap_lock, then ->invalidate_lock (filemap_fault), then ->lock_page; include/linux/fs.h filemap_invalidate_lock{,_shared}() are down_write/down_read of mapping->invalidate_lock (linux-source-6.12)",
    confidence: "C",
  },
  gmemInplaceV7: {
    cite:
      "Ackerley Tng, [PATCH v7 00/42] guest_memfd: In-place conversion support, 22 May 2026 (v6: <20260507-gmem-inplace-conversion-v6-0-91ab5a8b19a4@google.com>): 01/42 kvm_gmem_fault_user_mapping() checks kvm_gmem_is_shared_mem() and gets the folio under filemap_invalidate_lock_shared(), -EACCES for a private page; __kvm_gmem_set_attributes() converts under filemap_invalidate_lock(), unmaps the range, and refuses with -EAGAIN while kvm_gmem_is_safe_for_conversion() finds a folio with extra references",
    confidence: "C",
  },
  seanToctouRef: {
    cite: "Sean Christopherson, Re: [RFC PATCH v2 02/51] KVM: guest_memfd: Introduce and use shareability to guard faulting, <aN3KfrWERpXsj3ld@google.com> (1 Oct 2025): a reference taken under the invalidate lock holds conversion to private off until the PTE is zapped",
    confidence: "C",
  },
  shmemFaultEof: { cite: "mm/shmem.c shmem_get_folio_gfp() (linux-source-6.12): an index at or beyond i_size is refused (-EINVAL, SIGBUS from shmem_fault()) before the userfaultfd_minor() and userfaultfd_missing() tests", confidence: "C" },
  mfillFileOverSize: {
    cite: "Axel Rasmussen, [PATCH v3 3/8] mm: userfaultfd: extract file size check out into a helper, <20230706225037.1164380-4-axelrasmussen@google.com> (UFFDIO_POISON series, 6.6): mfill_atomic_install_pte() checks i_size under the page table lock for every file VMA (before it, shmem only) and fails with -EFAULT; unchanged in 7.1's mm/userfaultfd.c, where __mfill_atomic_pte() then calls ->filemap_remove()",
    confidence: "C",
  },
  mfill71: {
    cite: "mm/userfaultfd.c (7.1): mfill_get_vma() holds the destination VMA's per-VMA lock or mmap_lock for read (uffd_mfill_lock()) across the callbacks; __mfill_atomic_pte(): alloc_folio NULL is -ENOMEM, a filemap_add error is returned as is; mfill_atomic_pte_continue(): any get_folio_noalloc error is -EFAULT",
    confidence: "C",
  },
  seanV4: { cite: "Sean Christopherson on [PATCH v4 13/15], quoted by Ackerley Tng 15 May 2026 https://lkml.iu.edu/hypermail/linux/kernel/2605.1/15714.html", confidence: "C" },
  peterUptodate: { cite: "Peter Xu, 27 Jun 2025, Re: [PATCH 0/4] mm/userfaultfd: modulize memory types (MISSING captures !folio and folio && !uptodate), thread https://lore.kernel.org/r/20250620190342.1780170-1-peterx@redhat.com", confidence: "C" },
  peterRefLeak: { cite: "Peter Xu, 27 Jun 2025, Re: [PATCH 0/4] mm/userfaultfd: modulize memory types (filemap_get_entry reference leak), thread https://lore.kernel.org/r/20250620190342.1780170-1-peterx@redhat.com", confidence: "C" },
  nikitaRfcMissing: { cite: "Nikita Kalyazin, [RFC PATCH 0/5] KVM: guest_memfd: support for uffd missing (write() + UFFDIO_CONTINUE), https://lore.kernel.org/r/20250303133011.44095-1-kalyazin@amazon.com", confidence: "C" },
  nikitaMissingNeeded: { cite: "Nikita Kalyazin, <652578cc-eeff-4996-8c80-e26682a57e6d@amazon.com>; Peter Xu <aS4BVC42JiUT51rS@x1.local>", confidence: "C" },
  nikitaExports: { cite: "Nikita Kalyazin on RFC 15/17 (folio_alloc_mpol, filemap_remove_folio not exported)", confidence: "C" },
  ackerleyExportKvm: { cite: "Ackerley Tng, in-place conversion: EXPORT_SYMBOL_FOR_KVM() from <linux/kvm_types.h>", confidence: "C" },
  peterWpMarkers: { cite: "Peter Xu, <aYzZ-zBipYQ2OA_n@x1.local> (file WP needs PTE markers, also MAP_PRIVATE)", confidence: "C" },
  peterRecalc: { cite: "Peter Xu, <aZYzDhi7mvgucP9V@x1.local> (filemap_remove must undo filemap_add accounting)", confidence: "C" },
  liamPmd: { cite: "Liam R. Howlett on uffd_copy() exposing pmd (Peter Xu's account, archive record 7865772277)", confidence: "C" },
  willyOpsPlacement: { cite: "Matthew Wilcox on [PATCH v3 07/15], lkml 2603.3/13175", confidence: "C" },
  rpptHugetlbOut: { cite: "Mike Rapoport, [PATCH RFC 00/17] cover (hugetlb deliberately left out), <20260127192936.1250096-1-rppt@kernel.org>", confidence: "C" },
  davidDoUserfault: { cite: "David Hildenbrand / Mike Rapoport, <aYwb2XgRiFayzBXS@kernel.org> (name it __do_userfault)", confidence: "C" },
  oliverAcquire: { cite: "Oliver Upton on KVM Userfault v3 04/15, https://lore.kernel.org/r/aFMWQ5_zMXGTCE98@linux.dev", confidence: "C" },
  oliverSideEffects: { cite: "Oliver Upton, <Z1Dgr_TnaFQT04Pi@linux.dev>", confidence: "C" },
  seanInitShared: { cite: "Sean Christopherson, [PATCH 1/6] KVM: guest_memfd: Add DEFAULT_SHARED flag, reject user page faults if not set; Patrick Roy's reply, https://lore.kernel.org/r/a4976f04-959d-48ae-9815-d192365bdcc6@linux.dev", confidence: "C" },
  kvmUserfaultV3: { cite: "James Houghton, KVM Userfault v3, <20250618042424.330664-1-jthoughton@google.com>", confidence: "C" },
  uffdWpUnpopulated64: { cite: "mm/uffd: UFFD_FEATURE_WP_UNPOPULATED (Peter Xu), merged for v6.4; Documentation/admin-guide/mm/userfaultfd.rst", confidence: "M" },
  uffdPoison66: { cite: "mm: userfaultfd: add new UFFDIO_POISON ioctl (Axel Rasmussen, fc71884a5f59), merged for v6.6", confidence: "M" },
  uffdWpAsync67: { cite: "userfaultfd: UFFD_FEATURE_WP_ASYNC (Peter Xu, d61ea1cb0095), merged for v6.7", confidence: "M" },
  uffdMove68: { cite: "userfaultfd: UFFDIO_MOVE uABI (Andrea Arcangeli, Suren Baghdasaryan; adef440691ba), merged for v6.8", confidence: "M" },
  kvmSwProtectedVm68: {
    cite: "KVM_X86_SW_PROTECTED_VM (Sean Christopherson, \"KVM: x86: Add support for \"protected VMs\" that can utilize private memory\", merged for v6.8): in 6.12 kvm_x86_vendor_init() adds the VM type only with CONFIG_KVM_SW_PROTECTED_VM and the TDP MMU, kvm_arch_init_vm() refuses an unsupported type (-EINVAL), and check_memory_region_flags() accepts KVM_MEM_GUEST_MEMFD only where kvm_arch_has_private_mem() (arch/x86/kvm/x86.c, virt/kvm/kvm_main.c; Debian linux-source-6.12)",
    confidence: "C",
  },
  kvmGuestMemfd68: { cite: "KVM: Add KVM_CREATE_GUEST_MEMFD ioctl() for guest-specific backing memory (Sean Christopherson, a7800aa80ea4), merged for v6.8", confidence: "M" },
  gmemMmap618: { cite: "KVM: guest_memfd: GUEST_MEMFD_FLAG_MMAP and KVM_CAP_GUEST_MEMFD_MMAP (v6.18; 6.12's kvm_gmem_fops has no .mmap, virt/kvm/guest_memfd.c in linux-source-6.12)", confidence: "C" },
  uffdFixesZussman: { cite: "Tal Zussman, [PATCH v3 0/4] userfaultfd: assorted fixes and cleanups (1/4 VM_DROPPABLE refused, 2/4 no unregistering through another userfaultfd), <20250619-uffd-fixes-v3-0-a7274d3bd5e4@columbia.edu>; absent from Debian 6.12.118 (observed by conform --vm)", confidence: "C" },
  uffdContinueWp64: { cite: "Axel Rasmussen, mm: userfaultfd: add UFFDIO_CONTINUE_MODE_WP to install WP PTEs (series of 4), merged for v6.4; Debian 6.1.192 refuses the bit (observed by conform --vm)", confidence: "M" },
  mapDroppable611: { cite: "Jason A. Donenfeld, mm: add MAP_DROPPABLE for designating always lazily freeable mappings (9651fcedf7b9), v6.11", confidence: "C" },
  uffdEagainField: { cite: "Peter Xu, mm/userfaultfd: fix uninitialized output field for -EAGAIN race, <20250424215729.194656-1-peterx@redhat.com> (Fixes df2cc96e7701, Cc stable); in Debian 6.12.118, not in Debian 6.1.192 (observed by conform --vm)", confidence: "C" },
  collapseEbusy64: { cite: "David Stevens, [PATCH v5 2/3] mm/khugepaged: skip shmem with userfaultfd, <20230307052036.1520708-3-stevensd@google.com> (MADV_COLLAPSE over a userfaultfd range with holes: EBUSY, EINVAL before on anonymous memory), v6.4", confidence: "C" },
  ptReclaim614: { cite: "Qi Zheng, mm: pgtable: reclaim empty PTE page in madvise(MADV_DONTNEED) (mm/pt_reclaim.c, CONFIG_PT_RECLAIM), v6.14; Debian 6.12.118 keeps the table: MADV_COLLAPSE of the emptied range is EBUSY (observed by conform --vm)", confidence: "M" },
  abi618: { cite: "Linux 6.18 behaviour as observed by conform (fs/userfaultfd.c, virt/kvm/guest_memfd.c of v6.18)", confidence: "C" },
  // What Linux 6.18 does where the documentation is silent or wrong, one source per behaviour: the kernel
  // code that does it, and the reference suites that observe it (src/plan/reference, run by `uffdkit conform`).
  // abi618Api: UFFDIO_API works once per fd; a second call or an unknown feature bit is EINVAL with the struct zeroed.
  abi618Api: { cite: "fs/userfaultfd.c userfaultfd_api(): one handshake per fd, the struct zeroed on EINVAL (v6.18, observed by conform; uffd-unit-tests.c test_uffd_api)", confidence: "C" },
  // abi618Unregister: a faulter blocked in MISSING mode is woken by UFFDIO_UNREGISTER; one blocked on WP or MINOR stays blocked until UFFDIO_WAKE or close().
  abi618Unregister: { cite: "fs/userfaultfd.c userfaultfd_unregister(): which blocked faulters it wakes (v6.18, observed by conform)", confidence: "C" },
  // abi618IoctlsMask: the returned mask (UFFD_API_RANGE_IOCTLS, _BASIC for hugetlb; WRITEPROTECT/CONTINUE only with their mode) is not what the range accepts: MOVE advertised for shmem is EINVAL, CONTINUE works in a MISSING-only range, COPY in a WP-only range.
  abi618IoctlsMask: { cite: "fs/userfaultfd.c userfaultfd_register(): the ioctls mask it returns (v6.18, observed by conform)", confidence: "C" },
  // abi618Poison: a PTE_MARKER_POISONED marker: POISON over it is EEXIST, COPY over it succeeds, MADV_DONTNEED removes it, a user access is SIGBUS and a kernel access EFAULT, and it resolves an already-blocked fault.
  abi618Poison: { cite: "mm/userfaultfd.c mfill_atomic_pte_poison(): the poison marker and what replaces or removes it (v6.18, observed by conform)", confidence: "C" },
  // abi618Events: madvise(DONTNEED/REMOVE), munmap, mremap and fork block until the monitor reads their event; meanwhile mmap_changing makes COPY, ZEROPAGE, POISON, MOVE and CONTINUE return EAGAIN, written back.
  abi618Events: { cite: "fs/userfaultfd.c userfaultfd_event_wait_completion(), mm/userfaultfd.c mfill_atomic() (mmap_changing): non-cooperative events block their caller, the range ioctls return EAGAIN meanwhile (v6.18, observed by conform; uffd-unit-tests.c mmap-changing)", confidence: "C" },
  // abi618WpAsync: WP_ASYNC with WP as the only mode registers on any VMA (an ext4 file, guest_memfd, where every synchronous mode is EINVAL), and implies WP_UNPOPULATED.
  abi618WpAsync: { cite: "include/linux/userfaultfd_k.h vma_can_userfault(): WP_ASYNC-only registration on any VMA; fs/userfaultfd.c userfaultfd_api(): WP_ASYNC implies WP_UNPOPULATED (v6.18, observed by conform)", confidence: "C" },
  // abi618CopySrcFault: a COPY whose source is a missing page of a registered range raises a userfault at the source and waits for it.
  abi618CopySrcFault: { cite: "mm/userfaultfd.c mfill_atomic_pte_copy(): the source is read with copy_from_user() and can itself userfault (v6.18, observed by conform)", confidence: "C" },
  // abi618WriteBack: an EINVAL from validate_range() or the mode checks returns before the result field is written; errors after the vma lookup (ENOENT, EEXIST, EFAULT, a late EINVAL) are written back; a partial fill is EAGAIN with the bytes done.
  abi618WriteBack: { cite: "fs/userfaultfd.c userfaultfd_copy(), _zeropage(), _continue(), _poison(), _move(): which errors are written back into the result field (v6.18, observed by conform)", confidence: "C" },
  // abi618Move: UFFDIO_MOVE works without UFFD_FEATURE_MOVE, needs private anonymous memory on both sides (else EINVAL), is EBUSY for a source shared with a forked child, ENOENT for a hole unless ALLOW_SRC_HOLES.
  abi618Move: { cite: "mm/userfaultfd.c move_pages(), validate_move_areas(), move_pages_pte() (v6.18, observed by conform)", confidence: "C" },
  // abi618Register: holes in the range are fine while one VMA intersects it; a read-only MAP_SHARED file mapping lacks VM_MAYWRITE (EPERM); MAP_DROPPABLE is EINVAL; re-registering replaces the mode; unregistering through another userfaultfd is EINVAL, a never-registered range OK.
  abi618Register: { cite: "fs/userfaultfd.c userfaultfd_register(), userfaultfd_unregister(): range, VM_MAYWRITE and ownership checks (v6.18, observed by conform)", confidence: "C" },
  // abi618WakeFlags: fault flags read 0, write 0x1, WP 0x3, MINOR 0x4, MINOR write 0x5 (a write to a missing page of a MISSING|WP range 0x1); the address masked to the page unless EXACT_ADDRESS; UFFDIO_WAKE never looks at VMAs, and a WAKE without resolving queues a second message.
  abi618WakeFlags: { cite: "fs/userfaultfd.c handle_userfault(), userfault_msg(), userfaultfd_wake(): the fault message flags and address, and WAKE (v6.18, observed by conform)", confidence: "C" },
  // abi618Gmem: without GUEST_MEMFD_FLAG_MMAP mmap is ENODEV (INIT_SHARED alone too), MAP_PRIVATE is EINVAL, an MMAP-only mapping is SIGBUS for users and EFAULT for the kernel, PUNCH_HOLE zeroes, MADV_DONTNEED keeps the data, read/write on the fd fail, every synchronous userfaultfd mode is EINVAL.
  abi618Gmem: { cite: "virt/kvm/guest_memfd.c kvm_gmem_mmap(), kvm_gmem_fault_user_mapping() (v6.18, observed by conform; tools/testing/selftests/kvm/guest_memfd_test.c)", confidence: "C" },
  // faultPath: 7.1: mm/memory.c do_anonymous_page() (MISSING), do_wp_page() and the uffd-wp marker paths (WP), mm/shmem.c shmem_get_folio_gfp() (MINOR for a cached folio, MISSING before allocating), mm/hugetlb.c hugetlb_no_page(); pending: __do_userfault() in __do_fault() for other types.
  faultPath: { cite: "fs/userfaultfd.c handle_userfault() and its callers (mm/memory.c, mm/shmem.c, mm/hugetlb.c); pending: __do_userfault(), [PATCH v2 12/15] <20260306171815.3160826-13-rppt@kernel.org>", confidence: "C" },
  utUffdUnit: { cite: "tools/testing/selftests/mm/uffd-unit-tests.c", confidence: "C" },
  gmemTest: { cite: "tools/testing/selftests/kvm/guest_memfd_test.c", confidence: "C" },
  vmaAllocFolioNoHugepage: { cite: "Kefeng Wang, mm: remove unused hugepage for vma_alloc_folio() (mm tree, Oct 2024; in mainline from 6.13)", confidence: "I" },
  filemapAllocFolioMpol: {
    cite: "Matthew Wilcox (Oracle), [PATCH kvm-next V11 1/7] mm/filemap: Add NUMA mempolicy support to filemap_alloc_folio(), <20250827175247.83322-4-shivankg@amd.com>; kvm-x86 601aa29f762f",
    confidence: "C",
  },
  exportForModules: { cite: "include/linux/export.h EXPORT_SYMBOL_FOR_MODULES() (mainline; EXPORT_SYMBOL_GPL_FOR_MODULES before the rename), not in 6.12", confidence: "I" },
  kvmGmemMmap: { cite: "Fuad Tabba et al., KVM: guest_memfd: host mmap() support (GUEST_MEMFD_FLAG_MMAP, kvm_gmem_vm_ops), Linux 6.18 (virt/kvm/guest_memfd.c)", confidence: "I" },
  setDirectMap: {
    cite: "include/linux/set_memory.h set_direct_map_invalid_noflush() / set_direct_map_default_noflush(), int fn(struct page *) (arch/x86/include/asm/set_memory.h; Debian linux-source-6.12)",
    confidence: "C",
  },
  filemapFreeFolio: { cite: "mm/filemap.c filemap_remove_folio() -> filemap_free_folio(): calls mapping->a_ops->free_folio once the folio left the cache (6.12)", confidence: "C" },
  gmemNoDirectMap: {
    cite: "Patrick Roy, Nikita Kalyazin: \"Direct Map Removal Support for guest_memfd\" (GUEST_MEMFD_FLAG_NO_DIRECT_MAP; folios leave the direct map after preparation and return to it when freed); v9 <20260114134510.1835-1-kalyazin@amazon.com>, not merged, https://lore.kernel.org/r/20260114134510.1835-1-kalyazin@amazon.com",
    confidence: "I",
  },
  uffdkitContractModel: { cite: "uffdkit's contract model of the kernel helpers: kmodel/include (C side), src/run/c/imports.ts (docs/c-execution.md)", confidence: "C" },
  generalKnowledge: { cite: "general kernel knowledge, not re-verified (tag [M])", confidence: "M" },
} as const satisfies Record<string, SourceRef>;

export type SourceKey = keyof typeof SOURCES;
