/**
 * Reference scenarios for the page-cache kinds: shmem (memfd), shared anonymous
 * memory (shmem underneath) and hugetlbfs (2 MiB pages). One generator, with
 * the kinds' differences spelled out where they apply: hugetlb has no ZEROPAGE
 * (BASIC ioctl set) and huge-page alignment; pwrite() to hugetlbfs is not
 * supported, so page-cache contents are written through the alias mapping.
 */
import { KIND_SUPPORT } from "../../kernel/kinds.js";
import type { KernelNeed, Scenario, ScenarioSetup, Suite } from "../../ir/scenario.js";
import {
  api, blocked, cont, copy, done, fault, madvise, move, neg, noEvent, p, poison, read, register, registerMask, removeEvent,
  scenario, sigbus, unregister, wait, wake, wp, write, zeropage,
} from "./build.js";
import { modeCombos, modeName } from "./combos.js";
import { hugetlbAddressScenarios, shmemFileScenarios } from "./abi.js";
import { raceScenarios } from "./races.js";

type FileKind = "shmem" | "shmem-anon" | "hugetlb";

export function fileBackedSuite(kind: FileKind): Suite {
  const PS = KIND_SUPPORT[kind].pageSize;
  const huge = kind === "hugetlb";
  const needs: KernelNeed[] = huge ? ["hugetlb-pages"] : [];
  const setup = (extra: Partial<ScenarioSetup> = {}): ScenarioSetup => ({ kind, pages: 2, map: "shared", alias: true, ...(needs.length ? { needs } : {}), ...extra });
  const fill = (page: number, value: number) => write(`fill${page}`, page, value, done(), "alias");
  const src: string[] = [];
  const s = (name: string, title: string, source: string[], st: ScenarioSetup, steps: Scenario["steps"]) => scenario(name, title, [...source, ...src], st, steps);

  const out: Scenario[] = [];
  for (const modes of modeCombos()) {
    const bad = modes.length === 0;
    out.push(s(`register_${modeName(modes)}`, bad ? `registering no mode on ${kind} is EINVAL` : `registering ${modeName(modes)} on ${kind} returns the 6.18 ioctls mask`,
      ["[ut register-ioctls]", "abi618IoctlsMask"], setup(), [api(), register(p(0, 2), modes, bad ? { result: "EINVAL" } : { ioctls: registerMask(kind, modes) })]));
  }

  out.push(
    s("missing_read_copy", "a read of a missing page blocks with flags 0; COPY fills the page cache and wakes it", ["[ut events]", "abi618WakeFlags"], setup(),
      [api(), register(p(0, 2), ["missing"]), read("r", 0, blocked), fault(0, []), copy(p(0), 0x5a, { copy: PS }), wait("r", done(0x5a)), read("a", 0, done(0x5a), "alias")]),
    s("missing_write_flags", "a write to a missing page raises flags write", ["abi618WakeFlags"], setup(),
      [api(), register(p(0, 2), ["missing"]), write("w", 1, 0x11, blocked), fault(1, ["write"]), copy(p(1), 0x22, { copy: PS }), wait("w", done()), read("r", 1, done(0x11))]),
    s("page_cache_present_no_fault", "a page already in the page cache does not raise a MISSING fault", ["[rst] MISSING"], setup(),
      [fill(0, 0x44), api(), register(p(0, 2), ["missing"]), read("r", 0, done(0x44)), noEvent()]),
    s("copy_eexist", "COPY over a page in the page cache is EEXIST, written back", ["abi618WriteBack"], setup(),
      [fill(0, 1), api(), register(p(0, 2), ["missing"]), copy(p(0), 2, { result: "EEXIST", copy: neg(17) })]),
    s("copy_unaligned_untouched", "an unaligned COPY is EINVAL, field untouched", ["abi618WriteBack"], setup(),
      [api(), register(p(0, 2), ["missing"]), copy({ page: 0, offsetBytes: 8 }, 1, { result: "EINVAL", copy: "untouched" })]),
    s("copy_unregistered_enoent", "COPY into an unregistered range is ENOENT, written back", ["abi618WriteBack"], setup(),
      [api(), register(p(0), ["missing"]), copy(p(1), 1, { result: "ENOENT", copy: neg(2) })]),
    s("copy_in_wp_only_range", "COPY works in a WP-only range", ["abi618IoctlsMask"], setup(),
      [api(), register(p(0, 2), ["wp"]), copy(p(0), 0x42, { copy: PS }), read("r", 0, done(0x42))]),
    s("unregister_wakes_missing", "UNREGISTER wakes a faulter blocked in MISSING mode", ["abi618Unregister"], setup(),
      [api(), register(p(0, 2), ["missing"]), read("r", 0, blocked), fault(0, []), unregister(p(0, 2)), wait("r", done(0))]),
    s("wake_without_resolving", "WAKE without resolving makes the faulter retry and queue a second message", ["abi618WakeFlags"], setup(),
      [api(), register(p(0, 2), ["missing"]), read("r", 0, blocked), fault(0, []), wake(p(0)), fault(0, []), copy(p(0), 3, { copy: PS }), wait("r", done(3))]),
    s("sigbus_feature", "with FEATURE_SIGBUS a missing fault raises SIGBUS", ["[ut sigbus]"], setup(),
      [api(["sigbus"]), register(p(0, 2), ["missing"]), read("r", 0, sigbus), noEvent(), copy(p(0), 9, { copy: PS }), read("s", 0, done(9))]),
  );

  if (huge) {
    out.push(
      s("zeropage_einval", "hugetlb has no ZEROPAGE: EINVAL written back as -22", ["[ut zeropage]", "abi618IoctlsMask", "abi618WriteBack"], setup(),
        [api(), register(p(0, 2), ["missing"]), zeropage(p(0), { result: "EINVAL", zeropage: neg(22) })]),
      s("copy_small_page_einval", "a 4 KiB-aligned but not 2 MiB-aligned COPY is EINVAL, written back", ["abi618WriteBack"], setup(),
        [api(), register(p(0, 2), ["missing"]), copy({ page: 0, offsetBytes: 4096, lenBytes: 4096 }, 1, { result: "EINVAL", copy: neg(22) })]),
    );
  } else {
    out.push(
      s("zeropage", "ZEROPAGE maps zeroes; a second ZEROPAGE is EEXIST", ["[ut zeropage]"], setup(),
        [api(), register(p(0, 2), ["missing"]), zeropage(p(0), { zeropage: PS }), read("r", 0, done(0)), zeropage(p(0), { result: "EEXIST", zeropage: neg(17) })]),
      s("move_einval", "MOVE is advertised for shmem but refused: EINVAL written back", ["abi618IoctlsMask", "abi618Move"], setup({ srcPages: 1 }),
        [api(), register(p(0, 2), ["missing"], { ioctls: registerMask(kind, ["missing"]) }), move(0, 0, { result: "EINVAL", move: neg(22) }, { srcFill: { byte: 1 } })]),
    );
  }

  out.push(
    s("minor_continue", "a read of a page-cache page in a MINOR range blocks with flags minor; CONTINUE maps it", ["[ut minor]", "abi618WakeFlags"], setup(),
      [fill(0, 0x33), api(), register(p(0, 2), ["minor"]), read("r", 0, blocked), fault(0, ["minor"]), cont(p(0), { mapped: PS }), wait("r", done(0x33))]),
    s("minor_write_flags", "a write in a MINOR range faults with flags minor,write", ["abi618WakeFlags"], setup(),
      [fill(1, 0x10), api(), register(p(0, 2), ["minor"]), write("w", 1, 0x20, blocked), fault(1, ["minor", "write"]), cont(p(1), { mapped: PS }), wait("w", done()), read("a", 1, done(0x20), "alias")]),
    s("minor_missing_page_not_minor", "in a MINOR-only range a page absent from the page cache is filled without a fault", ["[rst] MINOR"], setup(),
      [api(), register(p(0, 2), ["minor"]), read("r", 0, done(0)), noEvent()]),
    s("minor_modified_before_continue", "the monitor can change the page through the alias before CONTINUE", ["[ut minor]"], setup(),
      [fill(0, 0x01), api(), register(p(0, 2), ["minor"]), read("r", 0, blocked), fault(0, ["minor"]), fill(0, 0xfe), cont(p(0), { mapped: PS }), wait("r", done(0xfe))]),
    s("continue_no_page_efault", "CONTINUE where the page cache has no page is EFAULT", ["[man UFFDIO_CONTINUE]"], setup(),
      [api(), register(p(0, 2), ["minor"]), cont(p(0), { result: "EFAULT", mapped: neg(14) })]),
    s("continue_present_eexist", "CONTINUE over an already mapped page is EEXIST", ["[man UFFDIO_CONTINUE]"], setup(),
      [fill(0, 5), api(), register(p(0, 2), ["minor"]), read("r", 0, blocked), cont(p(0), { mapped: PS }), wait("r", done(5)), cont(p(0), { result: "EEXIST", mapped: neg(17) })]),
    s("continue_in_missing_range", "CONTINUE is not advertised for a MISSING-only range, but it works there", ["abi618IoctlsMask"], setup(),
      [fill(0, 0x66), api(), register(p(0, 2), ["missing"], { ioctls: registerMask(kind, ["missing"]) }), cont(p(0), { mapped: PS }), read("r", 0, done(0x66))]),
    s("minor_wp_continue_wp", "MINOR|WP: CONTINUE with MODE_WP maps the page protected; the write faults wp,write", ["[ut minor-wp]"], setup(),
      [fill(0, 0x70), api(), register(p(0, 2), ["minor", "wp"]), read("r", 0, blocked), fault(0, ["minor"]), cont(p(0), { mapped: PS }, ["wp"]), wait("r", done(0x70)), write("w", 0, 0x71, blocked), fault(0, ["wp", "write"]), wp(p(0), false), wait("w", done())]),
    s("unregister_keeps_minor_blocked", "UNREGISTER does not wake a MINOR-blocked faulter; WAKE does", ["abi618Unregister"], setup(),
      [fill(0, 0x12), api(), register(p(0, 2), ["minor"]), read("r", 0, blocked), fault(0, ["minor"]), unregister(p(0, 2)), wait("r", blocked), wake(p(0)), wait("r", done(0x12))]),
    s("wp_fault_flags", "a write to a write-protected page-cache page faults wp,write; unprotect wakes it", ["abi618WakeFlags", "[ut wp-fork]"], setup(),
      [fill(0, 1), read("pre", 0, done(1)), api(), register(p(0, 2), ["wp"]), wp(p(0), true), write("w", 0, 2, blocked), fault(0, ["wp", "write"]), wp(p(0), false), wait("w", done()), read("a", 0, done(2), "alias")]),
    s("unregister_keeps_wp_blocked", "UNREGISTER does not wake a WP-blocked faulter; WAKE does", ["abi618Unregister"], setup(),
      [fill(0, 1), read("pre", 0, done(1)), api(), register(p(0, 2), ["wp"]), wp(p(0), true), write("w", 0, 2, blocked), fault(0, ["wp", "write"]), unregister(p(0, 2)), wait("w", blocked), wake(p(0)), wait("w", done())]),
    s("missing_wp_write_missing", "a write to a missing page in a MISSING|WP range gives flags write only", ["abi618WakeFlags"], setup(),
      [api(), register(p(0, 2), ["missing", "wp"]), write("w", 0, 3, blocked), fault(0, ["write"]), copy(p(0), 4, { copy: PS }), wait("w", done())]),
    s("poison_then_touch_sigbus", "a user access to a poisoned pte raises SIGBUS", ["[ut poison]", "abi618Poison"], setup(),
      [api(["poison"]), register(p(0, 2), ["missing"]), poison(p(0), { updated: PS }), read("r", 0, sigbus), poison(p(0), { result: "EEXIST", updated: neg(17) })]),
    s("poison_resolves_blocked", "POISON resolves an already-blocked fault with SIGBUS", ["abi618Poison"], setup(),
      [api(["poison"]), register(p(0, 2), ["missing"]), read("r", 0, blocked), fault(0, []), poison(p(0), { updated: PS }), wait("r", sigbus)]),
  );

  if (!huge) {
    out.push(
      s("remove_event", "with EVENT_REMOVE, MADV_REMOVE blocks until the monitor reads the REMOVE event", ["[ut events]", "abi618Events"], setup(),
        [api(["event_remove"]), register(p(0, 2), ["missing"]), copy(p(0), 1, { copy: PS }), madvise("remove", 0, { thread: "m", expect: { outcome: "blocked" } }), removeEvent(0, 1), wait("m", done()), read("r", 0, blocked), fault(0, [])]),
      s("mmap_changing_eagain", "while a REMOVE event is unread, COPY, ZEROPAGE, POISON and CONTINUE are EAGAIN written back", ["[ut mmap-changing]", "abi618Events"], setup(),
        [fill(1, 0x0f), api(["event_remove", "poison"]), register(p(0, 2), ["missing", "minor"]), copy(p(0), 1, { copy: PS }), madvise("remove", 0, { thread: "m", expect: { outcome: "blocked" } }),
          copy(p(0), 2, { result: "EAGAIN", copy: neg(11) }), zeropage(p(0), { result: "EAGAIN", zeropage: neg(11) }), poison(p(0), { result: "EAGAIN", updated: neg(11) }),
          cont(p(1), { result: "EAGAIN", mapped: neg(11) }), removeEvent(0, 1), wait("m", done()), cont(p(1), { mapped: PS })]),
    );
  }
  if (kind === "shmem") {
    out.push(
      s("readonly_shared_eperm", "registering a read-only MAP_SHARED file mapping is EPERM (no VM_MAYWRITE)", ["abi618Register"], setup({ readonly: true, alias: false }),
        [api(), register(p(0, 2), ["missing"], { result: "EPERM" })]),
      s("file_write_then_read", "pwrite() populates the page cache; a read in a MISSING range does not fault", ["[rst] MISSING"], setup(),
        [{ op: "file_write", page: 0, value: 0x2c, via: "pwrite" }, api(), register(p(0, 2), ["missing"]), read("r", 0, done(0x2c)), noEvent()]),
      s("private_copy", "COPY into a MAP_PRIVATE shmem mapping fills the private copy, not the page cache", ["[ut events] shmem-private"], setup({ map: "private" }),
        [api(), register(p(0, 2), ["missing"]), read("r", 0, blocked), fault(0, []), copy(p(0), 0x7e, { copy: PS }), wait("r", done(0x7e)), read("a", 0, done(0), "alias")]),
    );
  }
  if (kind === "shmem") out.push(...shmemFileScenarios(), ...raceScenarios("shmem"));
  if (huge) out.push(...hugetlbAddressScenarios(needs));
  return { name: kind, title: `userfaultfd on ${KIND_SUPPORT[kind].title} (Linux 6.18)`, scenarios: out };
}

export { unregister };
