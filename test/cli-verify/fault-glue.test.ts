/**
 * `verify --tree`: whose ->fault glue ran. The simulator calls the glue function
 * first thing in ->fault and goes on only on 0, as `series` splices it; the
 * tree's glue is what ran only when the tree defines the function and its
 * handler calls it that way. Every other shape is reported as gen's, not checked.
 */
import { describe, expect, it } from "vitest";
import { loadCParser } from "../../src/series/c-syntax.js";
import { faultGlueInTree } from "../../src/cli/verify-sources.js";
import { spliceFaultGlue } from "../../src/series/splice.js";
import { open } from "../../src/session/index.js";

const GLUE = { fn: "kvm_gmem_uffd_fault", handler: "kvm_gmem_fault_user_mapping" };
const glueFn = ["static vm_fault_t kvm_gmem_uffd_fault(struct vm_fault *vmf)", "{", "\treturn 0;", "}", ""];
const handler = (body: string[]) => ["static vm_fault_t kvm_gmem_fault_user_mapping(struct vm_fault *vmf)", "{", ...body, "}", ""];

async function originOf(lines: string[], fnFromGen = false) {
  const parser = await loadCParser();
  return faultGlueInTree(parser.parse(lines.join("\n")).rootNode, "virt/kvm/guest_memfd.c", GLUE, fnFromGen);
}

describe("fault glue from the tree", () => {
  it("spliced as series does (after the declarations): the tree's, with the function's and the call's lines", async () => {
    const file = [...glueFn, ...handler(["\tstruct inode *inode = file_inode(vmf->vma->vm_file);", "\tvm_fault_t uffd_ret = kvm_gmem_uffd_fault(vmf);", "", "\tif (uffd_ret)", "\t\treturn uffd_ret;", "\treturn __kvm_gmem_fault(inode, vmf);"])];
    expect(await originOf(file)).toEqual({ from: "tree", fn: GLUE.fn, handler: GLUE.handler, path: "virt/kvm/guest_memfd.c", fnLine: 1, callLine: 9 });
  });

  it("an assignment and `if (unlikely(ret)) { return ret; }` is the same shape", async () => {
    const file = [...glueFn, ...handler(["\tvm_fault_t ret;", "", "\tret = kvm_gmem_uffd_fault(vmf);", "\tif (unlikely(ret)) {", "\t\treturn ret;", "\t}", "\treturn 0;"])];
    expect((await originOf(file)).from).toBe("tree");
  });

  it("a handler that never calls the glue: gen's, and says so", async () => {
    const o = await originOf([...glueFn, ...handler(["\treturn __kvm_gmem_fault(vmf);"])]);
    expect(o).toMatchObject({ from: "gen" });
    expect(o.from === "gen" && o.why).toContain("kvm_gmem_fault_user_mapping() (virt/kvm/guest_memfd.c:6) does not call kvm_gmem_uffd_fault()");
  });

  it("a call after other statements: gen's, naming the line the handler's own code starts", async () => {
    const o = await originOf([...glueFn, ...handler(["\tvm_fault_t ret;", "", "\tkvm_gmem_prepare(vmf);", "\tret = kvm_gmem_uffd_fault(vmf);", "\tif (ret)", "\t\treturn ret;", "\treturn 0;"])]);
    expect(o.from === "gen" && o.why).toContain("calls kvm_gmem_uffd_fault() at virt/kvm/guest_memfd.c:11 after other statements (from line 10)");
  });

  it("a result turned into something else (SIGBUS for a raised fault): gen's, not checked", async () => {
    const o = await originOf([...glueFn, ...handler(["\tif (kvm_gmem_uffd_fault(vmf))", "\t\treturn VM_FAULT_SIGBUS;", "\treturn 0;"])]);
    expect(o.from === "gen" && o.why).toContain("but not as `ret = kvm_gmem_uffd_fault(vmf); if (ret) return ret;`");
  });

  it("no glue function of the tree's own, or no handler: gen's", async () => {
    expect(await originOf(handler(["\treturn 0;"]), true)).toMatchObject({ from: "gen", why: expect.stringContaining("has no kvm_gmem_uffd_fault() of its own; gen's ran") });
    expect(await originOf(glueFn)).toMatchObject({ from: "gen", why: expect.stringContaining("has no kvm_gmem_fault_user_mapping() (the spec's fault.handler)") });
  });

  it("what `series` splices into a handler with its own declarations is recognised as the tree's", async () => {
    // gen's glue call for the example, spliced by the splicer series uses, into a handler shaped like the kernel's.
    const g = (await open("examples/gmem-nodirectmap.uffd.ts")).generation();
    const glue = g.kernel.fragments.faultGlue!;
    expect(glue.handler).toBe(GLUE.handler);
    const parser = await loadCParser();
    const base = [...glueFn, ...handler(["\tstruct inode *inode = file_inode(vmf->vma->vm_file);", "\tstruct folio *folio;", "\tvm_fault_t ret = VM_FAULT_LOCKED;", "", "\tfolio = kvm_gmem_get_folio(inode, vmf->pgoff);", "\treturn ret;"])].join("\n");
    const spliced = spliceFaultGlue(parser, "virt/kvm/guest_memfd.c", base, glue.handler, glue.code);
    expect(spliced.ok).toBe(true);
    const text = spliced.ok ? spliced.text : "";
    const o = faultGlueInTree(parser.parse(text).rootNode, "virt/kvm/guest_memfd.c", GLUE, false);
    expect(o).toMatchObject({ from: "tree", callLine: text.split("\n").findIndex((l) => l.includes("= kvm_gmem_uffd_fault(vmf);")) + 1 });
  });
});
