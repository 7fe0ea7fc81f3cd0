/**
 * Hand-edited C is verified: a copy of an example's
 * callbacks with a defect of the last two rounds put back is caught, at the
 * file and line of the edited copy. This is what `uffdkit verify --c` runs
 * (the developer's callbacks as the pipeline's one "which C" input); the CLI
 * itself is covered by test/cli-verify/verify.test.ts.
 */
import { describe, expect, it } from "vitest";
import { open } from "../../src/session/index.js";

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

  it("a missing flush after writing the folio through a kernel mapping", async () => {
    const v = await verifyEdited("examples/shmem.uffd.ts", (c) => c.replace("\t\t\tflush_dcache_folio(folio);\n", ""));
    const at = `${v.path}:${lineOf(v.text, "ret = mfill_atomic_install_pte(")}`;
    expect(v.run.contractFindings.some((m) => m.startsWith(`${at} shmem_uffd_copy(): the folio was written through a kernel mapping and is mapped to user space without flush_dcache_folio()`))).toBe(true);
  });
});
