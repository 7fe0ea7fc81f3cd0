/**
 * guest_memfd: its creation flags (the guest_memfd INIT_SHARED thread: MMAP lets it be mapped,
 * INIT_SHARED makes it shared and so faultable; user faults on memory that is
 * not shared get SIGBUS), punch-hole, and how userfaultfd meets both
 * (virt/kvm/guest_memfd.c; the uffd series' v2 13/15 and Sean Christopherson's
 * v4 review; 6.18's WP_ASYNC-only registration; R38, R39).
 */
import { privatePageSteps, privateRefusal } from "./strategies.js";
import type { GmemFlag } from "../../kernel/uapi.js";
import type { Scenario, ScenarioSetup, Step } from "../../ir/scenario.js";
import { api, blocked, copyFails, copyOk, done, noEvent, pagefault, punchHole, register, registerFails, sigbus, touch, wait } from "./steps.js";
import { scenario, type Target } from "./target.js";

const SHARED: GmemFlag[] = ["mmap", "init_shared"];
const NOT_SHARED: GmemFlag[] = ["mmap"];

/**
 * The real guest_memfd kind, as this machine's 6.18 kernel has it: these run on
 * the kernel and on the simulator alike (needs "kvm" only).
 */
export function realGmemScenarios(t: Target): Scenario[] {
  const n = t.lowered.pages;
  const all = { page: 0, pages: n };
  const setup = (flags: GmemFlag[]): ScenarioSetup => ({ kind: "guest_memfd", pages: n, map: "shared", gmemFlags: flags, needs: ["kvm"] });
  const src = ["seanInitShared", "gmemTest", "abi618Gmem"];
  return [
    scenario(t, "shared_fault_ok", "guest_memfd created MMAP|INIT_SHARED can be written and read through a shared mapping", [...src, "gmemTest test_mmap_supported"], setup(SHARED), [
      touch("t0", 0, "write", done(), { value: 0x61 }),
      touch("t1", 0, "read", done(0x61)),
    ]),
    scenario(t, "not_shared_fault_sigbus", "guest_memfd created MMAP without INIT_SHARED is mappable but every user access is SIGBUS", [...src, "gmemTest test_fault_private", "R38"], setup(NOT_SHARED), [
      touch("t0", 0, "read", sigbus),
      touch("t1", 0, "write", sigbus, { value: 0x62 }),
    ]),
    scenario(t, "punch_hole_zeroes", "PUNCH_HOLE frees the page: the next read faults in a zeroed page", [...src, "gmemTest test_mmap_supported"], setup(SHARED), [
      touch("t0", 0, "write", done(), { value: 0x63 }),
      punchHole(0),
      touch("t1", 0, "read", done(0)),
    ]),
    scenario(t, "register_not_shared_einval", "userfaultfd cannot register guest_memfd that is not INIT_SHARED: EINVAL (6.18 refuses all sync modes; the series checks INIT_SHARED)", ["R38", "rppt1313", "abi618WpAsync"], setup(NOT_SHARED), [
      api(),
      registerFails(all, ["missing"], "EINVAL"),
    ]),
    scenario(t, "mmap_without_mmap_flag_enodev", "guest_memfd created without the MMAP flag cannot be mmap()ed: ENODEV", [...src, "gmemTest test_mmap_not_supported"], { ...setup(["init_shared"]), mmapExpect: "ENODEV" }, [
      api(),
    ]),
    scenario(t, "mmap_private_einval", "guest_memfd cannot be mapped MAP_PRIVATE: EINVAL", [...src, "gmemTest test_mmap_cow"], { ...setup(SHARED), map: "private", mmapExpect: "EINVAL" }, [
      api(),
    ]),
    scenario(t, "wp_async_registers", "WP-only registration with WP_ASYNC is accepted on guest_memfd and a write resolves itself", ["R08", "abi618WpAsync"], setup(SHARED), [
      api(["wp_async"]),
      { op: "register", ...all, modes: ["wp"], expect: { result: "ok" } },
      touch("t0", 0, "write", done(), { value: 0x64 }),
      noEvent(),
      touch("t1", 0, "read", done(0x64)),
    ]),
  ];
}

/** The declared type on guest_memfd: the flags meet the type's guard. */
export function declaredGmemScenarios(t: Target): Scenario[] {
  const model = t.model;
  const n = t.lowered.pages;
  const all = { page: 0, pages: n };
  const out: Scenario[] = [
    scenario(t, "gmem_not_shared_touch_sigbus", "unregistered memory that is not shared is never faulted in: SIGBUS", ["seanInitShared", "R38"], t.setup({ gmemFlags: NOT_SHARED }), [
      touch("t0", 0, "read", sigbus),
    ]),
  ];
  const mode = t.modes.find((m) => m === "missing" || m === "minor");
  if (mode) {
    const guardAtRegister = model.guard?.at.has("register") ?? false;
    out.push(
      guardAtRegister
        ? scenario(t, "gmem_not_shared_register", "the type checks shared-ness in can_userfault: registering memory that is not shared is EINVAL", ["R38", "rppt1313"], t.setup({ gmemFlags: NOT_SHARED }), [
            api(),
            registerFails(all, [mode], "EINVAL"),
          ])
        : scenario(t, "gmem_not_shared_register", `registration is allowed, but memory that is not shared is never served: COPY is ${privateRefusal(t).copyErrno}`, ["R39", "seanV4", privateRefusal(t).copyErrno === "EACCES" ? "R64" : "R21"], t.setup({ gmemFlags: NOT_SHARED }), notSharedServedSteps(all, mode, t.ioctls.has("copy"), privateRefusal(t))),
    );
  }
  if (t.modes.includes("missing") && t.ioctls.has("copy")) {
    out.push(
      scenario(t, "gmem_punch_hole_missing_again", "after PUNCH_HOLE the page is missing again: the next touch raises MISSING", ["gmemTest test_mmap_supported", "faultPath"], t.setup(), [
        api(),
        register(all, ["missing"]),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        copyOk(0, 1, t.pageSize, { byte: 0x71 }),
        wait("t0", done(0x71)),
        punchHole(0),
        touch("t1", 0, "read", blocked),
        pagefault(0),
        copyOk(0, 1, t.pageSize, { byte: 0x72 }),
        wait("t1", done(0x72)),
      ]),
    );
  }
  return out;
}

/**
 * Sean Christopherson's placement (on guest_memfd uffd v4 13/15): get_folio_noalloc() refuses a page that is not
 * shared with ERR_PTR(-EACCES), which __do_userfault() does not take for a
 * missing page: the fault falls through to ->fault and is SIGBUS. COPY is
 * refused by filemap_add's re-check (-EACCES) or alloc_folio's NULL (-ENOMEM,
 * R21); a guard only in alloc_folio leaves the fault raised and unresolvable.
 * A MINOR-only registration raises nothing and ->fault refuses it: SIGBUS.
 */
function notSharedServedSteps(all: { page: number; pages: number }, mode: "missing" | "minor", canCopy: boolean, refused: ReturnType<typeof privateRefusal>): Step[] {
  if (mode === "minor") return [api(), register(all, ["minor"]), touch("t0", 0, "read", sigbus), noEvent()];
  return [api(), register(all, ["missing"]), ...privatePageSteps(0, refused, canCopy)];
}
