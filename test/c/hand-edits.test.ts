/**
 * Hand-edited C is verified: a copy of an example's
 * callbacks with a defect of the last two rounds put back is caught, at the
 * file and line of the edited copy. This is what `uffdkit verify --c` runs
 * (the developer's callbacks as the pipeline's one "which C" input); the CLI
 * itself is covered by test/cli-verify/verify.test.ts.
 */
import { describe, expect, it } from "vitest";
import { open } from "../../src/session/index.js";
import { exploreProgram } from "../../src/run/explore/index.js";

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

/** The example's run on an edited copy of gen's callbacks, named as a developer's file. */
async function verifyEdited(spec: string, edit: (c: string) => string) {
  const base = (await open(spec)).generation();
  const text = edit(base.cSource.text);
  expect(text, "the edit must change the C").not.toBe(base.cSource.text);
  const path = "tree/edited_uffd.c";
  const g = (await open(spec, { cSource: { kind: "file", path, text } })).generation();
  const results = g.simulation.result.results;
  const failing = results.filter((r) => r.verdict !== "pass").map((r) => r.scenario);
  const findings = results.flatMap((r) => r.findings ?? []).map((f) => f.message);
  return { run: { contractFindings: g.simulation.contractFindings }, text, path, failing, findings };
}

describe("verify: each defect of the last two rounds, put back by hand, is caught at its file:line", () => {
  it("the examples' own C is clean (the baseline the edits break)", async () => {
    for (const spec of ["examples/gmem-nodirectmap.uffd.ts", "examples/shmem.uffd.ts"]) {
      const g = (await open(spec)).generation();
      expect(g.simulation.contractFindings, spec).toEqual([]);
    }
  });

  it("folio_unlock() after a failed filemap_add_folio()", async () => {
    const v = await verifyEdited("examples/gmem-nodirectmap.uffd.ts", (c) => c.replace("err_unprepare:\n", "err_unprepare:\n\tfolio_unlock(folio);\n"));
    const at = `${v.path}:${lineOf(v.text, "\tfolio_unlock(folio);\n".trim())}`;
    expect(v.run.contractFindings.some((m) => m.startsWith(`${at} kvm_gmem_uffd_filemap_add(): folio_unlock() of a folio that is not locked`))).toBe(true);
    expect(v.failing).toEqual(expect.arrayContaining(["inject_filemap_add_eexist", "inject_filemap_add_enomem"]));
  });

  it("a double memcg charge", async () => {
    const v = await verifyEdited("examples/shmem.uffd.ts", (c) =>
      c.replace(/(\tif \(mem_cgroup_charge\(folio, vma->vm_mm, GFP_KERNEL\)\) \{\n\t\tfolio_put\(folio\);\n\t\treturn NULL;\n\t\}\n)/, "$1$1"),
    );
    const second = v.text.split("\n").findIndex((l, i) => i + 1 > lineOf(v.text, "mem_cgroup_charge(") && l.includes("mem_cgroup_charge(")) + 1;
    expect(v.run.contractFindings.some((m) => m.startsWith(`${v.path}:${second} shmem_uffd_alloc_folio(): mem_cgroup_charge() of a folio already charged`))).toBe(true);
  });

  it("a user copy with page faults enabled under the mmap lock", async () => {
    const v = await verifyEdited("examples/shmem.uffd.ts", (c) => c.replace("\t\t\tpagefault_disable();\n", "").replace("\t\t\tpagefault_enable();\n", ""));
    const at = `${v.path}:${lineOf(v.text, "ret = copy_from_user(")}`;
    expect(v.run.contractFindings.some((m) => m.startsWith(`${at} shmem_uffd_copy(): copy_from_user() with the mmap lock held and page faults enabled`))).toBe(true);
  });

  it("an LRU double add", async () => {
    const v = await verifyEdited("examples/shmem.uffd.ts", (c) => c.replace("\tshmem_recalc_inode(inode, 1, 0);\n\treturn 0;", "\tshmem_recalc_inode(inode, 1, 0);\n\tfolio_add_lru(folio);\n\treturn 0;"));
    const at = `${v.path}:${lineOf(v.text, "ret = mfill_atomic_install_pte(")}`;
    expect(v.run.contractFindings.some((m) => m.startsWith(`${at} shmem_uffd_copy():`) && m.includes("adds the folio to the LRU, and it is already there"))).toBe(true);
  });

  it("a reference leaked on an early return", async () => {
    // A folio that is not up to date treated as absent, and the early return forgets the lookup's reference (Peter Xu's R43).
    const v = await verifyEdited("examples/gmem-nodirectmap.uffd.ts", (c) =>
      c.replace(
        "\tif (!folio_test_uptodate(folio)) {\n\t\tfolio_zero_range(folio, 0, folio_size(folio));\n\t\tfolio_mark_uptodate(folio);\n\t}\n",
        "\tif (!folio_test_uptodate(folio)) {\n\t\tfolio_unlock(folio);\n\t\treturn ERR_PTR(-ENOENT);\n\t}\n",
      ),
    );
    // At the early return that leaves with the reference held, not at the callback's definition.
    const ret = lineOf(v.text, "\tif (!folio_test_uptodate(folio)) {") + 2;
    expect(v.text.split("\n")[ret - 1]).toBe("\t\treturn ERR_PTR(-ENOENT);");
    const at = `${v.path}:${ret} kvm_gmem_uffd_get_folio()`;
    expect(v.findings.some((m) => m.startsWith(`${at}: get_folio_noalloc: returned no folio for page`) && m.includes("kept a reference"))).toBe(true);
    const def = lineOf(v.text, "static struct folio *kvm_gmem_uffd_get_folio(");
    expect(v.findings.some((m) => m.startsWith(`${v.path}:${def} `))).toBe(false);
  });

  it("a reference leaked on an early return that tail-calls a helper: still the callback's return", async () => {
    // The helper's own `return` runs first; the callback's is the one that leaves with the reference.
    const v = await verifyEdited("examples/gmem-nodirectmap.uffd.ts", (c) =>
      c
        .replace("static struct folio *kvm_gmem_uffd_get_folio(", "static struct folio *kvm_gmem_uffd_absent(void)\n{\n\treturn ERR_PTR(-ENOENT);\n}\n\nstatic struct folio *kvm_gmem_uffd_get_folio(")
        .replace(
          "\tif (!folio_test_uptodate(folio)) {\n\t\tfolio_zero_range(folio, 0, folio_size(folio));\n\t\tfolio_mark_uptodate(folio);\n\t}\n",
          "\tif (!folio_test_uptodate(folio)) {\n\t\tfolio_unlock(folio);\n\t\treturn kvm_gmem_uffd_absent();\n\t}\n",
        ),
    );
    const ret = lineOf(v.text, "\t\treturn kvm_gmem_uffd_absent();");
    expect(v.findings.some((m) => m.startsWith(`${v.path}:${ret} kvm_gmem_uffd_get_folio(): get_folio_noalloc: returned no folio for page`) && m.includes("kept a reference")), v.findings.join("\n")).toBe(true);
  });

  it("a missing flush after writing the folio through a kernel mapping", async () => {
    const v = await verifyEdited("examples/shmem.uffd.ts", (c) => c.replace("\t\t\tflush_dcache_folio(folio);\n", ""));
    const at = `${v.path}:${lineOf(v.text, "ret = mfill_atomic_install_pte(")}`;
    expect(v.run.contractFindings.some((m) => m.startsWith(`${at} shmem_uffd_copy(): the folio was written through a kernel mapping and is mapped to user space without flush_dcache_folio()`))).toBe(true);
  });
});

/**
 * Per-inode and per-user accounting, charged and uncharged in pairs (src/run/c/accounting.ts):
 * each defect put back by hand into a copy of an example's callbacks, caught with file:line.
 */
describe("verify: accounting charged and uncharged in pairs", () => {
  const SHMEM = "examples/shmem.uffd.ts";
  const SHMEM71 = "examples/upstream/shmem-7.1.uffd.ts";
  const linesOf = (t: string) => t.split("\n");
  /** The line of the first `needle` at or after line `from` (1-based). */
  const lineAfter = (text: string, from: number, needle: string) => linesOf(text).findIndex((l, i) => i + 1 >= from && l.includes(needle)) + 1;

  it("the examples' accounting is balanced on every path (shmem peterx-v1 and 7.1)", async () => {
    for (const spec of [SHMEM, SHMEM71]) {
      const g = (await open(spec)).generation();
      const all = g.simulation.result.results.flatMap((r) => r.findings ?? []).map((f) => f.message);
      expect(all.filter((m) => /still charged|uncharge without/.test(m)), spec).toEqual([]);
      expect(g.simulation.contractFindings, spec).toEqual([]);
    }
  });

  it("a charge on a failure path not undone: the blocks accounted before the add, and the add fails", async () => {
    // The accounting moved ahead of shmem_add_to_page_cache() (as shmem_mfill_atomic_pte() has it), without its undo when the add fails.
    const v = await verifyEdited(SHMEM, (c) =>
      c
        .replace("\tif (shmem_inode_acct_blocks(inode, 1)) {\n\t\terr = -ENOMEM;\n\t\tgoto err_delete;\n\t}\n", "")
        .replace("\t__folio_set_locked(folio);\n\t__folio_set_swapbacked(folio);\n", "\tif (shmem_inode_acct_blocks(inode, 1))\n\t\treturn -ENOMEM;\n\t__folio_set_locked(folio);\n\t__folio_set_swapbacked(folio);\n"),
    );
    const acct = lineOf(v.text, "\tif (shmem_inode_acct_blocks(inode, 1))");
    // uffd_copy leaves by its last return (out_put), and the block charged in its filemap_add helper is still held.
    const ret = lineAfter(v.text, lineOf(v.text, "out_put:"), "\treturn ret;");
    const msg = v.findings.find((m) => m.startsWith(`${v.path}:${ret} shmem_uffd_copy(): uffd_copy: failed (-17) with 1 block(s)`));
    expect(msg, v.findings.join("\n")).toBeDefined();
    expect(msg).toContain(`still charged by shmem_inode_acct_blocks() at ${v.path}:${acct}: the charge is not undone on that path`);
    expect(v.failing).toEqual(expect.arrayContaining(["inject_filemap_add_eexist", "inject_filemap_add_enomem"]));
  });

  it("exploration finds the same charge with no injection: a fill that loses the race for the page", async () => {
    const base = (await open(SHMEM)).generation();
    const text = base.cSource.text
      .replace("\tif (shmem_inode_acct_blocks(inode, 1)) {\n\t\terr = -ENOMEM;\n\t\tgoto err_delete;\n\t}\n", "")
      .replace("\t__folio_set_locked(folio);\n\t__folio_set_swapbacked(folio);\n", "\tif (shmem_inode_acct_blocks(inode, 1))\n\t\treturn -ENOMEM;\n\t__folio_set_locked(folio);\n\t__folio_set_swapbacked(folio);\n");
    const plan = (await open(SHMEM, { cSource: { kind: "file", path: "tree/edited_uffd.c", text } })).generation().exploration;
    const p = plan.programs.find((q) => q.name === "partial_fill");
    expect(p, plan.programs.map((q) => q.name).join(", ")).toBeDefined();
    const r = exploreProgram(p!, plan.opts);
    const found = r.counterexamples.map((c) => c.violation);
    expect(found.some((v) => v.property === "contract" && v.message.startsWith("uffd_copy: failed (-17) with 1 block(s)") && v.message.includes(`shmem_inode_acct_blocks() at tree/edited_uffd.c:${lineOf(text, "\tif (shmem_inode_acct_blocks(inode, 1))")}`)), JSON.stringify(found)).toBe(true);
    // gen's own C: the same program explores clean.
    const clean = (await open(SHMEM)).generation().exploration;
    expect(exploreProgram(clean.programs.find((q) => q.name === "partial_fill")!, clean.opts).counterexamples).toEqual([]);
  });

  it("a charge in alloc_folio (as shmem_mfill_atomic_pte() charges before it allocates): caught on each path that does not give it back", async () => {
    const v = await verifyEdited(SHMEM71, (c) =>
      c.replace("\tfolio = shmem_alloc_folio(gfp, 0, SHMEM_I(inode), pgoff);\n", "\tif (shmem_inode_acct_blocks(inode, 1))\n\t\treturn NULL;\n\tfolio = shmem_alloc_folio(gfp, 0, SHMEM_I(inode), pgoff);\n"),
    );
    const acct = lineOf(v.text, "\tif (shmem_inode_acct_blocks(inode, 1))\n".trim());
    const charged = `still charged by shmem_inode_acct_blocks() at ${v.path}:${acct}`;
    // The allocation fails after the charge: alloc_folio's `return NULL;` that follows it.
    const noFolio = lineAfter(v.text, acct + 2, "\t\treturn NULL;");
    expect(v.findings.some((m) => m.startsWith(`${v.path}:${noFolio} shmem_uffd_alloc_folio(): alloc_folio: returned no folio with 1 block(s)`) && m.includes(charged)), v.findings.join("\n")).toBe(true);
    // filemap_add fails, and the folio goes back to core with what alloc_folio charged for it.
    expect(v.findings.some((m) => m.includes("shmem_uffd_filemap_add(): filemap_add: failed (-17) and page ") && m.includes(charged))).toBe(true);
    // The install fails: filemap_remove gives back filemap_add's block, not alloc_folio's.
    expect(v.findings.some((m) => m.includes("shmem_uffd_filemap_remove(): filemap_remove: took page ") && m.includes(charged))).toBe(true);
    expect(v.failing).toEqual(expect.arrayContaining(["inject_alloc_fails_enomem", "inject_filemap_add_eexist", "inject_install_fails_removes"]));
  });

  it("an uncharge without its charge through shmem_recalc_inode(): the page declared allocated before its block is accounted", async () => {
    // recalc(inode, 1, 0) ahead of shmem_inode_acct_blocks(): when the accounting fails, info->alloced keeps a page
    // no block was charged for, and the next recalc gives back a block nobody charged (shmem_inode_unacct_blocks()).
    const v = await verifyEdited(SHMEM71, (c) =>
      c.replace(
        "\tif (shmem_inode_acct_blocks(inode, 1)) {\n\t\terr = -ENOMEM;\n\t\tgoto err_delete;\n\t}\n\tfolio_add_lru(folio);\n\tshmem_recalc_inode(inode, 1, 0);\n",
        "\tshmem_recalc_inode(inode, 1, 0);\n\tif (shmem_inode_acct_blocks(inode, 1)) {\n\t\terr = -ENOMEM;\n\t\tgoto err_delete;\n\t}\n\tfolio_add_lru(folio);\n",
      ),
    );
    const at = `${v.path}:${lineOf(v.text, "\tshmem_recalc_inode(inode, 1, 0);")}`;
    expect(v.run.contractFindings.some((m) => m.startsWith(`${at} shmem_uffd_filemap_add(): shmem_recalc_inode() gives back 1 block(s) of the type's block accounting with 0 charged`)), v.run.contractFindings.join("\n")).toBe(true);
    expect(v.failing).toContain("inject_account_fails_enomem");
  });

  it("a charge left when the folio is removed: filemap_remove without shmem_recalc_inode()", async () => {
    const v = await verifyEdited(SHMEM71, (c) => c.replace("\tfilemap_remove_folio(folio);\n\tshmem_recalc_inode(inode, 0, 0);\n\tfolio_unlock(folio);\n", "\tfilemap_remove_folio(folio);\n\tfolio_unlock(folio);\n"));
    const add = lineOf(v.text, "static int shmem_uffd_filemap_add(");
    const acct = lineAfter(v.text, add, "if (shmem_inode_acct_blocks(inode, 1))");
    // A void callback that falls off its end: the finding names its definition.
    const def = lineOf(v.text, "static void shmem_uffd_filemap_remove(");
    const msg = v.findings.find((m) => m.startsWith(`${v.path}:${def} shmem_uffd_filemap_remove(): filemap_remove: took page `));
    expect(msg, v.findings.join("\n")).toBeDefined();
    expect(msg).toContain(`out of the page cache with 1 block(s) of the type's block accounting still charged by shmem_inode_acct_blocks() at ${v.path}:${acct}`);
    expect(v.failing).toContain("inject_install_fails_removes");
  });

  it("an uncharge without its charge: quota given back for a block whose accounting failed", async () => {
    const v = await verifyEdited(SHMEM, (c) =>
      c.replace("\tif (shmem_inode_acct_blocks(inode, 1)) {\n\t\terr = -ENOMEM;\n", "\tif (shmem_inode_acct_blocks(inode, 1)) {\n\t\tdquot_free_block(inode, 1);\n\t\terr = -ENOMEM;\n"),
    );
    const at = `${v.path}:${lineOf(v.text, "\t\tdquot_free_block(inode, 1);")}`;
    expect(v.run.contractFindings.some((m) => m.startsWith(`${at} shmem_uffd_filemap_add(): dquot_free_block() gives back 1 block(s) of the user's disk quota with 0 charged: an uncharge without its charge`)), v.run.contractFindings.join("\n")).toBe(true);
    expect(v.failing).toContain("inject_account_fails_enomem");
  });

  it("an uncharge twice: the inode's bytes given back twice when the folio is removed", async () => {
    // The developer counts i_blocks by hand (fs/stat.c): charged once when the folio enters the cache, given back twice.
    const v = await verifyEdited(SHMEM71, (c) =>
      c
        .replace("\tfolio_add_lru(folio);\n\tshmem_recalc_inode(inode, 1, 0);\n", "\tfolio_add_lru(folio);\n\tshmem_recalc_inode(inode, 1, 0);\n\tinode_add_bytes(inode, PAGE_SIZE);\n")
        .replace("\tfilemap_remove_folio(folio);\n\tshmem_recalc_inode(inode, 0, 0);\n", "\tinode_sub_bytes(inode, PAGE_SIZE);\n\tfilemap_remove_folio(folio);\n\tshmem_recalc_inode(inode, 0, 0);\n\tinode_sub_bytes(inode, PAGE_SIZE);\n"),
    );
    const first = lineOf(v.text, "\tinode_sub_bytes(inode, PAGE_SIZE);");
    const second = lineAfter(v.text, first + 1, "\tinode_sub_bytes(inode, PAGE_SIZE);");
    expect(v.run.contractFindings.some((m) => m.startsWith(`${v.path}:${second} shmem_uffd_filemap_remove(): inode_sub_bytes() gives back 4096 byte(s) of the inode's i_blocks/i_bytes with 0 charged`)), v.run.contractFindings.join("\n")).toBe(true);
    expect(v.run.contractFindings.some((m) => m.startsWith(`${v.path}:${first} `))).toBe(false);
  });

  it("the bytes given back in other pieces than they were charged still pair", async () => {
    const v = await verifyEdited(SHMEM71, (c) =>
      c
        .replace("\tfolio_add_lru(folio);\n\tshmem_recalc_inode(inode, 1, 0);\n", "\tfolio_add_lru(folio);\n\tshmem_recalc_inode(inode, 1, 0);\n\tinode_add_bytes(inode, PAGE_SIZE);\n")
        .replace("\tfilemap_remove_folio(folio);\n\tshmem_recalc_inode(inode, 0, 0);\n", "\tfilemap_remove_folio(folio);\n\tshmem_recalc_inode(inode, 0, 0);\n\tinode_sub_bytes(inode, PAGE_SIZE / 2);\n\tinode_sub_bytes(inode, PAGE_SIZE / 2);\n"),
    );
    expect(v.run.contractFindings).toEqual([]);
    expect(v.findings.filter((m) => /still charged|uncharge without/.test(m))).toEqual([]);
  });

  it("the edit with the bytes given back once is clean (the pair holds)", async () => {
    const v = await verifyEdited(SHMEM71, (c) =>
      c
        .replace("\tfolio_add_lru(folio);\n\tshmem_recalc_inode(inode, 1, 0);\n", "\tfolio_add_lru(folio);\n\tshmem_recalc_inode(inode, 1, 0);\n\tinode_add_bytes(inode, PAGE_SIZE);\n")
        .replace("\tfilemap_remove_folio(folio);\n\tshmem_recalc_inode(inode, 0, 0);\n", "\tfilemap_remove_folio(folio);\n\tshmem_recalc_inode(inode, 0, 0);\n\tinode_sub_bytes(inode, PAGE_SIZE);\n"),
    );
    expect(v.run.contractFindings).toEqual([]);
    expect(v.findings.filter((m) => /still charged|uncharge without/.test(m))).toEqual([]);
  });
});

describe("verify: a stand-in's precondition, broken by hand, is caught at the C's call of it", () => {
  it("shmem_add_to_page_cache() of a folio the edit no longer locks: at the call in filemap_add", async () => {
    const v = await verifyEdited("examples/shmem.uffd.ts", (c) => c.replace("\t__folio_set_locked(folio);\n\t__folio_set_swapbacked(folio);\n", "\t__folio_set_swapbacked(folio);\n"));
    const at = `${v.path}:${lineOf(v.text, "err = shmem_add_to_page_cache(")}`;
    expect(v.run.contractFindings.some((m) => m.startsWith(`${at} shmem_uffd_filemap_add(): shmem_add_to_page_cache() of a folio that is not locked`)), v.run.contractFindings.join("\n")).toBe(true);
  });
});

describe("verify: what the ->fault glue leaves behind is reported at the return it leaves by", () => {
  it("the invalidate lock taken around the shared check and held on the SIGBUS return", async () => {
    const v = await verifyEdited("examples/gmem.uffd.ts", (c) =>
      c.replace(
        "\tif (!kvm_gmem_is_shared_mem(inode, vmf->pgoff))\n\t\treturn VM_FAULT_SIGBUS;\n\treturn 0;\n}",
        "\tfilemap_invalidate_lock_shared(inode->i_mapping);\n\tif (!kvm_gmem_is_shared_mem(inode, vmf->pgoff))\n\t\treturn VM_FAULT_SIGBUS;\n\tfilemap_invalidate_unlock_shared(inode->i_mapping);\n\treturn 0;\n}",
      ),
    );
    const ret = lineOf(v.text, "\t\treturn VM_FAULT_SIGBUS;");
    const glue = lineOf(v.text, "static vm_fault_t kvm_gmem_uffd_fault(");
    expect(ret).toBeGreaterThan(glue);
    expect(v.findings.some((m) => m.startsWith(`${v.path}:${ret} kvm_gmem_uffd_fault(): fault: returned holding a mapping's invalidate lock`)), v.findings.join("\n")).toBe(true);
  });
});
