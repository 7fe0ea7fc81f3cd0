/**
 * WP mode: a write to a write-protected page raises a pagefault event with the
 * wp and write flags and blocks; removing the protection resolves it. Reads are
 * not trapped (mm/memory.c do_wp_page() and the uffd-wp marker paths raise
 * VM_UFFD_WP; 6.18's userfault_msg() reports flags 0x3).
 * File memory relies on uffd-wp PTE markers (R09), present on this machine's
 * kernel (CONFIG_PTE_MARKER_UFFD_WP).
 */
import type { UffdFeature } from "../../kernel/uapi.js";
import type { Scenario } from "../../ir/scenario.js";
import { api, blocked, done, noEvent, pagefault, register, touch, wait, writeprotect } from "./steps.js";
import { scenario, type Target } from "./target.js";

export function wpScenarios(t: Target): Scenario[] {
  if (!t.modes.includes("wp")) return [];
  const all = { page: 0, pages: t.lowered.pages };
  // File WP is the wp_hugetlbfs_shmem feature; anonymous WP needs no feature bit.
  const features: UffdFeature[] = t.fileBacked ? ["wp_hugetlbfs_shmem"] : [];
  return [
    scenario(t, "wp_write_fault_unprotect", "a write to a write-protected page raises WP|WRITE; un-protecting resolves it", ["faultPath", "abi618WakeFlags", "R09"], t.setup(), [
      api(features),
      register(all, ["wp"]),
      touch("t0", 0, "write", done(), { value: 0x40 }),
      writeprotect({ page: 0 }, true),
      touch("t1", 0, "write", blocked, { value: 0x41 }),
      pagefault(0, ["wp", "write"]),
      writeprotect({ page: 0 }, false),
      wait("t1", done()),
      touch("t2", 0, "read", done(0x41)),
    ]),
    scenario(t, "wp_read_not_trapped", "a read of a write-protected page completes without an event", ["faultPath"], t.setup(), [
      api(features),
      register(all, ["wp"]),
      touch("t0", 0, "write", done(), { value: 0x44 }),
      writeprotect({ page: 0 }, true),
      touch("t1", 0, "read", done(0x44)),
      noEvent(),
    ]),
  ];
}
