/** checkpatch.pl --strict on the reviewable files, from the extracted linux-source-6.12 tree. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitAllGenerations } from "../fixtures/lower.js";
import { packageRoot } from "../../src/emit/kernel/templates.js";
import { GMEM_LIKE, SHMEM_LIKE, model } from "../fixtures/emit-specs.js";

const checkpatch = join(process.env.UFFDKIT_KSRC ?? join(packageRoot(), ".cache/linux-source-6.12"), "scripts/checkpatch.pl");
const have = existsSync(checkpatch);

// What these tests need comes with the set-up (scripts/setup.sh): its absence is a failure, never a skip.
it("has the kernel tree's checkpatch.pl", () => expect(have, checkpatch).toBe(true));
if (!have) console.warn(`[emit-kernel] checkpatch tests skipped: ${checkpatch} missing (scripts/kernel-src.sh extract)`);
const dir = mkdtempSync(join(tmpdir(), "uffdkit-checkpatch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string): { rc: number; out: string } {
  try {
    const out = execFileSync("perl", [checkpatch, "--no-tree", "--terse", "--show-types", "--strict", "--file", file], { encoding: "utf8" });
    return { rc: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string };
    return { rc: err.status ?? -1, out: err.stdout ?? "" };
  }
}

describe("checkpatch --strict", () => {
  it("every generation of both fixture specs is clean", () => {
    for (const [tag, spec] of [["gmem", GMEM_LIKE], ["shmem", SHMEM_LIKE]] as const) {
      for (const a of emitAllGenerations(model(spec))) {
        const file = join(dir, `${tag}-${a.api}.c`);
        writeFileSync(file, a.files[0]!.contents);
        const r = run(file);
        expect(r.out, `${tag} ${a.api}`).not.toMatch(/ERROR|WARNING|CHECK/);
        expect(r.rc, `${tag} ${a.api}\n${r.out}`).toBe(0);
      }
    }
  });

  it("a type step that can fail, with its undo (copy.prepare + unprepare, free_folio), is clean in every generation", () => {
    const steps = { prepare: "kvm_gmem_folio_zap_direct_map", unprepare: "kvm_gmem_folio_restore_direct_map" };
    const specs = [
      ["gmem-undo", { ...GMEM_LIKE, copy: { ...GMEM_LIKE.copy!, ...steps, freeFolio: "kvm_gmem_free_folio" } }],
      ["gmem-undo-nofree", { ...GMEM_LIKE, copy: { ...GMEM_LIKE.copy!, ...steps } }],
      // With the window re-check around the add, in both orders.
      ...(["lock-then-add", "add-then-lock"] as const).map(
        (order) => [`gmem-undo-recheck-${order}`, { ...GMEM_LIKE, guard: { ...GMEM_LIKE.guard!, recheck: { at: "filemap_add", lock: "invalidate_lock", order } }, copy: { ...GMEM_LIKE.copy!, ...steps } }] as const,
      ),
      ["shmem-undo", { ...SHMEM_LIKE, copy: { ...SHMEM_LIKE.copy!, ...steps, filemapAdd: "type", typeAdd: { add: "shmem_add_to_page_cache", swapbacked: true, accountBlocks: "shmem_inode_acct_blocks", recalc: "shmem_recalc_inode" } } }],
      // Type add with free_folio: err_delete returns without a second undo.
      ["shmem-undo-free", { ...SHMEM_LIKE, copy: { ...SHMEM_LIKE.copy!, ...steps, freeFolio: "kvm_gmem_free_folio", filemapAdd: "type", typeAdd: { add: "shmem_add_to_page_cache", swapbacked: true, accountBlocks: "shmem_inode_acct_blocks", recalc: "shmem_recalc_inode" } } }],
    ] as const;
    for (const [tag, spec] of specs) {
      for (const a of emitAllGenerations(model(spec))) {
        const text = a.files[0]!.contents;
        if (/filemap_add\(|_filemap_add\(struct folio/.test(text)) expect(text, `${tag} ${a.api}`).toContain("kvm_gmem_folio_restore_direct_map(inode, folio);");
        const file = join(dir, `${tag}-${a.api}.c`);
        writeFileSync(file, text);
        const r = run(file);
        expect(r.out, `${tag} ${a.api}`).not.toMatch(/ERROR|WARNING|CHECK/);
        expect(r.rc, `${tag} ${a.api}\n${r.out}`).toBe(0);
      }
    }
  });

  it("and it does flag a style fault (so the check can fail)", () => {
    const text = emitAllGenerations(model(GMEM_LIKE))[2]!.files[0]!.contents.replace("\tif (!folio)\n", "\tif (folio == NULL)\n");
    const file = join(dir, "bad.c");
    writeFileSync(file, text);
    const r = run(file);
    expect(r.rc).toBe(1);
    expect(r.out).toMatch(/COMPARISON_TO_NULL/);
  });
});
