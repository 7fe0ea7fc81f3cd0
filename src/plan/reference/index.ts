/**
 * The reference suites: one per memory kind, each scenario's expectation being
 * what Linux 6.18 does on this project's machines. The simulator is held to
 * them (uffdkit conform). Scenario names are stable: other tools refer to them.
 */
import type { MemKind } from "../../kernel/kinds.js";
import type { Suite } from "../scenario.js";
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
