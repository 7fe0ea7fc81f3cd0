/**
 * MISSING mode: a touch of an unpopulated page raises a pagefault event and
 * blocks; COPY (or ZEROPAGE) fills the page and wakes the faulter
 * (handle_userfault()'s callers and mm/userfaultfd.c mfill_atomic(); on 6.18
 * the write-back of userfaultfd_copy() and the fault flags of userfault_msg()).
 */
import type { Scenario, Step } from "../../ir/scenario.js";
import {
  api,
  blocked,
  copyFails,
  copyOk,
  done,
  noEvent,
  pageByte,
  pagefault,
  register,
  touch,
  unregister,
  wait,
  wake,
  zeropageOk,
} from "./steps.js";
import { scenario, type Target } from "./target.js";

export function missingScenarios(t: Target): Scenario[] {
  if (!t.modes.includes("missing")) return [];
  if (t.key === "declared" && t.lowered.raise === "none") return neverTraps(t);
  const n = t.lowered.pages;
  const all = { page: 0, pages: n };
  const ps = t.pageSize;
  const reg = (): Step => register(all, ["missing"]);
  const out: Scenario[] = [];

  if (t.ioctls.has("copy")) {
    out.push(
      scenario(t, "missing_read_copy", "a read of a missing page blocks, raises MISSING and is resolved by COPY", ["faultPath", "mmUserfaultfdMfill", "abi618WakeFlags"], t.setup(), [
        api(),
        reg(),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        copyOk(0, 1, ps, { byte: 0x5a }),
        wait("t0", done(0x5a)),
        noEvent(),
      ]),
      scenario(t, "missing_write_copy", "a write to a missing page raises MISSING with the write flag; the write lands after COPY", ["abi618WakeFlags"], t.setup(), [
        api(),
        reg(),
        touch("t0", 1, "write", blocked, { value: 0x77 }),
        pagefault(1, ["write"]),
        copyOk(1, 1, ps, { byte: 0x11 }),
        wait("t0", done()),
        touch("t1", 1, "read", done(0x77)),
      ]),
      scenario(t, "missing_copy_over_present_eexist", "COPY over a page that is already mapped fails with EEXIST, written back as copy=-17", ["R24", "utUffdUnit zeropage", "abi618WriteBack"], t.setup(), [
        api(),
        reg(),
        copyOk(0, 1, ps, { byte: 0x21 }),
        copyFails({ page: 0 }, "EEXIST", true),
        touch("t0", 0, "read", done(0x21)),
      ]),
      scenario(t, "missing_copy_dontwake_then_wake", "COPY with DONTWAKE fills the page but leaves the faulter blocked until UFFDIO_WAKE", ["mmUserfaultfdMfill"], t.setup(), [
        api(),
        reg(),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        copyOk(0, 1, ps, { byte: 0x42 }, ["dontwake"]),
        wait("t0", blocked),
        wake({ page: 0 }),
        wait("t0", done(0x42)),
      ]),
      scenario(t, "missing_wake_without_resolving_refaults", "WAKE without resolving makes the faulter retry and queue a second MISSING event", ["abi618WakeFlags"], t.setup(), [
        api(),
        reg(),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        wake({ page: 0 }),
        pagefault(0),
        copyOk(0, 1, ps, { byte: 0x43 }),
        wait("t0", done(0x43)),
      ]),
      scenario(t, "missing_data_integrity", n <= INTEGRITY_PAGES ? `every one of ${n} pages faults once and reads back what COPY wrote` : `${INTEGRITY_PAGES} pages spread over ${n} each fault once and read back what COPY wrote`, ["utUffdUnit events", "mmUserfaultfdMfill"], t.setup(), integritySteps(n, ps)),
      scenario(t, "missing_unregister_wakes_faulter", "UNREGISTER wakes a MISSING faulter, which then faults normally", ["abi618Unregister"], t.setup(), [
        api(),
        reg(),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        unregister(all),
        wait("t0", done(0)),
      ]),
      scenario(t, "missing_close_wakes_faulter", "closing the userfaultfd wakes a blocked MISSING faulter, which then faults normally", ["abi618Unregister", "abi618"], t.setup(), [
        api(),
        reg(),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        { op: "close" },
        wait("t0", done(0)),
      ]),
    );
  }
  if (t.ioctls.has("zeropage") && !t.hugetlb) {
    out.push(
      scenario(t, "missing_read_zeropage", "a MISSING fault resolved by ZEROPAGE reads zeros", ["R26", "R27", "utUffdUnit zeropage"], t.setup(), [
        api(),
        reg(),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        zeropageOk(0, 1, ps),
        wait("t0", done(0)),
      ]),
    );
  }
  // MOVE needs both sides private anonymous (validate_move_areas, R30).
  if (t.ioctls.has("move") && !t.fileBacked) {
    out.push(
      scenario(t, "missing_move", "a MISSING fault resolved by UFFDIO_MOVE from a private anonymous source page", ["mmUserfaultfdMfill", "utUffdUnit move", "R30"], t.setup({ srcPages: 1 }), [
        api(["move"]),
        reg(),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        { op: "move", srcPage: 0, srcFill: { byte: 0x3d }, dstPage: 0, pages: 1, expect: { result: "ok", move: ps } },
        wait("t0", done(0x3d)),
      ]),
    );
  }
  out.push(
    scenario(t, "missing_unregister_then_touch_no_event", "after UNREGISTER a touch faults normally and raises no event", ["fsUserfaultfdRegister", "abi618Register"], t.setup(), [
      api(),
      reg(),
      unregister(all),
      touch("t0", 0, "read", done(0)),
      noEvent(),
    ]),
  );
  return out;
}

/**
 * At most INTEGRITY_PAGES pages, spread over the mapping: the scenario stays within the
 * schema's step limit, and its cost (each step checks the whole machine) stays linear in
 * the mapping's size rather than quadratic.
 */
const INTEGRITY_PAGES = 32;

function integrityPages(n: number): number[] {
  const m = Math.min(n, INTEGRITY_PAGES);
  return Array.from({ length: m }, (_, k) => Math.floor((k * n) / m));
}

function integritySteps(n: number, ps: number): Step[] {
  const steps: Step[] = [api(), register({ page: 0, pages: n }, ["missing"])];
  const pages = integrityPages(n);
  for (const p of pages) {
    steps.push(touch(`f${p}`, p, "read", blocked), pagefault(p), copyOk(p, 1, ps, { byte: pageByte(p) }), wait(`f${p}`, done(pageByte(p))));
  }
  for (const p of pages) steps.push(touch(`r${p}`, p, "read", done(pageByte(p))));
  steps.push(noEvent());
  return steps;
}

/**
 * A type whose generation has no __do_userfault() and whose ->fault raises
 * nothing (fault.raise none, the lowered default on 7.1): registration works,
 * and a touch completes through the type's own fault with no event. What the
 * C does, the simulator shows and R56 warns about; no scenario expects an
 * event the C cannot raise.
 */
function neverTraps(t: Target): Scenario[] {
  const all = { page: 0, pages: t.lowered.pages };
  return [
    scenario(t, "missing_registered_never_traps", "MISSING registers, but nothing raises the event: a touch completes through ->fault and no event arrives", ["R56", "R55", "faultPath"], t.setup(), [
      api(),
      register(all, ["missing"]),
      touch("t0", 0, "read", done(0)),
      noEvent(),
    ]),
  ];
}
