/**
 * KVM Userfault declared by a spec (Oliver Upton on KVM Userfault v3 04/15): kvmUserfaultPrograms gives the
 * explorer the planner's KVM Userfault scenarios, and exploreInterleavings over
 * them finds the stale read in James Houghton's v3 (plain __get_user of the
 * bitmap word) and none in the load-acquire/store-release pairing Oliver Upton
 * asked for. The programs run on the declared type's emitted C, as `gen` does.
 */
import { describe, expect, it } from "vitest";
import { loadModel } from "../../src/load/index.js";
import { lower } from "../../src/lower/index.js";
import { normalize } from "../../src/model/normalize.js";
import { emitKernel } from "../../src/emit/kernel/index.js";
import { declaredCOf } from "../../src/plan/planner/declared.js";
import { planSuite } from "../../src/plan/planner/index.js";
import { harnessNamesOf } from "../../src/run/c/harness.js";
import { compileEmittedC } from "../../src/run/c/compile.js";
import { exploreInterleavings, simulateScenario } from "../../src/run/sim/index.js";
import { kvmUserfaultPrograms } from "../../src/plan/explore/kvm.js";
import { simKernelFor } from "../../src/run/sim-kernel.js";
import { hasKvmUserfault } from "../../src/emit/selftest/index.js";
import { validateScenario } from "../../src/run/sim/validate.js";
import type { MemoryTypeSpec } from "../../src/spec/types.js";
import { lowerOf } from "../fixtures/lower.js";

async function programsOf(example: string) {
  const r = await loadModel(`examples/${example}.uffd.ts`);
  expect(r.fatal).toBe(false);
  const model = r.model!;
  const lowered = lower(model);
  const file = emitKernel(lowered).files[0]!;
  const declaredC = compileEmittedC(file.contents, file.path, harnessNamesOf(lowered.api, declaredCOf(lowered)));
  return { model, lowered, programs: kvmUserfaultPrograms(lowered), opts: { kernel: simKernelFor(lowered.api), declaredC } };
}

describe("kvmUserfaultPrograms (Oliver Upton on KVM Userfault v3 04/15)", () => {
  it("James Houghton's v3 (plain bitmap load): some schedule reads the page as it was before the fill", async () => {
    const { programs, opts } = await programsOf("kvm-userfault-v3");
    expect(programs.length).toBeGreaterThan(0);
    for (const p of programs) {
      expect(validateScenario(JSON.parse(JSON.stringify(p)))).toEqual([]);
      expect(p.steps.some((s) => s.op === "kvm_vcpu_access" && s.load === "plain")).toBe(true);
      // In program order it holds: only the weak-memory schedules show the bug.
      expect(simulateScenario(p, opts).verdict).toBe("pass");
    }
    const e = programs.map((p) => exploreInterleavings(p, opts));
    expect(e.some((x) => x.staleObserved)).toBe(true);
    const last = e[0]!.accesses[e[0]!.accesses.length - 1]!;
    expect(last.stale.length).toBeGreaterThan(0);
    // The stale value is the hole's zero, not the byte the VMM copied in.
    expect(last.stale.every((o) => !o.exit && o.value === 0)).toBe(true);
  });

  it("Oliver Upton's pairing (load-acquire, store-release): no schedule reads stale contents", async () => {
    const { programs, opts } = await programsOf("kvm-userfault-acquire");
    expect(programs.length).toBeGreaterThan(0);
    for (const p of programs) {
      expect(simulateScenario(p, opts).verdict).toBe("pass");
      const e = exploreInterleavings(p, opts);
      expect(e.schedules).toBeGreaterThan(1);
      expect(e.staleObserved).toBe(false);
      // Both outcomes a correct pairing allows occur: another exit, and the filled page.
      const last = e.accesses[e.accesses.length - 1]!;
      expect(last.outcomes.some((o) => o.exit)).toBe(true);
      expect(last.outcomes.some((o) => !o.exit && o.value !== 0)).toBe(true);
    }
  });

  it("a plain store by the VMM is stale even against a load-acquire", async () => {
    const { model, opts } = await programsOf("kvm-userfault-acquire");
    const spec: MemoryTypeSpec = { ...model.spec, kvmUserfault: { bitmapLoad: "acquire", userspaceStore: "plain" } };
    const lowered = lower(normalize(spec));
    expect(lowered.kvmUserfault).toMatchObject({ paired: false, fill: "copy" });
    const [p] = kvmUserfaultPrograms(lowered);
    expect(exploreInterleavings(p!, opts).staleObserved).toBe(true);
  });

  it("a spec without kvmUserfault has no programs and plans no KVM Userfault scenario", async () => {
    const r = await loadModel("examples/gmem.uffd.ts");
    expect(kvmUserfaultPrograms(lower(r.model!))).toEqual([]);
    expect(planSuite(lowerOf(r.model!)).scenarios.some(hasKvmUserfault)).toBe(false);
  });

  it("the planner carries them, simulator-only (needs kvm-userfault; the selftest C skips them)", async () => {
    const { model, lowered, programs } = await programsOf("kvm-userfault-v3");
    const planned = planSuite(lowered).scenarios.filter(hasKvmUserfault);
    expect(planned.map((s) => s.name)).toEqual(programs.map((s) => s.name));
    for (const s of planned) expect(s.setup.needs).toContain("kvm-userfault");
  });

  it("the fill follows what the type declares: CONTINUE for a MINOR-only type, a plain write with neither", async () => {
    const { model } = await programsOf("kvm-userfault-acquire");
    const runs = (spec: MemoryTypeSpec) => {
      const lowered = lower(normalize(spec));
      const file = emitKernel(lowered).files[0]!;
      const declaredC = compileEmittedC(file.contents, file.path, harnessNamesOf(lowered.api, declaredCOf(lowered)));
      const [p] = kvmUserfaultPrograms(lowered);
      const r = simulateScenario(p!, { kernel: simKernelFor(lowered.api), declaredC });
      expect(r.verdict, r.reason).toBe("pass");
      return { lowered, ops: p!.steps.map((s) => s.op) };
    };
    const minorOnly = runs({ ...model.spec, features: ["minor"], ioctls: ["continue"] });
    expect(minorOnly.lowered.kvmUserfault?.fill).toBe("continue");
    expect(minorOnly.ops).toContain("continue");
    const none = runs({ ...model.spec, features: ["minor"], ioctls: [] });
    expect(none.lowered.kvmUserfault?.fill).toBe("write");
    expect(none.ops).not.toContain("register");
  });
});
