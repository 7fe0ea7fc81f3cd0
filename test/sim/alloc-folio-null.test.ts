/**
 * The open question of alloc_folio returning NULL: 7.1's __mfill_atomic_pte() calls
 * ops->alloc_folio() with no NULL check. The 7.1 hotfix df3ee3b3bbc3
 * ("userfaultfd: refuse to __mfill_atomic_pte() for unsupported VMAs") refuses
 * only a VMA with no vm_uffd_ops at all (-EOPNOTSUPP); mfill_get_vma() checks
 * ->get_folio_noalloc for CONTINUE and nothing for COPY, and COPY needs no
 * MISSING registration. So a MINOR-only type must define an alloc_folio that
 * refuses, and C without it calls through NULL.
 */
import { describe, expect, it } from "vitest";
import type { DeclaredType, Step } from "../../src/ir/scenario.js";
import { lower } from "../../src/lower/index.js";
import { normalize } from "../../src/model/normalize.js";
import { predictedRefusals } from "../../src/plan/planner/kernel-rules.js";
import { compileEmittedC } from "../../src/run/c/compile.js";
import { harnessNamesOf } from "../../src/run/c/harness.js";
import { simulateScenario } from "../../src/run/sim/index.js";
import { coverBlurb } from "../../src/series/cover.js";
import { API, emitDeclared, explain, run, sc } from "./helpers.js";

const MINOR_ONLY: DeclaredType = {
  name: "kvm_gmem",
  api: "linux-7.1+gmem",
  backing: "pagecache",
  modes: ["minor"],
  ioctls: ["continue"],
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "missing" },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  raise: "core",
  kernelKind: "guest_memfd",
};

const COPY_INTO_MINOR: Step[] = [API, { op: "register", page: 0, pages: 2, modes: ["minor"] }, { op: "copy", page: 0, src: { byte: 0x11 }, expect: { result: "ENOMEM", copy: -12 } }];
const setup = { kind: "declared" as const, gmemFlags: ["mmap" as const, "init_shared" as const], alias: true };

describe("a type with vm_uffd_ops but no fill, on 7.1", () => {
  it("lowers to a refusing alloc_folio, which the emitted C defines and hooks", () => {
    const { source } = emitDeclared(MINOR_ONLY);
    expect(source).toMatch(/static struct folio \*kvm_gmem_uffd_alloc_folio\(struct vm_area_struct \*vma,\s+unsigned long addr\)\n\{\n\treturn NULL;\n\}/);
    expect(source).toContain(".alloc_folio\t\t= kvm_gmem_uffd_alloc_folio,");
    expect(source).toMatch(/without checking that\n \* it is set/);
  });

  it("COPY into a MINOR-only range then fails with -ENOMEM, the planner predicts it, and nothing crashes", () => {
    const r = run(sc("copy_into_minor_only", { ...setup, declared: MINOR_ONLY }, COPY_INTO_MINOR), "7.1");
    expect(r.verdict, explain(r)).toBe("pass");
    expect(r.findings ?? []).toEqual([]);
    const spec = normalize({ name: "kvm_gmem", subsystem: "KVM: guest_memfd", file: "virt/kvm/guest_memfd.c", vmOps: "kvm_gmem_vm_ops", backing: "pagecache", modular: true, api: "linux-7.1+gmem", features: ["minor"], ioctls: ["continue"] });
    expect(lower(spec).allocFolioRefuses).toBe(true);
    expect(predictedRefusals(spec, lower(spec)).find((p) => p.ioctl === "copy")).toMatchObject({ errno: "ENOMEM", writtenBack: true });
  });

  it("C without the member (a hand edit, or the posted patches) is a NULL call: R20 at run time", () => {
    const built = emitDeclared(MINOR_ONLY);
    const edited = built.source.replace(/\t\.alloc_folio\t+= kvm_gmem_uffd_alloc_folio,\n/, "");
    expect(edited).not.toEqual(built.source);
    const compiled = compileEmittedC(edited, "kvm_gmem_uffd.c", harnessNamesOf(MINOR_ONLY.api, built.c));
    const s = sc("copy_through_null", { ...setup, declared: { ...MINOR_ONLY, raise: built.raise, c: built.c } }, COPY_INTO_MINOR);
    const r = simulateScenario(s, { kernel: "7.1", declaredC: compiled });
    expect(r.findings?.map((f) => f.rule)).toContain("R20");
    expect(r.findings!.find((f) => f.rule === "R20")!.message).toMatch(/NULL pointer dereference/);
  });

  it("a generation without the member (peterx-v4) refuses the VMA in mfill: -EINVAL, no refusing alloc_folio", () => {
    const v4 = normalize({ name: "xmem", subsystem: "mm/xmem", file: "mm/xmem.c", vmOps: "xmem_vm_ops", backing: "pagecache", api: "peterx-v4", features: ["minor"], ioctls: ["continue"] });
    expect(lower(v4).allocFolioRefuses).toBe(false);
    expect(predictedRefusals(v4, lower(v4)).find((p) => p.ioctl === "copy")).toMatchObject({ errno: "EINVAL" });
  });

  it("the cover letter says why the type has an alloc_folio that refuses; a type that fills has no such paragraph", () => {
    const blurb = (m: ReturnType<typeof normalize>) => coverBlurb({ model: m, series: lower(m).series, version: 1, baseSha: "a".repeat(40), baseName: "master", testing: {}, commitSubjects: [], allocFolioRefuses: lower(m).allocFolioRefuses });
    const minorOnly = normalize({ name: "kvm_gmem", subsystem: "KVM: guest_memfd", file: "virt/kvm/guest_memfd.c", vmOps: "kvm_gmem_vm_ops", backing: "pagecache", modular: true, api: "linux-7.1+gmem", features: ["minor"], ioctls: ["continue"] });
    expect(blurb(minorOnly).replace(/\s+/g, " ")).toMatch(/alloc_folio\(\) that returns NULL\. __mfill_atomic_pte\(\) calls ->alloc_folio\(\) without checking that it is set \(commit df3ee3b3bbc3/);
    const fills = normalize({ name: "kvm_gmem", subsystem: "KVM: guest_memfd", file: "virt/kvm/guest_memfd.c", vmOps: "kvm_gmem_vm_ops", backing: "pagecache", modular: true, api: "linux-7.1+gmem", features: ["missing"], ioctls: ["copy"] });
    expect(blurb(fills)).not.toMatch(/returns NULL/);
  });
});
