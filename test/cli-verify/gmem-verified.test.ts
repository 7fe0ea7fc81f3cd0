/**
 * `uffdkit verify examples/gmem.uffd.ts --c <gen's C>` reaches "verified":
 * every scenario and program ran, and both of the type's functions the spec
 * names (kvm_gmem_is_shared_mem(), GMEM_I()) ran as the C beside the spec
 * (or, where verify also reports the fault glue's splice into ->fault as not
 * checked with --c, "partly verified" for that reason only, never a stand-in).
 * The same C with the type's guard dropped from the lookup's lock is NOT
 * verified, at the line of the attribute read.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "../cli-check/built-cli.js";

const root = join(import.meta.dirname, "../..");
const SPEC = "examples/gmem.uffd.ts";
function uffdkit(...args: string[]) {
  return spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), ...args], { cwd: root, encoding: "utf8" });
}

let genC = "";
let work = "";
beforeAll(() => {
  ensureBuiltCli(root);
  work = mkdtempSync(join(tmpdir(), "uffdkit-verify-gmem-"));
  const g = uffdkit("gen", SPEC, "-o", join(work, "gen"));
  expect(g.status, g.stderr).toBe(0);
  genC = readFileSync(join(work, "gen/kernel/linux-7.1+gmem/kvm_gmem_uffd.c"), "utf8");
});

describe("uffdkit verify on the default example", () => {
  it("gen's C with examples/gmem.uffd.c: verified, no stand-in, and the checklist marks C01 and C15 verified", () => {
    const mine = join(work, "same_uffd.c");
    writeFileSync(mine, genC);
    const r = uffdkit("verify", SPEC, "--c", mine, "--workers", "1", "-o", join(work, "v"), "--json");
    const j = JSON.parse(r.stdout) as { ok: boolean; verdict: string; why: string; counts: { standIns: string[]; explore: { total: number; exhaustive: number } }; typeFunctions: { name: string; from: string; file?: string }[]; contractFindings: string[] };
    expect(r.status).toBe(0);
    expect(j.counts.standIns).toEqual([]);
    // No stand-in stops it. The one thing `--c` cannot see is where the fault glue is called in ->fault
    // (gen's splice, not the developer's): a verify that says so reads "partly verified" for that alone.
    if (j.verdict !== "verified") {
      expect(j.verdict).toBe("partly-verified");
      expect(j.why).toMatch(/^nothing failed; fault glue: its call in ->fault is gen's/);
      expect(j.why).not.toMatch(/stand-in/);
    } else expect(j.ok).toBe(true);
    expect(j.counts.explore.exhaustive).toBe(j.counts.explore.total);
    expect(j.contractFindings).toEqual([]);
    expect(j.typeFunctions).toEqual([
      { name: "kvm_gmem_is_shared_mem", from: "beside", file: "examples/gmem.uffd.c" },
      { name: "GMEM_I", from: "beside", file: "examples/gmem.uffd.c" },
    ]);
    const checklist = readFileSync(join(work, "v/checklist.md"), "utf8");
    expect(checklist).toMatch(/\[x\] \*\*C01\*\* .* — verified/);
    expect(checklist).toMatch(/\[x\] \*\*C15\*\* .* — verified/);
    expect(checklist).toContain("type functions run as C: kvm_gmem_is_shared_mem(), GMEM_I()");
  });

  it("the lookup checked outside the invalidate lock: NOT verified, at the attribute read in the type C", () => {
    const edited = genC.replace(
      "\tfilemap_invalidate_lock_shared(inode->i_mapping);\n\tif (kvm_gmem_is_shared_mem(inode, pgoff))\n\t\tfolio = filemap_lock_folio(inode->i_mapping, pgoff);\n\telse\n\t\tfolio = ERR_PTR(-EACCES);\n\tfilemap_invalidate_unlock_shared(inode->i_mapping);\n",
      "\tif (!kvm_gmem_is_shared_mem(inode, pgoff))\n\t\treturn ERR_PTR(-EACCES);\n\tfolio = filemap_lock_folio(inode->i_mapping, pgoff);\n",
    );
    expect(edited).not.toBe(genC);
    const mine = join(work, "unlocked_uffd.c");
    writeFileSync(mine, edited);
    const r = uffdkit("verify", SPEC, "--c", mine, "--workers", "1", "--json");
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as { verdict: string; contractFindings: string[]; functions: { name: string; status: string }[] };
    expect(j.verdict).toBe("failed");
    expect(j.functions.filter((f) => f.status !== "same").map((f) => f.name)).toEqual(["kvm_gmem_uffd_get_folio"]);
    const typeC = readFileSync(join(root, "examples/gmem.uffd.c"), "utf8");
    const read = typeC.split("\n").findIndex((l) => l.includes("mtree_load(&GMEM_I")) + 1;
    expect(j.contractFindings.some((m) => m.startsWith(`examples/gmem.uffd.c:${read} kvm_gmem_is_shared_mem(): read page `) && m.includes("without the mapping's invalidate lock"))).toBe(true);
  });
});
