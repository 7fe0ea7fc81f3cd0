/**
 * guest_memfd's own C (examples/gmem.uffd.c) over the contract model's
 * attribute tree: kvm_gmem_is_shared_mem() reads mtree_load() on
 * GMEM_I(inode)->attributes, which the model answers from the simulator's
 * per-page shared/private state (the state conversion changes). So C01 and
 * C15 rest on C that ran, and exploration of that C decides them:
 * - gen's C and the example's type C: every scenario and program clean, C01
 *   and C15 verified, no stand-in left;
 * - a guard that ignores the attribute: exploration maps a private page, and
 *   C01 and C15 fail with the schedule;
 * - an attribute read without the invalidate lock that the callback then acts
 *   on (the get_folio_noalloc gen wrote before, a re-check moved outside the
 *   lock): a contract finding at the read, naming where the folio was taken;
 * - a maple tree the model cannot place in an inode's info: a finding, never
 *   an answer.
 */
import { describe, expect, it } from "vitest";
import { open, type OpenOptions } from "../../src/session/index.js";
import type { CSource } from "../../src/ir/c-source.js";
import { prelude, trailer } from "../../src/run/c/harness.js";

const SPEC = "examples/gmem.uffd.ts";
const TYPE_C = "examples/gmem.uffd.c";

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

async function gen(opts: OpenOptions = {}) {
  const s = await open(SPEC, opts);
  if (s.loadFailed) throw new Error(`${SPEC} does not load`);
  const g = s.generation();
  const failing = g.simulation.result.results.filter((r) => r.verdict === "fail").map((r) => r.scenario);
  const items = g.checklist.items;
  const item = (id: string) => items.find((i) => i.id === id)!;
  return { g, failing, contract: g.simulation.contractFindings, explore: g.exploreEvidence, item };
}

/** gen's run with the callbacks or the type C edited (the edit must change something). */
async function edited(edit: { callbacks?: (c: string) => string; typeC?: (c: string) => string }) {
  const base = (await gen()).g;
  const callbacks: CSource = { path: base.cSource.path, text: edit.callbacks ? edit.callbacks(base.cSource.text) : base.cSource.text };
  const typeC: CSource = { path: base.typeC!.path, text: edit.typeC ? edit.typeC(base.typeC!.text) : base.typeC!.text };
  if (edit.callbacks) expect(callbacks.text, "the edit must change the callbacks").not.toBe(base.cSource.text);
  if (edit.typeC) expect(typeC.text, "the edit must change the type C").not.toBe(base.typeC!.text);
  return { ...(await gen({ cSource: { kind: "file", ...callbacks }, typeC })), callbacks, typeC };
}

/** The lookup as gen wrote it before the window was closed there too: checked, then taken, with no lock. */
const UNLOCKED_LOOKUP = (c: string) =>
  c.replace(
    /\tfilemap_invalidate_lock_shared\(inode->i_mapping\);\n\tif \((kvm_gmem_is_shared_mem\(inode, pgoff\))\)\n\t\tfolio = filemap_lock_folio\(inode->i_mapping, pgoff\);\n\telse\n\t\tfolio = ERR_PTR\(-EACCES\);\n\tfilemap_invalidate_unlock_shared\(inode->i_mapping\);\n/,
    "\tif (!$1)\n\t\treturn ERR_PTR(-EACCES);\n\n\tfolio = filemap_lock_folio(inode->i_mapping, pgoff);\n",
  );

describe("gmem's type C over the attribute model", () => {
  it("gen's C with examples/gmem.uffd.c: no stand-in, every scenario and program clean, C01 and C15 verified", async () => {
    const { g, failing, contract, explore, item } = await gen();
    expect(g.typeC?.path).toBe(TYPE_C);
    expect(g.simulation.evidence.typeFunctions).toEqual([
      { name: "kvm_gmem_is_shared_mem", role: "guard-page", ran: "c", file: TYPE_C },
      { name: "GMEM_I", role: "info", ran: "c", file: TYPE_C },
    ]);
    expect(failing).toEqual([]);
    expect(contract).toEqual([]);
    // The private-page scenarios pass on the C's answer: the model's tree holds what the scenario converted.
    const byName = new Map(g.simulation.result.results.map((r) => [r.scenario, r.verdict]));
    expect(byName.get("gmem_private_after_register_not_served")).toBe("pass");
    const conv = explore.programs.filter((p) => p.checklist.includes("C01"));
    expect(conv.map((p) => p.name)).toEqual(["fill_vs_conversion", "fault_vs_conversion"]);
    for (const p of conv) {
      expect(p.verdict, p.name).toBe("exhaustive");
      expect(p.violations, p.name).toEqual([]);
    }
    for (const id of ["C01", "C15"]) {
      const i = item(id);
      expect(i.status, id).toBe("pass");
      expect(i.standIns, id).toBeUndefined();
      expect(i.verifiedBy.filter((v) => v.kind === "explore").map((v) => v.result), id).toEqual(["pass", "pass"]);
    }
    expect(item("C01").verifiedBy.some((v) => v.kind === "c" && v.result === "pass")).toBe(true);
    // C09's allocator reads GMEM_I(inode)->policy: with GMEM_I() as C it is verified too.
    expect(item("C09").status).toBe("pass");
    expect(g.checklist.markdown).toContain(`${TYPE_C} (sha256 `);
  });

  it("gen checks shared-ness and takes the folio under the invalidate lock in get_folio_noalloc too", async () => {
    const { g } = await gen();
    expect(g.cSource.text).toMatch(
      /\tfilemap_invalidate_lock_shared\(inode->i_mapping\);\n\tif \(kvm_gmem_is_shared_mem\(inode, pgoff\)\)\n\t\tfolio = filemap_lock_folio\(inode->i_mapping, pgoff\);\n\telse\n\t\tfolio = ERR_PTR\(-EACCES\);\n\tfilemap_invalidate_unlock_shared\(inode->i_mapping\);\n/,
    );
  });

  it("a guard that ignores the attribute: exploration serves a private page, and C01 and C15 fail with the schedule", async () => {
    const run = await edited({ typeC: (c) => c.replace("return !(xa_to_value(entry) & KVM_MEMORY_ATTRIBUTE_PRIVATE);", "return true;") });
    const broken = run.explore.programs.filter((p) => p.checklist.includes("C01") && p.violations.length > 0);
    expect(broken.map((p) => p.name)).toContain("fill_vs_conversion");
    const v = broken.find((p) => p.name === "fill_vs_conversion")!.violations[0]!;
    expect(v.property).toBe("private");
    expect(v.schedule.some((t) => t.includes("converter"))).toBe(true);
    for (const id of ["C01", "C15"]) {
      const i = run.item(id);
      expect(i.status, id).toBe("fail");
      expect(i.verifiedBy.some((x) => x.kind === "explore" && x.result === "fail" && /schedule: /.test(x.detail ?? "")), id).toBe(true);
    }
  });

  it("the unlocked lookup gen wrote before: a finding at the attribute read, naming the lookup that acted on it", async () => {
    const run = await edited({ callbacks: UNLOCKED_LOOKUP });
    const read = lineOf(run.typeC.text, "mtree_load(&GMEM_I(inode)->attributes, index)");
    const take = lineOf(run.callbacks.text, "folio = filemap_lock_folio(inode->i_mapping, pgoff);");
    const hit = run.contract.find((m) => m.startsWith(`${TYPE_C}:${read} kvm_gmem_is_shared_mem(): read page `));
    expect(hit, run.contract.join("\n")).toBeDefined();
    expect(hit).toContain(`without the mapping's invalidate lock, and kvm_gmem_uffd_get_folio() then took the page's folio (filemap_lock_folio() at ${run.callbacks.path}:${take})`);
    expect(run.item("C01").status).toBe("fail");
  });

  it("the re-check moved in front of the lock in filemap_add: the same finding, at the add", async () => {
    const run = await edited({
      callbacks: (c) =>
        c.replace(
          "\tfilemap_invalidate_lock_shared(mapping);\n\tif (!kvm_gmem_is_shared_mem(inode, pgoff))\n\t\terr = -EACCES;\n\telse\n\t\terr = filemap_add_folio(mapping, folio, pgoff, GFP_KERNEL);\n",
          "\tif (!kvm_gmem_is_shared_mem(inode, pgoff))\n\t\treturn -EACCES;\n\tfilemap_invalidate_lock_shared(mapping);\n\terr = filemap_add_folio(mapping, folio, pgoff, GFP_KERNEL);\n",
        ),
    });
    expect(run.contract.some((m) => m.includes("kvm_gmem_uffd_filemap_add() then took the page's folio (filemap_add_folio() at"))).toBe(true);
    expect(run.item("C01").status).toBe("fail");
  });

  it("an unlocked read that takes no folio is no finding: the fault glue, whose ->fault re-checks under the lock", async () => {
    const { g, contract } = await gen();
    // kvm_gmem_uffd_fault() reads without the lock and takes no folio: ->fault re-checks under the lock itself.
    expect(g.cSource.text).toMatch(/static vm_fault_t kvm_gmem_uffd_fault\(struct vm_fault \*vmf\)\n\{\n\tstruct inode \*inode = file_inode\(vmf->vma->vm_file\);\n\n\tif \(!kvm_gmem_is_shared_mem\(inode, vmf->pgoff\)\)/);
    expect(contract).toEqual([]);
  });

  it("mtree_load() of a tree that is in no inode's info: a finding at the call, and the page reads as unknown (NULL)", async () => {
    const run = await edited({
      typeC: (c) => c.replace("bool kvm_gmem_is_shared_mem(", "static struct maple_tree stray;\n\nbool kvm_gmem_is_shared_mem(").replace("mtree_load(&GMEM_I(inode)->attributes, index)", "mtree_load(&stray, index)"),
    });
    const at = lineOf(run.typeC.text, "mtree_load(&stray, index)");
    expect(run.contract).toContain(`${TYPE_C}:${at} kvm_gmem_is_shared_mem(): mtree_load() of a maple tree that is not in a file's inode info: the model knows no such tree`);
    // NULL then trips the WARN_ON_ONCE(): a kernel warning is a finding too.
    expect(run.contract.some((m) => m.startsWith(`${TYPE_C}:${lineOf(run.typeC.text, "WARN_ON_ONCE(!entry)")} kvm_gmem_is_shared_mem(): WARN_ON_ONCE(!entry) fired`))).toBe(true);
  });
});

describe("the harness around a type C that defines its own inode info", () => {
  const names = {
    api: "linux-7.1+gmem" as const,
    ops: "kvm_gmem_uffd_ops",
    typeFunctions: [
      { name: "kvm_gmem_is_shared_mem", proto: "bool NAME(struct inode *inode, pgoff_t index)", role: "guard-page" as const },
      { name: "GMEM_I", proto: "struct uk_info *NAME(struct inode *inode)", role: "info" as const },
    ],
    infoFields: ["policy"],
  };

  it("GMEM_I() as C: no info struct body and no accessor declaration of the model's (the type's struct gmem_inode stands), no uk_new_info", () => {
    const defined = ["kvm_gmem_is_shared_mem", "GMEM_I"];
    const p = prelude(names, defined);
    expect(p).toContain("struct uk_info;");
    expect(p).not.toMatch(/struct uk_info \{/);
    expect(p).not.toContain("GMEM_I(struct inode *inode);");
    expect(p).toContain("bool kvm_gmem_is_shared_mem(struct inode *inode, pgoff_t index);");
    expect(trailer(names, defined)).not.toContain("uk_new_info");
  });

  it("GMEM_I() as a stand-in: the model's info struct with the policy field, the accessor declared, uk_new_info exported", () => {
    const p = prelude(names, []);
    expect(p).toContain("struct uk_info { struct shared_policy policy; };");
    expect(p).toContain("struct uk_info *GMEM_I(struct inode *inode);");
    expect(trailer(names, [])).toContain("UK_EXPORT struct uk_info *uk_new_info(void)");
  });

  it("every inode sits inside zeroed room, so a type's container_of() of it is the module's memory", () => {
    const t = trailer(names, []);
    expect(t).toContain("#define UK_INODE_ROOM 512");
    expect(t).toMatch(/char \*room = uk_alloc\(2 \* UK_INODE_ROOM \+ sizeof\(struct inode\)\); struct inode \*i = room \? \(struct inode \*\)\(room \+ UK_INODE_ROOM\) : NULL;/);
  });
});
