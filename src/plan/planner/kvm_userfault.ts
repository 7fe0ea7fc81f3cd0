/**
 * KVM Userfault (James Houghton's v3, not merged; Oliver Upton's review of
 * 04/15, https://lore.kernel.org/r/aFMWQ5_zMXGTCE98@linux.dev): a vCPU access to a page whose bit is set in the
 * memslot's userspace bitmap exits to the VMM, which fills the page with the
 * type's userfaultfd resolution and clears the bit; the vCPU's next access
 * must read what the VMM stored. Whether it always does depends on the pairing
 * the spec declares (Oliver Upton on v3 04/15: a load-acquire in KVM against
 * userspace's store-release), which lowering decided (src/lower).
 *
 * No released kernel has KVM_MEM_USERFAULT: these scenarios run on the
 * simulator only (the emitted selftest SKIPs them, the kernel runner reports
 * "lacks"). Run sequentially, they hold whatever the pairing; the weak-memory
 * schedules in which a plain pairing reads stale contents are enumerated by
 * exploreInterleavings (src/run/sim/explore.ts) over kvmUserfaultPrograms.
 */
import type { Scenario, Step } from "../../ir/scenario.js";
import { api, continueOk, copyOk, fileWrite, register, touch, done } from "./steps.js";
import { scenario, type Target } from "./target.js";

/** The byte the VMM fills the exited-on page with (non-zero, so a stale read of a hole shows). */
export const KVM_FILL_BYTE = 0x4b;

export function kvmUserfaultScenarios(t: Target): Scenario[] {
  const k = t.lowered.kvmUserfault;
  if (!k || t.key !== "declared") return [];
  const n = t.lowered.pages;
  const all = { page: 0, pages: n };
  const setup = t.setup();
  const needs = [...(setup.needs ?? []), "kvm-userfault" as const];
  const order = k.userspaceStore === "release" ? "release" : "relaxed";
  const pairing = `${k.userspaceStore === "release" ? "store-release" : "plain store"} against ${k.bitmapLoad === "acquire" ? "load-acquire" : "a plain __get_user"}`;
  const fill: Step[] =
    k.fill === "copy"
      ? [copyOk(0, 1, t.pageSize, { byte: KVM_FILL_BYTE })]
      : k.fill === "continue" && t.populate
        ? [fileWrite(0, KVM_FILL_BYTE, t.populate), continueOk(0, 1, t.pageSize)]
        : [touch("vmm", 0, "write", done(), { value: KVM_FILL_BYTE })];
  const reg: Step[] = k.fill === "copy" ? [register(all, ["missing"])] : k.fill === "continue" && t.populate ? [register(all, ["minor"])] : [];
  return [
    scenario(
      t,
      "kvm_userfault_fill_then_clear",
      `KVM Userfault: the vCPU exits on a page whose bit is set; the VMM fills it (${k.fill}) and clears the bit (${pairing}); the vCPU then reads the filled page`,
      ["oliverAcquire", "kvmUserfaultV3"],
      { ...setup, needs },
      [
        api(),
        ...reg,
        { op: "kvm_enable_userfault" },
        { op: "kvm_bitmap", page: 0, set: true, order: "release" },
        { op: "kvm_vcpu_access", page: 0, load: k.bitmapLoad, expect: { outcome: "exit-userfault" } },
        ...fill,
        { op: "kvm_bitmap", page: 0, set: false, order },
        { op: "kvm_vcpu_access", page: 0, load: k.bitmapLoad, expect: { outcome: "done", value: KVM_FILL_BYTE } },
      ],
    ),
  ];
}
