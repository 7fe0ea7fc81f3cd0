/**
 * The starters `uffdkit init` writes, one per kind of memory type. Each is shaped
 * like its kind (how the object is made, where the code lives, whether it is a
 * module), not like guest_memfd for every type, and passes `uffdkit check` as
 * written (test/cli-check/init.test.ts).
 */
export const INIT_KINDS = ["chardev", "syscall", "filesystem", "guest_memfd"] as const;
export type InitKind = (typeof INIT_KINDS)[number];

export const INIT_KIND_TEXT: Record<InitKind, string> = {
  chardev: "a device node a driver creates (/dev/NAME), mmap()ed",
  syscall: "an object a system call returns as a file descriptor (as memfd_secret(2) does)",
  filesystem: "files on the type's own filesystem",
  guest_memfd: "guest_memfd (KVM_CREATE_GUEST_MEMFD), with per-page shared/private state",
};

function header(name: string, what: string): string {
  return `/**
 * ${name}: userfaultfd support for ${what}.
 *
 * A starter written by \`uffdkit init\`. Edit the declarations, then run
 *   uffdkit check ${name}.uffd.ts     (rules, with file:line:col)
 *   uffdkit explain R20              (why a rule exists, and its source)
 *   uffdkit gen ${name}.uffd.ts       (kernel C, selftests, series, checklist)
 * docs/spec.md describes every field, its default and the generations that use it.
 */
import { defineMemoryType } from "uffdkit";
`;
}

/** The part every page-cache starter shares: modes, ioctls, lookup and fill. */
const PAGECACHE_CORE = `  // MISSING traps the first touch of a page; COPY/ZEROPAGE resolve it.
  // MINOR traps access to a page the cache holds; CONTINUE resolves it.
  features: ["missing", "minor"],
  ioctls: ["copy", "zeropage", "continue"],

  // get_folio_noalloc: find a folio in the page cache, never allocate (R42);
  // a folio that is not up to date is cleared first, so it is never mapped
  // stale and every fault on it stays resolvable (R40).
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "zero-fill" },
`;

export function starterSpec(name: string, kind: InitKind = "chardev"): string {
  const upper = name.toUpperCase();
  switch (kind) {
    case "chardev":
      return `${header(name, "a character device whose mmap() is backed by the page cache")}
export default defineMemoryType({
  name: "${name}", // C prefix: ${name}_uffd_ops, ${name}_uffd_get_folio, ...
  subsystem: "char: ${name}", // commit subject prefix
  file: "drivers/char/${name}.c", // where the ops go, relative to the kernel tree
  vmOps: "${name}_vm_ops", // the vm_operations_struct that gets .uffd_ops
  backing: "pagecache",
  // A driver is usually a module: the mm helpers it calls must be exported to it.
  modular: true,
  module: "${name}",
  kconfig: { symbol: "${upper}", type: "tristate" },

  // struct vm_uffd_ops as merged in 7.1, plus the pending __do_userfault()
  // that raises MISSING/MINOR from core (a module cannot call handle_userfault()).
  api: "linux-7.1+gmem",
${PAGECACHE_CORE}
  // alloc_folio + filemap_add/filemap_remove for COPY and ZEROPAGE;
  // filemap_remove_folio() is exported to the module alone.
  copy: {
    alloc: { strategy: "mapping-gfp", eofCheck: true },
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
    export: "EXPORT_SYMBOL_FOR_MODULES",
  },

  fault: { handler: "${name}_fault", raise: "core" },

  // The selftests open the device node. Its file_operations have no fallocate,
  // read or write here: scenarios needing them are reported not applicable.
  run: { object: { kind: "chardev", path: "/dev/${name}" }, ops: [], pages: 8 },
});
`;
    case "syscall":
      return `${header(name, "an object a system call returns as a file descriptor")}
export default defineMemoryType({
  name: "${name}",
  subsystem: "mm/${name}",
  file: "mm/${name}.c",
  vmOps: "${name}_vm_ops",
  backing: "pagecache",
  // Built into the kernel (an mm/ type): no export is needed.
  kconfig: { symbol: "${upper}", type: "bool" },

  api: "linux-7.1+gmem",
${PAGECACHE_CORE}
  copy: { alloc: { strategy: "mapping-gfp", eofCheck: true } },

  fault: { handler: "${name}_fault", raise: "core" },

  // How a selftest makes the object: your system call, by name, with its
  // number where <sys/syscall.h> does not have it yet (set nr to yours), and
  // its integer arguments. A test that cannot make it says which call failed.
  run: { object: { kind: "syscall", syscall: "${name}_create", nr: 0, args: [0] }, ops: [], pages: 8 },
});
`;
    case "filesystem":
      return `${header(name, "files on the type's own filesystem")}
export default defineMemoryType({
  name: "${name}",
  subsystem: "fs/${name}",
  file: "fs/${name}/file.c",
  vmOps: "${name}_file_vm_ops",
  backing: "pagecache",
  modular: true,
  module: "${name}",
  kconfig: { symbol: "${upper}_FS", type: "tristate" },

  api: "linux-7.1+gmem",
${PAGECACHE_CORE}
  copy: {
    alloc: { strategy: "mapping-gfp", eofCheck: true },
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
    export: "EXPORT_SYMBOL_FOR_MODULES",
  },

  fault: { handler: "${name}_fault", raise: "core" },

  // The selftests create (and unlink) a file in dir, which must be on a
  // mounted ${name}; set magic to its statfs f_type so a test run elsewhere
  // is refused rather than testing another filesystem. List the file
  // operations ${name} supports: scenarios needing others are not applicable.
  run: { object: { kind: "file", dir: "/mnt/${name}" }, ops: ["fallocate", "punch-hole", "write", "read"], pages: 8 },
});
`;
    case "guest_memfd":
      return `${header(name, "guest_memfd")}
export default defineMemoryType({
  name: "${name}",
  subsystem: "KVM: guest_memfd",
  file: "virt/kvm/guest_memfd.c",
  vmOps: "kvm_gmem_vm_ops",
  backing: "pagecache",
  // guest_memfd is part of kvm.ko (CONFIG_KVM, a tristate).
  modular: true,

  api: "linux-7.1+gmem",
${PAGECACHE_CORE}
  copy: {
    alloc: { strategy: "mapping-gfp", eofCheck: true },
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
    export: "EXPORT_SYMBOL_FOR_KVM",
  },

  // Which pages may userfault is decided per page, when the page is served
  // (->fault, alloc_folio, get_folio), not once at UFFDIO_REGISTER (R39).
  guard: { shared: "kvm_gmem_is_shared_mem", granularity: "page", at: "fault" },

  // Core raises MISSING/MINOR through __do_userfault() before ->fault runs.
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },

  run: { kernelKind: "guest_memfd", gmemFlags: ["mmap", "init_shared"], pages: 8 },
});
`;
  }
}
