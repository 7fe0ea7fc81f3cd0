/**
 * hugetlbfs, as Peter Xu's v1 treats it (https://lore.kernel.org/r/20250620190342.1780170-1-peterx@redhat.com: "Hugetlbfs
 * is still very special that it will only use partial of the vm_uffd_ops API").
 *
 * What it shows: a partial declaration. hugetlb takes part in feature probing
 * (modes and ioctls, no ZEROPAGE: R28) but provides no callbacks; core keeps
 * its hard-coded hugetlb fault and mfill paths (R49 would flag callbacks here).
 * `uffdkit check` passes with no findings.
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "hugetlb",
  subsystem: "mm/hugetlb",
  file: "mm/hugetlb.c",
  vmOps: "hugetlb_vm_ops",
  backing: "hugetlb",
  api: "peterx-v1",
  features: ["missing", "minor", "wp"],
  // The BASIC ioctl set: ZEROPAGE is not supported on hugetlb.
  ioctls: ["copy", "writeprotect", "continue", "poison"],
  wpMarkers: true,
  run: { kernelKind: "hugetlb", pages: 2 },
});
