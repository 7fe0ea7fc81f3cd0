/**
 * The reference suites: one per memory kind, each scenario's expectation being
 * what Linux 6.18 does on this project's machines. The simulator is held to
 * them (uffdkit conform). Scenario names are stable: other tools refer to them.
 */
import type { MemKind } from "../../kernel/kinds.js";
import type { Suite } from "../../ir/scenario.js";
import { anonSuite } from "./anon.js";
import { fileBackedSuite } from "./filebacked.js";
import { gmemSuite } from "./gmem.js";

export const REFERENCE_KINDS = ["anon", "shmem", "shmem-anon", "hugetlb", "guest_memfd"] as const satisfies readonly MemKind[];
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export function referenceSuite(kind: ReferenceKind): Suite {
  switch (kind) {
    case "anon":
      return anonSuite();
    case "guest_memfd":
      return gmemSuite();
    default:
      return fileBackedSuite(kind);
  }
}

export function referenceSuites(): Suite[] {
  return REFERENCE_KINDS.map(referenceSuite);
}

/**
 * Kernel cases the reference suites do not cover, each with why. What the
 * Scenario IR can now say (raw bits, byte addresses, EXACT_ADDRESS, layouts,
 * COPY sources, fork/mremap/munmap events, kernel-mode accesses, the fd
 * itself, guest_memfd's file operations) is covered in abi.ts; what is left
 * needs an observation the IR does not have, or hardware this machine lacks.
 */
export const NOT_EXPRESSIBLE: readonly { case: string; why: string }[] = [
  {
    case: "[ut move-pmd], [ut move-pmd-split] (MOVE of a PMD-mapped THP, and its split)",
    why: "the difference from a base-page MOVE is the PMD mapping itself: observing it needs a pagemap/smaps read, which the IR has no step for (MADV_COLLAPSE's result is covered: anon collapse_* scenarios)",
  },
  {
    case: "[ut minor-collapse] (MADV_COLLAPSE over a MINOR shmem range)",
    why: "measured here: MADV_COLLAPSE of memfd memory is EINVAL whatever the registration (this machine's shmem_enabled is never), so MINOR's effect cannot be observed on this kernel; the simulator does not model THP sysfs settings",
  },
  {
    case: "[ut wp-unpopulated] pagemap bits",
    why: "no pagemap read; the marker is observed through the write fault it causes instead (anon wp_unpopulated scenarios)",
  },
  {
    case: "[ut wp-fork-pin], [ut wp-fork-pin-with-event]",
    why: "long-term GUP pinning needs the gup_test debugfs file (CONFIG_GUP_TEST), which the selftest runtime does not drive and this kernel may lack; the unpinned wp-fork cases are covered",
  },
  {
    case: "[gm test_mbind], [gm test_numa_allocation]",
    why: "NUMA placement needs a multi-node machine and a node observation (move_pages); this machine has one node",
  },
  {
    case: "[gm test_guest_memfd_guest] (a vCPU reading guest_memfd through a memslot)",
    why: "needs a guest program run by KVM_RUN; the IR's vCPU steps (kvm_vcpu_access) model KVM Userfault only, not a real guest",
  },
  {
    case: "COPY on the parent's userfaultfd while fork() waits for its FORK event to be read",
    why: "measured on 6.18: the ioctl did not return until the selftest was killed; the IR can run the COPY on a worker (blocked), but what it returns once the event is read was not established, so no expectation is written",
  },
];
