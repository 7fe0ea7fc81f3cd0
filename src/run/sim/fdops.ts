/**
 * What a scenario does to file descriptors rather than to memory: the masks
 * UFFDIO_API writes back, poll() and read() on the userfaultfd, opening more
 * userfaultfds, and fstat()/fallocate()/read() on the backing file and
 * KVM_CHECK_EXTENSION on a guest_memfd's VM.
 *
 * Sources (Linux 6.12 tree, same code in 6.18 where conform did not observe
 * otherwise): fs/userfaultfd.c userfaultfd_api(), userfaultfd_poll(),
 * userfaultfd_read_iter(), new_userfaultfd(); virt/kvm/guest_memfd.c
 * kvm_gmem_fallocate(), kvm_gmem_allocate(); mm/shmem.c shmem_fallocate();
 * 6.18's virt/kvm/guest_memfd.c as conform observes it, and [gm test_file_read_write, test_file_size,
 * test_fallocate].
 */
import { GUEST_MEMFD_FLAGS, PAGE_SIZE, UFFD_FEATURES, type ErrnoName } from "../../kernel/uapi.js";
import { hexByte, hexMask, type Observed } from "../../ir/observation.js";
import type { FallocateStep, OpenStep } from "../../ir/scenario.js";
import type { Machine } from "./machine.js";
import type { SimFile, UserfaultfdCtx, Vma } from "./state.js";
import { filemap_add_folio, filemap_remove_folio } from "./uffd_ops.js";
import { zapRange } from "./userfaultfd.js";

/** UFFD_API_IOCTLS: REGISTER, UNREGISTER and API (bits 0, 1 and 63; include/uapi/linux/userfaultfd.h). */
export const UFFD_API_IOCTLS = (1n << 0n) | (1n << 1n) | (1n << 63n);

/** sizeof(struct uffd_msg): read() with a shorter buffer is EINVAL. */
export const UFFD_MSG_SIZE = 32;

/** The open flags new_userfaultfd() accepts: O_CLOEXEC, O_NONBLOCK (x86 values) and UFFD_USER_MODE_ONLY. */
export const UFFD_OPEN_FLAGS = { cloexec: 0o2000000, nonblock: 0o4000, user_mode_only: 1 } as const;

/** The features UFFDIO_API reports on success: every one the modelled kernel offers. */
export function offeredFeatures(m: Machine): bigint {
  let bits = 0n;
  for (const f of m.version.features) bits |= BigInt(UFFD_FEATURES[f]);
  return bits;
}

/**
 * The api observation with the masks written back: all features and the API
 * ioctls on success; zero on every error found by the handshake (err_out
 * clears the struct); the caller's own values when the ioctl never ran (EBADF).
 */
export function withApiMasks(o: Observed, m: Machine, ran: boolean, requested: bigint): Observed {
  const ok = o.status === "ok";
  const features = ok ? offeredFeatures(m) : ran ? 0n : requested;
  const ioctls = ok ? UFFD_API_IOCTLS : 0n;
  return { status: o.status, fields: { ...o.fields, features: hexMask(features), ioctls: hexMask(ioctls) } };
}

/**
 * userfaultfd_poll(): POLLERR until UFFDIO_API; then POLLIN while a fault
 * or an event is queued and not yet read. The runtime's descriptors are
 * O_NONBLOCK (a blocking one would always be POLLERR).
 */
export function pollRevents(ctx: UserfaultfdCtx): ("in" | "err")[] {
  if (!ctx.initialized) return ["err"];
  return ctx.pending.length ? ["in"] : [];
}

/** userfaultfd_read_iter()'s own refusals, before any message is looked at. */
export function readRefusal(ctx: UserfaultfdCtx, bufBytes: number): ErrnoName | null {
  if (!ctx.initialized) return "EINVAL";
  if (bufBytes < UFFD_MSG_SIZE) return "EINVAL";
  return null;
}

/** new_userfaultfd(): flags beyond O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY are EINVAL (syscall and /dev/userfaultfd alike). */
export function openUserfaultfd(step: OpenStep): Observed {
  let flags = step.rawFlags ?? 0;
  for (const f of step.flags ?? []) flags |= UFFD_OPEN_FLAGS[f];
  const allowed = UFFD_OPEN_FLAGS.cloexec | UFFD_OPEN_FLAGS.nonblock | UFFD_OPEN_FLAGS.user_mode_only;
  return flags & ~allowed ? errnoObs("EINVAL") : { status: "ok", fields: {} };
}

/** fstat(): st_size of the backing file; no descriptor (anonymous memory) is EBADF. */
export function fstatFile(file: SimFile | null): Observed {
  if (!file || !file.hasFd) return errnoObs("EBADF");
  return { status: "ok", fields: { size: String(file.size * pageSizeOf(file)) } };
}

function pageSizeOf(file: SimFile): number {
  return file.kind === "hugetlb" ? 2 * 1024 * 1024 : PAGE_SIZE;
}

/**
 * fallocate() with KEEP_SIZE ("allocate") or PUNCH_HOLE|KEEP_SIZE ("punch").
 * guest_memfd: offset and length must be page aligned (EINVAL) and an
 * allocation must stay inside the file (EINVAL), a punch may run past it.
 * shmem and hugetlbfs allocate past EOF without growing (KEEP_SIZE) and
 * accept a punch anywhere; a partial-page punch is not modelled (pages hold
 * one byte each).
 */
export function fallocateFile(m: Machine, file: SimFile | null, mappings: readonly Vma[], step: FallocateStep, start: number, len: number): Observed | string {
  if (!file || !file.hasFd) return errnoObs("EBADF");
  const ps = pageSizeOf(file);
  const size = file.size * ps;
  if (len <= 0) return errnoObs("EINVAL");
  if (file.kind === "guest_memfd") {
    if (start % PAGE_SIZE || len % PAGE_SIZE) return errnoObs("EINVAL");
    if (step.mode === "allocate" && start + len > size) return errnoObs("EINVAL");
  } else if (start % ps || len % ps) {
    if (file.kind === "hugetlb") return errnoObs("EINVAL");
    return "a partial-page fallocate is not modelled (a page holds one byte value)";
  }
  const first = Math.floor(start / ps);
  const last = Math.min(file.npages, Math.ceil((start + len) / ps));
  for (let i = first; i < last; i++) {
    if (step.mode === "allocate") {
      if (file.cache[i]! >= 0) continue;
      // shmem and guest_memfd: allocated and cached, but not up to date (cleared on first use).
      // hugetlbfs_fallocate() clears the huge page and marks it up to date before adding it
      // (fs/hugetlbfs/inode.c).
      const f = m.folios.alloc();
      if (file.kind === "hugetlb") {
        m.folios.value[f] = 0;
        m.folios.markUptodate(f);
      }
      filemap_add_folio(m, file, f, i);
      m.folios.put(f);
      continue;
    }
    for (const v of mappings) if (v.file === file && i >= v.off && i < v.off + v.npages) zapRange(m, v, i, 1, true);
    const f = file.cache[i]!;
    if (f >= 0) filemap_remove_folio(m, file, f);
  }
  return { status: "ok", fields: {} };
}

/**
 * read()/pread() of one page through the file descriptor. guest_memfd has no
 * read_iter (EINVAL) and is not seekable for pread (ESPIPE) — measured as
 * [gm test_file_read_write] expects; anonymous memory has no descriptor.
 */
export function readFile(m: Machine, file: SimFile | null, page: number, via: "read" | "pread"): Observed {
  if (!file || !file.hasFd) return errnoObs("EBADF");
  if (file.kind === "guest_memfd") return errnoObs(via === "pread" ? "ESPIPE" : "EINVAL");
  const p = via === "read" ? 0 : page;
  // At or past EOF read() returns 0 bytes: no first byte to report.
  if (p >= file.size) return { status: "ok", fields: { value: "mixed" } };
  const f = file.cache[p]!;
  const value = f >= 0 && m.folios.isUptodate(f) ? m.folios.value[f]! : 0;
  return { status: "ok", fields: { value: hexByte(value) } };
}

/** KVM_CHECK_EXTENSION on the VM: guest_memfd is 1; GUEST_MEMFD_FLAGS the flags the kernel accepts. */
export function kvmCap(m: Machine, cap: "guest_memfd" | "guest_memfd_flags"): Observed {
  if (cap === "guest_memfd") return { status: "ok", fields: { value: "1" } };
  let flags = 0;
  for (const f of m.version.gmemFlags) flags |= GUEST_MEMFD_FLAGS[f];
  return { status: "ok", fields: { value: String(flags) } };
}

/** kvm_gmem_create(): flag bits outside those the kernel advertises are EINVAL. */
export function gmemCreateErrno(m: Machine, names: readonly string[], raw: number): ErrnoName | null {
  let known = 0;
  for (const f of m.version.gmemFlags) known |= GUEST_MEMFD_FLAGS[f];
  let flags = raw;
  for (const n of names) flags |= GUEST_MEMFD_FLAGS[n as keyof typeof GUEST_MEMFD_FLAGS] ?? 1 << 30;
  return flags & ~known ? "EINVAL" : null;
}

export function errnoObs(name: ErrnoName): Observed {
  return { status: `errno=${name}`, fields: {} };
}

/**
 * ftruncate(): truncate_setsize() then, when shrinking, truncate_pagecache():
 * i_size is written first, so a fault or an mfill that looks after this sees
 * the new size; then every PTE of the file at or beyond it is zapped, private
 * COW copies too (unmap_mapping_range() with even_cows), and the page-cache
 * folios there are removed. Growing only writes i_size: the new pages are
 * holes. Sources: mm/truncate.c truncate_setsize(), truncate_pagecache();
 * mm/shmem.c shmem_setattr(); guest_memfd's kvm_gmem_setattr() is -EINVAL
 * (virt/kvm/guest_memfd.c); shared anonymous memory has no descriptor. The
 * whole call runs as one step: the folio lock truncate_inode_pages_range()
 * takes orders it after any fill that holds the folio.
 */
export function truncateFile(m: Machine, file: SimFile | null, mappings: readonly Vma[], pages: number): Observed | string {
  if (!file || !file.hasFd) return errnoObs("EBADF");
  if (!truncatable(m, file)) return errnoObs("EINVAL");
  if (!Number.isInteger(pages) || pages < 0 || pages > file.npages) return `truncate to ${pages} pages: only sizes from 0 to the mapping's ${file.npages} pages are modelled`;
  const old = file.size;
  file.size = pages;
  if (pages >= old) return { status: "ok", fields: {} };
  for (const v of mappings) {
    if (v.file !== file) continue;
    for (let i = Math.max(pages, v.off); i < v.off + v.npages; i++) zapRange(m, v, i, 1, true);
  }
  for (let i = pages; i < file.npages; i++) {
    const f = file.cache[i]!;
    if (f >= 0) filemap_remove_folio(m, file, f);
  }
  return { status: "ok", fields: {} };
}

/** Can this file's size change? guest_memfd (and a declared type built on it) refuses ftruncate(). */
export function truncatable(m: Machine, file: SimFile): boolean {
  if (!file.hasFd || file.kind === "guest_memfd") return false;
  if (file.kind === "declared" && m.declared?.kernelKind === "guest_memfd") return false;
  return true;
}

/**
 * KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_GUEST_MEMFD over the whole file, on
 * the guest_memfd's own VM: check_memory_region_flags() takes the flag on a VM
 * with private memory (KVM_X86_SW_PROTECTED_VM), and kvm_gmem_bind() binds the
 * file's range to the slot (6.12 virt/kvm/kvm_main.c, guest_memfd.c). Only that
 * VM type is modelled; a default VM's answer differs by version and is not.
 */
export function gmemMemslot(vmType: "sw_protected" | undefined, hasFile: boolean): Observed | string {
  if (vmType !== "sw_protected") return "kvm_memslot is modelled on a VM with private memory only: set setup.gmemVmType to \"sw_protected\"";
  if (!hasFile) return errnoObs("EBADF");
  return { status: "ok", fields: {} };
}
