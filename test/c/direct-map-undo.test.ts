/**
 * The direct-map contracts of the model, on C a developer could write:
 * - prepare undone twice: with copy.typeAdd and copy.freeFolio, the emitted
 *   filemap_add's err_delete path calls filemap_remove_folio(), whose
 *   ->free_folio is the undo; falling through to the undo again restores a
 *   folio that is already back (the template before this fix);
 * - a *_noflush removal with no flush_tlb_kernel_range() before the callback
 *   returns (examples/gmem-nodirectmap.uffd.c before this fix).
 * Each case runs gen's C (clean) and the same C with the defect put back
 * (caught, at the file:line of the C that did it).
 */
import { describe, expect, it } from "vitest";
import { open, type OpenOptions } from "../../src/session/index.js";
import type { CSource } from "../../src/ir/c-source.js";

const UNDO_SPEC = "test/fixtures/specs/shmem-typeadd-undo.uffd.ts";
const UNDO_C = "test/fixtures/specs/shmem-typeadd-undo.uffd.c";
const GMEM_SPEC = "examples/gmem-nodirectmap.uffd.ts";
const GMEM_C = "examples/gmem-nodirectmap.uffd.c";

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

async function gen(spec: string, opts: OpenOptions = {}) {
  const s = await open(spec, opts);
  if (s.loadFailed) throw new Error(`${spec} does not load`);
  const g = s.generation();
  const failing = g.simulation.result.results.filter((r) => r.verdict !== "pass").map((r) => r.scenario);
  return { g, failing, contract: g.simulation.contractFindings };
}

/** The run on gen's C with the callbacks or the type C edited. */
async function edited(spec: string, edit: { callbacks?: (c: string) => string; typeC?: (c: string) => string }) {
  const base = (await gen(spec)).g;
  const callbacks: CSource = { path: base.cSource.path, text: edit.callbacks ? edit.callbacks(base.cSource.text) : base.cSource.text };
  const typeC: CSource = { path: base.typeC!.path, text: edit.typeC ? edit.typeC(base.typeC!.text) : base.typeC!.text };
  if (edit.callbacks) expect(callbacks.text, "the edit must change the callbacks").not.toBe(base.cSource.text);
  if (edit.typeC) expect(typeC.text, "the edit must change the type C").not.toBe(base.typeC!.text);
  return { ...(await gen(spec, { cSource: { kind: "file", ...callbacks }, typeC })), callbacks, typeC };
}

/** The err_delete path as the template wrote it before: it falls through to err_unlock's undo. */
const OLD_ERR_DELETE = (c: string) => c.replace(/(err_delete:\n\tfilemap_remove_folio\(folio\);\n)\t\/\*[^\n]*\*\/\n\tfolio_unlock\(folio\);\n\treturn err;\n\n/, "$1");

describe("prepare is undone exactly once when copy.typeAdd's accounting fails after the add", () => {
  it("gen's C: err_delete leaves the undo to ->free_folio, and the run is clean (the account failure runs)", async () => {
    const { g, failing, contract } = await gen(UNDO_SPEC);
    expect(g.typeC?.path).toBe(UNDO_C);
    expect(g.cSource.text).toMatch(/err_delete:\n\tfilemap_remove_folio\(folio\);\n.*free_folio.*\n\tfolio_unlock\(folio\);\n\treturn err;\n\nerr_unlock:\n\tfolio_unlock\(folio\);\n\tshmem_folio_restore_direct_map\(inode, folio\);\n/);
    expect(g.simulation.result.results.map((r) => r.scenario)).toContain("inject_account_fails_enomem");
    expect(failing).toEqual([]);
    expect(contract).toEqual([]);
  });

  it("the old err_delete (fall through to the undo) is a double undo, at the undo's set_direct_map_default_noflush() line", async () => {
    const run = await edited(UNDO_SPEC, { callbacks: OLD_ERR_DELETE });
    const restore = run.typeC.text.split("\n").findIndex((l, i) => i + 1 > lineOf(run.typeC.text, "void shmem_folio_restore_direct_map(") && l.includes("set_direct_map_default_noflush")) + 1;
    const free = run.typeC.text.split("\n").findIndex((l, i) => i + 1 > lineOf(run.typeC.text, "void shmem_free_folio(") && l.includes("set_direct_map_default_noflush")) + 1;
    expect(restore).toBeGreaterThan(0);
    const hit = run.contract.find((m) => m.startsWith(`${UNDO_C}:${restore} shmem_folio_restore_direct_map(): set_direct_map_default_noflush() of a folio already put back in the direct map`));
    expect(hit, run.contract.join("\n")).toBeDefined();
    expect(hit).toContain(`at ${UNDO_C}:${free} by shmem_free_folio()`);
    expect(run.failing).toContain("inject_account_fails_enomem");
  });
});

describe("a *_noflush removal must be flushed before the folio goes back to core", () => {
  it("the example's prepare flushes (mm/secretmem.c, the NO_DIRECT_MAP series) and its run is clean", async () => {
    const { g, failing, contract } = await gen(GMEM_SPEC);
    expect(g.typeC!.text).toMatch(/err = set_direct_map_invalid_noflush\(folio_page\(folio, 0\)\);\n\tif \(err\)\n\t\treturn err;\n\n\tflush_tlb_kernel_range\(addr, addr \+ folio_size\(folio\)\);/);
    expect(g.typeC!.text).toContain("mm/secretmem.c secretmem_fault()");
    expect(failing).toEqual([]);
    expect(contract).toEqual([]);
  });

  it("the example without the flush (before this fix): a finding at the removal line, naming the callback that returned", async () => {
    const run = await edited(GMEM_SPEC, { typeC: (c) => c.replace("\n\tflush_tlb_kernel_range(addr, addr + folio_size(folio));\n", "\n") });
    const at = `${GMEM_C}:${lineOf(run.typeC.text, "set_direct_map_invalid_noflush(folio_page")}`;
    const hit = run.contract.find((m) => m.startsWith(`${at} kvm_gmem_folio_zap_direct_map(): set_direct_map_invalid_noflush() and no flush_tlb_kernel_range() over the folio before filemap_add returned`));
    expect(hit, run.contract.join("\n")).toBeDefined();
    expect(run.failing.length).toBeGreaterThan(0);
  });

  it("a flush of another range does not count", async () => {
    const run = await edited(GMEM_SPEC, { typeC: (c) => c.replace("flush_tlb_kernel_range(addr, addr + folio_size(folio));", "flush_tlb_kernel_range(addr + folio_size(folio), addr + 2 * folio_size(folio));") });
    expect(run.contract.some((m) => m.includes("no flush_tlb_kernel_range() over the folio"))).toBe(true);
  });

  it("a removal the same callback undoes on its failure path needs no flush (the page is mapped again)", async () => {
    // prepare without the flush, restored right away: the stale entry points at a valid mapping again.
    const run = await edited(GMEM_SPEC, {
      typeC: (c) => c.replace("\n\tflush_tlb_kernel_range(addr, addr + folio_size(folio));\n", "\n\tset_direct_map_default_noflush(folio_page(folio, 0));\n"),
    });
    expect(run.contract.filter((m) => m.includes("no flush_tlb_kernel_range()"))).toEqual([]);
  });
});
