/**
 * xram, a small page-cache backed misc character device (drivers/char/xram.c,
 * a module), as a developer would bring a new memory type. No seed thread:
 * the driver is uffdkit's own (test/series/xram/), added to a
 * linux-source-6.12 tree first.
 *
 * What it shows: a modular type outside mm/ on the generation where core mm
 * raises MISSING and MINOR faults (__do_userfault()), so the driver needs no
 * fault glue and no handle_userfault(); filemap_remove_folio() is exported to
 * the xram module only.
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "xram",
  subsystem: "char: xram",
  file: "drivers/char/xram.c",
  vmOps: "xram_vm_ops",
  backing: "pagecache",
  modular: true,
  module: "xram",
  // drivers/char/Kconfig (test/series/xram/Kconfig.entry): a tristate, so it can be a module.
  kconfig: { symbol: "XRAM", type: "tristate" },
  api: "linux-7.1+gmem",
  features: ["missing", "minor"],
  ioctls: ["copy", "zeropage", "continue"],
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "zero-fill" },
  copy: {
    alloc: { strategy: "mapping-gfp", eofCheck: true },
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
    export: "EXPORT_SYMBOL_FOR_MODULES",
  },
  fault: { handler: "xram_fault", raise: "core" },
  // xram's file_operations have open and mmap only: no fallocate, read or write, so the
  // scenarios that need them are not applicable to it (run.ops defaults to none for a chardev).
  run: { kernelKind: "shmem", ops: [] },
});
