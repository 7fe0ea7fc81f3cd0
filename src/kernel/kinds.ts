/**
 * Per-kind userfaultfd support, as data; each entry names its sources
 * (src/kernel/sources.ts: kernel files, commits, lore links). The rules, the planner and the simulator read this table.
 */
import type { RangeIoctl, RegisterMode } from "./uapi.js";
import type { SourceKey } from "./sources.js";

/** A memory kind a scenario can map. "declared" is a type described by a spec. */
export const MEM_KINDS = ["anon", "shmem", "shmem-anon", "hugetlb", "guest_memfd", "declared"] as const;
export type MemKind = (typeof MEM_KINDS)[number];

export interface KindSupport {
  readonly kind: Exclude<MemKind, "declared">;
  readonly title: string;
  /** Page size in bytes for ranges and faults. */
  readonly pageSize: number;
  /** Modes a synchronous registration may use on the running kernel (6.18). */
  readonly modes: readonly RegisterMode[];
  /** Ioctls that actually work (not just advertised). */
  readonly ioctls: readonly RangeIoctl[];
  /** Is the memory file-backed (page cache)? */
  readonly fileBacked: boolean;
  readonly notes: readonly string[];
  readonly sources: readonly SourceKey[];
}

export const KIND_SUPPORT: Record<Exclude<MemKind, "declared">, KindSupport> = {
  anon: {
    kind: "anon",
    title: "private anonymous memory",
    pageSize: 4096,
    modes: ["missing", "wp"],
    ioctls: ["wake", "copy", "zeropage", "move", "writeprotect", "poison"],
    fileBacked: false,
    notes: ["MINOR is refused by anon_can_userfault()", "MOVE is anonymous-only"],
    sources: ["anonCanUserfault", "mmUserfaultfdMove"],
  },
  shmem: {
    kind: "shmem",
    title: "shmem (memfd)",
    pageSize: 4096,
    modes: ["missing", "wp", "minor"],
    ioctls: ["wake", "copy", "zeropage", "writeprotect", "continue", "poison"],
    fileBacked: true,
    notes: ["MAP_PRIVATE COPY produces anonymous memory", "file WP needs PTE markers", "MOVE is advertised but refused"],
    sources: ["rppt1010", "abi618"],
  },
  "shmem-anon": {
    kind: "shmem-anon",
    title: "shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, shmem-backed)",
    pageSize: 4096,
    modes: ["missing", "wp", "minor"],
    ioctls: ["wake", "copy", "zeropage", "writeprotect", "continue", "poison"],
    fileBacked: true,
    notes: ["backed by an internal shmem file"],
    sources: ["abi618"],
  },
  hugetlb: {
    kind: "hugetlb",
    title: "hugetlbfs (2 MiB pages)",
    pageSize: 2 * 1024 * 1024,
    modes: ["missing", "wp", "minor"],
    ioctls: ["wake", "copy", "writeprotect", "continue", "poison"],
    fileBacked: true,
    notes: ["ranges must be huge-page aligned", "no ZEROPAGE (BASIC ioctl set)", "separate mfill path"],
    sources: ["fsUserfaultfdRegister", "abi618"],
  },
  guest_memfd: {
    kind: "guest_memfd",
    title: "KVM guest_memfd (6.18: MMAP and INIT_SHARED flags)",
    pageSize: 4096,
    modes: [],
    ioctls: [],
    fileBacked: true,
    notes: [
      "6.18 refuses every synchronous registration mode (EINVAL); WP_ASYNC-only registration is accepted",
      "user faults SIGBUS without INIT_SHARED; mmap needs the MMAP flag (ENODEV), MAP_PRIVATE is EINVAL",
    ],
    sources: ["abi618", "seanInitShared"],
  },
};

/**
 * The kernel file that implements each real file-backed kind, so a spec whose
 * file is another one is known to be a different type: selftests run on that
 * kind only stand in for it (general kernel knowledge: mm/shmem.c,
 * mm/hugetlb.c, virt/kvm/guest_memfd.c).
 */
export const KIND_FILES: Readonly<Partial<Record<Exclude<MemKind, "declared">, string>>> = {
  shmem: "mm/shmem.c",
  hugetlb: "mm/hugetlb.c",
  guest_memfd: "virt/kvm/guest_memfd.c",
};

/**
 * The Kconfig option that builds each kind's file, and its type. SHMEM is a bool
 * in init/Kconfig ("Use full shmem filesystem"); HUGETLBFS a bool in fs/Kconfig;
 * guest_memfd.c is part of kvm.ko (virt/kvm/Makefile.kvm: kvm-$(CONFIG_KVM_GUEST_MEMFD)),
 * so whether it is modular is KVM's tristate (arch/x86/kvm/Kconfig), while
 * KVM_GUEST_MEMFD itself is a bool selected inside it.
 */
export const KIND_KCONFIG: Readonly<Record<string, { readonly symbol: string; readonly type: "bool" | "tristate"; readonly also?: readonly string[] }>> = {
  "mm/shmem.c": { symbol: "SHMEM", type: "bool" },
  "mm/hugetlb.c": { symbol: "HUGETLBFS", type: "bool" },
  "virt/kvm/guest_memfd.c": { symbol: "KVM", type: "tristate", also: ["KVM_GUEST_MEMFD"] },
};
