/**
 * The guard.recheck block of filemap_add: the guard under
 * filemap_invalidate_lock_shared(), before the add (the fault path's order) or
 * after it (the inverted order R64 flags), refused with -EACCES, alloc_folio no
 * longer checking; kernel style, checkpatch --strict clean.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitKernel } from "../../src/emit/kernel/index.js";
import { compileUnits, kernelSourceAvailable } from "../../src/emit/kernel/compile.js";
import { compileUnit } from "../../src/emit/kernel/shim.js";
import { packageRoot } from "../../src/emit/kernel/templates.js";
import { lower } from "../../src/lower/index.js";
import { GMEM_LIKE, functionBody, model } from "../fixtures/emit-specs.js";
import { lowerOf } from "../fixtures/lower.js";

const recheck = (order: "lock-then-add" | "add-then-lock") => ({ guard: { ...GMEM_LIKE.guard!, recheck: { at: "filemap_add" as const, lock: "invalidate_lock" as const, order } } });
const cOf = (order: "lock-then-add" | "add-then-lock") => emitKernel(lowerOf(model(GMEM_LIKE, recheck(order)))).files[0]!.contents;

describe("filemap_add re-checks the guard under the invalidate lock", () => {
  it("lower decides it once: the window, its errno, and alloc_folio's check moved into filemap_add", () => {
    const low = lower(model(GMEM_LIKE, recheck("lock-then-add")));
    expect(low.window).toEqual({ at: "filemap_add", lock: "invalidate_lock", order: "lock-then-add", errno: "EACCES", shared: "kvm_gmem_is_shared_mem", lookupLocked: true });
    expect(low.guardAt.has("alloc_folio")).toBe(false);
    expect(low.guardAt.has("get_folio")).toBe(true);
    expect(low.notes.some((n) => /moved into filemap_add/.test(n))).toBe(true);
    // Without guard.recheck nothing changes.
    const open = lower(model(GMEM_LIKE));
    expect(open.window).toBeUndefined();
    expect(open.guardAt.has("alloc_folio")).toBe(true);
  });

  it("get_folio_noalloc checks and takes the folio under the same lock (filemap_lock_folio lookups only)", () => {
    const body = functionBody(cOf("lock-then-add"), "kvm_gmem_uffd_get_folio");
    const at = (s: string) => body.indexOf(s);
    expect(at("filemap_invalidate_lock_shared(inode->i_mapping);")).toBeGreaterThan(0);
    expect(at("filemap_invalidate_lock_shared(inode->i_mapping);")).toBeLessThan(at("if (kvm_gmem_is_shared_mem(inode, pgoff))"));
    expect(at("if (kvm_gmem_is_shared_mem(inode, pgoff))")).toBeLessThan(at("folio = filemap_lock_folio(inode->i_mapping, pgoff);"));
    expect(at("folio = filemap_lock_folio(inode->i_mapping, pgoff);")).toBeLessThan(at("filemap_invalidate_unlock_shared(inode->i_mapping);"));
    expect(body).toContain("folio = ERR_PTR(-EACCES);");
    // Without the re-check the lookup stays as it was: checked, then taken, no lock.
    const open = functionBody(emitKernel(lowerOf(model(GMEM_LIKE))).files[0]!.contents, "kvm_gmem_uffd_get_folio");
    expect(open).not.toContain("filemap_invalidate_lock_shared");
    // A filemap_get_entry lookup (value entries, a lock after the reference) is not rewritten: lower says so.
    const entry = lower(model(GMEM_LIKE, { ...recheck("lock-then-add"), getFolio: { strategy: "lookup", lookup: "filemap_get_entry", notUptodate: "missing" } }));
    expect(entry.window?.lookupLocked).toBe(false);
  });

  it("lock, check, add, unlock: the lock is taken before filemap_add_folio() locks the folio", () => {
    const body = functionBody(cOf("lock-then-add"), "kvm_gmem_uffd_filemap_add");
    const at = (s: string) => body.indexOf(s);
    expect(at("filemap_invalidate_lock_shared(mapping);")).toBeGreaterThan(0);
    expect(at("filemap_invalidate_lock_shared(mapping);")).toBeLessThan(at("if (!kvm_gmem_is_shared_mem(inode, pgoff))"));
    expect(at("if (!kvm_gmem_is_shared_mem(inode, pgoff))")).toBeLessThan(at("filemap_add_folio("));
    expect(at("filemap_add_folio(")).toBeLessThan(at("filemap_invalidate_unlock_shared(mapping);"));
    expect(body).toMatch(/err = -EACCES;/);
    // alloc_folio refuses only beyond EOF now: its NULL can only mean -ENOMEM.
    expect(functionBody(cOf("lock-then-add"), "kvm_gmem_uffd_alloc_folio")).not.toMatch(/kvm_gmem_is_shared_mem/);
  });

  it("the inverted order adds first and undoes the add when the page went private", () => {
    const body = functionBody(cOf("add-then-lock"), "kvm_gmem_uffd_filemap_add");
    expect(body.indexOf("filemap_add_folio(")).toBeLessThan(body.indexOf("filemap_invalidate_lock_shared(mapping);"));
    expect(body).toMatch(/filemap_remove_folio\(folio\);\n\t\tfolio_unlock\(folio\);\n\t\terr = -EACCES;/);
  });
});

const checkpatch = join(process.env.UFFDKIT_KSRC ?? join(packageRoot(), ".cache/linux-source-6.12"), "scripts/checkpatch.pl");
const have = existsSync(checkpatch);
const dir = mkdtempSync(join(tmpdir(), "uffdkit-window-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the re-check block, checkpatch --strict", () => {
  it("is clean in both orders", () => {
    for (const order of ["lock-then-add", "add-then-lock"] as const) {
      const file = join(dir, `${order}.c`);
      writeFileSync(file, cOf(order));
      let out = "";
      let rc = 0;
      try {
        out = execFileSync("perl", [checkpatch, "--no-tree", "--terse", "--show-types", "--strict", "--file", file], { encoding: "utf8" });
      } catch (e) {
        const err = e as { status?: number; stdout?: string };
        rc = err.status ?? -1;
        out = err.stdout ?? "";
      }
      expect(out, order).not.toMatch(/ERROR|WARNING|CHECK/);
      expect(rc, `${order}\n${out}`).toBe(0);
    }
  });
});

const src = kernelSourceAvailable();

// What these tests need comes with the set-up (scripts/setup.sh): its absence is a failure, never a skip.
it("has the kernel tree and its checkpatch.pl", () => {
  expect(have, checkpatch).toBe(true);
  expect(src.ok, src.ok ? "" : src.reason).toBe(true);
});
describe("the re-check block builds in linux-source-6.12 (-Werror)", () => {
  it(
    "in both orders, for linux-7.1+gmem",
    async () => {
      const units = (["lock-then-add", "add-then-lock"] as const).map((order) => ({
        stem: `uffdkit_window_${order.replace(/-/g, "_")}`,
        contents: compileUnit(lowerOf(model(GMEM_LIKE, { ...recheck(order), name: `w_${order.replace(/-/g, "_")}` }), "linux-7.1+gmem")),
      }));
      for (const r of await compileUnits(units)) {
        expect(r.skipped, r.object).toBeUndefined();
        expect(r.ok, `${r.object}\n${r.log}`).toBe(true);
      }
    },
    240_000,
  );
});
