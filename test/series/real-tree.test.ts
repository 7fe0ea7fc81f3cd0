/**
 * The series against a git tree made from Debian's linux-source-6.12. The
 * extracted tree in .cache/linux-source-6.12 is shared with others and never
 * modified: it is copied once to .cache/series-ktree-6.12 and committed there
 * (Debian's top-level .gitignore stanza removed first). buildSeries only adds a
 * branch, so the cached repo is reused and the branch deleted afterwards.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../src/load/index.js";
import { runCheckpatch } from "../../src/series/checkpatch.js";
import { emitForSeries } from "../../src/series/evidence.js";
import { buildSeries } from "../../src/series/index.js";
import { sh } from "./fixture.js";

const ROOT = join(import.meta.dirname, "..", "..");
const ksrc = spawnSync("bash", [join(ROOT, "scripts/kernel-src.sh"), "extract"], { encoding: "utf8" });
const SRC = ksrc.status === 0 ? ksrc.stdout.trim() : "";
const REPO = join(ROOT, ".cache", "series-ktree-6.12");
const skip = SRC === "" ? ` (SKIPPED: linux-source-6.12 not available: ${ksrc.stderr.trim() || "scripts/kernel-src.sh extract failed"})` : "";

function ensureRepo(): void {
  if (existsSync(join(REPO, ".git", "uffdkit-ready"))) return;
  rmSync(REPO, { recursive: true, force: true });
  execFileSync("cp", ["-a", "--reflink=auto", SRC, REPO]);
  // Debian appends "/*" and "!/debian/" to the top-level .gitignore; without
  // removing them `git add -A` adds nothing.
  const gi = join(REPO, ".gitignore");
  const lines = readFileSync(gi, "utf8").split("\n");
  const cut = lines.findIndex((l) => /Debian packaging/i.test(l) || l === "/*");
  writeFileSync(gi, (cut >= 0 ? lines.slice(0, cut) : lines.filter((l) => l !== "/*" && l !== "!/debian/")).join("\n"));
  sh(REPO, "git", ["init", "-q", "-b", "master"]);
  sh(REPO, "git", ["config", "user.name", "Jane Developer"]);
  sh(REPO, "git", ["config", "user.email", "jane@example.org"]);
  sh(REPO, "git", ["add", "-A"]);
  sh(REPO, "git", ["commit", "-q", "-m", "linux-source-6.12"]);
  writeFileSync(join(REPO, ".git", "uffdkit-ready"), "");
}

const out = mkdtempSync(join(tmpdir(), "uffdkit-real-out-"));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  if (existsSync(REPO)) for (const b of ["uffdkit/shmem-v1", "uffdkit/kvm_gmem-v5"]) spawnSync("git", ["-C", REPO, "branch", "-q", "-D", b]);
});

describe.skipIf(SRC === "")(`series in a git tree made from linux-source-6.12${skip}`, () => {
  beforeAll(() => ensureRepo(), 600_000);

  it("the guest_memfd spec's vm_operations_struct is not in 6.12: a clear error, tree unchanged", async () => {
    const loaded = await loadModel(join(ROOT, "examples/gmem.uffd.ts"));
    const model = loaded.model!;
    const e = emitForSeries(model);
    if (!e.ok) throw new Error(e.message);
    const before = sh(REPO, "git", ["rev-parse", "HEAD"]) + sh(REPO, "git", ["branch", "--list"]);
    const r = await buildSeries(model, { tree: REPO, out: join(out, "gmem"), kernel: e.emitted.kernel, selftests: e.emitted.selftests, getMaintainer: false });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("not-found");
      expect(r.error.message).toContain("kvm_gmem_vm_ops");
      expect(r.error.hint).toContain("vmOps");
    }
    expect(sh(REPO, "git", ["rev-parse", "HEAD"]) + sh(REPO, "git", ["branch", "--list"])).toBe(before);
  }, 120_000);

  it("the shmem spec: series applies to the base, kernel patches pass checkpatch, Cc from get_maintainer.pl", async () => {
    const loaded = await loadModel(join(ROOT, "examples/shmem.uffd.ts"));
    const model = loaded.model!;
    const e = emitForSeries(model);
    if (!e.ok) throw new Error(e.message);
    const head = sh(REPO, "git", ["rev-parse", "HEAD"]).trim();
    const r = await buildSeries(model, { tree: REPO, out: join(out, "shmem"), kernel: e.emitted.kernel, selftests: e.emitted.selftests });
    if (!r.ok) throw new Error(`${r.error.message} (${r.error.hint})`);
    expect(sh(REPO, "git", ["rev-parse", "HEAD"]).trim()).toBe(head);
    expect(sh(REPO, "git", ["symbolic-ref", "HEAD"]).trim()).toBe("refs/heads/master");
    expect(r.result.commits.map((c) => c.subject)).toEqual(["mm/shmem: implement userfaultfd operations", "selftests/mm: add userfaultfd tests for shmem"]);

    // get_maintainer.pl in the 6.12 tree names the mm list for mm/shmem.c.
    expect(r.result.cc).toContain("linux-mm@kvack.org");
    const headers = readFileSync(r.result.patches[1]!, "utf8").split("\n\n")[0]!;
    expect(headers).toMatch(/^Cc: /m);
    expect(headers).toContain("linux-mm@kvack.org");

    // Applies on the base (to a private index: no 86k-file checkout needed).
    const idx = join(out, "apply-index");
    const env = { GIT_INDEX_FILE: idx };
    sh(REPO, "git", ["read-tree", r.result.baseSha], env);
    for (const p of r.result.patches.slice(1)) sh(REPO, "git", ["apply", "--cached", p], env);
    expect(sh(REPO, "git", ["write-tree"], env).trim()).toBe(sh(REPO, "git", ["rev-parse", `${r.result.branch}^{tree}`]).trim());

    const cp = runCheckpatch(r.result.patches.slice(0, 2));
    if (!cp.available) throw new Error(cp.reason);
    expect(cp.findings.filter((f) => f.type !== "FILE_PATH_CHANGES"), cp.raw).toEqual([]);
  }, 300_000);
});
