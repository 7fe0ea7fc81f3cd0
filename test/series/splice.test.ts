import { describe, expect, it } from "vitest";
import { blankNonCode, findFunctionDefinition, spliceExport, spliceFaultGlue, spliceHook, spliceIncludes, spliceTypeFile } from "../../src/series/splice.js";
import { FIXTURE_FILES } from "./fixture.js";

const gmem = FIXTURE_FILES["virt/kvm/guest_memfd.c"]!;
const shmem = FIXTURE_FILES["mm/shmem.c"]!;
const filemap = FIXTURE_FILES["mm/filemap.c"]!;

describe("splice", () => {
  it("blanks comments and strings but keeps offsets", () => {
    const t = 'a /* { */ b "}" c // {\nd';
    const b = blankNonCode(t);
    expect(b.length).toBe(t.length);
    expect(b).not.toMatch(/[{}]/);
    expect(b.endsWith("\nd")).toBe(true);
  });

  it("adds an include after the last <...> include, once", () => {
    const out = spliceIncludes(gmem, ["#include <linux/userfaultfd_k.h>"]);
    const lines = out.split("\n");
    expect(lines.indexOf("#include <linux/userfaultfd_k.h>")).toBe(lines.indexOf("#include <linux/pagemap.h>") + 1);
    expect(spliceIncludes(out, ["#include <linux/userfaultfd_k.h>"])).toBe(out);
  });

  it("adds the hook as the last member of the definition, not the forward declaration", () => {
    const r = spliceHook("mm/shmem.c", shmem, "shmem_vm_ops", ".uffd_ops = &shmem_uffd_ops,");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toContain("\t.map_pages\t= filemap_map_pages,\n\t.uffd_ops = &shmem_uffd_ops,\n};");
    expect(r.text).toContain("static const struct vm_operations_struct shmem_vm_ops;\n");
  });

  it("puts fault glue after the handler's declarations", () => {
    const r = spliceFaultGlue("g.c", gmem, "kvm_gmem_fault_user_mapping", "if (x)\n\treturn 0;");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toContain("\tvm_fault_t ret = VM_FAULT_LOCKED;\n\n\tif (x)\n\t\treturn 0;\n\n\tif (((loff_t)");
  });

  it("finds definitions, not calls", () => {
    const d = findFunctionDefinition(gmem, "kvm_gmem_get_folio");
    expect(d).toBeUndefined();
    expect(findFunctionDefinition(gmem, "kvm_gmem_mmap")).toBeDefined();
  });

  it("puts the export right after the function, skipping braces in comments", () => {
    const r = spliceExport("mm/filemap.c", filemap, "filemap_remove_folio", "EXPORT_SYMBOL_FOR_KVM(filemap_remove_folio);");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toContain("\tfilemap_free_folio(mapping, folio);\n}\nEXPORT_SYMBOL_FOR_KVM(filemap_remove_folio);\n\n/* A brace");
    const again = spliceExport("mm/filemap.c", r.text, "filemap_remove_folio", "EXPORT_SYMBOL(filemap_remove_folio);");
    expect(again.ok).toBe(false);
  });

  it("reports a missing vm_operations_struct with a hint", () => {
    const r = spliceTypeFile("virt/kvm/guest_memfd.c", gmem, "no_such_vm_ops", { includes: [], ops: "", hook: "", exports: [] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toContain("no_such_vm_ops");
    expect(r.error.hint).toContain("vmOps");
  });
});
