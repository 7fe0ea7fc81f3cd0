/**
 * The contract model catches, in executed C, each defect a reviewer found in
 * uffdkit 0.1's output. Each case runs the C gen writes today (clean) and the
 * same C with the 0.1 defect put back (caught, at the C line, with the helper).
 */
import { describe, expect, it } from "vitest";
import type { DeclaredType, Scenario, Step } from "../../src/ir/scenario.js";
import { simulateScenario } from "../../src/run/sim/index.js";
import { harnessNamesOf } from "../../src/run/c/harness.js";
import { compileEmittedC } from "../../src/run/c/compile.js";
import { emitDeclared } from "../sim/helpers.js";

const GMEM: DeclaredType = {
  name: "kvm_gmem",
  api: "linux-7.1+gmem",
  backing: "pagecache",
  modes: ["missing", "minor"],
  ioctls: ["copy", "zeropage", "continue"],
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "missing" },
  copy: { alloc: { strategy: "mapping-gfp" } },
  guard: { shared: "kvm_gmem_is_shared_mem", granularity: "page", at: "fault" },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  raise: "core",
  kernelKind: "guest_memfd",
};

const SHMEM_V1: DeclaredType = {
  name: "shmem",
  api: "peterx-v1",
  backing: "pagecache",
  modes: ["missing", "minor"],
  ioctls: ["copy", "zeropage", "continue"],
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "missing" },
  copy: { alloc: { strategy: "mapping-gfp" } },
  fault: { handler: "shmem_fault", raise: "handle_userfault" },
  raise: "handle_userfault",
  kernelKind: "shmem",
};

const COPY_PAGE0: Step[] = [
  { op: "api" },
  { op: "register", page: 0, pages: 4, modes: ["missing"] },
  { op: "copy", page: 0, src: { byte: 0x42 } },
];

/** Run `steps` on the type's C (optionally mutated), with helper failures injected. */
function runC(d: DeclaredType, steps: Step[], opts: { mutate?: (c: string) => string; inject?: NonNullable<DeclaredType["inject"]> } = {}) {
  const built = emitDeclared(d);
  const source = opts.mutate ? opts.mutate(built.source) : built.source;
  if (opts.mutate) expect(source, "the mutation must change the C").not.toBe(built.source);
  const compiled = compileEmittedC(source, built.c.file, harnessNamesOf(d.api, built.c));
  const sc: Scenario = {
    name: "t",
    title: "t",
    setup: {
      kind: "declared",
      pages: 4,
      map: "shared",
      gmemFlags: ["mmap", "init_shared"],
      declared: { ...d, raise: built.raise, c: built.c, ...(opts.inject ? { inject: opts.inject } : {}) },
    },
    steps,
  };
  const r = simulateScenario(sc, { kernel: "7.1+gmem", declaredC: compiled });
  return { r, messages: (r.findings ?? []).map((f) => f.message), source };
}

/** Apply `edit` to the body of one function of the emitted C only. */
function inFunction(fn: string, edit: (body: string) => string): (c: string) => string {
  return (c) => {
    const start = c.search(new RegExp(`\\n[^\\n]*\\b${fn}\\(`));
    const end = c.indexOf("\n}\n", start);
    return c.slice(0, start) + edit(c.slice(start, end + 2)) + c.slice(end + 2);
  };
}

/** 0.1's filemap_add: lock, add, unlock on failure. */
const OLD_FILEMAP_ADD = (c: string) =>
  c.replace(
    /\treturn filemap_add_folio\(mapping, folio, pgoff, GFP_KERNEL\);/,
    "\tint err;\n\n\tfolio_lock(folio);\n\terr = filemap_add_folio(mapping, folio, pgoff, GFP_KERNEL);\n\tif (err) {\n\t\tfolio_unlock(folio);\n\t\treturn err;\n\t}\n\treturn 0;",
  );

describe("filemap_add (0.1: folio_lock() before filemap_add_folio(), folio_unlock() on its failure)", () => {
  it("today's C: COPY whose filemap_add_folio() finds the slot taken is EEXIST with no violation", () => {
    const { r, messages } = runC(GMEM, [...COPY_PAGE0.slice(0, 2), { op: "copy", page: 0, src: { byte: 1 }, expect: { result: "EEXIST", copy: -17 } }], { inject: [{ site: "filemap_add_eexist" }] });
    expect(messages).toEqual([]);
    expect(r.verdict).toBe("pass");
  });
  it("0.1's C: adding a locked folio, then unlocking an unlocked one, each named at its line", () => {
    const { messages, source } = runC(GMEM, [...COPY_PAGE0.slice(0, 2), { op: "copy", page: 0, src: { byte: 1 }, expect: { result: "EEXIST", copy: -17 } }], {
      mutate: OLD_FILEMAP_ADD,
      inject: [{ site: "filemap_add_eexist" }],
    });
    const lines = source.split("\n");
    const add = lines.findIndex((l) => l.includes("err = filemap_add_folio("));
    const lineOf = (needle: string) => add + lines.slice(add).findIndex((l) => l.includes(needle)) + 1;
    expect(messages.length, messages.join("\n")).toBeGreaterThan(0);
    expect(messages).toContain(`kernel/linux-7.1+gmem/kvm_gmem_uffd.c:${lineOf("err = filemap_add_folio(")} kvm_gmem_uffd_filemap_add(): filemap_add_folio() of a locked folio: it sets the lock itself, and clears it again on failure`);
    expect(messages).toContain(`kernel/linux-7.1+gmem/kvm_gmem_uffd.c:${lineOf("\t\tfolio_unlock(folio);")} kvm_gmem_uffd_filemap_add(): folio_unlock() of a folio that is not locked`);
  });
});

describe("memcg (0.1: chargeMemcg charged in alloc_folio, and filemap_add_folio() charged again)", () => {
  it("today's C leaves the charge to filemap_add_folio(): no double charge", () => {
    const d = { ...GMEM, copy: { alloc: { strategy: "mapping-gfp" as const, chargeMemcg: true } } };
    const { r, source } = runC(d, COPY_PAGE0);
    expect(source).not.toMatch(/mem_cgroup_charge/);
    expect(r.verdict).toBe("pass");
  });
  it("0.1's C: the second charge is a violation", () => {
    const d = { ...GMEM, copy: { alloc: { strategy: "mapping-gfp" as const, chargeMemcg: true } } };
    const { messages } = runC(d, COPY_PAGE0, {
      mutate: inFunction("kvm_gmem_uffd_alloc_folio", (b) => b.replace(/\n\treturn folio;\n\}/, "\n\tif (mem_cgroup_charge(folio, vma->vm_mm, GFP_KERNEL)) {\n\t\tfolio_put(folio);\n\t\treturn NULL;\n\t}\n\treturn folio;\n}")),
    });
    expect(messages.some((m) => /filemap_add_folio\(\) charges memcg, and this folio is already charged/.test(m))).toBe(true);
  });
});

describe("peterx-v1 uffd_copy (0.1: no pagefault_disable(), newly_allocated=true after filemap_add_folio(), no flush_dcache_folio())", () => {
  it("today's C: COPY and its -ENOENT retry run with no violation", () => {
    expect(runC(SHMEM_V1, COPY_PAGE0).messages).toEqual([]);
    const retry = runC(SHMEM_V1, COPY_PAGE0, { inject: [{ site: "copy_from_user" }] });
    expect(retry.messages).toEqual([]);
    expect(retry.r.verdict).toBe("pass");
  });
  it("without pagefault_disable(): a user copy that may fault under the mmap lock", () => {
    const { messages } = runC(SHMEM_V1, COPY_PAGE0, { mutate: (c) => c.replace(/\t+pagefault_disable\(\);\n/, "").replace(/\t+pagefault_enable\(\);\n/, "") });
    expect(messages.some((m) => /shmem_uffd_copy\(\): copy_from_user\(\) with the mmap lock held and page faults enabled/.test(m))).toBe(true);
  });
  it("newly_allocated=true after filemap_add_folio(): the folio goes on the LRU twice", () => {
    const { messages } = runC(SHMEM_V1, COPY_PAGE0, { mutate: (c) => c.replace("&folio->page, false, flags);", "&folio->page, true, flags);") });
    expect(messages.some((m) => /already there \(filemap_add_folio\(\) put it there\)/.test(m))).toBe(true);
  });
  it("without flush_dcache_folio(): the folio is mapped without the flush", () => {
    const { messages } = runC(SHMEM_V1, COPY_PAGE0, { mutate: (c) => c.replace(/\t+flush_dcache_folio\(folio\);\n/, "") });
    expect(messages.some((m) => /without flush_dcache_folio\(\)/.test(m))).toBe(true);
  });
});

describe("core's side of each member's contract", () => {
  it("get_folio_noalloc returning the folio unlocked is named (core unlocks it)", () => {
    const d = { ...GMEM, getFolio: { ...GMEM.getFolio!, locked: false } };
    const steps: Step[] = [{ op: "api" }, { op: "register", page: 0, pages: 4, modes: ["minor"] }, { op: "file_write", page: 0, value: 7, via: "pwrite" }, { op: "continue", page: 0 }];
    expect(runC(d, steps).messages.some((m) => /returned page 0's folio unlocked/.test(m))).toBe(true);
  });
  it("a put below zero is a violation, not a silent underflow", () => {
    const { messages } = runC(GMEM, COPY_PAGE0, { mutate: inFunction("kvm_gmem_uffd_alloc_folio", (b) => b.replace(/\n\treturn folio;\n\}/, "\n\tfolio_put(folio);\n\tfolio_put(folio);\n\treturn folio;\n}")) });
    expect(messages.some((m) => /folio_put\(\) of a folio with no reference left/.test(m))).toBe(true);
  });
});
