/**
 * UFFDIO_REGISTER: every declared mode registers, alone and together, and the
 * returned `ioctls` mask is what userfaultfd_register() computes for the kind
 * (fs/userfaultfd.c userfaultfd_register() and vma_can_userfault(), as 6.18
 * does them); undeclared modes are refused.
 */
import type { RegisterMode } from "../../kernel/uapi.js";
import type { Scenario } from "../../ir/scenario.js";
import { expectedRegisterIoctls, refusedModes, registrationNeedsGetFolio } from "./kernel-rules.js";
import { api, register, registerFails } from "./steps.js";
import { scenario, type Target } from "./target.js";

export function registrationScenarios(t: Target): Scenario[] {
  const all = { page: 0, pages: t.lowered.pages };
  const out: Scenario[] = [];
  const combos: RegisterMode[][] = t.modes.map((m) => [m]);
  if (t.modes.length > 1) combos.push([...t.modes]);
  for (const modes of combos) {
    out.push(
      scenario(
        t,
        `register_${modes.join("_")}`,
        `registering ${modes.join("|").toUpperCase()} succeeds and advertises the kind's ioctls`,
        ["fsUserfaultfdRegister", "utUffdUnit register-ioctls", "abi618IoctlsMask"],
        t.setup(),
        [api(), register(all, modes, expectedRegisterIoctls(t.hugetlb, modes))],
      ),
    );
  }
  return out;
}

/** Declared type only: what can_userfault() and core refuse at registration. */
export function refusedRegistrationScenarios(t: Target): Scenario[] {
  const model = t.model;
  const all = { page: 0, pages: t.lowered.pages };
  const out: Scenario[] = [];
  for (const mode of refusedModes(model)) {
    out.push(
      scenario(
        t,
        `register_undeclared_${mode}_refused`,
        `${mode.toUpperCase()} is not declared, so registering it fails with EINVAL`,
        mode === "minor" && model.backing === "anon" ? ["R12", "anonCanUserfault"] : ["R03", "fsUserfaultfdRegister"],
        t.setup(),
        [api(), registerFails(all, [mode], "EINVAL")],
      ),
    );
  }
  if (registrationNeedsGetFolio(model) && !model.getFolio && t.modes.length) {
    out.push(
      scenario(
        t,
        "register_without_get_folio_refused",
        "without get_folio_noalloc the pending series refuses every registration",
        ["R15", "rppt1212"],
        t.setup(),
        [api(), registerFails(all, [...t.modes], "EINVAL")],
      ),
    );
  }
  if (!model.modes.has("wp")) {
    // R08: WP-only with WP_ASYNC is accepted for any VMA, whatever the type declares.
    out.push(
      scenario(
        t,
        "register_wp_async_any_type",
        "WP-only registration with UFFD_FEATURE_WP_ASYNC is accepted even where WP is not declared",
        ["R08", "abi618WpAsync"],
        t.setup(),
        [api(["wp_async"]), { op: "register", ...all, modes: ["wp"], expect: { result: "ok" } }],
      ),
    );
  }
  return out;
}
