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
 * Kernel cases the Scenario IR cannot express yet, and why. Each is a known gap
 * of the reference suites, not a silent omission.
 */
export const NOT_EXPRESSIBLE: readonly { case: string; why: string }[] = [
  { case: "abi#7 (COPY faults on its own src)", why: "a COPY's src is a filled buffer, never a page of a registered mapping; and the COPY would block the monitor thread, which the IR runs ioctls on" },
  { case: "abi#9 EBUSY (MOVE of a src page shared with a forked child)", why: "no fork step" },
  { case: "abi#10 MAP_DROPPABLE EINVAL; holes inside a registered range", why: "setup maps one contiguous area; no MAP_DROPPABLE or munmap step" },
  { case: "abi#11 address masking / EXACT_ADDRESS", why: "events report page numbers, not byte addresses" },
  { case: "abi#4, abi#12 kernel-mode access EFAULT", why: "no step makes the kernel read user memory other than a COPY source buffer" },
  { case: "[ut wp-fork*], [ut events] FORK/REMAP, [ut sigbus] fork part", why: "no fork or mremap step (EVENT_FORK, EVENT_REMAP)" },
  { case: "[ut move-pmd], [ut move-pmd-split], [ut minor-collapse]", why: "no THP control (MADV_HUGEPAGE / MADV_COLLAPSE) and no PMD-size observation" },
  { case: "[ut wp-unpopulated] pagemap bits", why: "no pagemap read; the marker is observed through the write fault instead" },
  { case: "[gm test_mbind], [gm test_numa_allocation], [gm test_fallocate] sizes, [gm test_guest_memfd_guest]", why: "no NUMA, fstat, arbitrary fallocate or vCPU steps" },
];
