/** Inline specs for the planner tests, one per shape the planner must handle. */
import type { MemoryTypeSpec } from "../../src/spec/types.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";

export const gmemSpec: MemoryTypeSpec = GMEM_SPEC;

export const shmemSpec: MemoryTypeSpec = {
  name: "shmem",
  subsystem: "mm/shmem",
  file: "mm/shmem.c",
  vmOps: "shmem_vm_ops",
  backing: "pagecache",
  api: "peterx-v1",
  features: ["missing", "wp", "minor"],
  ioctls: ["copy", "zeropage", "writeprotect", "continue", "poison"],
  getFolio: { strategy: "lookup", notUptodate: "zero-fill" },
  copy: { alloc: { strategy: "shared-policy", chargeMemcg: true } },
  fault: { handler: "shmem_fault", raise: "handle_userfault" },
  wpMarkers: true,
  run: { kernelKind: "shmem" },
};

export const hugetlbSpec: MemoryTypeSpec = {
  name: "hugetlbfs",
  subsystem: "mm/hugetlb",
  file: "mm/hugetlb.c",
  vmOps: "hugetlb_vm_ops",
  backing: "hugetlb",
  api: "linux-7.1",
  features: ["missing", "wp", "minor"],
  ioctls: ["copy", "writeprotect", "continue", "poison"],
  getFolio: { strategy: "lookup", notUptodate: "zero-fill" },
  copy: { alloc: { strategy: "vma" } },
  wpMarkers: true,
  run: { kernelKind: "hugetlb", pages: 4 },
};

export const anonSpec: MemoryTypeSpec = {
  name: "anon_like",
  subsystem: "mm",
  file: "mm/anon_like.c",
  vmOps: "anon_like_vm_ops",
  backing: "anon",
  api: "linux-7.1",
  features: ["missing", "wp"],
  ioctls: ["copy", "zeropage", "writeprotect", "poison", "move"],
  copy: { alloc: { strategy: "vma", chargeMemcg: true } },
  run: { kernelKind: "anon" },
};

/** Nikita's MINOR-only draft: lookup-or-create get_folio (allocates), zero-fill. */
export const gmemMinorFlawedSpec: MemoryTypeSpec = {
  name: "kvm_gmem",
  subsystem: "KVM: guest_memfd",
  file: "virt/kvm/guest_memfd.c",
  vmOps: "kvm_gmem_vm_ops",
  backing: "pagecache",
  modular: true,
  api: "linux-7.1+gmem",
  features: ["minor"],
  ioctls: ["continue"],
  getFolio: { strategy: "lookup-or-create", helper: "kvm_gmem_get_folio", notUptodate: "zero-fill" },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
};

/** Write()+CONTINUE resolution of MISSING (seed 001). */
export const gmemWriteContinueSpec: MemoryTypeSpec = {
  name: "kvm_gmem",
  subsystem: "KVM: guest_memfd",
  file: "virt/kvm/guest_memfd.c",
  vmOps: "kvm_gmem_vm_ops",
  backing: "pagecache",
  api: "linux-7.1+gmem",
  features: ["missing", "minor"],
  ioctls: ["continue"],
  getFolio: { strategy: "lookup", notUptodate: "zero-fill" },
  populateByWrite: true,
  guard: { shared: "kvm_gmem_is_shared_mem", granularity: "inode", at: "register" },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
};
