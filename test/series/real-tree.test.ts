/**
 * The series against a git tree made from Debian's linux-source-6.12
 * (scripts/kernel-git-tree.sh, cached in .cache/ktree-6.12 and shared by the
 * series test files). buildSeries only adds branches; the tests delete theirs.
 */
import { lower } from "../../src/lower/index.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";
import { loadModel } from "../../src/load/index.js";
import { runCheckpatch } from "../../src/series/checkpatch.js";
import { openValue } from "../../src/session/index.js";
import { buildSeries } from "../../src/series/index.js";
import { sh } from "./fixture.js";
import { kernelGitTree, ROOT } from "./ktree.js";

const out = mkdtempSync(join(tmpdir(), "uffdkit-real-out-"));
let REPO = "";
const made: string[] = [];
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  for (const b of made) if (REPO) sh(REPO, "git", ["branch", "-q", "-D", b]);
});

async function emitted(example: string) {
  const model = (await loadModel(join(ROOT, "examples", example))).model!;
  const e = { emitted: openValue(model).generation() };
  return { model, kernel: e.emitted.kernel, selftests: e.emitted.selftests, suite: e.emitted.suite };
}

const GMEM_EXAMPLES = readdirSync(join(ROOT, "examples")).filter((f) => f.startsWith("gmem") && f.endsWith(".uffd.ts"));

describe("series in a git tree made from linux-source-6.12", () => {
  beforeAll(() => {
    REPO = kernelGitTree();
  }, BUILD_TIMEOUT);

  it("the tree script handled Debian's .gitignore: the whole source is tracked", () => {
    expect(readFileSync(join(REPO, ".gitignore"), "utf8")).not.toMatch(/^\/\*$/m);
    expect(Number(sh(REPO, "git", ["ls-files", "--", "mm", "virt", "include/linux"]).split("\n").length)).toBeGreaterThan(1000);
    expect(sh(REPO, "git", ["status", "--porcelain", "--untracked-files=no"]).trim()).toBe("");
  });

  it.each(GMEM_EXAMPLES)("%s: 6.12's guest_memfd has no vm_operations_struct: base lacks the prerequisite, tree unchanged", async (example) => {
    const { model, kernel, selftests } = await emitted(example);
    const before = sh(REPO, "git", ["rev-parse", "HEAD"]) + sh(REPO, "git", ["branch", "--list"]);
    const r = await buildSeries(lower(model), { tree: REPO, out: join(out, example), kernel, selftests, getMaintainer: false, build: true });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("base-lacks-prerequisite");
      expect(r.error.message).toContain("no vm_operations_struct");
      expect(r.error.hint).toContain(model.vmOps);
    }
    expect(sh(REPO, "git", ["rev-parse", "HEAD"]) + sh(REPO, "git", ["branch", "--list"])).toBe(before);
  });

  it("uffdkit series --build on a guest_memfd example: exit 2, 'base lacks the prerequisite', before any test runs", () => {
    const r = spawnSync("node", [join(ROOT, "bin/uffdkit.js"), "series", join(ROOT, "examples/gmem.uffd.ts"), "--tree", REPO, "--build", "-o", join(out, "cli-gmem")], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("base lacks the prerequisite: virt/kvm/guest_memfd.c defines no vm_operations_struct");
    expect(r.stderr).toContain("guest_memfd host mmap()");
    expect(r.stderr).not.toContain("running");
    expect(r.stdout).toBe("");
  }, BUILD_TIMEOUT);

  it("a spec naming a function the file lacks is warned about before any build", async () => {
    const { model: base } = await emitted("shmem.uffd.ts");
    const { normalize } = await import("../../src/model/normalize.js");
    const spec = { ...base.spec, copy: { ...base.spec.copy!, typeAdd: { ...base.spec.copy!.typeAdd!, recalc: "shmem_uffd_recalc" } } };
    const model = normalize(spec, { file: base.file, positions: base.positions });
    const e = { emitted: openValue(model).generation() };
    const r = await buildSeries(lower(model), { tree: REPO, out: join(out, "shmem-missing-fn"), kernel: e.emitted.kernel, selftests: e.emitted.selftests, version: 8 });
    if (!r.ok) throw new Error(`${r.error.message} (${r.error.hint})`);
    made.push(r.result.branch);
    expect(r.result.notes.join("\n")).toMatch(/^warning: the spec names shmem_uffd_recalc\(\), which mm\/shmem.c neither declares nor defines/m);
  }, BUILD_TIMEOUT);

  it("the shmem spec: series applies to the base, kernel patches pass checkpatch, Cc from get_maintainer.pl", async () => {
    const { model, kernel, selftests } = await emitted("shmem.uffd.ts");
    const head = sh(REPO, "git", ["rev-parse", "HEAD"]).trim();
    const r = await buildSeries(lower(model), { tree: REPO, out: join(out, "shmem"), kernel, selftests, version: 7 });
    if (!r.ok) throw new Error(`${r.error.message} (${r.error.hint})`);
    made.push(r.result.branch);
    expect(sh(REPO, "git", ["rev-parse", "HEAD"]).trim()).toBe(head);
    expect(sh(REPO, "git", ["symbolic-ref", "HEAD"]).trim()).toBe("refs/heads/master");
    expect(r.result.commits.map((c) => c.subject)).toEqual(["mm/shmem: implement userfaultfd operations", "selftests/mm: add userfaultfd tests for shmem"]);

    // 6.12 has no vm_uffd_ops: a warning, and the cover letter names the prerequisite series.
    expect(r.result.baseLacksApi).toBe(true);
    expect(r.result.notes.join("\n")).toMatch(/^warning: .* lacks the peterx-v1 API/m);
    // Every function the spec names (shmem_add_to_page_cache, shmem_recalc_inode, ...) is in 6.12's mm/shmem.c.
    expect(r.result.notes.join("\n")).not.toMatch(/neither declares nor defines/);
    expect(readFileSync(r.result.coverLetter, "utf8").replace(/\n/g, " ")).toContain("This series depends on Peter Xu, mm/userfaultfd: modulize memory types (v1)");

    // get_maintainer.pl in the 6.12 tree names the mm list for mm/shmem.c.
    expect(r.result.cc).toContain("linux-mm@kvack.org");
    const headers = readFileSync(r.result.patches[1]!, "utf8").split("\n\n")[0]!;
    expect(headers).toMatch(/^Cc: /m);

    // Applies on the base (to a private index: no 86k-file checkout needed).
    const env = { GIT_INDEX_FILE: join(out, "apply-index") };
    sh(REPO, "git", ["read-tree", r.result.baseSha], env);
    for (const p of r.result.patches.slice(1)) sh(REPO, "git", ["apply", "--cached", p], env);
    expect(sh(REPO, "git", ["write-tree"], env).trim()).toBe(sh(REPO, "git", ["rev-parse", `${r.result.branch}^{tree}`]).trim());

    const cp = runCheckpatch(r.result.patches.slice(0, 2));
    if (!cp.available) throw new Error(cp.reason);
    expect(cp.findings.filter((f) => f.type !== "FILE_PATH_CHANGES"), cp.raw).toEqual([]);
  }, BUILD_TIMEOUT);
});
