/**
 * A checklist item whose simulator evidence ran through a stand-in for one of
 * the type's own functions is not verified: the stand-in answered, the
 * type's C did not run. Only the items whose concern runs through that
 * function are affected (items.ts, typeRoles).
 */
import { describe, expect, it } from "vitest";
import { lower } from "../../src/lower/index.js";
import { normalize } from "../../src/model/normalize.js";
import { buildChecklist, CHECKLIST_ITEMS } from "../../src/report/checklist/index.js";
import type { CRunEvidence, ExploreEvidence } from "../../src/ir/result.js";
import { open } from "../../src/session/index.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";

const ran = (name: string, role: string) => ({ name, role, ran: "c" as const, file: "t.uffd.c" });
const standIn = (name: string, role: string) => ({ name, role, ran: "stand-in" as const });
const cRun = (typeFunctions: CRunEvidence["typeFunctions"]): CRunEvidence => ({
  file: "kernel/t_uffd.c",
  executed: true,
  branches: { executed: 10, total: 10 },
  missed: [],
  contractFindings: [],
  runFindings: [],
  typeFunctions,
});
const exhaustive: ExploreEvidence = { programs: [{ name: "fill_vs_conversion", checklist: ["C01"], verdict: "exhaustive", schedules: 3, violations: [] }] };
const item = (c: CRunEvidence, id: string, explore?: ExploreEvidence) =>
  buildChecklist(lower(normalize(GMEM_SPEC)), { c, ...(explore ? { explore } : {}) }).items.find((i) => i.id === id)!;

describe("stand-ins in the checklist", () => {
  it("every item with simulator evidence says which of the type's functions it runs through", () => {
    for (const i of CHECKLIST_ITEMS.filter((x) => x.cPaths || x.concern)) expect(i.typeRoles, i.id).toBeDefined();
  });

  it("the guard as a stand-in: C01 is not verified by the executed C, and says so; C08 (filemap_add) still is", () => {
    const c = cRun([standIn("kvm_gmem_is_shared_mem", "guard-page"), ran("kvm_gmem_alloc", "alloc")]);
    const c01 = item(c, "C01");
    expect(c01.status).toBe("human");
    expect(c01.standIns).toEqual(["kvm_gmem_is_shared_mem()"]);
    expect(c01.human).toMatch(/^Verified by executing the emitted C, with kvm_gmem_is_shared_mem\(\) a stand-in .*not verified/);
    expect(c01.verifiedBy.some((v) => v.kind === "c" && v.result === "pass")).toBe(true);
    const c08 = item(c, "C08");
    expect(c08.status).toBe("pass");
    expect(c08.standIns).toBeUndefined();
    const md = buildChecklist(lower(normalize(GMEM_SPEC)), { c }).markdown;
    expect(md).toMatch(/\[ \] \*\*C01\*\* .* — not verified \(rests on stand-ins: kvm_gmem_is_shared_mem\(\)\)/);
    expect(md).toMatch(/\[x\] \*\*C08\*\* .* — verified/);
  });

  it("exploration with the guard answered by a stand-in verifies neither C01 nor C15", () => {
    const c = cRun([standIn("kvm_gmem_is_shared_mem", "guard-page")]);
    for (const id of ["C01", "C15"]) {
      const i = item(c, id, exhaustive);
      expect(i.status, id).toBe("human");
      expect(i.human, id).toMatch(/exploration, with kvm_gmem_is_shared_mem\(\) a stand-in/);
    }
    // The same exploration with the guard's C run verifies both.
    const real = cRun([ran("kvm_gmem_is_shared_mem", "guard-page")]);
    for (const id of ["C01", "C15"]) expect(item(real, id, exhaustive).status, id).toBe("pass");
  });

  it("accounting and allocation stand-ins block C07 and C09, and leave the lookup items alone", () => {
    const c = cRun([standIn("shmem_alloc_folio", "alloc"), standIn("shmem_inode_acct_blocks", "account"), standIn("shmem_recalc_inode", "recalc")]);
    expect(item(c, "C07").standIns).toEqual(["shmem_inode_acct_blocks()", "shmem_recalc_inode()"]);
    expect(item(c, "C07").status).toBe("human");
    expect(item(c, "C09").standIns).toEqual(["shmem_alloc_folio()"]);
    expect(item(c, "C09").status).toBe("human");
    expect(item(c, "C04").status).toBe("pass");
    expect(item(c, "C05").status).toBe("pass");
  });

  it("a failure still fails the item, stand-ins or not", () => {
    const c = { ...cRun([standIn("kvm_gmem_is_shared_mem", "guard-page")]), runFindings: [{ rule: "R58", message: "x.c:9 f(): folio_unlock() of a folio that is not locked" }] };
    expect(item(c, "C01").status).toBe("fail");
    expect(item(c, "C01").standIns).toBeUndefined();
  });

  it("on the examples: gmem-nodirectmap's C01 and shmem-7.1's C07/C08 rest on stand-ins; gmem's C01 does not (its guard is C)", async () => {
    // gmem-nodirectmap.uffd.c gives prepare, its undo and ->free_folio, not the guard.
    const nodm = (await open("examples/gmem-nodirectmap.uffd.ts")).generation();
    const g = buildChecklist(nodm.lowered, { c: nodm.simulation.evidence, explore: nodm.exploreEvidence }).items.find((i) => i.id === "C01")!;
    expect(g.status).toBe("human");
    expect(g.standIns).toEqual(["kvm_gmem_is_shared_mem()"]);
    expect(g.human).toMatch(/exploration, with kvm_gmem_is_shared_mem\(\) a stand-in/);
    // examples/gmem.uffd.c defines kvm_gmem_is_shared_mem() and GMEM_I(): the same item is verified, on that C.
    const gmem = (await open("examples/gmem.uffd.ts")).generation();
    const own = buildChecklist(gmem.lowered, { c: gmem.simulation.evidence, explore: gmem.exploreEvidence }).items.find((i) => i.id === "C01")!;
    expect(own.standIns).toBeUndefined();
    expect(own.status).toBe("pass");
    const shmem = (await open("examples/shmem.uffd.ts", { api: "linux-7.1" })).generation();
    const s = buildChecklist(shmem.lowered, { c: shmem.simulation.evidence, suite: shmem.suite, simulation: shmem.simulation.result }).items;
    expect(s.find((i) => i.id === "C07")!.standIns).toEqual(expect.arrayContaining(["shmem_inode_acct_blocks()", "shmem_recalc_inode()"]));
    expect(s.find((i) => i.id === "C08")!.standIns).toEqual(expect.arrayContaining(["shmem_add_to_page_cache()"]));
    for (const id of ["C07", "C08"]) expect(s.find((i) => i.id === id)!.status, id).toBe("human");
    // The lookup runs through none of the type's functions: its items stay verified by the executed C.
    expect(s.find((i) => i.id === "C04")!.status).toBe("pass");
  });
});
