/**
 * Kernel versions the simulator can model, as data. What differs between
 * versions is a field here; the simulator reads the field, never the id.
 *
 * Sources: uffd-abi.md (6.18 as probed on this project's machines),
 * vm_uffd_ops.md §1.7 (7.1 as merged), §1.6/§2.3/§3.3 (the pending guest_memfd
 * series: __do_userfault() and kvm_gmem_uffd_ops), §4 (KVM Userfault v3, merged nowhere).
 */
import { UFFD_FEATURES, type GmemFlag, type RegisterMode, type UffdFeature } from "./uapi.js";
import type { SourceKey } from "./sources.js";
import type { KernelNeed } from "../ir/scenario.js";

export const KERNEL_VERSIONS = ["6.18", "7.1", "7.1+gmem"] as const;
export type KernelVersionId = (typeof KERNEL_VERSIONS)[number];

export function isKernelVersion(s: string): s is KernelVersionId {
  return (KERNEL_VERSIONS as readonly string[]).includes(s);
}

export interface KernelVersion {
  readonly id: KernelVersionId;
  readonly title: string;
  /** Feature bits UFFDIO_API accepts (everything else, hidden or unknown, is EINVAL). */
  readonly features: readonly UffdFeature[];
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

export const KERNEL_VERSION_TABLE: Record<KernelVersionId, KernelVersion> = {
  "6.18": {
    id: "6.18",
    title: "Linux 6.18 (this machine's kernel)",
    features: ALL_FEATURES,
    gmemUffd: "none",
    gmemModes: [],
    gmemFlags: ["mmap", "init_shared"],
    canUserfault: "shmem-hugetlb",
    coreDoUserfault: false,
    refuseUnsupportedMfill: false,
    kvmUserfault: "v3",
    provides: ["hugetlb-pages", "kvm", "kvm-userfault", "declared-type"],
    sources: ["abi618", "fsUserfaultfdRegister", "uapiKvm"],
  },
  "7.1": {
    id: "7.1",
    title: "Linux 7.1 (struct vm_uffd_ops merged; no guest_memfd support)",
    features: ALL_FEATURES,
    gmemUffd: "none",
    gmemModes: [],
    gmemFlags: ["mmap", "init_shared"],
    canUserfault: "uffd-ops",
    coreDoUserfault: false,
    refuseUnsupportedMfill: true,
    kvmUserfault: "v3",
    provides: ["hugetlb-pages", "kvm", "kvm-userfault", "declared-type"],
    sources: ["rppt0707", "rppt0909", "rppt1010", "hotfixUnsupported"],
  },
  "7.1+gmem": {
    id: "7.1+gmem",
    title: "Linux 7.1 plus the pending guest_memfd series (__do_userfault, kvm_gmem_uffd_ops)",
    features: ALL_FEATURES,
    gmemUffd: "v2",
    gmemModes: ["missing", "minor"],
    gmemFlags: ["mmap", "init_shared"],
    canUserfault: "uffd-ops",
    coreDoUserfault: true,
    refuseUnsupportedMfill: true,
    kvmUserfault: "v3",
    provides: ["hugetlb-pages", "kvm", "gmem-uffd", "kvm-userfault", "declared-type"],
    sources: ["rppt1212", "rppt1313", "hotfixUnsupported"],
  },
};

export function kernelVersion(id: KernelVersionId): KernelVersion {
  return KERNEL_VERSION_TABLE[id];
}
