/**
 * The spec vocabulary: what a kernel developer writes in `<type>.uffd.ts`.
 *
 * The words are the ones reviewers use (features, ioctls, get_folio, copy); the
 * API generation decides which C members they become. Callback behaviour is a
 * strategy with parameters, never C source, so the generator can write real
 * bodies and the rules can judge them. Every C name here is checked to be a C
 * identifier before anything is emitted.
 */
import type { ApiGenerationId } from "../kernel/generations.js";

/** Registration modes (VM_UFFD_*), the "features" of the API. */
export type Mode = "missing" | "minor" | "wp";
/** Range ioctls the type resolves faults with. WAKE/API/REGISTER/UNREGISTER are implied. */
export type Ioctl = "copy" | "zeropage" | "continue" | "writeprotect" | "poison" | "move";
/** What backs the memory. */
export type Backing = "anon" | "pagecache" | "hugetlb";

/**
 * How a present folio is found, for UFFDIO_CONTINUE and for deciding MINOR vs
 * MISSING at fault time (get_folio_noalloc / minor_get_folio / uffd_get_folio).
 */
export interface GetFolioSpec {
  /**
   * - "lookup": find the folio in the page cache, never allocate (the contract).
   * - "lookup-or-create": the type's get-or-create helper (e.g. kvm_gmem_get_folio with
   *   FGP_CREAT). This allocates and breaks the no-allocation contract.
   */
  strategy: "lookup" | "lookup-or-create";
  /**
   * The page-cache primitive used by "lookup":
   * - "filemap_lock_folio": returns locked and referenced, ERR_PTR(-ENOENT) when absent.
   * - "filemap_get_entry": referenced but unlocked; may return a value entry; the
   *   generated body locks it and must drop the reference on every early return.
   * - "shmem_get_folio": shmem's getter with SGP_NOALLOC (what 7.1's shmem uses): never
   *   allocates, swaps a swapped-out page back in, zero-fills a folio that is not up to
   *   date, -ENOENT for a hole, -EINVAL past EOF (mm/shmem.c, rppt0808).
   */
  lookup?: "filemap_lock_folio" | "filemap_get_entry" | "shmem_get_folio";
  /** For "lookup-or-create": the type's own helper, `struct folio *fn(struct inode *, pgoff_t)`. */
  helper?: string;
  /** Return the folio locked (the contract requires it). Default true. */
  locked?: boolean;
  /** Return the folio with a reference held (the contract requires it). Default true. */
  referenced?: boolean;
  /**
   * A folio that is in the cache but not up to date:
   * - "zero-fill": cleared and marked up to date in the lookup, as shmem does (the
   *   recommended form: every fault stays resolvable).
   * - "missing": treated as absent (unlock, put, return the absent value), so MISSING traps it;
   *   but COPY cannot fill a page the cache already holds (filemap_add gets -EEXIST), so such a
   *   fault is never resolved unless the type fills the folio another way (R40).
   * - "present": returned as is, so MINOR/CONTINUE would map stale contents.
   */
  notUptodate: "missing" | "present" | "zero-fill";
  /** What "not found" looks like to the caller. Default "enoent" (ERR_PTR(-ENOENT)). */
  absent?: "enoent" | "null";
  /** Drop the lookup reference on every early-return path. Default true; false models the leak Peter spotted. */
  putOnEarlyReturn?: boolean;
}

/** How a missing page is filled by UFFDIO_COPY / UFFDIO_ZEROPAGE. */
export interface CopySpec {
  /** alloc_folio: where the new folio comes from. */
  alloc: {
    /**
     * - "mapping-gfp": filemap_alloc_folio(mapping_gfp_mask(mapping), 0) (exported).
     * - "shared-policy": the inode's shared mempolicy via folio_alloc_mpol() (not exported to modules).
     * - "vma": vma_alloc_folio(GFP_HIGHUSER_MOVABLE) as anon does.
     * - "helper": the type's own allocator, `struct folio *fn(struct inode *, pgoff_t)`, or with
     *   `info`, `struct folio *fn(gfp_t, int order, INFO(inode), pgoff_t)` (shmem_alloc_folio).
     * On 7.x trees "shared-policy" looks the policy up in `policy` (mpol_shared_policy_lookup,
     * falling back to the task's), and allocates with filemap_alloc_folio(gfp, 0, mpol), as
     * guest_memfd does (rppt1313); both are exported to KVM.
     */
    strategy: "mapping-gfp" | "shared-policy" | "vma" | "helper";
    /** For "helper": the type's allocator function. */
    helper?: string;
    /** For "helper" with an info argument: the inode-info accessor, e.g. SHMEM_I. */
    info?: string;
    /** For "shared-policy": where the inode's shared policy is, `&INFO(inode)->FIELD`. */
    policy?: {
      /** The inode-info accessor, e.g. GMEM_I. */
      info: string;
      /** The field of that info struct holding the shared policy. */
      field: string;
    };
    /** Return NULL for an offset at or beyond i_size. Default true. */
    eofCheck?: boolean;
    /** Charge the folio to the faulting mm's memcg (shmem and anon do). Default false. */
    chargeMemcg?: boolean;
  };
  /**
   * A type-specific step after core filled the folio, before it is added to the cache,
   * e.g. removing it from the direct map (guest_memfd with NO_DIRECT_MAP).
   * With `unprepare`: `int fn(struct inode *inode, struct folio *folio)`, 0 or a negative
   * errno that filemap_add returns. Without it, the old form `void fn(struct folio *)`,
   * which cannot fail and is never undone (rule R65).
   */
  prepare?: string;
  /**
   * The undo of `prepare`: `void fn(struct inode *inode, struct folio *folio)`. The emitted
   * filemap_add calls it on every failure after `prepare` succeeded (filemap_add_folio()
   * -EEXIST/-ENOMEM, the type's add or accounting failing); filemap_remove calls it when
   * the type has no `freeFolio` hook to do it.
   */
  unprepare?: string;
  /**
   * The type's `address_space_operations.free_folio`, `void fn(struct folio *folio)`:
   * filemap_remove_folio() calls it once the folio has left the page cache (mm/filemap.c
   * filemap_free_folio()). guest_memfd with NO_DIRECT_MAP restores the direct map there.
   */
  freeFolio?: string;
  /**
   * filemap_add: how the filled folio enters the page cache. Default "filemap_add_folio"
   * (which charges memcg and adds to the LRU itself). "type": the type's own add, with its
   * accounting, as shmem's (typeAdd).
   */
  filemapAdd?: "filemap_add_folio" | "type" | "none";
  /** For filemapAdd "type": the type's page-cache add and its block accounting. */
  typeAdd?: TypeAddSpec;
  /** filemap_remove: the exact inverse of filemap_add. Default "filemap_remove_folio". */
  filemapRemove?: "filemap_remove_folio" | "none";
  /**
   * The type's accounting undo, called by filemap_remove: `void fn(struct inode *)`.
   * shmem's is a wrapper around shmem_recalc_inode(inode, 0, 0).
   */
  unaccount?: string;
  /** How a modular type reaches filemap_remove_folio(), which mm does not export to modules. */
  export?: "EXPORT_SYMBOL_FOR_KVM" | "EXPORT_SYMBOL_FOR_MODULES" | "none";
}

/**
 * A type's own page-cache add, as shmem has it (mm/shmem.c, rppt1010): the folio is
 * locked (and marked swap-backed) before the add, which neither charges memcg nor adds to
 * the LRU; blocks are accounted after it, the add undone when that fails.
 */
export interface TypeAddSpec {
  /** `int fn(struct folio *, struct address_space *, pgoff_t, void *expected, gfp_t)`. */
  add: string;
  /** Mark the folio swap-backed before the add (shmem). Default false. */
  swapbacked?: boolean;
  /** `int fn(struct inode *, long pages)`: account one block; failure undoes the add (-ENOMEM). */
  accountBlocks?: string;
  /** `fn(struct inode *, long alloced, long swapped)`: recalc(1, 0) after the add, recalc(0, 0) in filemap_remove. */
  recalc?: string;
}

/** Where a guard is checked. "fault" means every fault-time point (->fault, alloc_folio, get_folio). */
export type GuardPoint = "register" | "fault" | "alloc_folio" | "get_folio";

/** Which VMAs and pages may userfault, and when that is decided. */
export interface GuardSpec {
  /**
   * The shared-ness predicate, a function of the type:
   * `bool fn(struct inode *inode)` for granularity "inode",
   * `bool fn(struct inode *inode, pgoff_t index)` for granularity "page".
   */
  shared: string;
  /** Whether shared-ness is per inode or per page (the predicate's prototype follows). Default "page". */
  granularity?: "inode" | "page";
  /** When it is checked. Checking only at "register" is the TOCTOU Sean objected to. */
  at: GuardPoint | GuardPoint[];
  /**
   * What closes the window between the check in ->alloc_folio() and the page
   * entering the page cache in ->filemap_add(), which core calls holding no lock
   * of the type: a conversion to private in between gets a private page filled
   * and mapped (docs/explore.md, "Closing the window").
   */
  recheck?: GuardRecheckSpec;
}

/**
 * Re-check the guard inside ->filemap_add() under the mapping's invalidate_lock,
 * taken shared (filemap_invalidate_lock_shared()), the lock guest_memfd's
 * conversion takes for write and its fault path takes shared. A page found
 * private there is refused with -EACCES, the errno guest_memfd's own fault path
 * uses for a private page.
 */
export interface GuardRecheckSpec {
  /** Where the re-check runs: inside ->filemap_add(). */
  at: "filemap_add";
  /** The lock it holds: the mapping's invalidate_lock, taken shared. */
  lock: "invalidate_lock";
  /**
   * "lock-then-add" (default): take the lock, check, add the folio (which locks
   * it), drop the lock: the fault path's order, invalidate_lock outside the
   * folio lock. "add-then-lock": add first, then take the lock with the folio
   * locked and in the cache: that inverts the order (rule R64).
   */
  order?: "lock-then-add" | "add-then-lock";
}

/** How MISSING and MINOR events are raised from the type's fault path. */
export interface FaultSpec {
  /** The type's ->fault handler (the generated glue goes at its top). */
  handler: string;
  /**
   * The glue refuses an offset at or beyond EOF (SIGBUS) before raising any userfault, as
   * shmem_get_folio_gfp() does. Default true.
   */
  eofFirst?: boolean;
  /**
   * - "core": core mm raises them (__do_userfault() in __do_fault(); linux-7.1+gmem only).
   * - "handle_userfault": the type calls handle_userfault() itself (not exported to modules).
   * - "none": the type raises nothing; registration works but no MISSING/MINOR event arrives.
   */
  raise: "core" | "handle_userfault" | "none";
}

/**
 * KVM Userfault (James Houghton's series, v3 posted 18 Jun 2025, not merged;
 * <20250618042424.330664-1-jthoughton@google.com>): a memslot with KVM_MEM_USERFAULT has a bitmap in userspace
 * whose set bits make vCPU faults on those gfns exit to userspace. Userspace
 * fills the page (here with the type's userfaultfd resolution), then clears the
 * bit; the vCPU must then see the filled contents. That needs the two sides to
 * pair: Oliver Upton's review of v3 04/15 (<aFMWQ5_zMXGTCE98@linux.dev>, 18 Jun
 * 2025) asks KVM for a load-acquire of the bitmap word, since the documented
 * store-release by userspace orders nothing against a plain load.
 *
 * uffdkit emits no KVM code: this declares how the series reads and how the
 * VMM writes the bitmap, so the simulator can explore their interleavings.
 */
export interface KvmUserfaultSpec {
  /**
   * How kvm_do_userfault() reads the bitmap word:
   * - "plain": __get_user() then test_bit(), as v3 04/15 was posted;
   * - "acquire": a load-acquire of the word, as Oliver Upton asked.
   */
  bitmapLoad: "plain" | "acquire";
  /**
   * How the VMM clears a page's bit once the page is filled: "release" (a
   * store-release, what the series' documentation asks for) or "plain".
   * Default "release".
   */
  userspaceStore?: "plain" | "release";
}

/** One earlier version of the series, for the cover letter. */
export interface ChangelogEntry {
  version: number;
  changes: string[];
  link?: string;
}

export interface Person {
  name: string;
  email: string;
}

/**
 * How a selftest makes an object of the type itself. uffdkit never guesses: a
 * type that is neither a device node, a memfd nor a guest_memfd says how.
 */
export interface ObjectSpec {
  kind: "memfd" | "memfd-hugetlb" | "guest_memfd" | "chardev" | "syscall" | "file";
  /** "chardev": the device node (default /dev/<module>). */
  path?: string;
  /** "syscall": the system call that returns a file descriptor of the type, e.g. "memfd_secret". */
  syscall?: string;
  /** "syscall": its number, used where <sys/syscall.h> has no __NR_<syscall> (x86_64's, e.g. 447). */
  nr?: number;
  /** "syscall": its integer arguments (at most 6, default none). */
  args?: number[];
  /** "file": a directory on the type's filesystem; the test creates (and unlinks) its file there. */
  dir?: string;
  /** "file": the filesystem's statfs f_type; a directory on another filesystem is refused, saying so. */
  magic?: number;
}

/** How the spec maps to a memory kind the simulator and the real kernel can run. */
export interface RunSpec {
  /** The kernel kind whose behaviour this type builds on (for the real-kernel run). */
  kernelKind?: "anon" | "shmem" | "hugetlb" | "guest_memfd";
  /** guest_memfd creation flags used by the selftests. */
  gmemFlags?: ("mmap" | "init_shared")[];
  /** How many pages the generated selftests map. Default 8, at most 512 (S09). */
  pages?: number;
  /**
   * How a selftest creates an object of the type itself: "memfd" (shmem),
   * "memfd-hugetlb" (hugetlbfs), "guest_memfd" (KVM_CREATE_GUEST_MEMFD with
   * gmemFlags, through the KVM selftests' kvm_util), "chardev" (open `path`,
   * default /dev/<module>, and mmap it). Default: from `file` (mm/shmem.c,
   * mm/hugetlb.c, virt/kvm/guest_memfd.c), else "chardev".
   */
  object?: ObjectSpec;
  /**
   * Operations the type's object supports beyond mmap and userfaultfd, which some
   * scenarios need: fallocate(2), its PUNCH_HOLE, madvise(MADV_REMOVE), write(2)
   * and pwrite(2), read(2) and pread(2). A scenario that needs one the type lacks
   * is reported "not applicable", never a pass. Default: all of them for the kinds
   * uffdkit knows (memfd, hugetlb memfd, guest_memfd, anonymous memory); none for a
   * chardev, syscall or file object, since uffdkit never guesses.
   */
  ops?: ("fallocate" | "punch-hole" | "madv-remove" | "write" | "read")[];
}

export interface MemoryTypeSpec {
  /** C prefix: `<name>_uffd_ops`, `<name>_uffd_get_folio`, ... */
  name: string;
  /** Commit subject prefix, e.g. "KVM: guest_memfd" or "mm/shmem": one line of printable text (S05). */
  subsystem: string;
  /** The source file the ops go into, relative to the kernel tree, normalised, a `.c` file (S06): "mm/shmem.c". */
  file: string;
  /**
   * The vm_operations_struct to hook. Not for backing "anon": anonymous memory has none,
   * core picks its own anon_uffd_ops.
   */
  vmOps?: string;
  /** What backs the memory: anonymous memory, the page cache, or hugetlb pages. */
  backing: Backing;
  /** Built as (part of) a module: mm helpers it uses must be exported. Default false. */
  modular?: boolean;
  /**
   * The module the type lives in, for exports: EXPORT_SYMBOL_FOR_MODULES(sym, "<module>").
   * Default: "kvm" for a KVM subsystem (which exports with EXPORT_SYMBOL_FOR_KVM), else name.
   */
  module?: string;
  /**
   * The Kconfig option that builds the type's file, and its type: a "bool" option
   * can only be built in, so `modular: true` is then a finding (R63). The selftests'
   * config fragment enables it. Default: SHMEM (bool) for mm/shmem.c, HUGETLBFS
   * (bool) for mm/hugetlb.c, KVM (tristate) for virt/kvm/guest_memfd.c; otherwise
   * none, and uffdkit cannot check `modular` against it.
   */
  kconfig?: { symbol: string; type: "bool" | "tristate" };
  /** Target API generation. */
  api: ApiGenerationId;
  /** Registration modes. */
  features: Mode[];
  /** Range ioctls. */
  ioctls: Ioctl[];
  /** How a present folio is found (get_folio_noalloc / minor_get_folio / uffd_get_folio). */
  getFolio?: GetFolioSpec;
  /** How a missing page is filled by UFFDIO_COPY / UFFDIO_ZEROPAGE (alloc_folio, filemap_add, filemap_remove). */
  copy?: CopySpec;
  /** Which VMAs and pages may userfault, and when that is decided. */
  guard?: GuardSpec;
  /** How MISSING and MINOR events are raised from the type's fault path. */
  fault?: FaultSpec;
  /** WP on file memory relies on uffd-wp PTE markers (CONFIG_PTE_MARKER_UFFD_WP). */
  wpMarkers?: boolean;
  /** Resolving MISSING faults by write() to the file, then UFFDIO_CONTINUE (Nikita Kalyazin's RFC, https://lore.kernel.org/r/20250303133011.44095-1-kalyazin@amazon.com). */
  populateByWrite?: boolean;
  /** The type is used under a KVM Userfault memslot (James Houghton's v3, not merged, https://lore.kernel.org/r/20250618042424.330664-1-jthoughton@google.com): how its bitmap is read and written. */
  kvmUserfault?: KvmUserfaultSpec;
  /** How the selftests and the simulator run the type: its object, its operations, its pages. */
  run?: RunSpec;
  /** Series metadata. */
  series?: {
    title?: string;
    blurb?: string;
    version?: number;
    rfc?: boolean;
    base?: string;
    coDevelopedBy?: Person[];
    changelog?: ChangelogEntry[];
  };
}
