/**
 * Kernel versions the simulator can model, as data. What differs between
 * versions is a field here; the simulator reads the field, never the id.
 *
 * Sources: Linux 6.18 as conform observes it (the abi618* sources), 7.1 as
 * merged (mainline 0f48947c4232 and the June 2026 hotfixes), the pending
 * guest_memfd series (v2 12/15 __do_userfault(), 13/15 kvm_gmem_uffd_ops), and
 * KVM Userfault v3 (merged nowhere); each version fact names its source key.
 */
import { RANGE_IOCTLS, UFFD_FEATURES, type GmemFlag, type RangeIoctl, type RegisterMode, type UffdFeature } from "./uapi.js";
import type { SourceKey } from "./sources.js";

export const KERNEL_VERSIONS = ["6.1", "6.12", "6.18", "7.1", "7.1+gmem"] as const;
export type KernelVersionId = (typeof KERNEL_VERSIONS)[number];

export function isKernelVersion(s: string): s is KernelVersionId {
  return (KERNEL_VERSIONS as readonly string[]).includes(s);
}

export interface KernelVersion {
  readonly id: KernelVersionId;
  readonly title: string;
  /** Feature bits UFFDIO_API accepts (everything else, hidden or unknown, is EINVAL). */
  readonly features: readonly UffdFeature[];
  /** Range ioctls the kernel has (UFFDIO_POISON 6.6, UFFDIO_MOVE 6.8); others are userfaultfd_ioctl()'s default -EINVAL and absent from REGISTER's mask. */
  readonly rangeIoctls: readonly RangeIoctl[];
  /**
   * guest_memfd userfaultfd support:
   * - "none": vma_can_userfault() refuses every synchronous mode (only WP_ASYNC WP-only registers);
   * - "v2": kvm_gmem_uffd_ops of the pending series (can_userfault needs INIT_SHARED;
   *   MISSING and MINOR through __do_userfault(); COPY, ZEROPAGE, CONTINUE).
   */
  readonly gmemUffd: "none" | "v2";
  /** Modes guest_memfd's can_userfault() accepts when gmemUffd is "v2". */
  readonly gmemModes: readonly RegisterMode[];
  /** guest_memfd creation flags the kernel knows (KVM_CAP_GUEST_MEMFD_FLAGS). */
  readonly gmemFlags: readonly GmemFlag[];
  /**
   * How vma_can_userfault() decides for a non-anonymous VMA:
   * - "shmem-hugetlb": the 6.18 hard-coded list (anon, shmem, hugetlb; MINOR only shmem/hugetlb);
   * - "uffd-ops": 7.1, the VMA's vm_uffd_ops->can_userfault().
   */
  readonly canUserfault: "shmem-hugetlb" | "uffd-ops";
  /** Does __do_fault() call __do_userfault() before ->fault() (pending patch 12/15)? */
  readonly coreDoUserfault: boolean;
  /**
   * 7.1 hotfix df3ee3b3bbc3: __mfill_atomic_pte() refuses a VMA with no vm_uffd_ops (-EOPNOTSUPP).
   * It does not check ops->alloc_folio: ops without it are still called through NULL (R20).
   */
  readonly refuseUnsupportedMfill: boolean;
  /**
   * userfaultfd_unregister() on a VMA another userfaultfd registered: "einval"
   * refuses it; "clears" unregisters it from its owner and wakes the owner's
   * waiters (before Tal Zussman's fix, <20250619-uffd-fixes-v3-2-a7274d3bd5e4@columbia.edu>).
   */
  readonly unregisterOtherCtx: "einval" | "clears";
  /**
   * vma_can_userfault() refuses VM_DROPPABLE. Before the fix
   * <20250619-uffd-fixes-v3-1-a7274d3bd5e4@columbia.edu> the test read the
   * masked vm_flags and never fired; MAP_DROPPABLE itself is 6.11+.
   */
  readonly droppableRefused: boolean;
  /**
   * The early mmap_changing -EAGAIN writes -EAGAIN into the ioctl's output
   * field too (Peter Xu, "mm/userfaultfd: fix uninitialized output field for
   * -EAGAIN race", <20250424215729.194656-1-peterx@redhat.com>, Cc stable);
   * before it the field is left as the caller set it.
   */
  readonly eagainInField: boolean;
  /** UFFDIO_CONTINUE_MODE_WP exists (Axel Rasmussen, 6.4); before, the bit is an unknown mode: -EINVAL. */
  readonly continueModeWp: boolean;
  /** MAP_DROPPABLE exists (9651fcedf7b9, 6.11); before, mmap() with it is EINVAL. */
  readonly mapDroppable: boolean;
  /**
   * madvise_collapse_errno() maps SCAN_EXCEED_NONE_PTE (a hole under a
   * userfaultfd) to EBUSY (David Stevens, "mm/khugepaged: skip shmem with
   * userfaultfd", 6.4); before, it is the default EINVAL.
   */
  readonly collapseNoneEbusy: boolean;
  /** MADV_DONTNEED frees the page tables it empties (CONFIG_PT_RECLAIM, mm/pt_reclaim.c, 6.14); before, they stay. */
  readonly ptReclaim: boolean;
  /** KVM Userfault: never merged; the simulator models the posted v3 ABI on every version. */
  readonly kvmUserfault: "v3";
  /**
   * What a scenario's setup.needs may ask for that this version has. The
   * simulator always has huge pages, /dev/kvm, KVM Userfault (the v3 model) and
   * declared types; guest_memfd userfaultfd only where gmemUffd is not "none".
   */
  readonly provides: readonly KernelNeed[];
  readonly sources: readonly SourceKey[];
}

const ALL_FEATURES = Object.keys(UFFD_FEATURES) as UffdFeature[];

/** Feature bits a release does not have yet, each with the release and change that added it. */
const ADDED_AFTER_6_1: readonly UffdFeature[] = ["wp_unpopulated", "poison", "wp_async", "move"];

export const KERNEL_VERSION_TABLE: Record<KernelVersionId, KernelVersion> = {
  "6.1": {
    id: "6.1",
    title: "Linux 6.1 (Debian 12's kernel; no UFFDIO_MOVE/POISON, no WP_ASYNC/WP_UNPOPULATED, no guest_memfd)",
    features: ALL_FEATURES.filter((f) => !ADDED_AFTER_6_1.includes(f)),
    rangeIoctls: RANGE_IOCTLS.filter((i) => i !== "poison" && i !== "move"),
    gmemUffd: "none",
    gmemModes: [],
    gmemFlags: [],
    canUserfault: "shmem-hugetlb",
    coreDoUserfault: false,
    refuseUnsupportedMfill: false,
    unregisterOtherCtx: "clears",
    droppableRefused: false,
    eagainInField: false,
    continueModeWp: false,
    mapDroppable: false,
    collapseNoneEbusy: false,
    ptReclaim: false,
    kvmUserfault: "v3",
    provides: ["hugetlb-pages", "kvm", "kvm-userfault", "declared-type"],
    sources: ["uffdWpUnpopulated64", "uffdContinueWp64", "uffdPoison66", "uffdWpAsync67", "uffdMove68", "kvmGuestMemfd68", "kvmSwProtectedVm68", "mapDroppable611", "uffdFixesZussman", "uffdEagainField", "collapseEbusy64", "ptReclaim614"],
  },
  "6.12": {
    id: "6.12",
    title: "Linux 6.12 (guest_memfd without mmap or creation flags)",
    features: ALL_FEATURES,
    rangeIoctls: RANGE_IOCTLS,
    gmemUffd: "none",
    gmemModes: [],
    gmemFlags: [],
    canUserfault: "shmem-hugetlb",
    coreDoUserfault: false,
    refuseUnsupportedMfill: false,
    unregisterOtherCtx: "clears",
    droppableRefused: false,
    eagainInField: true,
    continueModeWp: true,
    mapDroppable: true,
    collapseNoneEbusy: true,
    ptReclaim: false,
    kvmUserfault: "v3",
    provides: ["hugetlb-pages", "kvm", "kvm-sw-protected-vm", "kvm-userfault", "declared-type"],
    sources: ["kvmGuestMemfd68", "kvmSwProtectedVm68", "gmemMmap618", "uffdFixesZussman", "ptReclaim614"],
  },
  "6.18": {
    id: "6.18",
    title: "Linux 6.18 (this machine's kernel)",
    features: ALL_FEATURES,
    rangeIoctls: RANGE_IOCTLS,
    gmemUffd: "none",
    gmemModes: [],
    gmemFlags: ["mmap", "init_shared"],
    canUserfault: "shmem-hugetlb",
    coreDoUserfault: false,
    refuseUnsupportedMfill: false,
    unregisterOtherCtx: "einval",
    droppableRefused: true,
    eagainInField: true,
    continueModeWp: true,
    mapDroppable: true,
    collapseNoneEbusy: true,
    ptReclaim: true,
    kvmUserfault: "v3",
    provides: ["hugetlb-pages", "kvm", "kvm-sw-protected-vm", "kvm-userfault", "declared-type"],
    sources: ["abi618", "fsUserfaultfdRegister", "uapiKvm"],
  },
  "7.1": {
    id: "7.1",
    title: "Linux 7.1 (struct vm_uffd_ops merged; no guest_memfd support)",
    features: ALL_FEATURES,
    rangeIoctls: RANGE_IOCTLS,
    gmemUffd: "none",
    gmemModes: [],
    gmemFlags: ["mmap", "init_shared"],
    canUserfault: "uffd-ops",
    coreDoUserfault: false,
    refuseUnsupportedMfill: true,
    unregisterOtherCtx: "einval",
    droppableRefused: true,
    eagainInField: true,
    continueModeWp: true,
    mapDroppable: true,
    collapseNoneEbusy: true,
    ptReclaim: true,
    kvmUserfault: "v3",
    provides: ["hugetlb-pages", "kvm", "kvm-sw-protected-vm", "kvm-userfault", "declared-type"],
    sources: ["rppt0707", "rppt0909", "rppt1010", "hotfixUnsupported"],
  },
  "7.1+gmem": {
    id: "7.1+gmem",
    title: "Linux 7.1 plus the pending guest_memfd series (__do_userfault, kvm_gmem_uffd_ops)",
    features: ALL_FEATURES,
    rangeIoctls: RANGE_IOCTLS,
    gmemUffd: "v2",
    gmemModes: ["missing", "minor"],
    gmemFlags: ["mmap", "init_shared"],
    canUserfault: "uffd-ops",
    coreDoUserfault: true,
    refuseUnsupportedMfill: true,
    unregisterOtherCtx: "einval",
    droppableRefused: true,
    eagainInField: true,
    continueModeWp: true,
    mapDroppable: true,
    collapseNoneEbusy: true,
    ptReclaim: true,
    kvmUserfault: "v3",
    provides: ["hugetlb-pages", "kvm", "kvm-sw-protected-vm", "gmem-uffd", "kvm-userfault", "declared-type"],
    sources: ["rppt1212", "rppt1313", "hotfixUnsupported"],
  },
};

export function kernelVersion(id: KernelVersionId): KernelVersion {
  return KERNEL_VERSION_TABLE[id];
}

/** What a scenario needs of the kernel it runs on (ir/scenario.ts re-exports it for scenario files). */
export type KernelNeed =
  | "hugetlb-pages" // free huge pages reserved for the run
  | "kvm" // /dev/kvm and guest_memfd
  | "gmem-uffd" // userfaultfd registration on guest_memfd (pending series, not in 6.18)
  | "kvm-userfault" // KVM_MEM_USERFAULT (not merged)
  | "kvm-sw-protected-vm" // KVM_CREATE_VM with KVM_X86_SW_PROTECTED_VM (6.8+, CONFIG_KVM_SW_PROTECTED_VM: a build option Debian leaves off)
  | "declared-type"; // the spec's own memory type, which no running kernel has
