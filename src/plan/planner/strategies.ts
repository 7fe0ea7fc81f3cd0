/**
 * Scenarios whose point is a declared strategy's consequence at run time. A
 * correct type passes them; a flawed strategy makes the simulator, which runs
 * the declared callbacks as their strategies, show the flaw at the step where
 * the kernel's rule and the type part ways.
 *
 * Flaws the functional scenarios already meet:
 * - get_folio "lookup-or-create" allocates: minor_continue_without_folio_efault
 *   gets a mapping instead of EFAULT, minor_only_first_touch_no_event an event;
 * - putOnEarlyReturn false leaks a reference on an early-return lookup
 *   (not_uptodate_folio_is_missing below takes that path);
 * - fault.raise "none": every MISSING/MINOR scenario waits for an event that never comes.
 *
 * These need a fault path that asks get_folio_noalloc() at fault time: core's
 * __do_userfault() in the pending series (v2 12/15), or the type's
 * own glue calling handle_userfault() after the same lookup. They are planned
 * for guest_memfd and for that series only: 6.18's shmem raises MINOR for any
 * cached folio, up to date or not, so on shmem the real kernel would differ.
 */
import type { Scenario } from "../../ir/scenario.js";
import { api, blocked, continueOk, copyFails, done, noEvent, pagefault, register, sigbus, touch, wait } from "./steps.js";
import type { Step } from "../../ir/scenario.js";
import { scenario, type Target } from "./target.js";

export function strategyScenarios(t: Target): Scenario[] {
  const model = t.model;
  const raises = t.lowered.raise !== "none";
  if (!raises || !(t.gmem || model.gen.coreDoUserfault) || !t.fileBacked || t.hugetlb) return [];
  const all = { page: 0, pages: t.lowered.pages };
  const out: Scenario[] = [];
  const faultModes = t.modes.filter((m) => m === "missing" || m === "minor");

  if (t.modes.includes("missing") && t.ioctls.has("copy") && t.lowered.getFolio) {
    out.push(fallocatedFaultResolvable(t, all, faultModes));
  }
  if (t.gmem && t.modes.includes("missing") && t.ioctls.has("copy")) {
    // Page 1 turns private by in-place conversion after registration: only a
    // guard checked at fault time (get_folio_noalloc / alloc_folio / filemap_add) still sees it.
    const setup = t.setup();
    const refused = privateRefusal(t);
    out.push(
      scenario(
        t,
        "gmem_private_after_register_not_served",
        `a page made private after registration is never served: ${refused.atFault ? "the fault is SIGBUS, with no event" : "the fault is not resolved"}, and COPY is ${refused.copyErrno}`,
        ["R39", "seanV4", refused.copyErrno === "EACCES" ? "R64" : "R21"],
        { ...setup, declared: { ...setup.declared!, privatePages: [1] } },
        [api(), register(all, ["missing"]), ...privatePageSteps(1, refused)],
      ),
    );
  }
  return out;
}

/**
 * A fault on a fallocated page (cached, never written) must end resolved and
 * read zeros (R40). With MINOR registered it is MINOR and CONTINUE maps the
 * cleared folio; with MISSING alone there is nothing to trap: the folio is
 * present. A lookup that reports it missing fails here: MISSING fires, and
 * COPY cannot fill a slot the cache holds (-EEXIST), so the touch never ends.
 */
function fallocatedFaultResolvable(t: Target, all: { page: number; pages: number }, faultModes: ("missing" | "minor" | "wp")[]): Scenario {
  const minor = faultModes.includes("minor") && t.ioctls.has("continue");
  const steps = minor
    ? [api(), register(all, faultModes), touch("t0", 0, "read", blocked), pagefault(0, ["minor"]), continueOk(0, 1, t.pageSize), wait("t0", done(0))]
    : [api(), register(all, faultModes), touch("t0", 0, "read", done(0)), noEvent()];
  return scenario(
    t,
    "fallocated_page_fault_resolvable",
    minor
      ? "a fault on a fallocated page (cached, not up to date) is MINOR, and CONTINUE maps it zero-filled"
      : "a fallocated page (cached, not up to date) is present: the touch reads zeros and raises nothing",
    ["R40", "peterUptodate", "rppt0808"],
    t.setup({ fallocated: [0] }),
    steps,
  );
}

/**
 * How a correct type of this spec refuses a private page, as lowering decided:
 * a guard in get_folio_noalloc returns ERR_PTR(-EACCES), which __do_userfault()
 * does not take for a missing page, so the fault falls through to ->fault and
 * is SIGBUS (docs/explore.md, "Closing the window"); a COPY is refused by
 * filemap_add's re-check with -EACCES (Lowered.window), else by alloc_folio's
 * NULL, which core reports as -ENOMEM (7.1 __mfill_atomic_pte()).
 */
export function privateRefusal(t: Target): { atFault: boolean; copyErrno: "EACCES" | "ENOMEM" } {
  return { atFault: t.lowered.guardAt.has("get_folio"), copyErrno: t.lowered.window ? "EACCES" : "ENOMEM" };
}

/** A touch of private page p, then the monitor's COPY of it, with what the refusal above makes of both. */
export function privatePageSteps(p: number, refused: { atFault: boolean; copyErrno: "EACCES" | "ENOMEM" }, canCopy = true): Step[] {
  if (refused.atFault) return [touch("t0", p, "read", sigbus), noEvent(), ...(canCopy ? [copyFails({ page: p }, refused.copyErrno, true)] : [])];
  return [touch("t0", p, "read", blocked), pagefault(p), ...(canCopy ? [copyFails({ page: p }, refused.copyErrno, true), wait("t0", blocked)] : [])];
}