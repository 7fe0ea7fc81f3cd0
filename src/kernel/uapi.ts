/**
 * userfaultfd and guest_memfd uapi constants (x86_64), as data.
 * Source: include/uapi/linux/userfaultfd.h and include/uapi/linux/kvm.h (see SOURCES).
 * The simulator, the selftest emitter and the rules all read these; nothing else
 * spells a bit value.
 */

export const UFFD_API = 0xaa;

/** UFFDIO_API feature bits, by the name users write in a scenario (lower-case, no prefix). */
export const UFFD_FEATURES = {
  pagefault_flag_wp: 1 << 0,
  event_fork: 1 << 1,
  event_remap: 1 << 2,
  event_remove: 1 << 3,
  missing_hugetlbfs: 1 << 4,
  missing_shmem: 1 << 5,
  event_unmap: 1 << 6,
  sigbus: 1 << 7,
  thread_id: 1 << 8,
  minor_hugetlbfs: 1 << 9,
  minor_shmem: 1 << 10,
  exact_address: 1 << 11,
  wp_hugetlbfs_shmem: 1 << 12,
  wp_unpopulated: 1 << 13,
  poison: 1 << 14,
  wp_async: 1 << 15,
  move: 1 << 16,
} as const;
export type UffdFeature = keyof typeof UFFD_FEATURES;
export const UFFD_FEATURE_NAMES = Object.keys(UFFD_FEATURES) as UffdFeature[];

/** The C macro name of a feature bit. */
export function featureMacro(f: UffdFeature): string {
  return `UFFD_FEATURE_${f.toUpperCase()}`;
}

/** `_UFFDIO_*` ioctl numbers: the bit positions of the `ioctls` mask UFFDIO_REGISTER returns. */
export const UFFDIO_NR = {
  register: 0x00,
  unregister: 0x01,
  wake: 0x02,
  copy: 0x03,
  zeropage: 0x04,
  move: 0x05,
  writeprotect: 0x06,
  continue: 0x07,
  poison: 0x08,
  api: 0x3f,
} as const;
export type UffdioName = keyof typeof UFFDIO_NR;

/** The range ioctls, in bit order: the vocabulary of a registration's `ioctls` mask. */
export const RANGE_IOCTLS = ["wake", "copy", "zeropage", "move", "writeprotect", "continue", "poison"] as const;
export type RangeIoctl = (typeof RANGE_IOCTLS)[number];

/** UFFD_API_RANGE_IOCTLS: what a non-hugetlb registration advertises before mode filtering. */
export const API_RANGE_IOCTLS: readonly RangeIoctl[] = RANGE_IOCTLS;
/** UFFD_API_RANGE_IOCTLS_BASIC: hugetlb's set (no ZEROPAGE, no MOVE). */
export const API_RANGE_IOCTLS_BASIC: readonly RangeIoctl[] = ["wake", "copy", "writeprotect", "continue", "poison"];

export function ioctlMacro(i: UffdioName): string {
  return `_UFFDIO_${i.toUpperCase()}`;
}
export function ioctlMask(list: readonly UffdioName[]): bigint {
  let m = 0n;
  for (const i of list) m |= 1n << BigInt(UFFDIO_NR[i]);
  return m;
}
export function ioctlsFromMask(mask: bigint): RangeIoctl[] {
  return RANGE_IOCTLS.filter((i) => (mask >> BigInt(UFFDIO_NR[i])) & 1n);
}

export const UFFDIO_REGISTER_MODE = { missing: 1 << 0, wp: 1 << 1, minor: 1 << 2 } as const;
export type RegisterMode = keyof typeof UFFDIO_REGISTER_MODE;
export const REGISTER_MODES = Object.keys(UFFDIO_REGISTER_MODE) as RegisterMode[];

export const UFFDIO_COPY_MODE = { dontwake: 1 << 0, wp: 1 << 1 } as const;
export const UFFDIO_ZEROPAGE_MODE = { dontwake: 1 << 0 } as const;
export const UFFDIO_WRITEPROTECT_MODE = { wp: 1 << 0, dontwake: 1 << 1 } as const;
export const UFFDIO_CONTINUE_MODE = { dontwake: 1 << 0, wp: 1 << 1 } as const;
export const UFFDIO_POISON_MODE = { dontwake: 1 << 0 } as const;
export const UFFDIO_MOVE_MODE = { dontwake: 1 << 0, allow_src_holes: 1 << 1 } as const;

export const UFFD_PAGEFAULT_FLAG = { write: 1 << 0, wp: 1 << 1, minor: 1 << 2 } as const;
export type PagefaultFlag = keyof typeof UFFD_PAGEFAULT_FLAG;

export const UFFD_EVENT = { pagefault: 0x12, fork: 0x13, remap: 0x14, remove: 0x15, unmap: 0x16 } as const;
export type UffdEventName = keyof typeof UFFD_EVENT;

/** userfaultfd(2) flags. */
export const UFFD_USER_MODE_ONLY = 1;

/** guest_memfd creation flags (6.18). */
export const GUEST_MEMFD_FLAGS = { mmap: 1 << 0, init_shared: 1 << 1 } as const;
export type GmemFlag = keyof typeof GUEST_MEMFD_FLAGS;
export const KVM_CAP = { guest_memfd: 234, vm_types: 235, guest_memfd_flags: 244 } as const;

/** KVM Userfault (not merged; v3 ABI). */
export const KVM_MEM_USERFAULT = 1 << 3;
export const KVM_MEMORY_EXIT_FLAG_USERFAULT = 1n << 4n;

/** errno values on x86_64 Linux, by name. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ESPIPE: 29,
  EOPNOTSUPP: 95,
} as const;
export type ErrnoName = keyof typeof ERRNO;
export const ERRNO_NAMES = Object.keys(ERRNO) as ErrnoName[];
export function errnoName(n: number): ErrnoName | `E${number}` {
  const hit = ERRNO_NAMES.find((k) => ERRNO[k] === n);
  return hit ?? (`E${n}` as const);
}

export const PAGE_SIZE = 4096;
export const HPAGE_PMD_SIZE = 2 * 1024 * 1024;

/** KVM ioctl numbers the selftests need beyond the build host's 6.1 headers (_IOWR(KVMIO, nr, ...)). */
export const KVM_IOCTL_NR = { create_guest_memfd: 0xd4, set_user_memory_region2: 0x49 } as const;

/**
 * KVM uapi values beyond 6.1's headers (include/uapi/linux/kvm.h,
 * arch/x86/include/uapi/asm/kvm.h; Linux 6.8+, as in linux-source-6.12).
 */
export const KVM_MEM_GUEST_MEMFD = 1 << 2;
export const KVM_X86_SW_PROTECTED_VM = 1;
