/**
 * The splicer on real files of Debian's linux-source-6.12 (the tree
 * scripts/setup.sh extracts): every example's fragments go into its file with
 * every name the fragments define placed before its first use.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitKernel } from "../../src/emit/kernel/index.js";
import { loadModel } from "../../src/load/index.js";
import { definedNames, loadCParser } from "../../src/series/c-syntax.js";
import { spliceTypeFile } from "../../src/series/splice.js";
import { lowerOf } from "../fixtures/lower.js";

const ROOT = join(import.meta.dirname, "..", "..");
const ksrc = spawnSync("bash", [join(ROOT, "scripts/kernel-src.sh"), "path"], { encoding: "utf8" });
const TREE = ksrc.stdout.trim();

function kernelFile(path: string): string {
  if (ksrc.status !== 0) throw new Error("linux-source-6.12 is not extracted: run scripts/setup.sh (or scripts/kernel-src.sh install && scripts/kernel-src.sh extract)");
  return readFileSync(join(TREE, path), "utf8");
}

const parser = await loadCParser();

async function splicedExample(example: string) {
  const model = (await loadModel(join(ROOT, "examples", example))).model!;
  const fragments = emitKernel(lowerOf(model)).fragments;
  const before = kernelFile(model.targetFile);
  return { model, fragments, before, result: spliceTypeFile(parser, model.targetFile, before, model.vmOps!, fragments) };
}

/** Every function and variable the ops fragment defines is first mentioned, in the spliced file, at or after its own definition. */
function expectDefinedBeforeUse(text: string, ops: string): void {
  const root = parser.parse(text).rootNode;
  const opsAt = text.indexOf(ops.trim().split("\n")[0]!);
  expect(opsAt).toBeGreaterThan(0);
  for (const name of definedNames(parser.parse(ops).rootNode)) {
    const firstUse = root.descendantsOfType("identifier").find((n) => n?.text === name);
    expect(firstUse, name).toBeDefined();
    expect(firstUse!.startIndex, `${name} is used before the ops block`).toBeGreaterThanOrEqual(opsAt);
  }
}

describe("splicing into linux-source-6.12", () => {
  it("mm/shmem.c: ops before shmem_fault(), which calls them; hook after the CONFIG_NUMA members of shmem_vm_ops only", async () => {
    const { result, fragments, before } = await splicedExample("shmem.uffd.ts");
    if (!result.ok) throw new Error(result.error.message);
    const t = result.text;
    expectDefinedBeforeUse(t, fragments.ops);
    expect(t.indexOf("static int shmem_uffd_get_folio(")).toBeLessThan(t.indexOf("static vm_fault_t shmem_fault(struct vm_fault *vmf)\n{"));
    // The glue is the first statement of shmem_fault().
    const fault = t.slice(t.indexOf("static vm_fault_t shmem_fault(struct vm_fault *vmf)\n{"));
    expect(fault.slice(0, fault.indexOf("\n}\n"))).toMatch(/;\n\n\tvm_fault_t uffd_ret = shmem_uffd_fault\(vmf\);\n\n\tif \(uffd_ret\)\n\t\treturn uffd_ret;\n/);
    expect(t).toContain("\t.get_policy     = shmem_get_policy,\n#endif\n#ifdef CONFIG_USERFAULTFD\n\t.userfaultfd_ops = &shmem_uffd_ops,\n#endif\n};\n\nstatic const struct vm_operations_struct shmem_anon_vm_ops");
    expect(t.match(/userfaultfd_ops = /g)).toHaveLength(1);
    // Nothing of the original is lost.
    expect(t.length).toBeGreaterThan(before.length);
    for (const line of before.split("\n").filter((l) => l.includes("shmem_vm_ops"))) expect(t).toContain(line);
  });

  it("mm/hugetlb.c: the ops go before hugetlb_vm_ops and the hook inside it", async () => {
    const { result, fragments } = await splicedExample("hugetlbfs.uffd.ts");
    if (!result.ok) throw new Error(result.error.message);
    const t = result.text;
    expectDefinedBeforeUse(t, fragments.ops);
    const vmops = t.indexOf("const struct vm_operations_struct hugetlb_vm_ops = {");
    expect(t.indexOf(fragments.ops.trim().split("\n")[0]!)).toBeLessThan(vmops);
    const init = t.slice(vmops, t.indexOf("\n};\n", vmops));
    expect(init).toContain(fragments.hook.trim().split("\n").find((l) => l.includes("="))!.trim());
  });

  it("virt/kvm/guest_memfd.c: 6.12 has no vm_operations_struct, so the base lacks the prerequisite", async () => {
    const { result } = await splicedExample("gmem.uffd.ts");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("no-vm-ops");
    expect(result.error.hint).toContain("lacks the prerequisite");
  });
});
