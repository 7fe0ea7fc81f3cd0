/**
 * Reference scenarios for guest_memfd as 6.18 ships it: the MMAP and
 * INIT_SHARED creation flags, and userfaultfd refusing every synchronous mode
 * while WP_ASYNC-only registration is accepted (6.18: vma_can_userfault()'s WP_ASYNC case, virt/kvm/guest_memfd.c;
 * [gm] guest_memfd_test.c).
 */
import { PAGE_SIZE, type GmemFlag } from "../../kernel/uapi.js";
import type { KernelNeed, ScenarioSetup, Suite } from "../../ir/scenario.js";
import { api, blocked, done, fault, noEvent, p, read, register, registerMask, scenario, sigbus, wp, write } from "./build.js";
import { modeCombos, modeName } from "./combos.js";
import { gmemFileScenarios } from "./abi.js";

export function gmemSuite(): Suite {
  const needs: KernelNeed[] = ["kvm"];
  const setup = (flags: GmemFlag[], extra: Partial<ScenarioSetup> = {}): ScenarioSetup => ({ kind: "guest_memfd", pages: 2, map: "shared", gmemFlags: flags, needs, ...extra });
  const shared: GmemFlag[] = ["mmap", "init_shared"];
  const scenarios = [
    scenario("mmap_without_flags_enodev", "a guest_memfd created with flags 0 cannot be mmapped (ENODEV)", ["[gm test_mmap_not_supported]", "abi618Gmem"], setup([], { mmapExpect: "ENODEV" }), [api()]),
    scenario("init_shared_without_mmap_enodev", "INIT_SHARED without MMAP is accepted at create time, but mmap is ENODEV", ["abi618Gmem"], setup(["init_shared"], { mmapExpect: "ENODEV" }), [api()]),
    scenario("map_private_einval", "MAP_PRIVATE of a guest_memfd is EINVAL", ["[gm test_mmap_cow]", "abi618Gmem"], setup(shared, { map: "private", mmapExpect: "EINVAL" }), [api()]),
    scenario("mmap_only_sigbus", "MMAP without INIT_SHARED: every user access raises SIGBUS", ["[gm test_fault_private]", "abi618Gmem"], setup(["mmap"]), [read("r", 0, sigbus), write("w", 1, 1, sigbus)]),
    scenario("shared_write_read", "MMAP|INIT_SHARED: memory can be written and read back", ["[gm test_mmap_supported]"], setup(shared), [write("w", 0, 0xaa, done()), read("r", 0, done(0xaa)), read("z", 1, done(0))]),
    scenario("punch_hole_zeroes", "PUNCH_HOLE zeroes the page; its neighbour is intact", ["[gm test_mmap_supported]", "abi618Gmem"], setup(shared),
      [write("w", 0, 0x5c, done()), write("x", 1, 0x5d, done()), { op: "punch_hole", page: 0 }, read("r", 0, done(0)), read("s", 1, done(0x5d)), write("v", 0, 0x5e, done()), read("t", 0, done(0x5e))]),
    scenario("dontneed_keeps_data", "MADV_DONTNEED on a guest_memfd mapping keeps the data", ["abi618Gmem"], setup(shared),
      [write("w", 0, 0x77, done()), { op: "madvise", advice: "dontneed", page: 0 }, read("r", 0, done(0x77))]),
    scenario("pwrite_fails", "pwrite() on a guest_memfd fd fails with ESPIPE", ["[gm test_file_read_write]", "abi618Gmem"], setup(shared),
      [{ op: "file_write", page: 0, value: 1, via: "pwrite", expect: { result: "ESPIPE" } }]),
  ];
  for (const modes of modeCombos()) {
    if (!modes.length) continue;
    scenarios.push(scenario(`register_${modeName(modes)}_einval`, `6.18 refuses ${modeName(modes)} registration on guest_memfd`, ["abi618WpAsync", "abi618Gmem"], setup(shared),
      [api(), register(p(0, 2), modes, { result: "EINVAL" })]));
  }
  scenarios.push(
    scenario("wp_async_register", "WP_ASYNC-only registration is accepted on guest_memfd", ["abi618WpAsync"], setup(shared),
      [api(["wp_async"]), register(p(0, 2), ["wp"], { ioctls: registerMask("guest_memfd", ["wp"]) })]),
    scenario("wp_async_write_resolves", "on guest_memfd a WP_ASYNC-protected write resolves itself, no message", ["abi618WpAsync"], setup(shared),
      [write("pre", 0, 1, done()), api(["wp_async"]), register(p(0, 2), ["wp"]), wp(p(0), true), write("w", 0, 2, done()), noEvent(), read("r", 0, done(2))]),
    scenario("wp_async_missing_einval", "WP_ASYNC does not open MISSING|WP on guest_memfd", ["abi618WpAsync"], setup(shared),
      [api(["wp_async"]), register(p(0, 2), ["missing", "wp"], { result: "EINVAL" })]),
    scenario("gmem_missing_pending_series", "userfaultfd MISSING on guest_memfd (the pending series): a read blocks and faults", ["[kalyazin test_uffd_missing]", "R-gmem"],
      { ...setup(shared), needs: ["kvm", "gmem-uffd"] },
      [api(), register(p(0, 2), ["missing"]), read("r", 0, blocked), fault(0, [])]),
  );
  scenarios.push(
    // A guest_memfd memslot needs a VM with private memory: on x86 KVM_X86_SW_PROTECTED_VM
    // (a build option; Debian's 6.12 lacks it, and its test skips with KVM_CREATE_VM's errno).
    scenario("gmem_memslot_sw_protected_vm", "KVM_SET_USER_MEMORY_REGION2 binds a guest_memfd (KVM_MEM_GUEST_MEMFD) to a memslot of a KVM_X86_SW_PROTECTED_VM", ["tools/testing/selftests/kvm/set_memory_region_test.c test_add_private_memory_region", "virt/kvm/kvm_main.c check_memory_region_flags"],
      { kind: "guest_memfd", pages: 2, map: "shared", gmemFlags: [], mmapExpect: "ENODEV", gmemVmType: "sw_protected", needs: ["kvm", "kvm-sw-protected-vm"] },
      [{ op: "kvm_memslot" }]),
  );
  scenarios.push(...gmemFileScenarios());
  void PAGE_SIZE;
  void blocked;
  return { name: "guest_memfd", title: "guest_memfd with the 6.18 MMAP / INIT_SHARED flags", scenarios };
}
