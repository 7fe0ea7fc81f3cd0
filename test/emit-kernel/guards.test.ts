import { describe, expect, it } from "vitest";
import { emitKernel } from "../../src/emit/kernel/index.js";
import { GMEM_LIKE, SHMEM_LIKE, functionBody, model } from "../fixtures/emit-specs.js";
import { lowerOf } from "../fixtures/lower.js";

/** Comment text with the " * " continuation breaks joined, for phrase matching. */
const prose = (s: string) => s.replace(/\n \* /g, " ");
const count = (s: string, re: RegExp) => (s.match(new RegExp(re.source, "g")) ?? []).length;
const GUARD = /kvm_gmem_is_shared_mem\(/;

describe("guards at exactly the declared points", () => {
  it("at 'fault' (page): get_folio, alloc_folio and the fault path; never can_userfault", () => {
    const ops = emitKernel(lowerOf(model(GMEM_LIKE), "linux-7.1+gmem")).fragments.ops;
    expect(count(ops, GUARD)).toBe(3);
    expect(functionBody(ops, "kvm_gmem_uffd_get_folio")).toMatch(/if \(!kvm_gmem_is_shared_mem\(inode, pgoff\)\)\n\t\treturn ERR_PTR\(-EACCES\);/);
    expect(functionBody(ops, "kvm_gmem_uffd_alloc_folio")).toMatch(/if \(!kvm_gmem_is_shared_mem\(inode, pgoff\)\)\n\t\treturn NULL;/);
    expect(functionBody(ops, "kvm_gmem_uffd_fault")).toMatch(/if \(!kvm_gmem_is_shared_mem\(inode, vmf->pgoff\)\)\n\t\treturn VM_FAULT_SIGBUS;/);
    expect(functionBody(ops, "kvm_gmem_uffd_can_userfault")).not.toMatch(GUARD);
  });

  it("at 'register' only: a registration-time snapshot in can_userfault, nowhere else", () => {
    const ops = emitKernel(lowerOf(model(GMEM_LIKE, { guard: { shared: "kvm_gmem_is_shared_mem", granularity: "page", at: "register" } }), "linux-7.1")).fragments.ops;
    expect(count(ops, GUARD)).toBe(1);
    const cu = functionBody(ops, "kvm_gmem_uffd_can_userfault");
    expect(cu).toMatch(/for \(pgoff = vma->vm_pgoff;[\s\S]*if \(!kvm_gmem_is_shared_mem\(inode, pgoff\)\)\n\t\t\treturn false;/);
    expect(prose(ops)).toMatch(/snapshot taken at registration/);
  });

  it("inode granularity calls the predicate with the inode only", () => {
    const ops = emitKernel(lowerOf(model(GMEM_LIKE, { guard: { shared: "kvm_gmem_is_shared", granularity: "inode", at: ["register", "alloc_folio"] } }), "linux-7.1")).fragments.ops;
    expect(count(ops, /kvm_gmem_is_shared\(/)).toBe(2);
    expect(ops).toMatch(/if \(!kvm_gmem_is_shared\(inode\)\)\n\t\treturn false;/);
    expect(ops).toMatch(/if \(!kvm_gmem_is_shared\(inode\)\)\n\t\treturn NULL;/);
  });

  it("a register guard has no place in peterx-v1/v4 and the output says so", () => {
    const ops = emitKernel(lowerOf(model(GMEM_LIKE, { guard: { shared: "kvm_gmem_is_shared_mem", at: "register" } }), "peterx-v4")).fragments.ops;
    expect(ops).not.toMatch(GUARD);
    expect(prose(ops)).toMatch(/guard at register: peterx-v4 has no registration callback/);
  });

  it("no guard declared: no predicate call anywhere", () => {
    const ops = emitKernel(lowerOf(model(SHMEM_LIKE), "linux-7.1")).fragments.ops;
    expect(ops).not.toMatch(/is_shared/);
  });

  it("can_userfault refuses modes the spec does not declare, and nothing when all are declared", () => {
    const gm = functionBody(emitKernel(lowerOf(model(GMEM_LIKE), "linux-7.1")).fragments.ops, "kvm_gmem_uffd_can_userfault");
    expect(gm).toMatch(/if \(vm_flags & ~\(VM_UFFD_MISSING \| VM_UFFD_MINOR\)\)\n\t\treturn false;/);
    const sh = functionBody(emitKernel(lowerOf(model(SHMEM_LIKE), "linux-7.1")).fragments.ops, "shmem_uffd_can_userfault");
    expect(sh).toMatch(/^static bool shmem_uffd_can_userfault\([\s\S]*\{\n\treturn true;\n\}$/);
  });
});

describe("fault-path glue per generation", () => {
  it.each(["peterx-v1", "peterx-v4", "linux-7.1"] as const)("%s: ->fault raises MISSING and MINOR itself", (api) => {
    const art = emitKernel(lowerOf(model(GMEM_LIKE, { fault: { handler: "kvm_gmem_fault_user_mapping", raise: "handle_userfault" } }), api));
    const glue = functionBody(art.fragments.ops, "kvm_gmem_uffd_fault");
    expect(glue).toMatch(/if \(!present && userfaultfd_missing\(vma\)\)\n\t\treturn handle_userfault\(vmf, VM_UFFD_MISSING\);/);
    expect(glue).toMatch(/if \(present && userfaultfd_minor\(vma\)\)\n\t\treturn handle_userfault\(vmf, VM_UFFD_MINOR\);/);
    // presence comes from get_folio, which treats !uptodate as missing; the probe drops what it took
    expect(glue).toMatch(/kvm_gmem_uffd_get_folio\(inode, vmf->pgoff/);
    expect(glue).toMatch(/if \(present\) \{\n\t\tfolio_unlock\(folio\);\n\t\tfolio_put\(folio\);\n\t\}/);
    expect(art.fragments.faultGlue).toEqual({
      handler: "kvm_gmem_fault_user_mapping",
      code: "\tvm_fault_t uffd_ret = kvm_gmem_uffd_fault(vmf);\n\n\tif (uffd_ret)\n\t\treturn uffd_ret;",
    });
    // without CONFIG_USERFAULTFD the call site still compiles against a stub
    expect(art.fragments.ops).toMatch(/#else\nstatic inline vm_fault_t kvm_gmem_uffd_fault\(struct vm_fault \*vmf\)\n\{\n\treturn 0;\n\}\n#endif/);
  });

  it("without a get_folio callback the glue probes the cache and treats !uptodate as missing", () => {
    const art = emitKernel(lowerOf(model(GMEM_LIKE, { features: ["missing"], ioctls: ["copy"], fault: { handler: "kvm_gmem_fault_user_mapping", raise: "handle_userfault" } }), "linux-7.1"));
    const glue = functionBody(art.fragments.ops, "kvm_gmem_uffd_fault");
    expect(glue).toMatch(/folio = filemap_get_folio\(inode->i_mapping, vmf->pgoff\);\n\tpresent = !IS_ERR\(folio\);\n\tif \(present\) \{\n\t\tpresent = folio_test_uptodate\(folio\);\n\t\tfolio_put\(folio\);\n\t\}/);
    expect(glue).not.toMatch(/VM_UFFD_MINOR/);
  });

  it("linux-7.1+gmem: core raises the faults; the glue is only the per-page shared check", () => {
    const art = emitKernel(lowerOf(model(GMEM_LIKE), "linux-7.1+gmem"));
    expect(art.fragments.ops).not.toMatch(/handle_userfault|userfaultfd_missing|userfaultfd_minor/);
    const glue = functionBody(art.fragments.ops, "kvm_gmem_uffd_fault");
    expect(glue).toMatch(/return VM_FAULT_SIGBUS;\n\treturn 0;\n\}$/);
    // outside CONFIG_USERFAULTFD: the shared check applies to every fault
    expect(art.fragments.ops.indexOf("kvm_gmem_uffd_fault(")).toBeLessThan(art.fragments.ops.indexOf("#ifdef CONFIG_USERFAULTFD"));
    const noGuard = emitKernel(lowerOf(model(GMEM_LIKE, { guard: undefined }), "linux-7.1+gmem"));
    expect(noGuard.fragments.faultGlue).toBeUndefined();
  });

  it("raise none: no glue, and the output says no event is delivered", () => {
    const art = emitKernel(lowerOf(model(GMEM_LIKE, { fault: { handler: "kvm_gmem_fault_user_mapping", raise: "none" } }), "linux-7.1"));
    expect(art.fragments.faultGlue).toBeUndefined();
    expect(art.fragments.ops).not.toMatch(/handle_userfault/);
    expect(prose(art.fragments.ops)).toMatch(/no MISSING\/MINOR event is ever delivered/);
  });
});

describe("exports for a modular type", () => {
  it("EXPORT_SYMBOL_FOR_KVM of filemap_remove_folio for mm/filemap.c; handle_userfault is never proposed (upstream designed that export away; R35 says so)", () => {
    expect(emitKernel(lowerOf(model(GMEM_LIKE), "linux-7.1+gmem")).fragments.exports).toEqual([
      { file: "mm/filemap.c", symbol: "filemap_remove_folio", line: "EXPORT_SYMBOL_FOR_KVM(filemap_remove_folio);", include: "#include <linux/kvm_types.h>" },
    ]);
    const v71 = emitKernel(lowerOf(model(GMEM_LIKE, { fault: { handler: "kvm_gmem_fault_user_mapping", raise: "handle_userfault" } }), "linux-7.1")).fragments.exports;
    expect(v71.map((e) => e.symbol)).toEqual(["filemap_remove_folio"]);
  });

  it("EXPORT_SYMBOL_FOR_MODULES(sym, \"kvm\") when asked; nothing for export none", () => {
    const m = model(GMEM_LIKE, { copy: { ...GMEM_LIKE.copy!, export: "EXPORT_SYMBOL_FOR_MODULES" } });
    expect(emitKernel(lowerOf(m, "linux-7.1+gmem")).fragments.exports.map((e) => e.line)).toEqual([
      'EXPORT_SYMBOL_FOR_MODULES(filemap_remove_folio, "kvm");',
    ]);
    expect(emitKernel(lowerOf(model(SHMEM_LIKE), "linux-7.1")).fragments.exports).toEqual([]);
  });

  it("exports follow the module the type lives in, never a hard-coded kvm", () => {
    const char = model(GMEM_LIKE, { subsystem: "char: xram", module: "xram", copy: { ...GMEM_LIKE.copy!, export: "EXPORT_SYMBOL_FOR_MODULES" } });
    expect(emitKernel(lowerOf(char, "linux-7.1")).fragments.exports.map((e) => e.line)).toEqual(['EXPORT_SYMBOL_FOR_MODULES(filemap_remove_folio, "xram");']);
    const byName = model(GMEM_LIKE, { name: "xmem", subsystem: "mm/xmem", copy: { ...GMEM_LIKE.copy!, export: "EXPORT_SYMBOL_FOR_MODULES" } });
    expect(emitKernel(lowerOf(byName, "linux-7.1")).fragments.exports.map((e) => e.line)).toEqual(['EXPORT_SYMBOL_FOR_MODULES(filemap_remove_folio, "xmem");']);
  });
});
