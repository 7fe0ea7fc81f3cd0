/**
 * hugetlb's userfaultfd support as merged for Linux 7.1 (mm/hugetlb.c hugetlb_uffd_ops).
 *
 * Source: Mike Rapoport, v2 07/15 "userfaultfd: introduce vm_uffd_ops"
 * (<20260306171815.3160826-8-rppt@kernel.org>, mainline 0f48947c4232); hugetlb was
 * deliberately left out of the conversion (RFC cover <20260127192936.1250096-1-rppt@kernel.org>).
 *
 * hugetlb takes part in feature probing only: its ops are can_userfault alone,
 * returning true; its faults and UFFDIO_COPY/CONTINUE stay on hugetlb's own paths
 * (hugetlb_fault(), mfill_atomic_hugetlb()). uffdkit emits exactly that.
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "hugetlb",
  subsystem: "mm/hugetlb",
  file: "mm/hugetlb.c",
  vmOps: "hugetlb_vm_ops",
  backing: "hugetlb",
  api: "linux-7.1",
  features: ["missing", "minor", "wp"],
  ioctls: ["copy", "continue", "writeprotect", "poison"],
  wpMarkers: true,
  run: { kernelKind: "hugetlb" },
});
