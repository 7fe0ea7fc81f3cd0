/**
 * `uffdkit verify SPEC --c FILE | --tree DIR`: the full verification on the C
 * as the developer has it; function-by-function comparison with gen's; the
 * checklist names the C it rests on (path and hash); a defect in the tree is
 * reported at the tree file's own line.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { contentHash } from "../../src/run/c/provenance.js";
import { ensureBuiltCli } from "../cli-check/built-cli.js";

const root = join(import.meta.dirname, "../..");
const SPEC = "examples/gmem-nodirectmap.uffd.ts";
function uffdkit(...args: string[]) {
  return spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), ...args], { cwd: root, encoding: "utf8" });
}

let genC = "";
let work = "";
beforeAll(() => {
  ensureBuiltCli(root);
  work = mkdtempSync(join(tmpdir(), "uffdkit-verify-"));
  const g = uffdkit("gen", SPEC, "-o", join(work, "gen"));
  expect(g.status, g.stderr).toBe(0);
  genC = readFileSync(join(work, "gen/kernel/linux-7.1+gmem/kvm_gmem_uffd.c"), "utf8");
});

interface VerifyJson {
  ok: boolean;
  verdict: string;
  why: string;
  counts: { scenarios: { total: number; passed: number; failed: number; notApplicable: number; lacks: number }; explore: { total: number; exhaustive: number; bounded: number }; standIns: string[] };
  typeFunctions: { name: string; from: string; file?: string }[];
  functions: { name: string; status: string; changed?: number; line?: number }[];
  contractFindings: string[];
  failingScenarios: string[];
  summary: string[];
  explore: string[];
  faultGlue?: { from: string; fn: string; handler: string; why?: string; path?: string; fnLine?: number; callLine?: number };
}

describe("uffdkit verify --c", () => {
  it("gen's own C: every function the same as gen's, the checklist names the C and its hash", () => {
    const mine = join(work, "same_uffd.c");
    writeFileSync(mine, genC);
    const r = uffdkit("verify", SPEC, "--c", mine, "--workers", "1", "-o", join(work, "v-same"), "--json");
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(j.functions.every((f) => f.status === "same")).toBe(true);
    expect(j.functions.map((f) => f.name)).toContain("kvm_gmem_uffd_filemap_add");
    expect(j.contractFindings).toEqual([]);
    expect(j.failingScenarios).toEqual([]);
    const checklist = readFileSync(join(work, "v-same/checklist.md"), "utf8");
    expect(checklist).toContain(`(sha256 ${contentHash(genC)})`);
    expect(checklist).toContain("examples/gmem-nodirectmap.uffd.c (sha256 ");
    expect(checklist).toMatch(/type functions not verified \(stand-ins answered by the simulator, no C given\): kvm_gmem_is_shared_mem\(\), GMEM_I\(\)/);
    // Nothing failed, on the example's own C; but the guard and GMEM_I() were stand-ins, so it is only partly verified.
    expect(j.explore).toEqual([]);
    expect(j.counts.standIns).toEqual(["kvm_gmem_is_shared_mem()", "GMEM_I()"]);
    expect(j.counts.scenarios.failed).toBe(0);
    expect(j.counts.scenarios.passed + j.counts.scenarios.notApplicable + j.counts.scenarios.lacks).toBe(j.counts.scenarios.total);
    expect(j.ok).toBe(false);
    expect(["partly-verified", "not-verified"]).toContain(j.verdict);
    expect(j.why).toMatch(/^nothing failed/);
    expect(j.why).toContain("ran as stand-ins, their C not verified: kvm_gmem_is_shared_mem(), GMEM_I()");
    // --c holds the glue function, never the ->fault handler's call of it: the report says the call is series' splice,
    // which the verdict rests on as gen's own does (only --tree has the handler to check).
    expect(j.faultGlue).toMatchObject({ from: "gen", fn: "kvm_gmem_uffd_fault", handler: "kvm_gmem_fault_user_mapping" });
    expect(j.faultGlue!.why).toContain("its call first thing in kvm_gmem_fault_user_mapping() is the one series splices");
    expect(j.why).not.toContain("fault glue");
    expect(j.typeFunctions.find((t) => t.name === "kvm_gmem_folio_zap_direct_map")).toEqual({ name: "kvm_gmem_folio_zap_direct_map", from: "beside", file: "examples/gmem-nodirectmap.uffd.c" });
    expect(r.status).toBe(0);
    // The same run, as text: the verdict line counts, and never says plain "verified".
    const text = uffdkit("verify", SPEC, "--c", mine, "--workers", "1");
    expect(text.status).toBe(0);
    const last = text.stdout.trim().split("\n").at(-1)!;
    expect(last).toMatch(/^(partly verified|not verified): nothing failed.*stand-ins.*\d+\/\d+ scenarios passed, \d+\/\d+ programs explored exhaustively/);
    expect(text.stdout).toMatch(/simulator: \d+ scenarios: \d+ pass, 0 fail, \d+ not applicable, \d+ not runnable/);
  });

  it("a hand edit that drops the direct-map undo: the function is named as changed and the removal is caught at its line", () => {
    const edited = genC.replace(/\tif \(err\)\n\t\tgoto err_unprepare;\n\treturn 0;\n\nerr_unprepare:\n.*\n\tkvm_gmem_folio_restore_direct_map\(inode, folio\);\n/, "");
    expect(edited).not.toBe(genC);
    const mine = join(work, "edited_uffd.c");
    writeFileSync(mine, edited);
    const r = uffdkit("verify", SPEC, "--c", mine, "--workers", "1", "--json");
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as VerifyJson;
    const add = j.functions.find((f) => f.name === "kvm_gmem_uffd_filemap_add")!;
    expect(add.status).toBe("differs");
    expect(j.functions.filter((f) => f.status !== "same").map((f) => f.name)).toEqual(["kvm_gmem_uffd_filemap_add"]);
    const typeC = readFileSync(join(root, "examples/gmem-nodirectmap.uffd.c"), "utf8");
    const zap = typeC.split("\n").findIndex((l) => l.includes("set_direct_map_invalid_noflush")) + 1;
    expect(j.contractFindings.some((m) => m.startsWith(`examples/gmem-nodirectmap.uffd.c:${zap} kvm_gmem_folio_zap_direct_map():`) && m.includes("still out of the direct map"))).toBe(true);
    expect(j.failingScenarios).toEqual(expect.arrayContaining(["inject_filemap_add_eexist", "inject_filemap_add_enomem"]));
    expect(j.verdict).toBe("failed");
    expect(j.ok).toBe(false);
  });

  it("needs exactly one of --c and --tree, and --workers from 1 to 64", () => {
    expect(uffdkit("verify", SPEC).status).toBe(2);
    expect(uffdkit("verify", SPEC, "--c", "x.c", "--tree", "t").status).toBe(2);
    for (const w of ["0", "two", "1.5", "65"]) {
      const r = uffdkit("verify", SPEC, "--c", "x.c", "--workers", w, "--json");
      expect(r.status, w).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: "--workers takes an integer from 1 to 64" });
    }
  });

  it("a spec that does not load: with --json, the findings come as JSON on stdout", () => {
    const bad = join(work, "bad.uffd.ts");
    writeFileSync(bad, "export default { name: 42 };\n");
    const r = uffdkit("verify", bad, "--c", "x.c", "--json");
    expect(r.status).toBe(2);
    const j = JSON.parse(r.stdout) as { ok: boolean; diagnostics: { id: string; message: string }[] };
    expect(j.ok).toBe(false);
    expect(j.diagnostics.length).toBeGreaterThan(0);
  });
});

describe("uffdkit verify --tree", () => {
  it("reads the callbacks from the type's file in the tree, among code the model cannot compile, and names the tree's lines", () => {
    // The type's file as `series` leaves it: the type's own code around the callbacks (here, code no
    // model compiles), the glue spliced into ->fault, the callbacks and ops before the vm_operations_struct.
    const body = genC
      .replace(/^#include.*\n/gm, "")
      .replace(/^#(ifdef|endif).*\n/gm, "")
      .replace("\tfolio_unlock(folio);\n}\n\nstatic const struct vm_uffd_ops", "\tfolio_unlock(folio);\n\tfolio_unlock(folio);\n}\n\nstatic const struct vm_uffd_ops");
    const file = [
      "// SPDX-License-Identifier: GPL-2.0",
      "#include <linux/kvm_host.h>",
      "static int kvm_gmem_unrelated(struct kvm *kvm)",
      "{",
      "\treturn kvm->arch.something;",
      "}",
      body,
      "static vm_fault_t kvm_gmem_fault_user_mapping(struct vm_fault *vmf)",
      "{",
      "\treturn __kvm_gmem_fault(vmf);",
      "}",
    ].join("\n");
    const tree = join(work, "tree");
    mkdirSync(join(tree, "virt/kvm"), { recursive: true });
    writeFileSync(join(tree, "virt/kvm/guest_memfd.c"), file);
    const r = uffdkit("verify", SPEC, "--tree", tree, "--workers", "1", "--json");
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(r.status).toBe(1);
    const remove = j.functions.find((f) => f.name === "kvm_gmem_uffd_filemap_remove")!;
    expect(remove.status).toBe("differs");
    // The second unlock, at the tree file's own line.
    const lines = file.split("\n");
    const second = lines.findIndex((l, i) => l === "\tfolio_unlock(folio);" && lines[i - 1] === "\tfolio_unlock(folio);") + 1;
    expect(j.contractFindings.some((m) => m.includes(`tree/virt/kvm/guest_memfd.c:${second} kvm_gmem_uffd_filemap_remove(): folio_unlock() of a folio that is not locked`))).toBe(true);
    // This tree's ->fault never calls the glue: what ran in ->fault is gen's assumption, and verify says so.
    expect(j.faultGlue).toMatchObject({ from: "gen", fn: "kvm_gmem_uffd_fault", handler: "kvm_gmem_fault_user_mapping" });
    expect(j.faultGlue!.why).toContain("does not call kvm_gmem_uffd_fault()");
  });

  it("the fault glue is the tree's when its ->fault calls it as series splices it: the tree's glue runs, and a defect in it fails", () => {
    // The tree's glue refuses every page (its shared check inverted); its handler calls it first thing.
    const body = genC
      .replace(/^#include.*\n/gm, "")
      .replace(/^#(ifdef|endif).*\n/gm, "")
      .replace("\tif (!kvm_gmem_is_shared_mem(inode, vmf->pgoff))\n", "\tif (kvm_gmem_is_shared_mem(inode, vmf->pgoff))\n");
    expect(body).toContain("\tif (kvm_gmem_is_shared_mem(inode, vmf->pgoff))\n\t\treturn VM_FAULT_SIGBUS;");
    const handler = [
      "static vm_fault_t kvm_gmem_fault_user_mapping(struct vm_fault *vmf)",
      "{",
      "\tstruct inode *inode = file_inode(vmf->vma->vm_file);",
      "\tvm_fault_t uffd_ret = kvm_gmem_uffd_fault(vmf);",
      "",
      "\tif (uffd_ret)",
      "\t\treturn uffd_ret;",
      "\treturn __kvm_gmem_fault(inode, vmf);",
      "}",
    ];
    const file = ["// SPDX-License-Identifier: GPL-2.0", "#include <linux/kvm_host.h>", body, ...handler].join("\n");
    const tree = join(work, "tree-glue");
    mkdirSync(join(tree, "virt/kvm"), { recursive: true });
    writeFileSync(join(tree, "virt/kvm/guest_memfd.c"), file);
    const lines = file.split("\n");
    const r = uffdkit("verify", SPEC, "--tree", tree, "--workers", "1", "--json");
    const j = JSON.parse(r.stdout) as VerifyJson;
    expect(j.faultGlue).toMatchObject({
      from: "tree",
      fn: "kvm_gmem_uffd_fault",
      handler: "kvm_gmem_fault_user_mapping",
      fnLine: lines.findIndex((l) => l.startsWith("static vm_fault_t kvm_gmem_uffd_fault(")) + 1,
      callLine: lines.indexOf("\tvm_fault_t uffd_ret = kvm_gmem_uffd_fault(vmf);") + 1,
    });
    expect(j.faultGlue!.path).toMatch(/tree-glue\/virt\/kvm\/guest_memfd\.c$/);
    // The tree's glue ran: a shared page now gets SIGBUS at fault time.
    expect(r.status).toBe(1);
    expect(j.failingScenarios.length).toBeGreaterThan(0);
    expect(j.why).not.toContain("fault glue: gen's");
    const text = uffdkit("verify", SPEC, "--tree", tree, "--workers", "1");
    expect(text.stdout).toMatch(/^fault glue: the tree's: kvm_gmem_uffd_fault\(\) \(.*tree-glue\/virt\/kvm\/guest_memfd\.c:\d+\), called first thing in kvm_gmem_fault_user_mapping\(\)/m);
  });

  it("a tree whose ->fault runs the glue after its own code: \"fault glue: gen's (not the tree's)\", not checked, and never plain verified", () => {
    const body = genC.replace(/^#include.*\n/gm, "").replace(/^#(ifdef|endif).*\n/gm, "");
    const handler = [
      "static vm_fault_t kvm_gmem_fault_user_mapping(struct vm_fault *vmf)",
      "{",
      "\tvm_fault_t ret;",
      "",
      "\tkvm_gmem_mark_accessed(vmf);",
      "\tret = kvm_gmem_uffd_fault(vmf);",
      "\tif (ret)",
      "\t\treturn ret;",
      "\treturn __kvm_gmem_fault(vmf);",
      "}",
    ];
    const file = ["// SPDX-License-Identifier: GPL-2.0", body, ...handler].join("\n");
    const tree = join(work, "tree-late-glue");
    mkdirSync(join(tree, "virt/kvm"), { recursive: true });
    writeFileSync(join(tree, "virt/kvm/guest_memfd.c"), file);
    const r = uffdkit("verify", SPEC, "--tree", tree, "--workers", "1");
    expect(r.stdout).toMatch(/^fault glue: gen's \(not the tree's\): kvm_gmem_fault_user_mapping\(\) calls kvm_gmem_uffd_fault\(\) at .*after other statements.*; not checked$/m);
    const last = r.stdout.trim().split("\n").at(-1)!;
    expect(last).toMatch(/^(partly verified|not verified): /);
    expect(last).toContain("fault glue: gen's (not the tree's), not checked");
  });

  it("the tree's own type functions win over the file beside the spec; that file supplies only those the tree lacks", () => {
    // The tree defines the direct-map zap itself (failing, so its use is visible); the undo and ->free_folio come from beside the spec.
    const body = genC.replace(/^#include.*\n/gm, "").replace(/^#(ifdef|endif).*\n/gm, "");
    const zap = ["int kvm_gmem_folio_zap_direct_map(struct inode *inode, struct folio *folio)", "{", "\treturn -ENOMEM;", "}"];
    const file = ["// SPDX-License-Identifier: GPL-2.0", "#include <linux/kvm_host.h>", ...zap, body].join("\n");
    const tree = join(work, "tree-own");
    mkdirSync(join(tree, "virt/kvm"), { recursive: true });
    writeFileSync(join(tree, "virt/kvm/guest_memfd.c"), file);
    const r = uffdkit("verify", SPEC, "--tree", tree, "--workers", "1", "--json");
    const j = JSON.parse(r.stdout) as VerifyJson;
    const from = Object.fromEntries(j.typeFunctions.map((t) => [t.name, t.from]));
    expect(from).toMatchObject({ kvm_gmem_folio_zap_direct_map: "tree", kvm_gmem_folio_restore_direct_map: "beside", kvm_gmem_free_folio: "beside", kvm_gmem_is_shared_mem: "stand-in" });
    expect(j.typeFunctions.find((t) => t.name === "kvm_gmem_folio_zap_direct_map")!.file).toMatch(/tree-own\/virt\/kvm\/guest_memfd\.c$/);
    expect(j.typeFunctions.find((t) => t.name === "kvm_gmem_free_folio")!.file).toBe("examples/gmem-nodirectmap.uffd.c");
  });
});
