/**
 * guest_memfd MISSING resolved by write() + UFFDIO_CONTINUE, no UFFDIO_COPY
 * (Nikita Kalyazin's RFC of 3 Mar 2025, https://lore.kernel.org/r/20250303133011.44095-1-kalyazin@amazon.com: COPY is
 * not used because userfaultfd cannot prepare guest_memfd pages, e.g. remove
 * them from the direct map).
 *
 * Why linux-7.1+gmem: it is the only generation that can express this.
 * - peterx-v1 makes COPY mandatory with MISSING (R52);
 * - peterx-v4 deduces modes from ioctls (MISSING only from COPY/ZEROPAGE) and
 *   allows MISSING only inside mm/ (R53, R54);
 * - linux-7.1 lets features name MISSING without COPY, but a modular type
 *   cannot raise the MISSING event itself (R35);
 * - linux-7.1+gmem raises MISSING from core (__do_userfault()) whenever
 *   get_folio_noalloc finds nothing, and CONTINUE maps what write() put in the
 *   page cache.
 * "minor" is declared too: a registration without MINOR does not advertise
 * UFFDIO_CONTINUE (R17), and the resolving CONTINUE needs it.
 * `uffdkit check` passes with no findings.
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "kvm_gmem",
  subsystem: "KVM: guest_memfd",
  file: "virt/kvm/guest_memfd.c",
  vmOps: "kvm_gmem_vm_ops",
  backing: "pagecache",
  modular: true,
  api: "linux-7.1+gmem",
  features: ["missing", "minor"],
  ioctls: ["continue"],
  populateByWrite: true,
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "missing" },
  guard: { shared: "kvm_gmem_is_shared_mem", granularity: "page", at: "fault" },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] },
});
