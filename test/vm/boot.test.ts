/**
 * One real boot: Debian's 6.12 image (apt-get download on first use, cached
 * after) under TCG (or KVM where the host can nest), with two scenarios: a
 * version difference (unregistering through another userfaultfd) and a
 * guest_memfd one that needs /dev/kvm inside the guest.
 *
 * No wall-clock test timeout: a busy machine makes the guest slow, not wrong.
 * The guest is bounded by QEMU itself (init reboots under -no-reboot, panic=-1)
 * and by the runner's outer kill, which only a real hang reaches.
 */
import { describe, expect, it } from "vitest";
import { referenceSuite } from "../../src/plan/reference/index.js";
import { resolveKernel, runSuitesInVm } from "../../src/run/vm/index.js";
import { simulateSuite } from "../../src/run/sim/index.js";
import { compareSuites } from "../../src/run/compare.js";
import type { Suite } from "../../src/ir/scenario.js";

function only(suite: Suite, names: string[]): Suite {
  return { ...suite, scenarios: suite.scenarios.filter((s) => names.includes(s.name)) };
}

describe("a Debian 6.12 guest", () => {
  it(
    "boots, loads KVM, runs the selftests and agrees with the simulator held to 6.12",
    async () => {
      const say = (l: string) => process.stderr.write(`${l}\n`);
      const kernel = await resolveKernel("debian-6.12", { say });
      if (typeof kernel === "string") throw new Error(kernel);
      expect(kernel.version).toBe("6.12");
      const suites = [only(referenceSuite("anon"), ["unregister_other_ctx", "register_droppable_einval"]), only(referenceSuite("guest_memfd"), ["mmap_without_flags_enodev", "gmem_memslot_sw_protected_vm"])];
      const run = await runSuitesInVm(suites, kernel, { say });
      expect(run.problem).toBeUndefined();
      expect(run.facts.release).toBe(kernel.release);
      // KVM inside the guest, whatever the host has.
      expect(run.facts.kvm).toBe(true);
      expect(run.findings).toEqual([]);
      const verdicts = run.results.flatMap((r) => r.results.map((x) => [x.scenario, x.verdict]));
      expect(verdicts).toEqual([
        ["unregister_other_ctx", "fail"],
        ["register_droppable_einval", "fail"],
        ["mmap_without_flags_enodev", "pass"],
        ["gmem_memslot_sw_protected_vm", "lacks"],
      ]);
      // Debian builds 6.12 without KVM_SW_PROTECTED_VM: the test says what KVM_CREATE_VM answered.
      const memslot = run.results[1]!.results.find((x) => x.scenario === "gmem_memslot_sw_protected_vm")!;
      expect(memslot.reason).toBe("KVM_CREATE_VM(type 1, KVM_X86_SW_PROTECTED_VM) returned EINVAL");
      suites.forEach((s, i) => {
        const c = compareSuites(simulateSuite(s, { kernel: "6.12" }), run.results[i]!);
        expect(c.disagree, JSON.stringify(c.scenarios)).toBe(0);
        expect(c.agree).toBe(s.scenarios.filter((x) => x.name !== "gmem_memslot_sw_protected_vm").length);
      });
    },
    0,
  );
});
