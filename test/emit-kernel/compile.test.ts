/**
 * The compile check against Debian's linux-source-6.12 (kbuild, -Wall -Werror,
 * -Wmissing-prototypes). Skipped, with the reason printed, when the source is
 * not installed.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";
import { API_GENERATIONS } from "../../src/kernel/generations.js";
import { compileCheck, compileCheckAll, compileUnits, kernelSourceAvailable } from "../../src/emit/kernel/compile.js";
import { compileUnit } from "../../src/emit/kernel/shim.js";
import { packageRoot } from "../../src/emit/kernel/templates.js";
import { loadModel } from "../../src/load/index.js";
import { GMEM_LIKE, SHMEM_LIKE, model } from "../fixtures/emit-specs.js";
import { lowerOf } from "../fixtures/lower.js";

const src = kernelSourceAvailable();

// What these tests need comes with the set-up (scripts/setup.sh): its absence is a failure, never a skip.
it("has linux-source-6.12", () => expect(src.ok, src.ok ? "" : src.reason).toBe(true));
if (!src.ok) console.warn(`[emit-kernel] compile checks skipped: ${src.reason}`);
const T = BUILD_TIMEOUT;

function report(results: { object: string; ok: boolean; log: string; ms: number; skipped?: string }[]) {
  for (const r of results) {
    if (r.skipped) throw new Error(`compile check could not run: ${r.skipped}`);
    expect(r.ok, `${r.object}\n${r.log}`).toBe(true);
  }
}

describe("compile check in linux-source-6.12", () => {
  it(
    "gmem-like spec (missing+minor, copy, zeropage, continue, page guard, modular, EXPORT_SYMBOL_FOR_KVM): every generation builds",
    async () => {
      const t0 = Date.now();
      const rs = await compileCheckAll(API_GENERATIONS.map((api) => lowerOf(model(GMEM_LIKE), api)));
      report(rs);
      console.log(`[emit-kernel] gmem-like, 4 generations in one make run: ${Date.now() - t0} ms`);
    },
    T,
  );

  it(
    "shmem-like spec (all three modes, wp, poison, shared policy, memcg, unaccount): every generation builds",
    async () => {
      report(await compileCheckAll(API_GENERATIONS.map((api) => lowerOf(model(SHMEM_LIKE), api))));
    },
    T,
  );

  it(
    "strategy variants build too (filemap_get_entry, zero-fill, null, create helper, vma/helper alloc, inode register guard)",
    async () => {
      const variants = [
        model(GMEM_LIKE, { name: "v_entry", getFolio: { strategy: "lookup", lookup: "filemap_get_entry", notUptodate: "zero-fill", absent: "null" } }),
        model(GMEM_LIKE, {
          name: "v_create",
          getFolio: { strategy: "lookup-or-create", helper: "v_create_get_folio", notUptodate: "present", putOnEarlyReturn: false },
          copy: { alloc: { strategy: "helper", helper: "v_create_alloc" }, export: "EXPORT_SYMBOL_FOR_MODULES" },
          guard: { shared: "v_create_shared", granularity: "inode", at: ["register", "alloc_folio", "get_folio"] },
        }),
        model(SHMEM_LIKE, { name: "v_anon", backing: "anon", features: ["missing", "wp"], ioctls: ["copy", "zeropage", "writeprotect"], copy: { alloc: { strategy: "vma", chargeMemcg: true } } }),
        model(GMEM_LIKE, { name: "v_pagereg", guard: { shared: "v_pagereg_shared", granularity: "page", at: "register" }, features: ["minor"], ioctls: ["continue"] }),
        // A type step that can fail and its undo, with and without a free_folio hook, generic and type add.
        model(GMEM_LIKE, { name: "v_undo", copy: { ...GMEM_LIKE.copy!, prepare: "v_undo_prepare", unprepare: "v_undo_unprepare", freeFolio: "v_undo_free_folio" } }),
        model(SHMEM_LIKE, {
          name: "v_undo_type",
          copy: { ...SHMEM_LIKE.copy!, prepare: "v_undo_type_prepare", unprepare: "v_undo_type_unprepare", filemapAdd: "type", typeAdd: { add: "shmem_add_to_page_cache", accountBlocks: "shmem_inode_acct_blocks" } },
        }),
        // Type add with a free_folio hook: err_delete leaves the undo to ->free_folio.
        model(SHMEM_LIKE, {
          name: "v_undo_type_free",
          copy: {
            ...SHMEM_LIKE.copy!,
            prepare: "v_undo_type_free_prepare",
            unprepare: "v_undo_type_free_unprepare",
            freeFolio: "v_undo_type_free_free_folio",
            filemapAdd: "type",
            typeAdd: { add: "shmem_add_to_page_cache", accountBlocks: "shmem_inode_acct_blocks" },
          },
        }),
      ];
      const units = variants.flatMap((m) => API_GENERATIONS.map((api) => ({ stem: `uffdkit_${m.name}_${api.replace(/[^a-z0-9]/gi, "_")}`, contents: compileUnit(lowerOf(m, api)) })));
      report(await compileUnits(units));
    },
    T,
  );

  it(
    "the examples/ specs build for every generation",
    async () => {
      const dir = join(packageRoot(), "examples");
      const files = readdirSync(dir).filter((f) => f.endsWith(".uffd.ts"));
      if (files.length === 0) {
        console.warn("[emit-kernel] no examples/*.uffd.ts yet: example compile skipped");
        return;
      }
      const units = [];
      for (const f of files) {
        const r = await loadModel(join(dir, f));
        expect(r.model, `${f}: ${JSON.stringify(r.diagnostics)}`).toBeDefined();
        const m = r.model!;
        const tag = f.replace(/\.uffd\.ts$/, "").replace(/[^A-Za-z0-9]/g, "_");
        for (const api of API_GENERATIONS) units.push({ stem: `uffdkit_ex_${tag}_${api.replace(/[^a-z0-9]/gi, "_")}`, contents: compileUnit(lowerOf(m, api)) });
      }
      report(await compileUnits(units));
    },
    T,
  );

  it(
    "a broken unit fails (so the check can fail): a type error, and a generated body with a bad member",
    async () => {
      const good = compileUnit(lowerOf(model(GMEM_LIKE), "linux-7.1"));
      const broken = good.replace(".get_folio_noalloc\t= kvm_gmem_uffd_get_folio,", ".get_folio_noalloc\t= kvm_gmem_uffd_alloc_folio,");
      expect(broken).not.toBe(good);
      const rs = await compileUnits([
        { stem: "uffdkit_broken_member", contents: broken },
        { stem: "uffdkit_broken_proto", contents: "// SPDX-License-Identifier: GPL-2.0\n#include <linux/mm.h>\nint uffdkit_no_prototype(void) { return 0; }\n" },
      ]);
      expect(rs.map((r) => r.skipped)).toEqual([undefined, undefined]);
      expect(rs[0]!.ok).toBe(false);
      expect(rs[0]!.log).toMatch(/incompatible-pointer-types|initialization of .* from incompatible pointer type/);
      expect(rs[1]!.ok).toBe(false);
      expect(rs[1]!.log).toMatch(/no previous prototype/);
    },
    T,
  );

  it(
    "compileCheck(lowerOf(model, api)) returns ok, the command, and cleans up the dropped file",
    async () => {
      const r = await compileCheck(lowerOf(model(GMEM_LIKE), "linux-7.1+gmem"));
      expect(r.ok, r.log).toBe(true);
      expect(r.object).toBe("mm/uffdkit_kvm_gmem_linux-7_1_gmem.o");
      expect(r.command).toContain("scripts/kernel-build.sh object mm/uffdkit_kvm_gmem_linux-7_1_gmem.o");
      // The tree the check used (UFFDKIT_KSRC overrides the default under .cache/).
      const tree = join(process.env.UFFDKIT_KSRC ?? join(packageRoot(), ".cache/linux-source-6.12"), "mm");
      expect(readdirSync(tree).filter((f) => f.includes("uffdkit_kvm_gmem_linux-7_1_gmem"))).toEqual([]);
      console.log(`[emit-kernel] one compileCheck: ${r.ms} ms`);
    },
    T,
  );
});
