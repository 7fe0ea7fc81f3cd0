import { describe, expect, it } from "vitest";
import { API_GENERATIONS, GENERATIONS, type ApiGenerationId } from "../../src/kernel/generations.js";
import { emitKernel } from "../../src/emit/kernel/index.js";
import { emitAllGenerations, lowerOf } from "../fixtures/lower.js";
import { GMEM_LIKE, SHMEM_LIKE, model } from "../fixtures/emit-specs.js";

const ALL_MEMBERS = [...new Set(API_GENERATIONS.flatMap((g) => GENERATIONS[g].callbacks.map((c) => c.member)))];
const ALL_MASKS = ["uffd_features", "uffd_ioctls", "supported_ioctls"];

function opsStruct(c: string): string {
  const m = /static const (?:struct )?vm_uffd_ops \w+ = \{\n([\s\S]*?)\n\};/.exec(c);
  if (!m?.[1]) throw new Error("no ops struct in output");
  return m[1];
}

describe("ops struct per API generation", () => {
  it.each(API_GENERATIONS)("%s: the generation's members and spelling, no other generation's", (api) => {
    const gen = GENERATIONS[api];
    const art = emitKernel(lowerOf(model(SHMEM_LIKE), api));
    const ops = opsStruct(art.fragments.ops);
    const members = [...ops.matchAll(/^\t\.(\w+)\s/gm)].map((m) => m[1]);
    const expected = [
      ...(gen.featuresMember ? [gen.featuresMember] : []),
      ...(gen.ioctlsMember ? [gen.ioctlsMember] : []),
      ...gen.callbacks.map((c) => c.member),
    ];
    // shmem-like declares every mode and copy+continue: every member the generation has is used.
    expect(members).toEqual(expected);
    for (const other of [...ALL_MEMBERS, ...ALL_MASKS].filter((m) => !expected.includes(m))) {
      expect(art.fragments.ops).not.toMatch(new RegExp(`\\.${other}\\b`));
    }
    expect(art.fragments.ops).toContain(`static const ${gen.opsType} shmem_uffd_ops = {`);
  });

  it("peterx-v1 declares modes as VM_UFFD_* and ioctls as BIT(_UFFDIO_*)", () => {
    const ops = opsStruct(emitKernel(lowerOf(model(SHMEM_LIKE), "peterx-v1")).fragments.ops);
    expect(ops).toMatch(/\.uffd_features\t= VM_UFFD_MISSING \| VM_UFFD_WP \| VM_UFFD_MINOR,/);
    const ioctls = ops.slice(ops.indexOf(".uffd_ioctls"), ops.indexOf(".uffd_get_folio"));
    for (const b of ["COPY", "ZEROPAGE", "WRITEPROTECT", "CONTINUE", "POISON"]) expect(ioctls).toContain(`BIT(_UFFDIO_${b})`);
    expect(ioctls).not.toContain("_UFFDIO_MOVE");
  });

  it("peterx-v4 has only supported_ioctls (modes deduced) and no copy callback", () => {
    const art = emitKernel(lowerOf(model(GMEM_LIKE), "peterx-v4"));
    const ops = opsStruct(art.fragments.ops);
    expect(ops).toMatch(/\.supported_ioctls\t= BIT\(_UFFDIO_COPY\) \| BIT\(_UFFDIO_ZEROPAGE\) \|\n\t\t\t\t  BIT\(_UFFDIO_CONTINUE\),/);
    expect(ops).not.toMatch(/VM_UFFD_/);
    expect(art.fragments.ops).not.toMatch(/alloc_folio|uffd_copy|filemap_add_folio/);
    expect(art.fragments.ops).toMatch(/uffdkit: peterx-v4 has no callback for COPY\/ZEROPAGE/);
  });

  it("linux-7.1 generations carry no masks", () => {
    for (const api of ["linux-7.1", "linux-7.1+gmem"] as const) {
      const ops = opsStruct(emitKernel(lowerOf(model(GMEM_LIKE), api)).fragments.ops);
      expect(ops).not.toMatch(/ioctls|features|BIT\(/);
    }
  });

  it("hooks into the named vm_operations_struct with the generation's member, under CONFIG_USERFAULTFD", () => {
    const hooks = Object.fromEntries(emitAllGenerations(model(GMEM_LIKE)).map((a) => [a.api, a.fragments.hook]));
    expect(hooks["peterx-v1"]).toBe("#ifdef CONFIG_USERFAULTFD\n\t.userfaultfd_ops = &kvm_gmem_uffd_ops,\n#endif");
    expect(hooks["peterx-v4"]).toBe("#ifdef CONFIG_USERFAULTFD\n\t.userfaultfd_ops = &kvm_gmem_uffd_ops,\n#endif");
    expect(hooks["linux-7.1"]).toBe("#ifdef CONFIG_USERFAULTFD\n\t.uffd_ops = &kvm_gmem_uffd_ops,\n#endif");
    expect(hooks["linux-7.1+gmem"]).toBe("#ifdef CONFIG_USERFAULTFD\n\t.uffd_ops = &kvm_gmem_uffd_ops,\n#endif");
  });

  it("default api is the spec's; the file lands in kernel/<api>/<name>_uffd.c", () => {
    const art = emitKernel(lowerOf(model(GMEM_LIKE)));
    expect(art.api).toBe("linux-7.1+gmem");
    expect(art.files.map((f) => f.path)).toEqual(["kernel/linux-7.1+gmem/kvm_gmem_uffd.c"]);
    expect(emitAllGenerations(model(GMEM_LIKE)).map((a) => a.api)).toEqual([...API_GENERATIONS]);
  });

  it("the reviewable file says where each part goes and carries every fragment", () => {
    const art = emitKernel(lowerOf(model(GMEM_LIKE), "linux-7.1"));
    const file = art.files[0]!.contents;
    expect(file.split("\n")[0]).toBe("// SPDX-License-Identifier: GPL-2.0");
    expect(file).toContain("the top of virt/kvm/guest_memfd.c");
    expect(file).toContain("inside kvm_gmem_vm_ops");
    expect(file).toContain(art.fragments.ops.trimEnd());
    for (const inc of art.fragments.includes) expect(file).toContain(inc);
    expect(file).toContain(" *\t.uffd_ops = &kvm_gmem_uffd_ops,");
    expect(file).toContain("mm/filemap.c:\n *\tEXPORT_SYMBOL_FOR_KVM(filemap_remove_folio);");
  });
});

describe("callbacks appear only when the spec needs them", () => {
  const minorOnly = model(GMEM_LIKE, { features: ["minor"], ioctls: ["continue"], api: "linux-7.1" });
  const missingOnly = model(GMEM_LIKE, { features: ["missing"], ioctls: ["copy"], api: "linux-7.1" });

  it("no filemap_add or filemap_remove without COPY/ZEROPAGE; on 7.1 an alloc_folio that refuses (core calls it unchecked, R20)", () => {
    for (const api of API_GENERATIONS) {
      const ops = emitKernel(lowerOf(minorOnly, api)).fragments.ops;
      expect(ops).not.toMatch(/\.(filemap_add|filemap_remove|uffd_copy)\b/);
      expect(ops).not.toMatch(/kvm_gmem_uffd_(filemap_add|filemap_remove|copy)\(/);
      if (api.startsWith("linux-7.1")) expect(ops).toMatch(/kvm_gmem_uffd_alloc_folio\([^)]*\)\n\{\n\treturn NULL;\n\}/);
      else expect(ops).not.toMatch(/alloc_folio/);
    }
  });

  it("no get_folio callback without CONTINUE or MINOR, except where the generation always needs it", () => {
    const byApi = Object.fromEntries(API_GENERATIONS.map((api) => [api, emitKernel(lowerOf(missingOnly, api)).fragments.ops]));
    expect(byApi["linux-7.1"]).not.toMatch(/get_folio_noalloc|kvm_gmem_uffd_get_folio/);
    expect(byApi["peterx-v1"]).not.toMatch(/uffd_get_folio/);
    expect(byApi["peterx-v1"]).toMatch(/\.uffd_copy\t= kvm_gmem_uffd_copy,/);
    // linux-7.1+gmem: core's __do_userfault() needs get_folio_noalloc for any registration.
    expect(byApi["linux-7.1+gmem"]).toMatch(/\.get_folio_noalloc\t= kvm_gmem_uffd_get_folio,/);
  });

  it("filemap_add/filemap_remove follow the spec ('none' drops them)", () => {
    const ops = emitKernel(lowerOf(model(GMEM_LIKE, { copy: { alloc: { strategy: "mapping-gfp" }, filemapAdd: "none", filemapRemove: "none" } }), "linux-7.1")).fragments.ops;
    expect(ops).toMatch(/\.alloc_folio/);
    expect(ops).not.toMatch(/\.filemap_add|\.filemap_remove|filemap_add_folio|filemap_remove_folio/);
  });

  it("fills a callback the generation needs but the spec omits with the default lookup, and says so", () => {
    const noGetFolio = model({ ...GMEM_LIKE, getFolio: undefined } as typeof GMEM_LIKE);
    const ops = emitKernel(lowerOf(noGetFolio, "linux-7.1+gmem")).fragments.ops;
    expect(ops).toMatch(/spec declares no getFolio/);
    expect(ops).toMatch(/filemap_lock_folio\(inode->i_mapping, pgoff\)/);
  });
});
