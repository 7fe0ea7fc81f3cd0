/**
 * Reference scenarios for the parts of the userfaultfd ABI around the memory
 * type: raw mode and feature bits and the masks UFFDIO_API writes back,
 * result fields left untouched, read() and poll() on the fd, opening through
 * the syscall and /dev/userfaultfd, EXACT_ADDRESS, kernel-mode accesses, and
 * guest_memfd's file operations and creation flags.
 *
 * Each expectation was written from the kernel source named in `source`
 * (paths in the Linux 6.12 tree, which 6.18 keeps for these paths) and then
 * measured on this machine's 6.18 kernel with `uffdkit conform`.
 */
import { PAGE_SIZE } from "../../kernel/uapi.js";
import type { GmemFlag } from "../../kernel/uapi.js";
import type { KernelNeed, Scenario, ScenarioSetup, Step, TouchExpect } from "../../ir/scenario.js";
import { api, blocked, copy, done, fault, move, noEvent, p, poison, read, register, registerMask, scenario, wait, wp, write, zeropage } from "./build.js";

const PS = PAGE_SIZE;
const anon = (pages = 2, extra: Partial<ScenarioSetup> = {}): ScenarioSetup => ({ kind: "anon", pages, map: "private", ...extra });

/** Every feature bit 6.18 offers on x86_64 with USERFAULTFD_WP/MINOR and PTE_MARKER_UFFD_WP (bits 0..16). */
const FEATURES_618 = "0x1ffff";
/** UFFD_API_IOCTLS: REGISTER (bit 0), UNREGISTER (bit 1) and API (bit 63). */
const API_IOCTLS = "0x8000000000000003";

const SRC = {
  api: "fs/userfaultfd.c userfaultfd_api",
  ioctls: "fs/userfaultfd.c userfaultfd_copy/zeropage/continue/poison/writeprotect/move (mode check after validate_range, before any put_user)",
  register: "fs/userfaultfd.c userfaultfd_register (mode & ~UFFD_API_REGISTER_MODES)",
  read: "fs/userfaultfd.c userfaultfd_read_iter",
  poll: "fs/userfaultfd.c userfaultfd_poll",
  open: "fs/userfaultfd.c new_userfaultfd, userfaultfd_dev_ioctl",
  exact: "fs/userfaultfd.c userfault_msg (UFFD_FEATURE_EXACT_ADDRESS)",
  umo: "fs/userfaultfd.c handle_userfault (FAULT_FLAG_USER and UFFD_USER_MODE_ONLY)",
  gmemFalloc: "virt/kvm/guest_memfd.c kvm_gmem_fallocate, kvm_gmem_allocate",
  gmemCreate: "virt/kvm/guest_memfd.c kvm_gmem_create",
} as const;

function apiMaskScenarios(): Scenario[] {
  const masks = (result: "ok" | "EINVAL", features: string, ioctls: string) => ({ result, features, ioctls });
  return [
    scenario("api_reports_features_and_ioctls", "UFFDIO_API writes back every feature 6.18 offers and the API ioctls", [SRC.api, "[ut UFFDIO_API]"], anon(1),
      [{ op: "api", expect: masks("ok", FEATURES_618, API_IOCTLS) }]),
    scenario("api_unknown_bit17_zeroes_masks", "feature bit 17 (unknown) is EINVAL and the struct is zeroed", [SRC.api, "abi618Api"], anon(1),
      [{ op: "api", rawFeatures: "0x20000", expect: masks("EINVAL", "0x0", "0x0") }]),
    scenario("api_unknown_bit63_zeroes_masks", "feature bit 63 is EINVAL and the struct is zeroed", [SRC.api, "[ut UFFDIO_API]"], anon(1),
      [{ op: "api", rawFeatures: "0x8000000000000000", expect: masks("EINVAL", "0x0", "0x0") }]),
    scenario("api_bad_version_zeroes_masks", "api != UFFD_API is EINVAL and the struct is zeroed", [SRC.api], anon(1),
      [{ op: "api", badApi: true, expect: masks("EINVAL", "0x0", "0x0") }]),
    scenario("api_second_call_zeroes_masks", "a second UFFDIO_API is EINVAL and zeroes what the first reported", [SRC.api, "abi618Api"], anon(1),
      [{ op: "api", expect: masks("ok", FEATURES_618, API_IOCTLS) }, { op: "api", expect: masks("EINVAL", "0x0", "0x0") }]),
  ];
}

function rawModeScenarios(): Scenario[] {
  const base = (modes: ("missing" | "wp")[] = ["missing"]): Step[] => [api(), register(p(0, 2), modes)];
  return [
    scenario("register_unknown_mode_bit_einval", "an unknown UFFDIO_REGISTER mode bit (1 << 3) is EINVAL", [SRC.register], anon(),
      [api(), { op: "register", page: 0, pages: 2, modes: ["missing"], rawMode: 1 << 3, expect: { result: "EINVAL" } }]),
    scenario("register_high_mode_bit_einval", "mode bit 1 << 31 alone is EINVAL", [SRC.register], anon(),
      [api(), { op: "register", page: 0, pages: 2, modes: [], rawMode: 2 ** 31, expect: { result: "EINVAL" } }]),
    scenario("copy_unknown_mode_untouched", "COPY with an unknown mode bit is EINVAL and leaves copy untouched", [SRC.ioctls], anon(),
      [...base(), { op: "copy", page: 0, src: { byte: 1 }, rawMode: 1 << 2, expect: { result: "EINVAL", copy: "untouched" } }, noEvent()]),
    scenario("zeropage_unknown_mode_untouched", "ZEROPAGE with mode bit 1 << 1 is EINVAL, field untouched", [SRC.ioctls], anon(),
      [...base(), { op: "zeropage", page: 0, rawMode: 1 << 1, expect: { result: "EINVAL", zeropage: "untouched" } }]),
    scenario("continue_unknown_mode_before_vma_check", "CONTINUE's mode check comes before the vma check: untouched, not -22", [SRC.ioctls, "abi618WriteBack"], anon(),
      [...base(), { op: "continue", page: 0, rawMode: 1 << 2, expect: { result: "EINVAL", mapped: "untouched" } }]),
    scenario("continue_on_anon_written_back", "CONTINUE on anon with a valid mode is EINVAL written back as -22", ["abi618WriteBack", "mm/userfaultfd.c mfill_atomic"], anon(),
      [...base(), { op: "continue", page: 0, expect: { result: "EINVAL", mapped: -22 } }]),
    scenario("poison_unknown_mode_untouched", "POISON with mode bit 1 << 1 is EINVAL, field untouched", [SRC.ioctls], anon(),
      [...base(), { op: "poison", page: 0, rawMode: 1 << 1, expect: { result: "EINVAL", updated: "untouched" } }]),
    scenario("writeprotect_unknown_mode_einval", "WRITEPROTECT with mode bit 1 << 2 is EINVAL", [SRC.ioctls], anon(),
      [...base(["wp"]), { op: "writeprotect", page: 0, wp: true, rawMode: 1 << 2, expect: { result: "EINVAL" } }]),
    scenario("move_unknown_mode_untouched", "MOVE with mode bit 1 << 2 is EINVAL, field untouched", [SRC.ioctls], anon(2, { srcPages: 1 }),
      [...base(), move(0, 0, { result: "EINVAL", move: "untouched" }, { srcFill: { byte: 7 }, rawMode: 1 << 2 })]),
    scenario("copy_raw_dontwake_bit", "raw mode bit 1 << 0 on COPY is DONTWAKE: the faulter stays blocked", ["include/uapi/linux/userfaultfd.h UFFDIO_COPY_MODE_DONTWAKE", SRC.ioctls], anon(),
      [...base(), read("r", 0, blocked), fault(0, []), { op: "copy", page: 0, src: { byte: 9 }, rawMode: 1, expect: { copy: PS } }, wait("r", blocked), { op: "wake", page: 0 }, wait("r", done(9))]),
    scenario("zeropage_unaligned_untouched", "ZEROPAGE over an unaligned range is EINVAL with the field untouched", ["abi618WriteBack", "fs/userfaultfd.c validate_range"], anon(),
      [...base(), zeropage({ page: 0, offsetBytes: 8 }, { result: "EINVAL", zeropage: "untouched" })]),
    scenario("copy_unregistered_written_back", "COPY into an unregistered page writes -ENOENT back (a written value, not the sentinel)", ["abi618WriteBack"], anon(),
      [api(), copy(p(0), 1, { result: "ENOENT", copy: -2 })]),
  ];
}

function fdScenarios(): Scenario[] {
  return [
    scenario("read_before_api_einval", "read() before UFFDIO_API is EINVAL, not 'no event'", [SRC.read], anon(1),
      [{ op: "event", expect: { event: "error", result: "EINVAL" } }]),
    scenario("read_short_buffer_einval", "read() into a buffer shorter than struct uffd_msg is EINVAL", [SRC.read], anon(1),
      [api(), { op: "event", bufBytes: 16, expect: { event: "error", result: "EINVAL" } }]),
    scenario("read_short_buffer_keeps_message", "a short read() is EINVAL and the pending fault is still there for a full read", [SRC.read], anon(),
      [api(), register(p(0, 2), ["missing"]), read("r", 0, blocked), { op: "event", bufBytes: 31, expect: { event: "error", result: "EINVAL" } }, fault(0, []), zeropage(p(0), { zeropage: PS }), wait("r", done(0))]),
    scenario("poll_before_api_pollerr", "poll() before UFFDIO_API reports POLLERR", [SRC.poll], anon(1),
      [{ op: "poll", expect: { revents: ["err"] } }]),
    scenario("poll_without_events_times_out", "poll() on an idle initialised fd blocks for its timeout and returns 0", [SRC.poll], anon(1),
      [api(), { op: "poll", timeoutMs: 50, expect: { revents: [] } }]),
    scenario("poll_pollin_until_read", "POLLIN while a fault is queued; once read() the fault no longer counts", [SRC.poll], anon(),
      [api(), register(p(0, 2), ["missing"]), read("r", 0, blocked), { op: "poll", expect: { revents: ["in"] } }, fault(0, []), { op: "poll", expect: { revents: [] } }, zeropage(p(0)), wait("r", done(0))]),
    scenario("open_syscall_flags_ok", "userfaultfd(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY) succeeds", [SRC.open], anon(1),
      [{ op: "open", via: "syscall", flags: ["cloexec", "nonblock", "user_mode_only"] }]),
    scenario("open_syscall_bad_flag_einval", "userfaultfd() with O_RDWR (a flag it does not take) is EINVAL", [SRC.open], anon(1),
      [{ op: "open", via: "syscall", rawFlags: 2, expect: { result: "EINVAL" } }]),
    scenario("open_dev_flags_ok", "USERFAULTFD_IOC_NEW on /dev/userfaultfd with O_CLOEXEC succeeds", [SRC.open], anon(1),
      [{ op: "open", via: "dev", flags: ["cloexec"] }]),
    scenario("open_dev_bad_flag_einval", "USERFAULTFD_IOC_NEW with an unknown flag bit is EINVAL, as the syscall", [SRC.open], anon(1),
      [{ op: "open", via: "dev", rawFlags: 1 << 4, expect: { result: "EINVAL" } }]),
  ];
}

function exactAddressScenarios(): Scenario[] {
  const touchAt = (offsetBytes: number) => ({ op: "touch" as const, thread: "r", page: 1, access: "read" as const, offsetBytes, expect: blocked });
  return [
    scenario("exact_address_reports_offset", "with EXACT_ADDRESS the fault address keeps its offset in the page", [SRC.exact, "abi618WakeFlags"], anon(),
      [api(["exact_address"]), register(p(0, 2), ["missing"]), touchAt(100), { op: "event", expect: { event: "pagefault", page: 1, offset: 100, flags: [] } }, copy(p(1), 3), wait("r", done(3))]),
    scenario("address_masked_without_exact_address", "without EXACT_ADDRESS the fault address is masked to the page", [SRC.exact, "abi618WakeFlags"], anon(),
      [api(), register(p(0, 2), ["missing"]), touchAt(100), fault(1, []), copy(p(1), 3), wait("r", done(3))]),
    scenario("exact_address_wake_by_page_range", "a COPY over the page wakes a faulter reported at an exact address", [SRC.exact, "fs/userfaultfd.c userfaultfd_wake_function"], anon(),
      [api(["exact_address"]), register(p(0, 2), ["missing"]), touchAt(4095), { op: "event", expect: { event: "pagefault", page: 1, offset: 4095, flags: [] } }, zeropage(p(1)), wait("r", done(0))]),
  ];
}

function kernelAccessScenarios(): Scenario[] {
  const sys = (call: "read" | "write", expect: TouchExpect, value?: number): Step => ({ op: "syscall", thread: "k", call, page: 0, ...(value !== undefined ? { value } : {}), expect });
  return [
    scenario("kernel_write_missing_blocks", "read(2) into a MISSING page: the kernel's copy faults (flags write) and blocks until resolved", [SRC.umo, "abi618Poison"], anon(),
      [api(), register(p(0, 2), ["missing"]), sys("read", blocked, 0x42), fault(0, ["write"]), copy(p(0), 0x11), wait("k", { outcome: "done", result: "ok" }), read("r", 0, done(0x42))]),
    scenario("kernel_write_user_mode_only_efault", "with UFFD_USER_MODE_ONLY the same read(2) fails with EFAULT and raises no event", [SRC.umo], anon(2, { userModeOnly: true }),
      [api(), register(p(0, 2), ["missing"]), sys("read", { outcome: "done", result: "EFAULT" }, 0x42), noEvent(), read("r", 0, blocked), fault(0, []), zeropage(p(0)), wait("r", done(0))]),
    scenario("kernel_read_missing_blocks", "write(2) of a MISSING page: the kernel's read faults (flags 0) and blocks until resolved", [SRC.umo], anon(),
      [api(), register(p(0, 2), ["missing"]), sys("write", blocked), fault(0, []), copy(p(0), 0x33), wait("k", { outcome: "done", result: "ok" })]),
    scenario("kernel_read_user_mode_only_efault", "with UFFD_USER_MODE_ONLY write(2) of a MISSING page fails with EFAULT", [SRC.umo], anon(2, { userModeOnly: true }),
      [api(), register(p(0, 2), ["missing"]), sys("write", { outcome: "done", result: "EFAULT" }), noEvent()]),
    scenario("kernel_read_poisoned_efault", "a kernel-mode read of a poisoned page is EFAULT (a user access gets SIGBUS)", ["abi618Poison", "mm/memory.c do_swap_page (PTE marker poison)"], anon(),
      [api(), register(p(0, 2), ["missing"]), poison(p(0)), sys("write", { outcome: "done", result: "EFAULT" })]),
    scenario("kernel_read_present_page_ok", "write(2) of a present page in a registered range just works", [SRC.umo], anon(),
      [api(), register(p(0, 2), ["missing"]), copy(p(0), 0x21), sys("write", { outcome: "done", result: "ok" }), noEvent()]),
    scenario("kernel_write_wp_blocks", "read(2) into a write-protected page raises a WP fault (flags wp,write) and blocks", [SRC.umo, "abi618WakeFlags"], anon(),
      [api(), register(p(0, 2), ["missing", "wp"]), copy(p(0), 0x10, {}, ["wp"]), sys("read", blocked, 0x55), fault(0, ["write", "wp"]), wp(p(0), false), wait("k", { outcome: "done", result: "ok" }), read("r", 0, done(0x55))]),
  ];
}

function munmapScenarios(): Scenario[] {
  const unmap = (page: number, extra: Partial<Extract<Step, { op: "munmap" }>> = {}): Step => ({ op: "munmap", page, ...extra });
  const src = ["mm/vma.c do_vmi_align_munmap", "fs/userfaultfd.c userfaultfd_unmap_prep, userfaultfd_unmap_complete"];
  return [
    scenario("munmap_then_touch_sigsegv", "after munmap() of a page an access to it is SIGSEGV; its neighbour is intact", ["mm/vma.c do_vmi_align_munmap"], anon(2),
      [write("w", 0, 0x31, done()), write("x", 1, 0x32, done()), unmap(1), { op: "touch", thread: "r", page: 1, access: "read", expect: { outcome: "sigsegv" } }, read("s", 0, done(0x31))]),
    scenario("munmap_registered_without_event_unmap", "munmap() of a registered page without EVENT_UNMAP returns at once and queues nothing", src, anon(2),
      [api(), register(p(0, 2), ["missing"]), unmap(1), noEvent()]),
    scenario("unmap_event_blocks_munmap", "with EVENT_UNMAP munmap() queues UNMAP and blocks until it is read; COPY meanwhile is EAGAIN", [...src, "abi618Events"], anon(3),
      [api(["event_unmap"]), register(p(0, 3), ["missing"]), unmap(1, { thread: "m", expect: { outcome: "blocked" } }), copy(p(0), 1, { result: "EAGAIN", copy: -11 }),
        { op: "event", expect: { event: "unmap", page: 1, pages: 1 } }, wait("m", done()), copy(p(0), 1, { copy: PS })]),
    scenario("unmap_event_only_for_registered", "EVENT_UNMAP is sent only for a range a context registered", src, anon(2),
      [api(["event_unmap"]), unmap(1), noEvent()]),
    scenario("kernel_access_unmapped_efault", "a system call copying to or from an unmapped page fails with EFAULT", ["mm/memory.c", "arch/x86/mm/fault.c"], anon(2),
      [unmap(1), { op: "syscall", thread: "k", call: "write", page: 1, expect: { outcome: "done", result: "EFAULT" } }]),
    scenario("register_over_hole_ok", "REGISTER over a range with a hole is fine while a VMA intersects it", ["abi618Register", "fs/userfaultfd.c userfaultfd_register"], anon(3),
      [unmap(1), api(), register(p(0, 3), ["missing"], { ioctls: ["wake", "copy", "zeropage", "move", "poison"] }), read("r", 2, blocked), fault(2, []), zeropage(p(2)), wait("r", done(0))]),
    scenario("register_inside_hole_einval", "REGISTER of a range inside a hole is EINVAL", ["fs/userfaultfd.c userfaultfd_register"], anon(3),
      [unmap(1), api(), register(p(1), ["missing"], { result: "EINVAL" })]),
    scenario("copy_into_unmapped_enoent", "COPY into an unmapped page is ENOENT, written back", ["abi618WriteBack", "mm/userfaultfd.c mfill_atomic"], anon(3),
      [api(), register(p(0, 3), ["missing"]), unmap(1), copy(p(1), 1, { result: "ENOENT", copy: -2 })]),
  ];
}

function copySourceScenarios(): Scenario[] {
  const src = ["mm/userfaultfd.c mfill_atomic (copy_from_user of the source outside the lock)", "abi618CopySrcFault"];
  const from = (page: number, extra: { offsetBytes?: number; in?: "primary" | "alias" | "src" } = {}) => ({ page, ...extra });
  const cp = (page: number, pages: number, source: ReturnType<typeof from>, expect: Extract<Step, { op: "copy" }>["expect"], thread?: string): Step =>
    ({ op: "copy", page, pages, src: source, ...(thread ? { thread } : {}), expect });
  const doneCopy = (result: "ok" | "EAGAIN" | "EFAULT", n: number | "untouched") => ({ outcome: "done" as const, result, copy: n });
  return [
    scenario("copy_src_faults_on_itself", "a COPY whose source is a missing page of its own MISSING range faults on it and blocks until it is resolved", src, anon(4),
      [api(), register(p(0, 4), ["missing"]), cp(0, 1, from(2), { outcome: "blocked" }, "c"), fault(2, []), copy(p(2), 0x44), wait("c", doneCopy("ok", PS)), read("r", 0, done(0x44))]),
    scenario("copy_src_fault_user_mode_only_efault", "with UFFD_USER_MODE_ONLY that source fault is EFAULT, written back", [...src, SRC.umo], anon(4, { userModeOnly: true }),
      [api(), register(p(0, 4), ["missing"]), cp(0, 1, from(2), { result: "EFAULT", copy: -14 }), noEvent()]),
    scenario("copy_src_unmapped_efault", "a COPY from an unmapped source is EFAULT, written back", [...src, "abi618WriteBack"], anon(4),
      [{ op: "munmap", page: 3 }, api(), register(p(0, 2), ["missing"]), cp(0, 1, from(3), { result: "EFAULT", copy: -14 })]),
    scenario("copy_src_unaligned_ok", "the source needs no alignment", ["abi618CopySrcFault", "fs/userfaultfd.c userfaultfd_copy (validate_unaligned_range)"], anon(4),
      [write("w", 2, 0x66, done()), write("x", 3, 0x66, done()), api(), register(p(0, 2), ["missing"]), cp(0, 1, from(2, { offsetBytes: 100 }), { copy: PS }), read("r", 0, done(0x66))]),
    scenario("copy_src_unpopulated_reads_zero", "an unpopulated, unregistered anonymous source reads as zeroes", src, anon(4),
      [api(), register(p(0, 2), ["missing"]), cp(0, 1, from(3), { copy: PS }), read("r", 0, done(0))]),
    scenario("copy_src_overlaps_dst", "a COPY over [0,2) from page 1 faults on its own destination, then stops at the page the monitor filled", src, anon(4),
      [api(), register(p(0, 2), ["missing"]), cp(0, 2, from(1), { outcome: "blocked" }, "c"), fault(1, []), zeropage(p(1)), wait("c", doneCopy("EAGAIN", PS)), read("r", 0, done(0))]),
    scenario("copy_src_partly_populated_partial", "a two-page source whose second page faults under USER_MODE_ONLY copies one page: EAGAIN with 4096", src, anon(4, { userModeOnly: true }),
      [api(), register(p(0, 4), ["missing"]), copy(p(2), 0x77), cp(0, 2, from(2), { result: "EAGAIN", copy: PS }), read("r", 0, done(0x77))]),
    scenario("move_within_one_range", "MOVE from one page of a registered range to another in the same range", ["abi618Move", "mm/userfaultfd.c move_pages"], anon(4),
      [api(), register(p(0, 4), ["missing"]), copy(p(2), 0x12), move(2, 0, { move: PS }, { srcIn: "primary" }), read("r", 0, done(0x12)), read("s", 2, blocked), fault(2, []), zeropage(p(2)), wait("s", done(0))]),
  ];
}

function layoutScenarios(): Scenario[] {
  const src = ["mm/mmap.c (MAP_FIXED layouts)", "fs/userfaultfd.c userfaultfd_register"];
  const next = (extra: Partial<NonNullable<ScenarioSetup["next"]>> = {}) => anon(2, { next: { kind: "anon", pages: 2, ...extra } });
  const segv = (thread: string, page: number, access: "read" | "write" = "read"): Step => ({ op: "touch", thread, page, access, ...(access === "write" ? { value: 1 } : {}), expect: { outcome: "sigsegv" } });
  const anonMissing = registerMask("anon", ["missing"]);
  return [
    scenario("layout_hole_sigsegv", "a hole between two mappings is SIGSEGV; the mapping after it is ordinary memory", ["mm/mmap.c", "arch/x86/mm/fault.c"], next({ gapPages: 1 }),
      [segv("h", 2), write("w", 3, 0x19, done()), read("r", 3, done(0x19))]),
    scenario("register_spanning_two_mappings", "one REGISTER range over two adjacent mappings registers both", [...src, "abi618Register"], next({ kind: "shmem" }),
      [api(), register(p(0, 4), ["missing"], { ioctls: anonMissing }), read("r", 3, blocked), fault(3, []), copy(p(3), 0x2a), wait("r", done(0x2a)), read("s", 1, blocked), fault(1, []), zeropage(p(1)), wait("s", done(0))]),
    scenario("register_into_hole_then_copy_enoent", "REGISTER over a mapping's last page and the hole after it works; a COPY crossing into the hole is ENOENT", [...src, "abi618Register", "abi618WriteBack"], next({ gapPages: 1 }),
      [api(), register(p(1, 2), ["missing"], { ioctls: anonMissing }), copy(p(1, 2), 1, { result: "ENOENT", copy: -2 }), copy(p(1), 1, { copy: PS })]),
    scenario("register_droppable_einval", "MAP_DROPPABLE memory cannot be registered, alone or in a range with other memory", ["abi618Register", "include/linux/userfaultfd_k.h vma_can_userfault (VM_DROPPABLE)"], next({ droppable: true }),
      [api(), register(p(2, 2), ["missing"], { result: "EINVAL" }), register(p(0, 4), ["missing"], { result: "EINVAL" }), register(p(0, 2), ["missing"], { ioctls: anonMissing })]),
    scenario("register_prot_none_then_sigsegv", "PROT_NONE memory registers; an access is SIGSEGV before userfaultfd sees it", [...src, "arch/x86/mm/fault.c access_error"], next({ prot: "none" }),
      [api(), register(p(2, 2), ["missing"], { ioctls: anonMissing }), segv("r", 2), noEvent()]),
    scenario("register_read_only_mapping", "a read-only private mapping registers; a read faults to the monitor, a write is SIGSEGV", [...src, "arch/x86/mm/fault.c access_error"], next({ prot: "read" }),
      [api(), register(p(2, 2), ["missing"], { ioctls: anonMissing }), read("r", 2, blocked), fault(2, []), zeropage(p(2)), wait("r", done(0)), segv("w", 3, "write"), noEvent()]),
    scenario("second_mapping_other_kind_and_mode", "shmem beside anon: MINOR on the shmem mapping, MISSING on the anon one, MINOR over both is EINVAL", [...src, "abi618IoctlsMask"], next({ kind: "shmem" }),
      [api(), register(p(0, 4), ["minor"], { result: "EINVAL" }), register(p(2, 2), ["minor"], { ioctls: registerMask("shmem", ["minor"]) }), register(p(0, 2), ["missing"], { ioctls: anonMissing })]),
    scenario("second_mapping_second_context", "each of two mappings registered with its own context: a fault goes to its mapping's context", [...src, "fs/userfaultfd.c handle_userfault"], anon(2, { contexts: 2, next: { kind: "anon", pages: 2, gapPages: 1 } }),
      [api(), { ...api(), ctx: 1 }, register(p(0, 2), ["missing"]), register(p(3, 2), ["missing"], {}, 1), read("r", 4, blocked), noEvent(), { ...fault(4, []), ctx: 1 }, { ...zeropage(p(4)), ctx: 1 }, wait("r", done(0))]),
  ];
}

function mremapScenarios(): Scenario[] {
  const src = ["mm/mremap.c move_vma", "fs/userfaultfd.c mremap_userfaultfd_prep, mremap_userfaultfd_complete"];
  const mremap = (extra: Partial<Extract<Step, { op: "mremap" }>> = {}): Step => ({ op: "mremap", ...extra });
  return [
    scenario("mremap_keeps_data", "mremap() moves the pages with the mapping", ["mm/mremap.c move_vma"], anon(2),
      [write("w", 0, 0x3e, done()), mremap(), read("r", 0, done(0x3e)), read("s", 1, done(0))]),
    scenario("mremap_without_event_remap_drops_registration", "without EVENT_REMAP the moved mapping is no longer registered: no fault, no event", src, anon(2),
      [api(), register(p(0, 2), ["missing"]), mremap(), read("r", 0, done(0)), noEvent()]),
    scenario("remap_event_blocks_and_keeps_registration", "with EVENT_REMAP mremap() blocks until REMAP is read, COPY is EAGAIN meanwhile, and the registration moves along", [...src, "abi618Events"], anon(2),
      [api(["event_remap"]), register(p(0, 2), ["missing"]), mremap({ thread: "m", expect: { outcome: "blocked" } }), copy(p(0), 1, { result: "EAGAIN", copy: -11 }),
        { op: "event", expect: { event: "remap", pages: 2 } }, wait("m", done()), read("r", 1, blocked), fault(1, []), zeropage(p(1)), wait("r", done(0))]),
  ];
}

function forkScenarios(): Scenario[] {
  const src = ["kernel/fork.c dup_mmap", "fs/userfaultfd.c dup_userfaultfd, dup_userfaultfd_complete"];
  const fork = (extra: Partial<Extract<Step, { op: "fork" }>> = {}): Step => ({ op: "fork", ...extra });
  const child = (expect: TouchExpect): Step => ({ op: "child_wait", expect });
  const onChild = <T extends Step>(s: T): T => ({ ...s, ctx: 1 });
  return [
    scenario("fork_child_sees_parent_data", "a forked child reads what the parent wrote", ["kernel/fork.c dup_mmap"], anon(2),
      [write("w", 0, 0x2d, done()), api(), fork({ childReads: 0 }), child(done(0x2d))]),
    scenario("fork_without_event_fork_child_unregistered", "without EVENT_FORK the child's copy is not registered: its read of a missing page sees zeroes, no event", [...src, "[ut events]"], anon(2),
      [api(), register(p(0, 2), ["missing"]), fork({ childReads: 0 }), child(done(0)), noEvent()]),
    scenario("fork_event_blocks_and_registers_child", "with EVENT_FORK fork() blocks until FORK is read; the child's fault goes to the new context, which resolves it", [...src, "abi618Events", "[ut events]"], anon(2),
      [api(["event_fork"]), register(p(0, 2), ["missing"]), fork({ thread: "f", childReads: 0, expect: { outcome: "blocked" } }),
        { op: "event", expect: { event: "fork" } }, wait("f", done()), child(blocked), onChild(fault(0, [])), onChild(copy(p(0), 0x61)), child(done(0x61)), noEvent()]),
    scenario("fork_event_with_sigbus_child_gets_sigbus", "with EVENT_FORK and SIGBUS the child's context inherits SIGBUS: its read of a missing page is SIGBUS", [...src, "[ut sigbus]"], anon(2),
      [api(["event_fork", "sigbus"]), register(p(0, 2), ["missing"]), fork({ thread: "f", childReads: 0, expect: { outcome: "blocked" } }), { op: "event", expect: { event: "fork" } }, wait("f", done()), child({ outcome: "sigbus" }), onChild(noEvent())]),
    scenario("wp_fork_without_event_child_write_ok", "without EVENT_FORK the child's copy loses the uffd-wp bit: its write to a protected page just copies", [...src, "mm/memory.c copy_present_pte", "[ut wp-fork]"], anon(2),
      [write("w", 0, 0x10, done()), api(), register(p(0, 2), ["wp"]), wp(p(0), true), fork({ childWrites: 0, childValue: 0x11 }), child(done()), noEvent(), read("r", 0, done(0x10))]),
    scenario("wp_fork_with_event_child_write_faults", "with EVENT_FORK the child keeps the uffd-wp bit: its write faults to the child's context until unprotected there", [...src, "[ut wp-fork-with-event]"], anon(2),
      [write("w", 0, 0x10, done()), api(["event_fork"]), register(p(0, 2), ["wp"]), wp(p(0), true), fork({ thread: "f", childWrites: 0, childValue: 0x11, expect: { outcome: "blocked" } }),
        { op: "event", expect: { event: "fork" } }, wait("f", done()), child(blocked), onChild(fault(0, ["write", "wp"])), onChild(wp(p(0), false)), child(done()), read("r", 0, done(0x10))]),
    scenario("move_src_shared_with_child_ebusy", "MOVE of a source page still mapped by a forked child is EBUSY", ["abi618Move", "mm/userfaultfd.c move_pages_pte (folio_maybe_mapped_shared)"], anon(4),
      [write("w", 2, 0x05, done()), api(), register(p(0, 2), ["missing"]), fork(), move(2, 0, { result: "EBUSY", move: -16 }, { srcIn: "primary" })]),
  ];
}

/** 1024 pages: 4 MiB always holds a whole 2 MiB-aligned PMD range, wherever mmap() puts it. */
const COLLAPSE_PAGES = 1024;
const COLLAPSE_SRC = ["mm/khugepaged.c madvise_collapse, hpage_collapse_scan_pmd, madvise_collapse_errno"];
const collapse = (): Step => ({ op: "madvise", advice: "collapse", page: 0, pages: COLLAPSE_PAGES });
const collapseRefused = (result: "EBUSY" | "EINVAL"): Step => ({ ...collapse(), expect: { result } } as Step);

function collapseScenarios(): Scenario[] {
  const full = (extra: Partial<ScenarioSetup> = {}) => anon(COLLAPSE_PAGES, { populate: [{ page: 0, pages: COLLAPSE_PAGES, value: 0x21 }], ...extra });
  const all = p(0, COLLAPSE_PAGES);
  return [
    scenario("collapse_populated_missing_range", "MADV_COLLAPSE of a fully populated MISSING-registered range succeeds and keeps the data", [...COLLAPSE_SRC, "[ut move-pmd]"], full(),
      [api(), register(all, ["missing"]), collapse(), read("r", 5, done(0x21))]),
    scenario("collapse_missing_range_with_holes_ebusy", "MADV_COLLAPSE over a registered range with unpopulated pages is EBUSY (no page may be invented under userfaultfd)", COLLAPSE_SRC,
      anon(COLLAPSE_PAGES, { populate: Array.from({ length: 16 }, (_, k) => ({ page: k * 64, pages: 32, value: 0x21 })) }),
      [api(), register(all, ["missing"]), collapseRefused("EBUSY"), noEvent()]),
    scenario("collapse_missing_range_emptied_einval", "after MADV_DONTNEED of every page the empty page tables are reclaimed: MADV_COLLAPSE is EINVAL", [...COLLAPSE_SRC, "mm/pt_reclaim.c (Linux 6.14+, CONFIG_PT_RECLAIM)"], full(),
      [api(), register(all, ["missing"]), { op: "madvise", advice: "dontneed", page: 0, pages: COLLAPSE_PAGES }, collapseRefused("EINVAL"), noEvent()]),
    scenario("collapse_never_populated_einval", "MADV_COLLAPSE over a range that never had a page (no page table) is EINVAL", [...COLLAPSE_SRC, "mm/khugepaged.c find_pmd_or_thp_or_none"], anon(COLLAPSE_PAGES),
      [api(), register(all, ["missing"]), collapseRefused("EINVAL"), noEvent()]),
    scenario("collapse_wp_protected_einval", "MADV_COLLAPSE over write-protected pages is EINVAL (uffd-wp bits cannot be kept in a PMD)", COLLAPSE_SRC, full(),
      [api(), register(all, ["wp"]), wp(all, true), collapseRefused("EINVAL"), read("r", 7, done(0x21))]),
    scenario("collapse_wp_registered_unprotected", "MADV_COLLAPSE over a WP-registered range with no page protected succeeds", COLLAPSE_SRC, full(),
      [api(), register(all, ["wp"]), collapse(), write("w", 3, 0x22, done()), noEvent()]),
  ];
}

/** The anon suite's share: ABI cases that do not depend on the memory kind. */
export function abiAnonScenarios(): Scenario[] {
  return [...apiMaskScenarios(), ...rawModeScenarios(), ...fdScenarios(), ...exactAddressScenarios(), ...kernelAccessScenarios(), ...munmapScenarios(), ...copySourceScenarios(), ...layoutScenarios(), ...mremapScenarios(), ...forkScenarios(), ...collapseScenarios()];
}

/** hugetlb: fault addresses are masked to the huge page; EXACT_ADDRESS keeps the offset. */
export function hugetlbAddressScenarios(needs: KernelNeed[]): Scenario[] {
  const setup: ScenarioSetup = { kind: "hugetlb", pages: 2, map: "shared", needs };
  const off = 3 * PS + 5;
  const touch = { op: "touch" as const, thread: "r", page: 0, access: "read" as const, offsetBytes: off, expect: blocked };
  return [
    scenario("copy_src_hugetlb_page", "a COPY into hugetlb whose source is another hugetlb page (through the alias mapping)", ["mm/hugetlb.c hugetlb_mfill_atomic_pte (copy_folio_from_user)", "abi618CopySrcFault"], { ...setup, alias: true },
      [write("w", 1, 0x58, done(), "alias"), api(), register(p(0), ["missing"]), { op: "copy", page: 0, src: { page: 1, in: "alias" }, expect: { copy: 2 * 1024 * 1024 } }, read("r", 0, done(0x58))]),
    scenario("address_masked_to_huge_page", "without EXACT_ADDRESS a hugetlb fault is reported at the huge page's start", [SRC.exact, "abi618WakeFlags"], setup,
      [api(), register(p(0, 2), ["missing"]), touch, fault(0, []), copy(p(0), 5), wait("r", done(5))]),
    scenario("exact_address_in_huge_page", "with EXACT_ADDRESS a hugetlb fault keeps its offset in the huge page", [SRC.exact], setup,
      [api(["exact_address"]), register(p(0, 2), ["missing"]), touch, { op: "event", expect: { event: "pagefault", page: 0, offset: off, flags: [] } }, copy(p(0), 5), wait("r", done(5))]),
  ];
}

/** shmem (memfd): the file operations the IR can name. */
export function shmemFileScenarios(): Scenario[] {
  const setup: ScenarioSetup = { kind: "shmem", pages: 2, map: "shared" };
  return [
    scenario("fstat_size", "fstat() of the memfd reports the mapped size", ["mm/shmem.c shmem_getattr"], setup, [{ op: "fstat", expect: { size: 2 * PS } }]),
    scenario("fallocate_past_eof_keep_size_ok", "fallocate(KEEP_SIZE) past EOF is accepted on shmem and the size stays", ["mm/shmem.c shmem_fallocate"], setup,
      [{ op: "fallocate", mode: "allocate", page: 2, pages: 2 }, { op: "fstat", expect: { size: 2 * PS } }]),
    scenario("pwrite_then_pread", "pwrite() then pread() of a page through the memfd", ["mm/shmem.c shmem_file_read_iter"], setup,
      [{ op: "file_write", page: 1, value: 0x6b, via: "pwrite" }, { op: "file_read", page: 1, via: "pread", expect: { value: 0x6b } }, read("r", 1, done(0x6b))]),
    scenario("copy_src_shmem_alias", "a COPY whose source is a shmem page (through the alias mapping)", ["mm/userfaultfd.c mfill_atomic", "mm/shmem.c shmem_mfill_atomic_pte"], { ...setup, alias: true },
      [write("w", 1, 0x58, done(), "alias"), api(), register(p(0), ["missing"]), { op: "copy", page: 0, src: { page: 1, in: "alias" }, expect: { copy: PS } }, read("r", 0, done(0x58))]),
    scenario("remap_event_shmem_keeps_minor", "shmem: with EVENT_REMAP a MINOR registration moves with the mapping", ["mm/mremap.c move_vma", "fs/userfaultfd.c mremap_userfaultfd_prep"], setup,
      [{ op: "file_write", page: 0, value: 0x4d, via: "pwrite" }, api(["event_remap"]), register(p(0, 2), ["minor"]), { op: "mremap", thread: "m", expect: { outcome: "blocked" } },
        { op: "event", expect: { event: "remap", pages: 2 } }, wait("m", done()), read("r", 0, blocked), fault(0, ["minor"]), { op: "continue", page: 0, expect: { mapped: PS } }, wait("r", done(0x4d))]),
    scenario("fallocate_then_minor_fault", "a page allocated by fallocate() is in the page cache: MINOR faults, CONTINUE maps zeroes", ["mm/shmem.c shmem_fallocate", "[ut minor]"], setup,
      [{ op: "fallocate", mode: "allocate", page: 0 }, api(), register(p(0, 2), ["minor"]), read("r", 0, blocked), fault(0, ["minor"]), { op: "continue", page: 0, expect: { mapped: PS } }, wait("r", done(0))]),
    scenario("punch_then_missing_fault", "fallocate(PUNCH_HOLE) drops the page: the next read is a MISSING fault", ["mm/shmem.c shmem_fallocate"], setup,
      [write("w", 0, 0x12, done()), { op: "fallocate", mode: "punch", page: 0 }, api(), register(p(0, 2), ["missing"]), read("r", 0, blocked), fault(0, []), copy(p(0), 0x13), wait("r", done(0x13))]),
  ];
}

/** guest_memfd: the descriptor's operations and the creation flags ([gm] tests, measured on 6.18). */
export function gmemFileScenarios(): Scenario[] {
  const needs: KernelNeed[] = ["kvm"];
  const setup = (flags: GmemFlag[] = ["mmap", "init_shared"], extra: Partial<ScenarioSetup> = {}): ScenarioSetup => ({ kind: "guest_memfd", pages: 2, map: "shared", gmemFlags: flags, needs, ...extra });
  const fa = (mode: "allocate" | "punch", page: number, pages: number, result: "ok" | "EINVAL" = "ok", bytes: { offsetBytes?: number; lenBytes?: number } = {}): Step => ({ op: "fallocate", mode, page, pages, ...bytes, expect: { result } });
  return [
    scenario("gmem_fstat_size", "fstat() of a guest_memfd reports the requested size", ["[gm test_file_size]"], setup(), [{ op: "fstat", expect: { size: 2 * PS } }]),
    scenario("gmem_fallocate_inside_ok", "fallocate(KEEP_SIZE) inside the file succeeds; the pages read as zero", ["[gm test_fallocate]", SRC.gmemFalloc], setup(),
      [fa("allocate", 0, 2), read("r", 0, done(0))]),
    scenario("gmem_fallocate_past_eof_einval", "fallocate(KEEP_SIZE) at or past EOF is EINVAL (the file is immutable in size)", ["[gm test_fallocate]", SRC.gmemFalloc], setup(),
      [fa("allocate", 2, 1, "EINVAL"), fa("allocate", 1, 2, "EINVAL")]),
    scenario("gmem_punch_past_eof_ok", "PUNCH_HOLE at or past EOF is accepted", ["[gm test_fallocate]", SRC.gmemFalloc], setup(), [fa("punch", 2, 2)]),
    scenario("gmem_punch_unaligned_einval", "an unaligned PUNCH_HOLE offset or length is EINVAL", ["[gm test_invalid_punch_hole]", SRC.gmemFalloc], setup(),
      [fa("punch", 0, 1, "EINVAL", { offsetBytes: 1, lenBytes: PS }), fa("punch", 0, 1, "EINVAL", { lenBytes: PS - 1 }), fa("punch", 0, 1, "EINVAL", { offsetBytes: PS / 2, lenBytes: PS / 2 })]),
    scenario("gmem_punch_zeroes_page", "PUNCH_HOLE through fallocate zeroes the page", ["[gm test_mmap_supported]", SRC.gmemFalloc], setup(),
      [write("w", 0, 0x71, done()), fa("punch", 0, 1), read("r", 0, done(0))]),
    scenario("gmem_read_fd_einval", "read() on a guest_memfd is EINVAL (no read_iter)", ["[gm test_file_read_write]", "fs/read_write.c vfs_read"], setup(),
      [{ op: "file_read", page: 0, via: "read", expect: { result: "EINVAL" } }]),
    scenario("gmem_pread_fd_espipe", "pread() on a guest_memfd is ESPIPE (no FMODE_PREAD)", ["[gm test_file_read_write]", "fs/read_write.c ksys_pread64"], setup(),
      [{ op: "file_read", page: 0, via: "pread", expect: { result: "ESPIPE" } }]),
    scenario("gmem_write_fd_einval", "write() on a guest_memfd is EINVAL (no write_iter)", ["[gm test_file_read_write]", "fs/read_write.c vfs_write"], setup(),
      [{ op: "file_write", page: 0, value: 1, via: "write", expect: { result: "EINVAL" } }]),
    scenario("gmem_create_unknown_flag_einval", "KVM_CREATE_GUEST_MEMFD with flag bit 1 << 5 (not in KVM_CAP_GUEST_MEMFD_FLAGS) is EINVAL", ["[gm test_guest_memfd_flags]", SRC.gmemCreate], setup(["mmap"], { gmemRawFlags: 1 << 5, createExpect: "EINVAL" }),
      [{ op: "fstat", expect: { result: "EBADF" } }]),
    scenario("gmem_cap_flags", "KVM_CAP_GUEST_MEMFD_FLAGS advertises MMAP | INIT_SHARED; KVM_CAP_GUEST_MEMFD is 1", ["[gm test_guest_memfd_flags]", "virt/kvm/kvm_main.c kvm_vm_ioctl_check_extension_generic"], setup(),
      [{ op: "kvm_cap", cap: "guest_memfd_flags", expect: { value: 3 } }, { op: "kvm_cap", cap: "guest_memfd", expect: { value: 1 } }]),
    scenario("gmem_kernel_read_shared_ok", "the kernel can read a shared guest_memfd mapping (write(2) of it)", ["abi618Gmem"], setup(),
      [write("w", 0, 0x3c, done()), { op: "syscall", thread: "k", call: "write", page: 0, expect: { outcome: "done", result: "ok" } }]),
    scenario("gmem_kernel_read_private_efault", "a kernel access to an MMAP-only (private) guest_memfd mapping is EFAULT", ["abi618Gmem"], setup(["mmap"]),
      [{ op: "syscall", thread: "k", call: "write", page: 0, expect: { outcome: "done", result: "EFAULT" } }]),
  ];
}
