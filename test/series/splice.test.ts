import { describe, expect, it } from "vitest";
import { loadCParser } from "../../src/series/c-syntax.js";
import { findFunction, spliceExport, spliceFaultGlue, spliceHook, spliceIncludes, spliceTypeFile } from "../../src/series/splice.js";
import { FIXTURE_FILES } from "./fixture.js";

const parser = await loadCParser();
const gmem = FIXTURE_FILES["virt/kvm/guest_memfd.c"]!;
const shmem = FIXTURE_FILES["mm/shmem.c"]!;
const filemap = FIXTURE_FILES["mm/filemap.c"]!;

/** A small set of fragments in the emitter's shape: a helper the glue calls, and the ops struct. */
const FRAGMENTS = {
  includes: ["#include <linux/userfaultfd_k.h>"],
  ops: "#ifdef CONFIG_USERFAULTFD\nstatic vm_fault_t foo_uffd_fault(struct vm_fault *vmf)\n{\n\treturn foo_helper(vmf) ? 0 : 0;\n}\n\nstatic const struct vm_uffd_ops foo_uffd_ops = {\n\t.can_userfault\t= foo_can_userfault,\n};\n#endif",
  hook: "#ifdef CONFIG_USERFAULTFD\n\t.uffd_ops = &foo_uffd_ops,\n#endif",
  faultGlue: { handler: "foo_fault", code: "\tvm_fault_t uffd_ret = foo_uffd_fault(vmf);\n\n\tif (uffd_ret)\n\t\treturn uffd_ret;" },
  exports: [],
};

describe("splice: the basic placements", () => {
  it("adds an include after the last <...> include, once", () => {
    const out = spliceIncludes(parser, gmem, ["#include <linux/userfaultfd_k.h>"]);
    const lines = out.split("\n");
    expect(lines.indexOf("#include <linux/userfaultfd_k.h>")).toBe(lines.indexOf("#include <linux/pagemap.h>") + 1);
    expect(spliceIncludes(parser, out, ["#include <linux/userfaultfd_k.h>"])).toBe(out);
  });

  it("adds the hook as the last member of the definition, not the forward declaration", () => {
    const r = spliceHook(parser, "mm/shmem.c", shmem, "shmem_vm_ops", ".uffd_ops = &shmem_uffd_ops,");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.text).toContain("\t.map_pages\t= filemap_map_pages,\n\t.uffd_ops = &shmem_uffd_ops,\n};");
    expect(r.text).toContain("static const struct vm_operations_struct shmem_vm_ops;\n");
  });

  it("puts fault glue after the handler's declarations", () => {
    const r = spliceFaultGlue(parser, "g.c", gmem, "kvm_gmem_fault_user_mapping", "if (x)\n\treturn 0;");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.text).toContain("\tvm_fault_t ret = VM_FAULT_LOCKED;\n\n\tif (x)\n\t\treturn 0;\n\n\tif (((loff_t)");
  });

  it("finds definitions, not calls", () => {
    expect(findFunction(parser, "g.c", gmem, "kvm_gmem_get_folio", "", "").ok).toBe(false);
    expect(findFunction(parser, "g.c", gmem, "kvm_gmem_mmap", "", "").ok).toBe(true);
  });

  it("puts the export right after the function, skipping braces in comments", () => {
    const r = spliceExport(parser, "mm/filemap.c", filemap, "filemap_remove_folio", "EXPORT_SYMBOL_FOR_KVM(filemap_remove_folio);");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.text).toContain("\tfilemap_free_folio(mapping, folio);\n}\nEXPORT_SYMBOL_FOR_KVM(filemap_remove_folio);\n\n/* A brace");
    const again = spliceExport(parser, "mm/filemap.c", r.text, "filemap_remove_folio", "EXPORT_SYMBOL(filemap_remove_folio);");
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.kind).toBe("already-present");
  });

  it("reports a missing vm_operations_struct with a hint, and a file without any as a missing prerequisite", () => {
    const r = spliceTypeFile(parser, "virt/kvm/guest_memfd.c", gmem, "no_such_vm_ops", { includes: [], ops: "", hook: "", exports: [] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("not-found");
    expect(r.error.hint).toContain("vmOps");
    const none = spliceTypeFile(parser, "x.c", "static int x(void)\n{\n\treturn 0;\n}\n", "x_vm_ops", FRAGMENTS);
    expect(none.ok ? "" : none.error.kind).toBe("no-vm-ops");
  });
});

/** Where a line is in a text (0-based index of the first line containing `s`). */
function lineIndex(text: string, s: string): number {
  return text.split("\n").findIndex((l) => l.includes(s));
}

describe("splice: hostile files", () => {
  const hostile = `// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include "local.h"

/* A brace in a comment { and one in a string below must not end anything. */
static const char *foo_banner = "} {";

#define FOO_DEFINE_GETTER(name) static int name(void) { return 1; }
FOO_DEFINE_GETTER(foo_getter)

static bool foo_helper(struct vm_fault *vmf);

static bool foo_can_userfault(struct vm_area_struct *vma, vm_flags_t flags)
{
	return true;
}

/**
 * foo_fault() - the fault handler
 */
static vm_fault_t foo_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file); /* { */
	char c = '{';

	if (c == '}')
		return VM_FAULT_SIGBUS;
	return foo_helper(vmf) ? VM_FAULT_NOPAGE : VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct foo_vm_ops = {
	.fault		= foo_fault,
#ifdef CONFIG_NUMA
	.set_policy	= foo_set_policy,
#endif
	.map_pages	= filemap_map_pages /* no trailing comma */
};
`;

  it("places the helper before its first use (the fault handler), after the prototypes it needs, with the hook outside the #ifdef", () => {
    const r = spliceTypeFile(parser, "drivers/foo.c", hostile, "foo_vm_ops", FRAGMENTS);
    if (!r.ok) throw new Error(r.error.message);
    const t = r.text;
    // The ops block comes before foo_fault() and its kernel-doc, which now calls the helper.
    expect(lineIndex(t, "static vm_fault_t foo_uffd_fault")).toBeLessThan(lineIndex(t, "foo_fault() - the fault handler"));
    expect(lineIndex(t, "static vm_fault_t foo_uffd_fault")).toBeGreaterThan(lineIndex(t, "static bool foo_helper(struct vm_fault *vmf);"));
    expect(lineIndex(t, "static vm_fault_t foo_uffd_fault")).toBeGreaterThan(lineIndex(t, "static bool foo_can_userfault("));
    // The glue opens the handler's body after its declarations.
    expect(t).toContain("\tchar c = '{';\n\n\tvm_fault_t uffd_ret = foo_uffd_fault(vmf);\n\n\tif (uffd_ret)\n\t\treturn uffd_ret;\n\n\tif (c == '}')");
    // The hook is the last member, after the #endif; the last member got its comma.
    expect(t).toContain("\t.map_pages\t= filemap_map_pages, /* no trailing comma */\n#ifdef CONFIG_USERFAULTFD\n\t.uffd_ops = &foo_uffd_ops,\n#endif\n};");
    expect(t).toContain('#include <linux/mm.h>\n#include <linux/userfaultfd_k.h>\n#include "local.h"');
    expect(t).toContain('"} {"');
  });

  it("refuses a vm_operations_struct defined twice in #ifdef branches, leaving the text alone", () => {
    const twice = `#ifdef CONFIG_FOO
static const struct vm_operations_struct foo_vm_ops = {
	.fault = foo_fault,
};
#else
static const struct vm_operations_struct foo_vm_ops = {
	.fault = foo_fault_nommu,
};
#endif
`;
    const r = spliceHook(parser, "foo.c", twice, "foo_vm_ops", ".uffd_ops = &foo_uffd_ops,");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("ambiguous");
  });

  it("refuses an initializer split across #if branches", () => {
    const split = `static const struct vm_operations_struct foo_vm_ops = {
	.fault = foo_fault,
#ifdef CONFIG_FOO
	.map_pages = filemap_map_pages,
};
#else
};
#endif
`;
    const r = spliceHook(parser, "foo.c", split, "foo_vm_ops", ".uffd_ops = &foo_uffd_ops,");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(["unplaceable", "ambiguous"]).toContain(r.error.kind);
  });

  it("does not take a macro that generates a function for a definition of it", () => {
    const r = spliceFaultGlue(parser, "foo.c", hostile, "foo_getter", "return 0;");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("not-found");
  });

  it("refuses ops that use a name the file declares only after the first use", () => {
    const late = hostile.replace("static bool foo_helper(struct vm_fault *vmf);\n", "").replace("};\n", "};\n\nstatic bool foo_helper(struct vm_fault *vmf)\n{\n\treturn true;\n}\n");
    const r = spliceTypeFile(parser, "drivers/foo.c", late, "foo_vm_ops", FRAGMENTS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("unplaceable");
    expect(r.error.message).toContain("foo_helper()");
    expect(r.error.hint).toContain("prototype");
  });

  it("a #if inside a comment in the initializer is not a directive", () => {
    const commented = "static const struct vm_operations_struct foo_vm_ops = {\n\t.fault = foo_fault,\n/*\n#ifdef NOT_A_DIRECTIVE\n */\n};\n";
    const r = spliceHook(parser, "foo.c", commented, "foo_vm_ops", "\t.uffd_ops = &foo_uffd_ops,");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.text).toContain(" */\n\t.uffd_ops = &foo_uffd_ops,\n};\n");
  });

  it("rewrites a one-line initializer as a multi-line one", () => {
    const r = spliceHook(parser, "foo.c", "static const struct vm_operations_struct foo_vm_ops = { .fault = foo_fault };\n", "foo_vm_ops", "\t.uffd_ops = &foo_uffd_ops,");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.text).toBe("static const struct vm_operations_struct foo_vm_ops = {\n\t.fault = foo_fault,\n\t.uffd_ops = &foo_uffd_ops,\n};\n");
  });
});
