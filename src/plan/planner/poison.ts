/**
 * UFFDIO_POISON: core installs a poison marker, no callback involved; a user
 * access then gets SIGBUS (mm/userfaultfd.c mfill_atomic_pte_poison(); on 6.18 POISON over
 * POISON is EEXIST, and POISON also resolves a fault that is already blocked).
 */
import type { Scenario } from "../../ir/scenario.js";
import { api, blocked, pagefault, poisonFails, poisonOk, register, sigbus, touch, wait } from "./steps.js";
import { anyMode, scenario, type Target } from "./target.js";

export function poisonScenarios(t: Target): Scenario[] {
  const mode = anyMode(t);
  if (!t.ioctls.has("poison") || !mode) return [];
  const all = { page: 0, pages: t.lowered.pages };
  const ps = t.pageSize;
  const out: Scenario[] = [
    scenario(t, "poison_then_touch_sigbus", "a poisoned page raises SIGBUS on access; poisoning it again is EEXIST", ["utUffdUnit poison", "abi618Poison"], t.setup(), [
      api(["poison"]),
      register(all, [mode]),
      poisonOk(0, 1, ps),
      touch("t0", 0, "read", sigbus),
      poisonFails({ page: 0 }, "EEXIST"),
    ]),
  ];
  if (t.modes.includes("missing")) {
    out.push(
      scenario(t, "poison_resolves_blocked_fault", "POISON resolves a MISSING fault that is already blocked: the faulter gets SIGBUS", ["abi618Poison", "utUffdUnit poison"], t.setup(), [
        api(["poison"]),
        register(all, ["missing"]),
        touch("t0", 0, "read", blocked),
        pagefault(0),
        poisonOk(0, 1, ps),
        wait("t0", sigbus),
      ]),
    );
  }
  return out;
}
