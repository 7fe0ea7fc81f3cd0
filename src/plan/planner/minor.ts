/**
 * MINOR mode: a page the page cache already holds (written out of band through
 * an alias mapping, or by write() when the type populates that way) raises a
 * MINOR event when touched through the registered range; CONTINUE maps it
 * (mm/shmem.c shmem_get_folio_gfp(), the pending __do_userfault(),
 * mfill_atomic_pte_continue(); uffd-unit-tests.c minor; Nikita Kalyazin's uffd-missing RFC for write()+CONTINUE).
 */
import type { Scenario, Step } from "../../ir/scenario.js";
import {
  api,
  blocked,
  continueFails,
  continueOk,
  copyOk,
  done,
  fileWrite,
  noEvent,
  pagefault,
  register,
  touch,
  wait,
} from "./steps.js";
import { scenario, type Target } from "./target.js";

export function minorScenarios(t: Target): Scenario[] {
  // Nothing raises MINOR either: missing.ts plans the one scenario that shows it.
  if (t.key === "declared" && t.lowered.raise === "none") return [];
  const out: Scenario[] = [];
  const n = t.lowered.pages;
  const all = { page: 0, pages: n };
  const ps = t.pageSize;
  const via = t.populate;
  const canContinue = t.ioctls.has("continue");
  // Small mappings still get distinct pages where the IR allows.
  const pg = (k: number): number => Math.min(k, n - 1);

  if (t.modes.includes("minor") && via && canContinue) {
    out.push(
      scenario(t, "minor_read_continue", `a read of a page cached by ${via} raises MINOR; CONTINUE maps the cached contents`, ["faultPath", "utUffdUnit minor", "abi618WakeFlags"], t.setup(), [
        api(),
        register(all, ["minor"]),
        fileWrite(0, 0x33, via),
        touch("t0", 0, "read", blocked),
        pagefault(0, ["minor"]),
        continueOk(0, 1, ps),
        wait("t0", done(0x33)),
        noEvent(),
      ]),
      scenario(t, "minor_write_continue", "a write to a cached page raises MINOR with the write flag; the write lands after CONTINUE", ["abi618WakeFlags"], t.setup(), [
        api(),
        register(all, ["minor"]),
        fileWrite(pg(1), 0x34, via),
        touch("t0", pg(1), "write", blocked, { value: 0x35 }),
        pagefault(pg(1), ["minor", "write"]),
        continueOk(pg(1), 1, ps),
        wait("t0", done()),
        touch("t1", pg(1), "read", done(0x35)),
      ]),
      scenario(t, "minor_continue_without_folio_efault", "CONTINUE where the cache holds no folio fails with EFAULT: get_folio_noalloc must not allocate", ["R18", "rppt0808"], t.setup(), [
        api(),
        register(all, ["minor"]),
        continueFails({ page: pg(2) }, "EFAULT", true),
        touch("t0", pg(2), "read", done(0)),
      ]),
    );
  }
  if (t.modes.includes("minor") && t.fileBacked) {
    out.push(
      scenario(t, "minor_only_first_touch_no_event", "MINOR alone does not trap a page the cache lacks: the fault allocates it and no event is raised", ["R36", "nikitaMissingNeeded", "faultPath"], t.setup(), [
        api(),
        register(all, ["minor"]),
        touch("t0", pg(3), "read", done(0)),
        noEvent(),
      ]),
    );
  }
  if (t.modes.includes("missing") && via) {
    out.push(
      scenario(t, "missing_only_cached_page_no_event", "a page already in the cache is not MISSING: the fault maps it and no event is raised", ["R37", "faultPath"], t.setup(), [
        api(),
        register(all, ["missing"]),
        fileWrite(0, 0x36, via),
        touch("t0", 0, "read", done(0x36)),
        noEvent(),
      ]),
    );
  }
  if (t.modes.includes("missing") && t.modes.includes("minor") && via && canContinue && t.ioctls.has("copy")) {
    out.push(
      scenario(t, "missing_minor_both", "with MISSING|MINOR a cached page raises MINOR and an absent one MISSING", ["faultPath", "rppt1212"], t.setup(), bothSteps(t, all, via, ps)),
    );
  }
  if (t.lowered.populateByWrite && t.modes.includes("missing") && canContinue && via === "pwrite") {
    out.push(
      scenario(t, "missing_resolved_by_write_continue", "a MISSING fault resolved by write() to the file and UFFDIO_CONTINUE (Nikita Kalyazin's uffd-missing RFC)", ["nikitaRfcMissing", "seanV4"], t.setup(), [
        api(),
        register(all, ["missing", ...(t.modes.includes("minor") ? (["minor"] as const) : [])]),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        fileWrite(0, 0x3a, "pwrite"),
        continueOk(0, 1, ps),
        wait("t0", done(0x3a)),
      ]),
    );
  }
  return out;
}

function bothSteps(t: Target, all: { page: number; pages: number }, via: "alias" | "pwrite", ps: number): Step[] {
  return [
    api(),
    register(all, ["missing", "minor"]),
    fileWrite(0, 0x37, via),
    touch("t0", 0, "read", blocked),
    pagefault(0, ["minor"]),
    continueOk(0, 1, ps),
    wait("t0", done(0x37)),
    touch("t1", 1, "read", blocked),
    pagefault(1),
    copyOk(1, 1, ps, { byte: 0x38 }),
    wait("t1", done(0x38)),
  ];
}
