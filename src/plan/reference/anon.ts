/**
 * Reference scenarios for private anonymous memory, and the kind-independent
 * UFFDIO_API cases. Every expectation is what Linux 6.18 does (checked by
 * running this suite on the kernel); `source` names the uffd-unit-tests case
 * ([ut name]), the 6.18 behaviour it checks (an abi618* key of
 * src/kernel/sources.ts: the kernel code and the observation) or its rule.
 */
import { PAGE_SIZE, type RegisterMode } from "../../kernel/uapi.js";
import type { Scenario, ScenarioSetup } from "../../ir/scenario.js";
import {
  api, blocked, copy, done, fault, madvise, move, neg, noEvent, p, poison, read, register, registerMask, removeEvent,
  scenario, sigbus, unregister, wait, wake, wp, write, zeropage,
} from "./build.js";
import { modeCombos, modeName } from "./combos.js";
import { abiAnonScenarios } from "./abi.js";
import { raceScenarios } from "./races.js";

const PS = PAGE_SIZE;
const anon = (pages = 2, extra: Partial<ScenarioSetup> = {}): ScenarioSetup => ({ kind: "anon", pages, map: "private", ...extra });

function apiScenarios(): Scenario[] {
  return [
    scenario("api_handshake", "UFFDIO_API with features=0 succeeds", ["[ut UFFDIO_API]"], anon(1), [api()]),
    scenario("api_twice_einval", "a second UFFDIO_API on an initialised fd is EINVAL, even after features=0", ["[ut UFFDIO_API]", "abi618Api"], anon(1), [api(), api([], "EINVAL")]),
    scenario("api_twice_with_features", "a second UFFDIO_API is EINVAL whatever it asks for", ["abi618Api"], anon(1), [api(["event_remove"]), api(["thread_id"], "EINVAL")]),
    scenario("api_bad_version", "api != UFFD_API is EINVAL", ["[ut UFFDIO_API]"], anon(1), [api([], "EINVAL", { badApi: true })]),
    scenario("api_unknown_feature_then_ok", "an unknown feature bit is EINVAL but the fd stays usable for a correct handshake", ["[ut UFFDIO_API]", "abi618Api"], anon(1), [api([], "EINVAL", { unknownFeature: true }), api()]),
    scenario("api_all_known_features", "every feature 6.18 knows is accepted on anon", ["abi618Api"], anon(1), [api(["event_fork", "event_remap", "event_remove", "event_unmap", "sigbus", "thread_id", "exact_address", "wp_unpopulated", "poison", "move", "pagefault_flag_wp", "missing_shmem", "missing_hugetlbfs", "minor_shmem", "minor_hugetlbfs", "wp_hugetlbfs_shmem"])]),
    scenario("register_before_api", "REGISTER before UFFDIO_API is EINVAL", ["fs/userfaultfd.c userfaultfd_ioctl"], anon(1), [register(p(0), ["missing"], { result: "EINVAL" })]),
  ];
}

function registerScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const modes of modeCombos()) {
    const bad = modes.length === 0 || modes.includes("minor");
    out.push(
      scenario(`register_${modeName(modes)}`, bad ? `registering ${modeName(modes)} on anon is EINVAL` : `registering ${modeName(modes)} on anon returns the 6.18 ioctls mask`,
        ["[ut register-ioctls]", "abi618IoctlsMask"], anon(2),
        [api(), register(p(0, 2), modes, bad ? { result: "EINVAL" } : { ioctls: registerMask("anon", modes) })]),
    );
  }
  return out;
}

function missingScenarios(): Scenario[] {
  const base = (): [ReturnType<typeof api>, ReturnType<typeof register>] => [api(), register(p(0, 2), ["missing"])];
  return [
    scenario("missing_read_copy", "a read of a missing page blocks, raises flags 0, and COPY resolves it", ["[ut move]", "abi618WakeFlags"], anon(),
      [...base(), read("r", 0, blocked), fault(0, []), copy(p(0), 0x5a, { copy: PS }), wait("r", done(0x5a)), noEvent()]),
    scenario("missing_write_flags", "a write to a missing page raises flags write", ["abi618WakeFlags"], anon(),
      [...base(), write("w", 1, 0x11, blocked), fault(1, ["write"]), copy(p(1), 0x22, { copy: PS }), wait("w", done()), read("r", 1, done(0x11))]),
    scenario("missing_thread_id", "with THREAD_ID the fault message names the faulting thread", ["[rst] UFFD_FEATURE_THREAD_ID"], anon(),
      [api(["thread_id"]), register(p(0, 2), ["missing"]), read("alice", 1, blocked), fault(1, [], "alice"), zeropage(p(1), { zeropage: PS }), wait("alice", done(0))]),
    scenario("copy_eexist", "COPY over a present page is EEXIST, written back as -17", ["abi618WriteBack"], anon(),
      [...base(), copy(p(0), 1, { copy: PS }), copy(p(0), 2, { result: "EEXIST", copy: neg(17) }), read("r", 0, done(1))]),
    scenario("copy_partial_eagain", "a COPY that stops at a present page returns EAGAIN with the bytes done", ["abi618WriteBack"], anon(),
      [...base(), copy(p(1), 1, { copy: PS }), copy(p(0, 2), 2, { result: "EAGAIN", copy: PS }), read("r", 0, done(2)), read("s", 1, done(1))]),
    scenario("copy_unaligned_untouched", "an unaligned COPY is EINVAL and leaves the copy field untouched", ["abi618WriteBack"], anon(),
      [...base(), copy({ page: 0, offsetBytes: 8 }, 1, { result: "EINVAL", copy: "untouched" })]),
    scenario("copy_len_zero", "a COPY of length 0 is EINVAL, field untouched", ["abi618WriteBack"], anon(),
      [...base(), copy({ page: 0, lenBytes: 0 }, 1, { result: "EINVAL", copy: "untouched" })]),
    scenario("copy_unregistered_enoent", "COPY into an unregistered range is ENOENT, written back", ["abi618WriteBack"], anon(),
      [api(), register(p(0), ["missing"]), copy(p(1), 1, { result: "ENOENT", copy: neg(2) })]),
    scenario("copy_mode_wp_without_wp", "COPY with MODE_WP into a MISSING-only range is EINVAL, written back", ["abi618WriteBack"], anon(),
      [...base(), copy(p(0), 1, { result: "EINVAL", copy: neg(22) }, ["wp"])]),
    scenario("copy_dontwake_then_wake", "COPY with DONTWAKE leaves the faulter blocked until UFFDIO_WAKE", ["[man UFFDIO_COPY]"], anon(),
      [...base(), read("r", 0, blocked), fault(0, []), copy(p(0), 7, { copy: PS }, ["dontwake"]), wait("r", blocked), wake(p(0)), wait("r", done(7))]),
    scenario("zeropage", "ZEROPAGE maps zeroes; a second ZEROPAGE is EEXIST", ["[ut zeropage]"], anon(),
      [...base(), zeropage(p(0), { zeropage: PS }), read("r", 0, done(0)), zeropage(p(0), { result: "EEXIST", zeropage: neg(17) })]),
    scenario("zeropage_resolves_fault", "ZEROPAGE resolves a blocked read fault", ["[ut zeropage]"], anon(),
      [...base(), read("r", 0, blocked), fault(0, []), zeropage(p(0), { zeropage: PS }), wait("r", done(0))]),
    scenario("wake_without_resolving", "WAKE without resolving makes the faulter retry and queue a second message", ["abi618WakeFlags"], anon(),
      [...base(), read("r", 0, blocked), fault(0, []), wake(p(0)), fault(0, []), wait("r", blocked), copy(p(0), 3, { copy: PS }), wait("r", done(3))]),
    scenario("wake_unmapped_range", "UFFDIO_WAKE never looks at vmas: OK on an unmapped range", ["abi618WakeFlags"], anon(),
      [...base(), wake(p(4096))]),
    scenario("unregister_wakes_missing", "UNREGISTER wakes a faulter blocked in MISSING mode", ["abi618Unregister"], anon(),
      [...base(), read("r", 0, blocked), fault(0, []), unregister(p(0, 2)), wait("r", done(0))]),
    scenario("close_wakes_faulter", "closing the userfaultfd wakes a blocked faulter", ["[man userfaultfd]"], anon(),
      [...base(), read("r", 0, blocked), { op: "close" }, wait("r", done(0))]),
    scenario("unregister_never_registered", "unregistering a mapped but never-registered range is OK", ["abi618Register"], anon(),
      [api(), unregister(p(0, 2))]),
    scenario("unregister_other_ctx", "unregistering through another userfaultfd is EINVAL", ["abi618Register"], anon(2, { contexts: 2 }),
      [api(), { ...api(), ctx: 1 }, register(p(0, 2), ["missing"]), unregister(p(0, 2), "EINVAL", 1), read("r", 0, blocked), fault(0, [])]),
    scenario("reregister_replaces_mode", "re-registering with another mode replaces it: MISSING then WP drops MISSING", ["abi618Register"], anon(),
      [...base(), register(p(0, 2), ["wp"]), read("r", 0, done(0)), noEvent()]),
    scenario("sigbus_feature", "with FEATURE_SIGBUS a missing fault raises SIGBUS; COPY then fills the page", ["[ut sigbus]"], anon(),
      [api(["sigbus"]), register(p(0, 2), ["missing"]), read("r", 0, sigbus), noEvent(), copy(p(0), 9, { copy: PS }), read("s", 0, done(9))]),
    scenario("sigbus_wp", "FEATURE_SIGBUS applies to WP faults too: the write raises SIGBUS and queues nothing", ["[ut sigbus-wp]"], anon(),
      [api(["sigbus"]), register(p(0, 2), ["missing", "wp"]), copy(p(0), 4, { copy: PS }, ["wp"]), write("w", 0, 5, sigbus), noEvent(), wp(p(0), false), write("v", 0, 6, done()), read("r", 1, sigbus)]),
  ];
}

function wpScenarios(): Scenario[] {
  return [
    scenario("wp_fault_flags", "a write to a write-protected page blocks with flags wp,write; unprotect wakes it", ["abi618WakeFlags", "[ut wp-fork]"], anon(),
      [write("pre", 0, 1, done()), api(), register(p(0, 2), ["wp"], { ioctls: registerMask("anon", ["wp"]) }), wp(p(0), true), write("w", 0, 2, blocked), fault(0, ["wp", "write"]), wp(p(0), false), wait("w", done()), read("r", 0, done(2))]),
    scenario("wp_read_not_trapped", "a read of a write-protected page does not fault", ["[rst] write-protect"], anon(),
      [write("pre", 0, 6, done()), api(), register(p(0, 2), ["wp"]), wp(p(0), true), read("r", 0, done(6)), noEvent()]),
    scenario("missing_wp_write_missing", "a write to a missing page in a MISSING|WP range gives flags write, no wp bit", ["abi618WakeFlags"], anon(),
      [api(), register(p(0, 2), ["missing", "wp"]), write("w", 0, 3, blocked), fault(0, ["write"]), copy(p(0), 4, { copy: PS }), wait("w", done()), read("r", 0, done(3))]),
    scenario("copy_mode_wp_then_write", "COPY with MODE_WP maps a protected page: the next write faults wp,write", ["[man UFFDIO_COPY]"], anon(),
      [api(), register(p(0, 2), ["missing", "wp"]), copy(p(0), 8, { copy: PS }, ["wp"]), write("w", 0, 9, blocked), fault(0, ["wp", "write"]), wp(p(0), false), wait("w", done())]),
    scenario("copy_in_wp_only_range", "COPY works in a WP-only range (the ioctls mask says nothing about it)", ["abi618IoctlsMask"], anon(),
      [api(), register(p(0, 2), ["wp"]), copy(p(0), 0x42, { copy: PS }), read("r", 0, done(0x42))]),
    scenario("unregister_keeps_wp_blocked", "UNREGISTER does not wake a WP-blocked faulter; WAKE does", ["abi618Unregister"], anon(),
      [write("pre", 0, 1, done()), api(), register(p(0, 2), ["wp"]), wp(p(0), true), write("w", 0, 2, blocked), fault(0, ["wp", "write"]), unregister(p(0, 2)), wait("w", blocked), wake(p(0)), wait("w", done())]),
    scenario("wp_unpopulated_marker", "with WP_UNPOPULATED, protecting a none pte leaves a marker: the write faults", ["[ut wp-unpopulated]"], anon(),
      [api(["wp_unpopulated"]), register(p(0, 2), ["wp"]), wp(p(0), true), write("w", 0, 1, blocked), fault(0, ["wp", "write"]), wp(p(0), false), wait("w", done())]),
    scenario("wp_unpopulated_off", "without WP_UNPOPULATED, protecting a none anon pte does nothing: the write completes", ["[ut wp-unpopulated]"], anon(),
      [api(), register(p(0, 2), ["wp"]), wp(p(0), true), write("w", 0, 1, done()), noEvent()]),
    scenario("wp_unpopulated_dontneed", "MADV_DONTNEED drops the WP marker: a later write does not fault", ["[ut wp-unpopulated]"], anon(),
      [api(["wp_unpopulated"]), register(p(0, 2), ["wp"]), wp(p(0), true), madvise("dontneed", 0), write("w", 0, 1, done()), noEvent()]),
    scenario("wp_async_auto_resolves", "with WP_ASYNC a write to a protected page resolves itself, no message", ["abi618WpAsync"], anon(),
      [write("pre", 0, 1, done()), api(["wp_async"]), register(p(0, 2), ["wp"]), wp(p(0), true), write("w", 0, 2, done()), noEvent(), read("r", 0, done(2))]),
    scenario("wp_async_implies_unpopulated", "WP_ASYNC implies WP_UNPOPULATED: a none pte is protected and auto-resolves", ["abi618WpAsync"], anon(),
      [api(["wp_async"]), register(p(0, 2), ["wp"]), wp(p(0), true), write("w", 0, 2, done()), noEvent()]),
  ];
}

function poisonScenarios(): Scenario[] {
  const base = (): [ReturnType<typeof api>, ReturnType<typeof register>] => [api(["poison"]), register(p(0, 2), ["missing"])];
  return [
    scenario("poison_then_touch_sigbus", "a user access to a poisoned pte raises SIGBUS", ["[ut poison]", "abi618Poison"], anon(),
      [...base(), poison(p(0), { updated: PS }), read("r", 0, sigbus), noEvent()]),
    scenario("poison_over_poison_eexist", "POISON over POISON is EEXIST, written back", ["abi618Poison"], anon(),
      [...base(), poison(p(0), { updated: PS }), poison(p(0), { result: "EEXIST", updated: neg(17) })]),
    scenario("copy_over_poison_ok", "COPY over a poisoned pte succeeds", ["abi618Poison"], anon(),
      [...base(), poison(p(0), { updated: PS }), copy(p(0), 0x31, { copy: PS }), read("r", 0, done(0x31))]),
    scenario("poison_dontneed_removes", "MADV_DONTNEED removes the poison marker: the page faults as missing again", ["abi618Poison"], anon(),
      [...base(), poison(p(0), { updated: PS }), madvise("dontneed", 0), read("r", 0, blocked), fault(0, []), zeropage(p(0), { zeropage: PS }), wait("r", done(0))]),
    scenario("poison_resolves_blocked", "POISON resolves an already-blocked fault: the faulter gets SIGBUS", ["abi618Poison", "[ut poison]"], anon(),
      [...base(), read("r", 0, blocked), fault(0, []), poison(p(0), { updated: PS }), wait("r", sigbus)]),
    scenario("poison_over_present_eexist", "POISON over a present page is EEXIST", ["[man UFFDIO_POISON]"], anon(),
      [...base(), copy(p(0), 1, { copy: PS }), poison(p(0), { result: "EEXIST", updated: neg(17) }), read("r", 0, done(1))]),
  ];
}

function moveScenarios(): Scenario[] {
  const setup = anon(2, { srcPages: 2 });
  const base = (): [ReturnType<typeof api>, ReturnType<typeof register>] => [api(["move"]), register(p(0, 2), ["missing"])];
  return [
    scenario("move_resolves_fault", "MOVE of a filled source page resolves a missing fault", ["[ut move]"], setup,
      [...base(), read("r", 0, blocked), fault(0, []), move(0, 0, { move: PS }, { srcFill: { byte: 0x61 } }), wait("r", done(0x61))]),
    scenario("move_without_feature", "MOVE works without requesting UFFD_FEATURE_MOVE", ["abi618Move"], setup,
      [api(), register(p(0, 2), ["missing"]), move(0, 1, { move: PS }, { srcFill: { byte: 0x62 } }), read("r", 1, done(0x62))]),
    scenario("move_src_hole_enoent", "MOVE from an unpopulated source is ENOENT", ["abi618Move"], setup,
      [...base(), move(1, 0, { result: "ENOENT", move: neg(2) })]),
    scenario("move_src_hole_allowed", "with ALLOW_SRC_HOLES a source hole counts as moved", ["abi618Move"], setup,
      [...base(), move(1, 0, { move: PS }, { allowSrcHoles: true })]),
    scenario("move_onto_present_eexist", "MOVE onto a present destination is EEXIST", ["[man UFFDIO_MOVE]"], setup,
      [...base(), copy(p(0), 1, { copy: PS }), move(0, 0, { result: "EEXIST", move: neg(17) }, { srcFill: { byte: 2 } })]),
  ];
}

function eventScenarios(): Scenario[] {
  return [
    scenario("remove_event_dontneed", "with EVENT_REMOVE, MADV_DONTNEED blocks until the monitor reads the REMOVE event", ["[ut events]", "abi618Events"], anon(),
      [api(["event_remove"]), register(p(0, 2), ["missing"]), copy(p(0, 2), 1, { copy: 2 * PS }), madvise("dontneed", 0, { thread: "m", expect: { outcome: "blocked" } }), removeEvent(0, 1), wait("m", done()), read("r", 0, blocked), fault(0, [])]),
    scenario("mmap_changing_eagain", "while a REMOVE event is unread, COPY, ZEROPAGE, POISON and MOVE are EAGAIN written back", ["[ut mmap-changing]", "abi618Events"], anon(2, { srcPages: 1 }),
      [api(["event_remove", "poison", "move"]), register(p(0, 2), ["missing"]), copy(p(0), 1, { copy: PS }), madvise("dontneed", 0, { thread: "m", expect: { outcome: "blocked" } }),
        copy(p(1), 2, { result: "EAGAIN", copy: neg(11) }), zeropage(p(1), { result: "EAGAIN", zeropage: neg(11) }), poison(p(1), { result: "EAGAIN", updated: neg(11) }),
        move(0, 1, { result: "EAGAIN", move: neg(11) }, { srcFill: { byte: 3 } }), removeEvent(0, 1), wait("m", done()), copy(p(1), 2, { copy: PS })]),
    scenario("dontneed_without_event", "without EVENT_REMOVE, MADV_DONTNEED returns at once and queues nothing", ["abi618Events"], anon(),
      [api(), register(p(0, 2), ["missing"]), copy(p(0), 1, { copy: PS }), madvise("dontneed", 0), noEvent()]),
  ];
}

export function anonSuite() {
  return {
    name: "anon",
    title: "userfaultfd on private anonymous memory (Linux 6.18)",
    scenarios: [...apiScenarios(), ...registerScenarios(), ...missingScenarios(), ...wpScenarios(), ...poisonScenarios(), ...moveScenarios(), ...eventScenarios(), ...abiAnonScenarios(), ...raceScenarios("anon")],
  };
}

export type { RegisterMode };
