/**
 * The contract model's invalidate lock: the filemap_add
 * re-check gen writes keeps it (balanced, shared, taken before the folio
 * lock), refuses a private page with -EACCES, and each way of getting the
 * lock wrong is caught in the executed C at its line.
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
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "zero-fill" },
  copy: { alloc: { strategy: "mapping-gfp" } },
  guard: { shared: "kvm_gmem_is_shared_mem", granularity: "page", at: "fault", recheck: { at: "filemap_add", lock: "invalidate_lock", order: "lock-then-add" } },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  raise: "core",
  kernelKind: "guest_memfd",
};

const REGISTER: Step[] = [{ op: "api" }, { op: "register", page: 0, pages: 4, modes: ["missing"] }];

function runC(steps: Step[], opts: { mutate?: (c: string) => string; privatePages?: number[]; inject?: { site: "install_pte" }[] } = {}) {
  const built = emitDeclared(GMEM);
  const source = opts.mutate ? opts.mutate(built.source) : built.source;
  if (opts.mutate) expect(source, "the mutation must change the C").not.toBe(built.source);
  const compiled = compileEmittedC(source, built.c.file, harnessNamesOf(GMEM.api, built.c));
  const sc: Scenario = {
    name: "t",
    title: "t",
    setup: {
      kind: "declared",
      pages: 4,
      map: "shared",
      gmemFlags: ["mmap", "init_shared"],
      declared: { ...GMEM, raise: built.raise, c: built.c, ...(opts.privatePages ? { privatePages: opts.privatePages } : {}), ...(opts.inject ? { inject: opts.inject } : {}) },
    },
    steps,
  };
  const r = simulateScenario(sc, { kernel: "7.1+gmem", declaredC: compiled });
  return { r, messages: (r.findings ?? []).map((f) => f.message), lineOf: (needle: string) => source.split("\n").findIndex((l) => l.includes(needle)) + 1 };
}

describe("the invalidate lock in the executed filemap_add", () => {
  it("today's C: a COPY of a shared page succeeds, a COPY of a private page is EACCES, and no contract breaks", () => {
    const ok = runC([...REGISTER, { op: "copy", page: 0, src: { byte: 0x42 }, expect: { result: "ok", copy: 4096 } }]);
    expect(ok.messages).toEqual([]);
    expect(ok.r.verdict).toBe("pass");
    const refused = runC([...REGISTER, { op: "copy", page: 1, src: { byte: 0x42 }, expect: { result: "EACCES", copy: -13 } }], { privatePages: [1] });
    expect(refused.messages).toEqual([]);
    expect(refused.r.verdict).toBe("pass");
  });

  it("an unlock left out: the callback returns holding the lock", () => {
    const { messages } = runC([...REGISTER, { op: "copy", page: 0, src: { byte: 1 } }], { mutate: (c) => c.replace("\tfilemap_invalidate_unlock_shared(mapping);\n", "") });
    expect(messages.some((m) => /filemap_add: returned holding a mapping's invalidate lock/.test(m))).toBe(true);
  });

  it("the lock taken for write in the callback, and taken twice, each named at its line", () => {
    const write = runC([...REGISTER, { op: "copy", page: 0, src: { byte: 1 } }], {
      mutate: (c) => c.replace("filemap_invalidate_lock_shared(mapping);", "filemap_invalidate_lock(mapping);").replace("filemap_invalidate_unlock_shared(mapping);", "filemap_invalidate_unlock(mapping);"),
    });
    expect(write.messages).toContain(`kernel/linux-7.1+gmem/kvm_gmem_uffd.c:${write.lineOf("filemap_invalidate_lock(mapping);")} kvm_gmem_uffd_filemap_add(): filemap_invalidate_lock() for write in a userfaultfd callback: core holds the mmap lock here, and the fault path takes the invalidate lock shared inside it`);
    const twice = runC([...REGISTER, { op: "copy", page: 0, src: { byte: 1 } }], {
      mutate: (c) => c.replace("\tfilemap_invalidate_lock_shared(mapping);\n", "\tfilemap_invalidate_lock_shared(mapping);\n\tfilemap_invalidate_lock_shared(mapping);\n"),
    });
    expect(twice.messages.some((m) => /already holds: a down_read\(\) behind a waiting writer never returns/.test(m))).toBe(true);
  });

  it("the lock order is checked against the folios this path holds: the one core hands filemap_remove locked counts", () => {
    // ->filemap_remove() runs with the folio locked (core, after a failed install): taking the invalidate lock there inverts the order.
    const steps: Step[] = [...REGISTER, { op: "copy", page: 0, src: { byte: 1 } }];
    const clean = runC(steps, { inject: [{ site: "install_pte" }] });
    expect(clean.messages.filter((m) => m.includes("locked and in the page cache"))).toEqual([]);
    const inverted = runC(steps, {
      inject: [{ site: "install_pte" }],
      mutate: (c) => c.replace("\tfilemap_remove_folio(folio);\n", "\tfilemap_invalidate_lock_shared(folio->mapping);\n\tfilemap_remove_folio(folio);\n\tfilemap_invalidate_unlock_shared(folio->mapping);\n"),
    });
    expect(inverted.messages).toContain(
      `kernel/linux-7.1+gmem/kvm_gmem_uffd.c:${inverted.lineOf("filemap_invalidate_lock_shared(folio->mapping);")} kvm_gmem_uffd_filemap_remove(): filemap_invalidate_lock_shared() with the folio at page 0 locked and in the page cache: the fault path takes the invalidate lock first, then the folio lock (ABBA with a conversion waiting for write)`,
    );
  });
});
