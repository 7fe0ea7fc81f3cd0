import { describe, expect, it } from "vitest";
import { KERNEL_VERSION_TABLE, kernelVersion } from "../../src/kernel/versions.js";
import { SOURCES } from "../../src/kernel/sources.js";
import { referenceSuite } from "../../src/plan/reference/index.js";
import { simulateSuite } from "../../src/run/sim/index.js";
import type { Suite } from "../../src/ir/scenario.js";

function only(suite: Suite, names: string[]): Suite {
  return { ...suite, scenarios: suite.scenarios.filter((s) => names.includes(s.name)) };
}

function observed(suite: Suite, kernel: "6.1" | "6.12" | "6.18", name: string): string[] {
  const r = simulateSuite(only(suite, [name]), { kernel });
  return r.results[0]!.steps.map((s) => `${s.op}: ${s.observed}`);
}

describe("kernel version facts (6.1, 6.12)", () => {
  it("every version cites sources that exist", () => {
    for (const v of Object.values(KERNEL_VERSION_TABLE)) {
      expect(v.sources.length).toBeGreaterThan(0);
      for (const s of v.sources) expect(SOURCES).toHaveProperty(s);
    }
  });

  it("6.1 lacks the features added in 6.4–6.8; 6.12 has them all", () => {
    const f61 = kernelVersion("6.1").features;
    for (const f of ["wp_unpopulated", "poison", "wp_async", "move"] as const) {
      expect(f61).not.toContain(f);
      expect(kernelVersion("6.12").features).toContain(f);
    }
    expect(f61).toContain("exact_address");
    expect(f61).toContain("wp_hugetlbfs_shmem");
  });

  it("a guest_memfd memslot on a KVM_X86_SW_PROTECTED_VM: 6.12 binds it, 6.1 lacks the VM type", () => {
    const gmem = referenceSuite("guest_memfd");
    expect(observed(gmem, "6.12", "gmem_memslot_sw_protected_vm")).toEqual(["kvm_memslot: ok"]);
    const r = simulateSuite(only(gmem, ["gmem_memslot_sw_protected_vm"]), { kernel: "6.1" }).results[0]!;
    expect(r.verdict).toBe("lacks");
    expect(r.reason).toBe("simulated Linux 6.1 lacks kvm-sw-protected-vm");
    expect(kernelVersion("6.12").sources).toContain("kvmSwProtectedVm68");
  });

  it("guest_memfd creation flags (MMAP, INIT_SHARED) are 6.18's, not 6.12's", () => {
    expect(kernelVersion("6.12").gmemFlags).toEqual([]);
    expect(kernelVersion("6.18").gmemFlags).toEqual(["mmap", "init_shared"]);
  });

  it("before the Zussman fixes, unregistering through another userfaultfd succeeds (6.12), after it is EINVAL (6.18)", () => {
    const anon = referenceSuite("anon");
    const s618 = observed(anon, "6.18", "unregister_other_ctx");
    const s612 = observed(anon, "6.12", "unregister_other_ctx");
    expect(s618.find((x) => x.startsWith("unregister"))).toBe("unregister: errno=EINVAL");
    expect(s612.find((x) => x.startsWith("unregister"))).toBe("unregister: ok");
  });

  it("MAP_DROPPABLE registers on 6.12 (the masked-flags test never fired) and is refused on 6.18", () => {
    const anon = referenceSuite("anon");
    expect(observed(anon, "6.18", "register_droppable_einval")[1]).toBe("register: errno=EINVAL");
    expect(observed(anon, "6.12", "register_droppable_einval")[1]).toMatch(/^register: ok/);
  });

  it("6.1 (found by conform --vm debian-6.1): no POISON ioctl, no CONTINUE_MODE_WP, MADV_COLLAPSE over holes is EINVAL", () => {
    const anon = referenceSuite("anon");
    const poison = observed(anon, "6.1", "poison_then_touch_sigbus").find((x) => x.startsWith("poison"));
    expect(poison).toBe("poison: errno=EINVAL updated=untouched");
    expect(observed(anon, "6.12", "poison_then_touch_sigbus").find((x) => x.startsWith("poison"))).toMatch(/^poison: ok/);
    expect(observed(anon, "6.1", "collapse_missing_range_with_holes_ebusy")[2]).toBe("madvise: errno=EINVAL");
    expect(observed(anon, "6.12", "collapse_missing_range_with_holes_ebusy")[2]).toBe("madvise: errno=EBUSY");
    const shmem = referenceSuite("shmem");
    expect(observed(shmem, "6.1", "minor_wp_continue_wp")[5]).toBe("continue: errno=EINVAL mapped=untouched");
    expect(kernelVersion("6.1").rangeIoctls).not.toContain("move");
  });

  it("MADV_DONTNEED keeps the emptied page table before 6.14 (no PT_RECLAIM): collapse then finds holes, EBUSY on 6.12", () => {
    const anon = referenceSuite("anon");
    expect(observed(anon, "6.18", "collapse_missing_range_emptied_einval")[3]).toBe("madvise: errno=EINVAL");
    expect(observed(anon, "6.12", "collapse_missing_range_emptied_einval")[3]).toBe("madvise: errno=EBUSY");
  });
});

