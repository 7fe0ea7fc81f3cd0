import { describe, expect, it } from "vitest";
import { emitKernel, KernelEmitError } from "../../src/emit/kernel/index.js";
import type { GetFolioSpec } from "../../src/spec/types.js";
import { GMEM_LIKE, SHMEM_LIKE, functionBody, model, returnBlocks } from "../fixtures/emit-specs.js";
import { lowerOf } from "../fixtures/lower.js";

function getFolioBody(getFolio: GetFolioSpec, api: "linux-7.1" | "peterx-v1" = "linux-7.1"): string {
  const ops = emitKernel(lowerOf(model(GMEM_LIKE, { getFolio, guard: undefined, api }), api)).fragments.ops;
  return functionBody(ops, "kvm_gmem_uffd_get_folio");
}

/** Early returns that happen while the function holds the folio (after a successful lookup). */
function returnsHoldingFolio(body: string, v = "folio") {
  const afterLookup = body.slice(body.search(/(filemap_lock_folio|folio_lock|kvm_gmem_get_folio)\(/));
  return returnBlocks(afterLookup).filter((r) => r.ret !== v && !/IS_ERR|^!folio|xa_is_value/.test(r.block) && r.ret !== "0");
}

describe("get_folio bodies keep the lock/reference contract on every path", () => {
  it("filemap_lock_folio + notUptodate missing: the !uptodate return unlocks and puts", () => {
    const body = getFolioBody({ strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "missing" });
    expect(body).toMatch(/folio = filemap_lock_folio\(inode->i_mapping, pgoff\);\n\tif \(IS_ERR\(folio\)\)\n\t\treturn folio;/);
    const early = returnsHoldingFolio(body);
    expect(early.length).toBe(1);
    for (const r of early) {
      expect(r.block).toMatch(/folio_unlock\(folio\);\n\t\tfolio_put\(folio\);\n\t\treturn ERR_PTR\(-ENOENT\);/);
    }
    expect(body.trimEnd().endsWith("\treturn folio;\n}")).toBe(true);
    expect(body).not.toMatch(/folio_zero_range|filemap_alloc|FGP_CREAT/);
  });

  it("filemap_get_entry: value entries return without a put; truncation and !uptodate unlock and put", () => {
    const body = getFolioBody({ strategy: "lookup", lookup: "filemap_get_entry", notUptodate: "missing" });
    expect(body).toMatch(/if \(!folio \|\| xa_is_value\(folio\)\)\n\t\treturn ERR_PTR\(-ENOENT\);/);
    expect(body).toMatch(/folio_lock\(folio\);/);
    const early = returnsHoldingFolio(body);
    expect(early.length).toBe(2); // truncated, not up to date
    for (const r of early) expect(r.block).toMatch(/folio_unlock\(folio\);\n\t\tfolio_put\(folio\);\n\t\treturn /);
  });

  it("putOnEarlyReturn false is emitted as declared: the early returns leak the reference", () => {
    const body = getFolioBody({ strategy: "lookup", lookup: "filemap_get_entry", notUptodate: "missing", putOnEarlyReturn: false });
    const early = returnsHoldingFolio(body);
    expect(early.length).toBe(2);
    for (const r of early) {
      expect(r.block).toMatch(/folio_unlock\(folio\);/);
      expect(r.block).not.toMatch(/folio_put/);
    }
  });

  it("notUptodate present returns the folio as is; zero-fill clears and marks it", () => {
    const present = getFolioBody({ strategy: "lookup", notUptodate: "present" });
    expect(present).not.toMatch(/folio_test_uptodate/);
    const zero = getFolioBody({ strategy: "lookup", notUptodate: "zero-fill" });
    expect(zero).toMatch(/if \(!folio_test_uptodate\(folio\)\) \{\n\t\tfolio_zero_range\(folio, 0, folio_size\(folio\)\);\n\t\tfolio_mark_uptodate\(folio\);\n\t\}/);
    expect(returnsHoldingFolio(zero).length).toBe(0);
  });

  it("absent null returns NULL, never an ERR_PTR", () => {
    const body = getFolioBody({ strategy: "lookup", notUptodate: "missing", absent: "null" });
    expect(body).not.toMatch(/ERR_PTR/);
    expect(body).toMatch(/if \(IS_ERR\(folio\)\)\n\t\treturn NULL;/);
  });

  it("lookup-or-create calls the type's helper (and says it allocates); without a helper it is an error", () => {
    const body = getFolioBody({ strategy: "lookup-or-create", helper: "kvm_gmem_get_folio", notUptodate: "zero-fill" });
    expect(body).toMatch(/folio = kvm_gmem_get_folio\(inode, pgoff\);/);
    const ops = emitKernel(lowerOf(model(GMEM_LIKE, { getFolio: { strategy: "lookup-or-create", helper: "kvm_gmem_get_folio", notUptodate: "zero-fill" } }), "linux-7.1")).fragments.ops;
    expect(ops).toMatch(/breaks the no-allocation contract/);
    expect(() => getFolioBody({ strategy: "lookup-or-create", notUptodate: "missing" })).toThrow(KernelEmitError);
  });

  it("locked/referenced false are emitted as declared (unlock or put before returning)", () => {
    const body = getFolioBody({ strategy: "lookup", notUptodate: "present", locked: false, referenced: false });
    expect(body).toMatch(/folio_unlock\(folio\);\n\tfolio_put\(folio\);\n\n\treturn folio;/);
  });

  it("int-returning generations clear *folio first and return errnos", () => {
    const body = getFolioBody({ strategy: "lookup", lookup: "filemap_get_entry", notUptodate: "missing" }, "peterx-v1");
    expect(body).toMatch(/^static int kvm_gmem_uffd_get_folio\(struct inode \*inode, pgoff_t pgoff,\n\t+ +struct folio \*\*folio\)/);
    expect(body).toMatch(/\*folio = NULL;/);
    expect(body).toMatch(/\*folio = found;\n\treturn 0;\n\}$/);
    const early = returnsHoldingFolio(body, "0");
    expect(early.length).toBe(2);
    for (const r of early) expect(r.block).toMatch(/folio_unlock\(found\);\n\t\tfolio_put\(found\);\n\t\treturn -ENOENT;/);
  });
});

describe("alloc_folio, filemap_add, filemap_remove", () => {
  const ops = (patch: Parameters<typeof model>[1], api: "linux-7.1" | "peterx-v1" = "linux-7.1") =>
    emitKernel(lowerOf(model(GMEM_LIKE, { guard: undefined, ...patch }), api)).fragments.ops;

  it("EOF check returns NULL before allocating; off means no i_size test", () => {
    const on = functionBody(ops({}), "kvm_gmem_uffd_alloc_folio");
    // 7.x: filemap_alloc_folio() takes a mempolicy as its third argument (filemapAllocMpol).
    expect(on).toMatch(/if \(pgoff >= DIV_ROUND_UP\(i_size_read\(inode\), PAGE_SIZE\)\)\n\t\treturn NULL;\n\n\tfolio = filemap_alloc_folio\(mapping_gfp_mask\(inode->i_mapping\), 0,\n\t+ +NULL\);/);
    const v1 = functionBody(ops({}, "peterx-v1"), "kvm_gmem_uffd_alloc_folio");
    expect(v1).toMatch(/folio = filemap_alloc_folio\(mapping_gfp_mask\(inode->i_mapping\), 0\);/);
    const off = functionBody(ops({ copy: { alloc: { strategy: "mapping-gfp", eofCheck: false } } }), "kvm_gmem_uffd_alloc_folio");
    expect(off).not.toMatch(/i_size_read|pgoff/);
  });

  it("memcg charge when asked and nothing else charges, with the folio put when the charge fails", () => {
    // filemap_add_folio() charges memcg itself: with it, a charge in alloc_folio would be a double charge.
    const withAdd = functionBody(ops({ copy: { alloc: { strategy: "vma", chargeMemcg: true } } }), "kvm_gmem_uffd_alloc_folio");
    expect(withAdd).not.toMatch(/mem_cgroup_charge/);
    const body = functionBody(ops({ copy: { alloc: { strategy: "vma", chargeMemcg: true }, filemapAdd: "none", filemapRemove: "none" } }), "kvm_gmem_uffd_alloc_folio");
    expect(body).toMatch(/folio = vma_alloc_folio\(GFP_HIGHUSER_MOVABLE, 0, vma, addr\);/);
    expect(body).toMatch(/if \(mem_cgroup_charge\(folio, vma->vm_mm, GFP_KERNEL\)\) \{\n\t\tfolio_put\(folio\);\n\t\treturn NULL;\n\t\}/);
    const none = functionBody(ops({}), "kvm_gmem_uffd_alloc_folio");
    expect(none).not.toMatch(/mem_cgroup_charge/);
  });

  it("shared-policy allocates with the file's policy and drops it; helper strategy calls the helper", () => {
    const sp = functionBody(ops({ copy: { alloc: { strategy: "shared-policy" } } }), "kvm_gmem_uffd_alloc_folio");
    expect(sp).toMatch(/mpol = get_vma_policy\(vma, addr, 0, &ilx\);[\s\S]*folio_alloc_mpol\([\s\S]*mpol_cond_put\(mpol\);/);
    const h = functionBody(ops({ copy: { alloc: { strategy: "helper", helper: "kvm_gmem_alloc" } } }), "kvm_gmem_uffd_alloc_folio");
    expect(h).toMatch(/folio = kvm_gmem_alloc\(inode, pgoff\);\n\tif \(IS_ERR_OR_NULL\(folio\)\)\n\t\treturn NULL;/);
  });

  it("filemap_add leaves locking to filemap_add_folio(), which locks on success and unlocks on failure; filemap_remove is its exact inverse", () => {
    const o = ops({ copy: { alloc: { strategy: "mapping-gfp" }, prepare: "kvm_gmem_prepare_folio", unaccount: "kvm_gmem_unaccount" } });
    const add = functionBody(o, "kvm_gmem_uffd_filemap_add");
    // mm/filemap.c filemap_add_folio(): __folio_set_locked() itself, __folio_clear_locked() on failure.
    expect(add).toMatch(/kvm_gmem_prepare_folio\(folio\);\n\n\treturn filemap_add_folio\(mapping, folio, pgoff, GFP_KERNEL\);\n\}$/);
    expect(add).not.toMatch(/folio_lock|folio_unlock/);
    const remove = functionBody(o, "kvm_gmem_uffd_filemap_remove");
    expect(remove).toMatch(/filemap_remove_folio\(folio\);\n\tkvm_gmem_unaccount\(inode\);\n\tfolio_unlock\(folio\);\n\}$/);
  });

  it("peterx-v1 uffd_copy: allocate, copy_from_user with the -ENOENT retry, install the PTE, undo on failure", () => {
    const body = functionBody(emitKernel(lowerOf(model(SHMEM_LIKE), "peterx-v1")).fragments.ops, "shmem_uffd_copy");
    expect(body).toMatch(/folio = shmem_uffd_alloc_folio\(dst_vma, dst_addr\);\n\t\tif \(!folio\)\n\t\t\treturn -ENOMEM;/);
    // under the mmap lock: page faults disabled around the user copy, then the dcache flushed (mm/shmem.c shmem_mfill_atomic_pte)
    expect(body).toMatch(/pagefault_disable\(\);\n\t+ret = copy_from_user\(kaddr,\n\t+ +\(const void __user \*\)src_addr,\n\t+ +PAGE_SIZE\);\n\t+pagefault_enable\(\);/);
    expect(body).toMatch(/return -ENOENT;\n\t+\}\n\t+flush_dcache_folio\(folio\);/);
    expect(body).toMatch(/if \(unlikely\(ret\)\) \{\n\t{4}\*foliop = folio;\n\t{4}return -ENOENT;/);
    expect(body).toMatch(/folio = \*foliop;\n\t\t\*foliop = NULL;/);
    expect(body).toMatch(/clear_user_highpage\(&folio->page, dst_addr\);/);
    expect(body).toMatch(/ret = shmem_uffd_filemap_add\(folio, dst_vma, dst_addr\);\n\tif \(ret\)\n\t\tgoto out_put;/);
    // filemap_add_folio() already put the folio on the LRU: not "newly allocated" for the PTE install
    expect(body).toMatch(/mfill_atomic_install_pte\(dst_pmd, dst_vma, dst_addr,\n\t+ +&folio->page, false, flags\);\n\tif \(ret\)\n\t\tgoto out_remove;/);
    expect(body).toMatch(/out_remove:\n\tshmem_uffd_filemap_remove\(folio, dst_vma\);\nout_put:\n\tfolio_put\(folio\);\n\treturn ret;/);
    // the helpers are static functions of the file, not ops members in v1
    const ops = emitKernel(lowerOf(model(SHMEM_LIKE), "peterx-v1")).fragments.ops;
    expect(ops).not.toMatch(/\.alloc_folio|\.filemap_add|\.filemap_remove/);
  });
});
