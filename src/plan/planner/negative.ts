/**
 * The negative space around registration and the range ioctls: bad ranges and
 * modes, ownership, unregistered ranges, read-only mappings, hugetlb's rules
 * (fs/userfaultfd.c userfaultfd_register(), the range ioctls' write-back and
 * userfaultfd_wake(); mm/userfaultfd.c mfill_get_vma(); as 6.18 does them).
 */
import { KIND_SUPPORT } from "../../kernel/kinds.js";
import type { Scenario } from "../../ir/scenario.js";
import { predictedRefusals } from "./kernel-rules.js";
import {
  api,
  continueFails,
  copyFails,
  done,
  moveFails,
  register,
  registerFails,
  touch,
  wake,
  writeprotect,
  zeropageFails,
} from "./steps.js";
import { anyMode, scenario, type Target } from "./target.js";

export function negativeScenarios(t: Target): Scenario[] {
  const n = t.lowered.pages;
  const all = { page: 0, pages: n };
  const mode = anyMode(t);
  const out: Scenario[] = [];
  // Half a small page is unaligned anywhere; a small page is unaligned on hugetlb (R29).
  const misalign = t.hugetlb ? KIND_SUPPORT.anon.pageSize : KIND_SUPPORT.anon.pageSize / 2;

  if (mode) {
    out.push(
      scenario(t, "register_unaligned_einval", "a registration range that does not start on a page boundary is EINVAL", t.hugetlb ? ["R29", "fsUserfaultfdRegister"] : ["fsUserfaultfdRegister"], t.setup(), [
        api(),
        registerFails({ page: 0, pages: 1, offsetBytes: misalign }, [mode], "EINVAL"),
      ]),
      scenario(t, "register_len_zero_einval", "a zero-length registration is EINVAL", ["fsUserfaultfdRegister"], t.setup(), [
        api(),
        registerFails({ page: 0, lenBytes: 0 }, [mode], "EINVAL"),
      ]),
      scenario(t, "register_mode_zero_einval", "a registration with no mode is EINVAL", ["fsUserfaultfdRegister", "utUffdUnit register-ioctls"], t.setup(), [
        api(),
        registerFails(all, [], "EINVAL"),
      ]),
      scenario(t, "register_other_ctx_ebusy", "a range owned by one userfaultfd cannot be registered by another: EBUSY", ["R05"], t.setup({ contexts: 2 }), [
        api(),
        register(all, [mode]),
        api([], 1),
        registerFails(all, [mode], "EBUSY", 1),
      ]),
    );
    if (t.fileBacked && !t.gmem) {
      out.push(
        scenario(t, "register_readonly_mapping_eperm", "a read-only shared file mapping lacks VM_MAYWRITE: registration is EPERM", ["R04", "abi618Register"], t.setup({ readonly: true, alias: false }), [
          api(),
          registerFails(all, [mode], "EPERM"),
        ]),
      );
    }
  }
  if (t.ioctls.has("copy") && mode) {
    out.push(
      scenario(t, "copy_unaligned_einval", "COPY to an address off a page boundary is EINVAL", t.hugetlb ? ["R29", "abi618WriteBack"] : ["mmUserfaultfdMfill", "abi618WriteBack"], t.setup(), [
        api(),
        register(all, [mode]),
        // Argument validation leaves the field alone; hugetlb's alignment is checked after the vma lookup.
        copyFails({ page: 0, offsetBytes: misalign }, "EINVAL", t.hugetlb),
      ]),
    );
  }
  if (t.ioctls.has("copy")) {
    out.push(
      scenario(t, "copy_unregistered_enoent", "COPY into a range no userfaultfd registered is ENOENT, written back", ["abi618WriteBack", "mmUserfaultfdMfill"], t.setup(), [
        api(),
        copyFails({ page: 0 }, "ENOENT", true),
        touch("t0", 0, "read", done(0)),
      ]),
    );
  }
  if (t.hugetlb && mode) {
    out.push(
      scenario(t, "zeropage_on_hugetlb_einval", "hugetlb has no ZEROPAGE: the call is EINVAL, written back as zeropage=-22", ["R28", "utUffdUnit zeropage", "abi618WriteBack"], t.setup(), [
        api(),
        register(all, [mode]),
        zeropageFails({ page: 0 }, "EINVAL", true),
      ]),
    );
  }
  out.push(
    scenario(t, "wake_unregistered_ok", "UFFDIO_WAKE never looks at the vmas: it succeeds on a range nobody registered", ["abi618WakeFlags"], t.setup(), [
      api(),
      wake({ page: 0, pages: 1 }),
    ]),
  );
  return out;
}

/** Declared type only: undeclared range ioctls the kernel refuses on it. */
export function refusedIoctlScenarios(t: Target): Scenario[] {
  const mode = anyMode(t);
  if (!mode) return [];
  const all = { page: 0, pages: t.lowered.pages };
  const out: Scenario[] = [];
  for (const r of predictedRefusals(t.model, t.lowered)) {
    if (r.ioctl === "zeropage" && t.hugetlb) continue; // zeropage_on_hugetlb_einval says it for every hugetlb target
    const call =
      r.ioctl === "copy"
        ? copyFails({ page: 0 }, r.errno, r.writtenBack)
        : r.ioctl === "zeropage"
          ? zeropageFails({ page: 0 }, r.errno, r.writtenBack)
          : r.ioctl === "continue"
            ? continueFails({ page: 0 }, r.errno, r.writtenBack)
            : r.ioctl === "writeprotect"
              ? writeprotect({ page: 0 }, true, r.errno)
              : moveFails(0, r.errno, r.writtenBack);
    out.push(
      scenario(t, `undeclared_${r.ioctl}_refused`, `${r.ioctl.toUpperCase()} is not declared and the kernel refuses it with ${r.errno}`, r.source, t.setup(r.ioctl === "move" ? { srcPages: 1 } : {}), [
        api(),
        register(all, [mode]),
        call,
      ]),
    );
  }
  return out;
}
