/**
 * The type's own C runs, and the contract model knows the direct map
 *: guest_memfd with NO_DIRECT_MAP takes a filled folio out of the
 * direct map in copy.prepare; when filemap_add_folio() then fails, the
 * emitted filemap_add must put it back before core frees the folio.
 *
 * Each defect case runs the C gen writes (clean) and the same C with the
 * defect put back (caught, at the file and line of the type C that removed
 * the page).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contentHash } from "../../src/run/c/provenance.js";
import { cProvenanceLines } from "../../src/series/cover.js";
import { open, type Generation, type OpenOptions } from "../../src/session/index.js";
import { checkModel } from "../../src/rules/index.js";
import type { CSource } from "../../src/ir/c-source.js";

const SPEC = "examples/gmem-nodirectmap.uffd.ts";
const TYPE_C = "examples/gmem-nodirectmap.uffd.c";

async function genOf(opts: OpenOptions = {}): Promise<Generation> {
  const s = await open(SPEC, opts);
  if (s.loadFailed) throw new Error(`${SPEC} does not load`);
  return s.generation();
}

/** What the tests read of a run: the session's stages, by the names a reader expects. */
function runOf(g: Generation) {
  return {
    g,
    contractFindings: g.simulation.contractFindings,
    simulation: g.simulation.result,
    coverage: g.simulation.coverage,
    evidence: g.simulation.evidence,
    callbacks: g.cSource,
    typeC: g.typeC,
  };
}

/** The run with the callbacks (and the type C) changed as a developer might. */
async function runEdited(edit: { callbacks?: (c: string) => string; typeC?: (c: string) => string }) {
  const base = await genOf();
  const callbacks: CSource = { path: base.cSource.path, text: edit.callbacks ? edit.callbacks(base.cSource.text) : base.cSource.text };
  const typeC: CSource = { path: base.typeC!.path, text: edit.typeC ? edit.typeC(base.typeC!.text) : base.typeC!.text };
  if (edit.callbacks) expect(callbacks.text, "the edit must change the callbacks").not.toBe(base.cSource.text);
  if (edit.typeC) expect(typeC.text, "the edit must change the type C").not.toBe(base.typeC!.text);
  return runOf(await genOf({ cSource: { kind: "file", ...callbacks }, typeC }));
}

const failing = (run: Awaited<ReturnType<typeof runEdited>>) => run.simulation.results.filter((r) => r.verdict !== "pass").map((r) => r.scenario);
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("the type's own C beside the spec", () => {
  it("is compiled with the callbacks and runs in every scenario: gen's C is clean, every branch of both files runs", async () => {
    const g = await genOf();
    expect(g.typeC?.path).toBe(TYPE_C);
    const run = runOf(g);
    expect(failing(run)).toEqual([]);
    expect(run.contractFindings).toEqual([]);
    expect(run.coverage!.missed).toEqual([]);
    const ev = run.evidence;
    const ran = Object.fromEntries((ev.typeFunctions ?? []).map((t) => [t.name, t.ran]));
    expect(ran).toMatchObject({
      kvm_gmem_folio_zap_direct_map: "c",
      kvm_gmem_folio_restore_direct_map: "c",
      kvm_gmem_free_folio: "c",
      // No C for these: stand-ins, and the evidence says so.
      kvm_gmem_is_shared_mem: "stand-in",
      GMEM_I: "stand-in",
    });
    expect(ev.sources!.map((s) => s.path)).toEqual([run.callbacks.path, TYPE_C]);
    expect(ev.sources![1]!.sha256).toMatch(/^[0-9a-f]{16}$/);
  });

  it("the emitted filemap_add calls the undo when filemap_add_folio() fails, and fault injection drives prepare's own failure", async () => {
    const run = runOf(await genOf());
    const text = run.callbacks.text;
    expect(text).toMatch(/err = kvm_gmem_folio_zap_direct_map\(inode, folio\);\n\tif \(err\)\n\t\treturn err;/);
    expect(text).toMatch(/err_unprepare:\n.*\n\tkvm_gmem_folio_restore_direct_map\(inode, folio\);\n\treturn err;/);
    const names = run.simulation.results.map((r) => r.scenario);
    expect(names).toEqual(expect.arrayContaining(["inject_prepare_fails_enomem", "inject_filemap_add_eexist", "inject_filemap_add_enomem", "inject_install_fails_removes"]));
  });
});

describe("every report says which C ran and which functions were stand-ins", () => {
  it("out/gmem-nodirectmap (committed): sim.tap and the checklist name the type C, its hash, and the stand-ins", async () => {
    const tap = readFileSync("out/gmem-nodirectmap/sim.tap", "utf8");
    expect(tap).toContain(`# type function kvm_gmem_folio_zap_direct_map() (prepare): its C ran (${TYPE_C})`);
    expect(tap).toContain("# type function kvm_gmem_is_shared_mem() (guard-page): a stand-in answered from the scenario; its C was not given, so it is not verified");
    const checklist = readFileSync("out/gmem-nodirectmap/checklist.md", "utf8");
    expect(checklist).toContain(`${TYPE_C} (sha256 ${contentHash(readFileSync(TYPE_C, "utf8"))})`);
    expect(checklist).toContain("type functions run as C: kvm_gmem_folio_zap_direct_map(), kvm_gmem_folio_restore_direct_map(), kvm_gmem_free_folio()");
  });

  it("the cover letter names the C (path, hash) and says the stand-ins are not verified", async () => {
    const ev = runOf(await genOf()).evidence;
    const lines = cProvenanceLines(ev);
    expect(lines[0]).toMatch(new RegExp(`^- The simulator executed this C: kernel/linux-7\\.1\\+gmem/kvm_gmem_uffd\\.c \\(sha256 [0-9a-f]{16}\\), ${TYPE_C.replace(/[.]/g, "\\.")} \\(sha256 [0-9a-f]{16}\\)\\.$`));
    expect(lines[1]).toBe("- Not verified: kvm_gmem_is_shared_mem() and GMEM_I() ran as stand-ins answered by the simulator (their C was not given).");
  });
});

describe("the direct-map bug (a folio freed out of the direct map) is caught, at the line that removed the page", () => {
  const zapLine = async () => {
    const g = await genOf();
    return `${TYPE_C}:${lineOf(g.typeC!.text, "set_direct_map_invalid_noflush")}`;
  };

  it("filemap_add without the undo (the code before the undo was added): -EEXIST and -ENOMEM return the folio to core out of the direct map", async () => {
    const run = await runEdited({
      callbacks: (c) => c.replace(/\tif \(err\)\n\t\tgoto err_unprepare;\n\treturn 0;\n\nerr_unprepare:\n.*\n\tkvm_gmem_folio_restore_direct_map\(inode, folio\);\n/, ""),
    });
    const at = await zapLine();
    const msgs = run.contractFindings;
    expect(msgs.some((m) => m.startsWith(`${at} kvm_gmem_folio_zap_direct_map():`) && m.includes("filemap_add failed (-17)") && m.includes("still out of the direct map"))).toBe(true);
    expect(msgs.some((m) => m.startsWith(at) && m.includes("filemap_add failed (-12)"))).toBe(true);
    expect(failing(run)).toEqual(expect.arrayContaining(["inject_filemap_add_eexist", "inject_filemap_add_enomem"]));
  });

  it("a free hook that does not restore: the failed install returns the folio to core out of the direct map", async () => {
    const run = await runEdited({ typeC: (c) => c.replace(/(kvm_gmem_free_folio\(struct folio \*folio\)\n\{\n)\tset_direct_map_default_noflush\(folio_page\(folio, 0\)\);\n/, "$1") });
    const at = await zapLine();
    expect(run.contractFindings.some((m) => m.startsWith(at) && m.includes("filemap_remove took the folio out of the page cache"))).toBe(true);
    expect(failing(run)).toContain("inject_install_fails_removes");
  });

  it("a removal before core's copy: alloc_folio returns a folio core writes through the direct map", async () => {
    const run = await runEdited({
      callbacks: (c) => c.replace(/(\tmpol_cond_put\(mpol\);\n\tif \(!folio\)\n\t\treturn NULL;\n)/, "$1\tif (kvm_gmem_folio_zap_direct_map(inode, folio)) {\n\t\tfolio_put(folio);\n\t\treturn NULL;\n\t}\n"),
    });
    expect(run.contractFindings.some((m) => m.includes("alloc_folio returned page") && m.includes("core copies the user's data into it through the direct map"))).toBe(true);
  });

  it("the kernel touching a folio out of the direct map is a finding at the touch", async () => {
    // The lookup zero-fills a folio that is not up to date: through the direct map, after a removal.
    const run = await runEdited({
      callbacks: (c) => c.replace(/(\tif \(!folio_test_uptodate\(folio\)\) \{\n)/, "\tkvm_gmem_folio_zap_direct_map(inode, folio);\n$1"),
    });
    const at = await zapLine();
    expect(run.contractFindings.some((m) => /gmem_uffd\.c:\d+ kvm_gmem_uffd_get_folio\(\): folio_zero_range\(\) on a folio taken out of the direct map at /.test(m) && m.includes(at))).toBe(true);
  });
});

describe("per-user accounting (RLIMIT_MEMLOCK) in a type step", () => {
  it("account_locked_vm() in prepare: a deadlock under the mmap lock, and a charge a failed filemap_add leaves behind", async () => {
    const run = await runEdited({
      typeC: (c) => c.replace("\terr = set_direct_map_invalid_noflush", "\tif (account_locked_vm(folio->mapping ? NULL : NULL, 1, true))\n\t\treturn -ENOMEM;\n\terr = set_direct_map_invalid_noflush"),
    });
    const typeC = run.typeC!.text;
    const at = `${TYPE_C}:${lineOf(typeC, "account_locked_vm(")}`;
    expect(run.contractFindings.some((m) => m.startsWith(`${at} kvm_gmem_folio_zap_direct_map(): account_locked_vm() takes the mmap lock for writing`))).toBe(true);
    const findings = run.simulation.results.flatMap((r) => r.findings ?? []).map((f) => f.message);
    expect(findings.some((m) => /kvm_gmem_uffd_filemap_add\(\): filemap_add: failed \(-17\) and left 1 page\(s\) charged to the mm's locked_vm/.test(m))).toBe(true);
  });
});

describe("per-inode accounting in a type step, charged and uncharged in pairs", () => {
  // The type counts its unmapped pages in the inode's bytes (fs/stat.c inode_add_bytes()) when prepare takes one out.
  const charge = (c: string) => c.replace("\tflush_tlb_kernel_range(addr, addr + folio_size(folio));\n", "\tflush_tlb_kernel_range(addr, addr + folio_size(folio));\n\tinode_add_bytes(inode, folio_size(folio));\n");
  const undo = (c: string) => c.replace("\tset_direct_map_default_noflush(folio_page(folio, 0));\n}\n\n/* ->free_folio", "\tset_direct_map_default_noflush(folio_page(folio, 0));\n\tinode_sub_bytes(inode, folio_size(folio));\n}\n\n/* ->free_folio");

  it("charged in prepare and given back in unprepare: every failure of filemap_add is balanced, but ->free_folio cannot give it back, so filemap_remove leaves it", async () => {
    const run = await runEdited({ typeC: (c) => undo(charge(c)) });
    const typeC = run.typeC!.text;
    const at = `${TYPE_C}:${lineOf(typeC, "inode_add_bytes(")}`;
    const findings = run.simulation.results.flatMap((r) => r.findings ?? []).map((f) => f.message);
    expect(findings.filter((m) => m.includes("filemap_add: failed"))).toEqual([]);
    const def = lineOf(run.callbacks.text, "static void kvm_gmem_uffd_filemap_remove(");
    const msg = findings.find((m) => m.includes(`gmem_uffd.c:${def} kvm_gmem_uffd_filemap_remove(): filemap_remove: took page `));
    expect(msg, findings.join("\n")).toBeDefined();
    expect(msg).toContain(`out of the page cache with 4096 byte(s) of the inode's i_blocks/i_bytes still charged by inode_add_bytes() at ${at}: the charge is not undone on that path`);
    expect(failing(run)).toContain("inject_install_fails_removes");
  });

  it("charged in prepare and never given back: filemap_add's failure is caught at its return, naming the charge in the type C", async () => {
    const run = await runEdited({ typeC: charge });
    const at = `${TYPE_C}:${lineOf(run.typeC!.text, "inode_add_bytes(")}`;
    const ret = lineOf(run.callbacks.text, "err_unprepare:") + 3;
    expect(run.callbacks.text.split("\n")[ret - 1]).toBe("\treturn err;");
    const findings = run.simulation.results.flatMap((r) => r.findings ?? []).map((f) => f.message);
    expect(findings.some((m) => m.includes(`gmem_uffd.c:${ret} kvm_gmem_uffd_filemap_add(): filemap_add: failed (-17) and page `) && m.includes(`still charged by inode_add_bytes() at ${at}`)), findings.join("\n")).toBe(true);
    expect(failing(run)).toEqual(expect.arrayContaining(["inject_filemap_add_eexist", "inject_filemap_add_enomem"]));
  });
});

describe("a limited percpu_counter in a type step (as tmpfs's used_blocks), charged and uncharged in pairs", () => {
  // The type caps its unmapped pages with a percpu_counter: charged in prepare, given back in unprepare and ->free_folio.
  const counter = (c: string) =>
    c
      .replace("#include <asm/tlbflush.h>\n", "#include <asm/tlbflush.h>\n#include <linux/percpu_counter.h>\n\nstatic struct percpu_counter kvm_gmem_unmapped;\n")
      .replace("\tflush_tlb_kernel_range(addr, addr + folio_size(folio));\n\treturn 0;", "\tflush_tlb_kernel_range(addr, addr + folio_size(folio));\n\tif (!percpu_counter_limited_add(&kvm_gmem_unmapped, 1024, 1))\n\t\treturn -ENOSPC;\n\treturn 0;");
  const undo = (c: string) => c.replace("\tset_direct_map_default_noflush(folio_page(folio, 0));\n}\n\n/* ->free_folio", "\tset_direct_map_default_noflush(folio_page(folio, 0));\n\tpercpu_counter_sub(&kvm_gmem_unmapped, 1);\n}\n\n/* ->free_folio");
  const free = (c: string) => c.replace(/(void kvm_gmem_free_folio\(struct folio \*folio\)\n\{\n\tset_direct_map_default_noflush\(folio_page\(folio, 0\)\);\n)/, "$1\tpercpu_counter_sub(&kvm_gmem_unmapped, 1);\n");
  const charges = (run: Awaited<ReturnType<typeof runEdited>>) => run.simulation.results.flatMap((r) => r.findings ?? []).map((f) => f.message).filter((m) => m.includes("percpu_counter"));

  it("given back in unprepare and ->free_folio: balanced on every path", async () => {
    const run = await runEdited({ typeC: (c) => free(undo(counter(c))) });
    expect(run.typeC!.text.split("percpu_counter_sub(").length - 1).toBe(2);
    expect(charges(run)).toEqual([]);
    expect(run.contractFindings).toEqual([]);
  });

  it("not given back in ->free_folio: filemap_remove leaves the charge, named at the limited add", async () => {
    const run = await runEdited({ typeC: (c) => undo(counter(c)) });
    const at = `${TYPE_C}:${lineOf(run.typeC!.text, "percpu_counter_limited_add(")}`;
    expect(charges(run).some((m) => m.includes("kvm_gmem_uffd_filemap_remove(): filemap_remove: took page ") && m.includes(`still charged by percpu_counter_limited_add() at ${at}`)), charges(run).join("\n")).toBe(true);
  });

  it("past the limit the limited add refuses: every COPY fails in prepare, and nothing is left charged", async () => {
    const run = await runEdited({ typeC: (c) => free(undo(counter(c))).replace("percpu_counter_limited_add(&kvm_gmem_unmapped, 1024, 1)", "percpu_counter_limited_add(&kvm_gmem_unmapped, 0, 1)") });
    expect(failing(run).length).toBeGreaterThan(0);
    expect(charges(run)).toEqual([]);
  });
});

describe("a type step without its undo, and C the model lacks", () => {
  it("copy.prepare without copy.unprepare (the old void form) is R65", async () => {
    const g = await genOf();
    const { unprepare: _u, ...copy } = g.model.copy!;
    const m = { ...g.model, copy } as typeof g.model;
    const findings = checkModel({ ...g.lowered, model: m }).filter((d) => d.id === "R65");
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain("kvm_gmem_folio_zap_direct_map() has no undo");
  });

  it("the clean spec has no R65", async () => {
    const g = await genOf();
    expect(g.findings.filter((d) => d.id === "R65")).toEqual([]);
  });

  it("a function the type C calls that the model lacks is R66 at its file:line, not a link error", async () => {
    const base = await genOf();
    const text = base.typeC!.text.replace("\terr = set_direct_map_invalid_noflush", "\tset_memory_np(0, 1);\n\terr = set_direct_map_invalid_noflush");
    const g = await genOf({ typeC: { path: TYPE_C, text } });
    const d = g.cFindings;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ id: "R66", severity: "error", span: { file: TYPE_C, line: lineOf(text, "set_memory_np") } });
    expect(d[0]!.message).toContain("set_memory_np()");
  });
});
