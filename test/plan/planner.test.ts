import { lower } from "../../src/lower/index.js";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isCIdentifier } from "../../src/kernel/cident.js";
import { KIND_SUPPORT } from "../../src/kernel/kinds.js";
import { SOURCES } from "../../src/kernel/sources.js";
import { HPAGE_PMD_SIZE, PAGE_SIZE, type RegisterMode } from "../../src/kernel/uapi.js";
import { normalize } from "../../src/model/normalize.js";
import { declaredTypeOf, expectedRegisterIoctls, planSuite } from "../../src/plan/planner/index.js";
import type { Scenario } from "../../src/ir/scenario.js";
import { expectedObservation } from "../../src/ir/observation.js";
import type { MemoryTypeSpec } from "../../src/spec/types.js";
import * as specs from "../fixtures/planner-specs.js";
import { apiFeatures, IOCTL_OPS, ioctlOk, registerSteps, registersOk, resultOf, structuralProblems } from "./walk.js";
import { lowerOf } from "../fixtures/lower.js";

const ALL_MODES: RegisterMode[] = ["missing", "minor", "wp"];
const cases = Object.entries(specs) as [string, MemoryTypeSpec][];

function plan(spec: MemoryTypeSpec) {
  return planSuite(lowerOf(normalize(spec)));
}
const declaredOnly = (ss: readonly Scenario[]) => ss.filter((s) => s.setup.kind === "declared");

describe.each(cases)("planSuite(lowerOf(%s))", (_label, spec) => {
  const suite = plan(spec);
  const declared = declaredOnly(suite.scenarios);

  it("plans scenarios for the declared type", () => {
    expect(declared.length).toBeGreaterThan(5);
    expect(suite.name).toBe(spec.name);
  });

  it("registers every declared mode, alone, with a success expectation", () => {
    for (const mode of spec.features) {
      const hits = registersOk(declared, mode);
      expect(hits.length, `mode ${mode}`).toBeGreaterThan(0);
      expect(hits.some((s) => registerSteps(s).some((r) => r.modes.length === 1 && r.modes[0] === mode && r.expect?.ioctls))).toBe(true);
    }
  });

  it("exercises every declared ioctl with a success expectation (where the kind can do it)", () => {
    for (const ioctl of spec.ioctls) {
      if (ioctl === "zeropage" && spec.backing === "hugetlb") continue;
      expect(ioctlOk(declared, ioctl).length, `ioctl ${ioctl}`).toBeGreaterThan(0);
    }
  });

  it("refuses undeclared modes with an errno (WP_ASYNC-only registration excepted, R08)", () => {
    const undeclared = ALL_MODES.filter((m) => !spec.features.includes(m));
    for (const s of declared) {
      for (const r of registerSteps(s)) {
        const extra = r.modes.filter((m) => undeclared.includes(m));
        if (!extra.length) continue;
        const r08 = r.modes.length === 1 && r.modes[0] === "wp" && apiFeatures(s, r.ctx ?? 0).includes("wp_async");
        if (r08) continue;
        if (spec.backing === "anon" && extra.every((m) => m !== "minor")) continue; // anon_uffd_ops serves WP
        expect(resultOf(r), `${s.name}: register ${r.modes.join("|")}`).toMatch(/^E[A-Z]+$/);
      }
    }
    for (const m of undeclared) {
      if (spec.backing === "anon" && m !== "minor") continue;
      expect(declared.some((s) => s.name === `register_undeclared_${m}_refused`), `refusal scenario for ${m}`).toBe(true);
    }
  });

  it("uses undeclared ioctls only in scenarios that expect an errno", () => {
    for (const s of declared) {
      for (const st of s.steps) {
        if (!(IOCTL_OPS as readonly string[]).includes(st.op)) continue;
        if ((spec.ioctls as string[]).includes(st.op)) continue;
        if (st.op === "continue" && spec.getFolio && spec.populateByWrite) continue; // Nikita Kalyazin's uffd-missing RFC: CONTINUE resolves MISSING
        expect(resultOf(st), `${s.name}: ${st.op}`).toMatch(/^E[A-Z]+$/);
      }
    }
  });

  it("names scenarios as unique C identifiers", () => {
    const names = suite.scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(isCIdentifier(n), n).toBe(true);
  });

  it("builds scenarios that hold together structurally and have checkable expectations", () => {
    for (const s of suite.scenarios) {
      expect(structuralProblems(s)).toEqual([]);
      expect(s.title.length).toBeGreaterThan(10);
      for (const st of s.steps) expect(() => expectedObservation(st)).not.toThrow();
    }
  });

  const schemaWhy = existsSync("schema/scenario.schema.json") && existsSync("src/run/sim/validate.ts") ? "" : "schema/scenario.schema.json or its validator is absent";
  it.skipIf(Boolean(schemaWhy))(`validates against the published scenario schema${schemaWhy ? ` (skipped: ${schemaWhy})` : ""}`, async () => {
    const { validateScenario } = await import("../../src/run/sim/validate.js");
    for (const s of suite.scenarios) expect(validateScenario(JSON.parse(JSON.stringify(s))), s.name).toEqual([]);
    // The validator does reject a broken scenario (so the check above can fail).
    const broken = JSON.parse(JSON.stringify(suite.scenarios[0])) as { steps: { op: string }[] };
    broken.steps[0]!.op = "registr";
    expect(validateScenario(broken).length).toBeGreaterThan(0);
  });

  it("cites where each expectation comes from", () => {
    const keys = new Set(Object.keys(SOURCES));
    for (const s of suite.scenarios) {
      expect(s.source?.length, s.name).toBeGreaterThan(0);
      for (const src of s.source ?? []) {
        const head = src.split(" ")[0]!;
        const known = /^R\d\d$/.test(src) || /^(vm_uffd_ops|uffd-abi)\.md §/.test(src) || keys.has(head) || /^(spec|kind) /.test(src) || src === "fault injection";
        expect(known, `${s.name}: source "${src}"`).toBe(true);
      }
    }
  });

  it("is deterministic: planning twice gives equal suites", () => {
    expect(JSON.stringify(plan(structuredClone(spec)))).toBe(JSON.stringify(suite));
  });

  it("carries the declared type in every declared scenario", () => {
    const want = declaredTypeOf(normalize(spec), lower(normalize(spec)));
    for (const s of declared) {
      const { privatePages: _conversion, inject: _injected, ...rest } = s.setup.declared!;
      expect(rest).toEqual(want);
    }
    expect(want.api).toBe(spec.api);
    expect(want.modes).toEqual(spec.features);
  });
});

describe("guest_memfd scenarios", () => {
  const gmemish = (s: Scenario) => s.setup.kind === "guest_memfd" || s.setup.gmemFlags !== undefined || s.steps.some((x) => x.op === "punch_hole");

  it("appear only for guest_memfd-backed types", () => {
    for (const [label, spec] of cases) {
      const any = plan(spec).scenarios.some(gmemish);
      expect(any, label).toBe(spec.run?.kernelKind === "guest_memfd");
    }
  });

  it("cover the MMAP / INIT_SHARED flags: SIGBUS when not shared, ENODEV without MMAP (the guest_memfd INIT_SHARED thread)", () => {
    const ss = plan(specs.gmemSpec).scenarios;
    const notShared = ss.filter((s) => s.setup.gmemFlags && !s.setup.gmemFlags.includes("init_shared") && !s.setup.mmapExpect && !registerSteps(s).some((r) => resultOf(r) === "ok"));
    expect(notShared.length).toBeGreaterThan(0);
    for (const s of notShared) {
      const touches = s.steps.filter((x) => x.op === "touch");
      for (const t of touches) expect(t.op === "touch" && t.expect.outcome, s.name).toBe("sigbus");
    }
    const enodev = ss.find((s) => s.setup.mmapExpect === "ENODEV");
    expect(enodev?.setup.gmemFlags).not.toContain("mmap");
    // The flag scenarios need only KVM, so they run on this machine's 6.18 kernel.
    expect(ss.find((s) => s.name === "guest_memfd_not_shared_fault_sigbus")?.setup.needs).toEqual(["kvm"]);
  });

  it("fault MISSING again after a punched hole", () => {
    const s = plan(specs.gmemSpec).scenarios.find((x) => x.name === "gmem_punch_hole_missing_again")!;
    const ops = s.steps.map((x) => x.op);
    const hole = ops.indexOf("punch_hole");
    expect(hole).toBeGreaterThan(0);
    expect(ops.slice(hole).filter((o) => o === "event")).toHaveLength(1);
    expect(s.steps.slice(hole).some((x) => x.op === "event" && x.expect.event === "pagefault")).toBe(true);
  });

  it("uffd on the real guest_memfd kind needs the pending series (gmem-uffd), only for linux-7.1+gmem", () => {
    const gm = plan(specs.gmemSpec).scenarios.filter((s) => s.setup.kind === "guest_memfd" && registersOk([s], "missing").length);
    expect(gm.length).toBeGreaterThan(0);
    for (const s of gm) expect(s.setup.needs).toContain("gmem-uffd");
    const on71 = plan({ ...specs.gmemSpec, api: "linux-7.1", fault: { handler: "kvm_gmem_fault_user_mapping", raise: "handle_userfault" } }).scenarios;
    expect(on71.some((s) => s.setup.needs?.includes("gmem-uffd"))).toBe(false);
  });

  it("follows where the guard is checked: at register → EINVAL (R38); at fault → never served (R39): SIGBUS, and COPY refused", () => {
    const atFault = plan(specs.gmemSpec).scenarios.find((s) => s.name === "gmem_not_shared_register")!;
    expect(registerSteps(atFault).map(resultOf)).toEqual(["ok"]);
    // get_folio_noalloc refuses the page (ERR_PTR(-EACCES)): no MISSING, ->fault SIGBUSes it.
    expect(atFault.steps.find((x) => x.op === "touch")).toMatchObject({ expect: { outcome: "sigbus" } });
    expect(atFault.steps.some((x) => x.op === "event")).toBe(true);
    // Without guard.recheck alloc_folio's NULL says ENOMEM; with it filemap_add says EACCES.
    expect(atFault.steps.some((x) => x.op === "copy" && resultOf(x) === "ENOMEM")).toBe(true);
    const rechecked = plan({ ...specs.gmemSpec, guard: { ...specs.gmemSpec.guard!, recheck: { at: "filemap_add", lock: "invalidate_lock" } } }).scenarios.find((s) => s.name === "gmem_not_shared_register")!;
    expect(rechecked.steps.some((x) => x.op === "copy" && resultOf(x) === "EACCES")).toBe(true);
    expect(atFault.source).toContain("R39");
    const atRegister = plan(specs.gmemWriteContinueSpec).scenarios.find((s) => s.name === "gmem_not_shared_register")!;
    expect(registerSteps(atRegister).map(resultOf)).toEqual(["EINVAL"]);
    expect(atRegister.source).toContain("R38");
  });
});

describe("hugetlb", () => {
  const ss = plan(specs.hugetlbSpec).scenarios;
  it("never expects ZEROPAGE to succeed, and plans its EINVAL written back", () => {
    expect(ioctlOk(ss, "zeropage")).toEqual([]);
    const z = ss.find((s) => s.name === "zeropage_on_hugetlb_einval")!;
    expect(expectedObservation(z.steps.find((x) => x.op === "zeropage")!)).toEqual({ status: "errno=EINVAL", fields: { zeropage: "-22" } });
  });
  it("counts in huge pages and misaligns by a small page", () => {
    for (const s of ss) {
      for (const st of s.steps) {
        if (st.op === "copy" && resultOf(st) === "ok") expect(st.expect?.copy).toBe((st.pages ?? 1) * HPAGE_PMD_SIZE);
        if ("offsetBytes" in st && st.offsetBytes !== undefined) expect(st.offsetBytes).toBe(PAGE_SIZE);
      }
      expect(s.setup.needs).toContain("hugetlb-pages");
    }
    expect(KIND_SUPPORT.hugetlb.pageSize).toBe(HPAGE_PMD_SIZE);
  });
  it("advertises the BASIC ioctl set at registration", () => {
    const r = registerSteps(ss.find((s) => s.name === "hugetlb_register_missing")!)[0]!;
    expect(r.expect?.ioctls).toEqual(["wake", "copy", "poison"]);
  });
});

describe("expected registration masks (fs/userfaultfd.c userfaultfd_register())", () => {
  it("drop WRITEPROTECT and CONTINUE unless their modes are requested", () => {
    expect(expectedRegisterIoctls(false, ["missing"])).toEqual(["wake", "copy", "zeropage", "move", "poison"]);
    expect(expectedRegisterIoctls(false, ["missing", "minor", "wp"])).toEqual(["wake", "copy", "zeropage", "move", "writeprotect", "continue", "poison"]);
    expect(expectedRegisterIoctls(true, ["minor"])).toEqual(["wake", "copy", "continue", "poison"]);
  });
});

describe("stability", () => {
  it("dropping an ioctl leaves the steps of unrelated scenarios unchanged", () => {
    const before = plan(specs.shmemSpec).scenarios;
    const after = plan({ ...specs.shmemSpec, ioctls: specs.shmemSpec.ioctls.filter((i) => i !== "poison") }).scenarios;
    const byName = new Map(before.map((s) => [s.name, s]));
    let compared = 0;
    for (const s of after) {
      const old = byName.get(s.name);
      if (!old) continue;
      expect(s.steps, s.name).toEqual(old.steps);
      compared++;
    }
    expect(compared).toBeGreaterThan(20);
    expect(after.some((s) => s.name.includes("poison"))).toBe(false);
  });
});

describe("flawed strategies", () => {
  it("a lookup-or-create get_folio meets a scenario that expects CONTINUE without a folio to be EFAULT", () => {
    const s = plan(specs.gmemMinorFlawedSpec).scenarios.find((x) => x.name === "minor_continue_without_folio_efault")!;
    expect(s.source).toContain("R18");
    expect(s.steps.some((x) => x.op === "continue" && resultOf(x) === "EFAULT")).toBe(true);
  });
});
