import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";
import { runCheckpatch } from "../../src/series/checkpatch.js";
import { ensureBuiltCli } from "../cli-check/built-cli.js";
import { makeFixtureTree, sh } from "./fixture.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "uffdkit.js");
const cleanup: string[] = [];
let selftestPatch: string | undefined;
// bin/uffdkit.js runs dist/: build it when a source is newer (never skip for want of it).
beforeAll(() => ensureBuiltCli(ROOT), BUILD_TIMEOUT);
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});
function cli(args: string[]) {
  const r = spawnSync("node", [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("uffdkit series / checklist CLI", () => {
  it("series --json builds the example gmem spec's series in the fixture tree, checkpatch clean", () => {
    const t = makeFixtureTree();
    const out = mkdtempSync(join(tmpdir(), "uffdkit-cli-out-"));
    cleanup.push(t, out);
    const before = sh(t, "git", ["status", "--porcelain"]) + sh(t, "git", ["rev-parse", "HEAD"]);
    const r = cli(["series", "examples/gmem.uffd.ts", "--tree", t, "-o", join(out, "s"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(true);
    expect(j.branch).toBe("uffdkit/kvm_gmem-v5");
    expect(j.commits.map((c: { subject: string }) => c.subject)).toEqual([
      "mm/filemap: export filemap_remove_folio() to KVM",
      "KVM: guest_memfd: implement userfaultfd operations",
      "KVM: selftests: add userfaultfd tests for guest_memfd",
    ]);
    expect(sh(t, "git", ["status", "--porcelain"]) + sh(t, "git", ["rev-parse", "HEAD"])).toBe(before);
    const cover = readFileSync(j.coverLetter, "utf8");
    expect(cover).not.toContain("***");
    expect(cover).toContain("Changes in v5:");
    expect(cover).toMatch(/uffdkit reference simulator: \d+ tests/);
    if (runCheckpatch([]).available) {
      expect(j.checkpatch.available).toBe(true);
      // The cover letter and the kernel patches (export, type) must be clean;
      // the selftest patch is judged in its own test below.
      const kernelSide = j.checkpatch.findings.filter((f: { type: string; file: string }) => f.type !== "FILE_PATH_CHANGES" && !/selftests/.test(f.file));
      expect(kernelSide, JSON.stringify(kernelSide, null, 1)).toEqual([]);
      selftestPatch = j.patches.find((p: string) => /selftests/.test(p));
    } else {
      console.warn("checkpatch part skipped: linux-source-6.12 not installed");
    }
    // git am on a clone at the base reproduces the branch.
    const clone = join(out, "clone");
    sh(out, "git", ["clone", "-q", t, "clone"]);
    sh(clone, "git", ["checkout", "-q", "base"]);
    sh(clone, "git", ["-c", "user.name=A", "-c", "user.email=a@b", "am", "-q", "--empty=drop", ...j.patches]);
    expect(sh(clone, "git", ["rev-parse", "HEAD^{tree}"])).toBe(sh(t, "git", ["rev-parse", "uffdkit/kvm_gmem-v5^{tree}"]));
  }, BUILD_TIMEOUT);

  it.skipIf(!runCheckpatch([]).available)("the generated selftest patch is checkpatch --strict clean (emitted by src/emit/selftest)", () => {
    expect(selftestPatch, "the series test above must run first").toBeDefined();
    const cp = runCheckpatch([selftestPatch!]);
    if (!cp.available) throw new Error(cp.reason);
    const real = cp.findings.filter((f) => f.type !== "FILE_PATH_CHANGES");
    const byType = [...new Set(real.map((f) => `${f.level}:${f.type}`))];
    expect(byType, `${real.length} findings in the selftest patch`).toEqual([]);
  });

  it("series on a bad tree exits 2 with a hint and changes nothing", () => {
    const t = makeFixtureTree();
    cleanup.push(t);
    const r = cli(["series", "examples/gmem.uffd.ts", "--tree", t, "--base", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no such base revision 'nope'");
    expect(r.stderr).toContain("fix:");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(sh(t, "git", ["branch", "--list"]).trim()).toBe("* master");
  }, BUILD_TIMEOUT);

  it("checklist prints markdown and --json prints only JSON", () => {
    const md = cli(["checklist", "examples/shmem.uffd.ts"]);
    expect([0, 1]).toContain(md.code);
    expect(md.stdout).toContain("# Review checklist: shmem");
    const js = cli(["checklist", "examples/shmem.uffd.ts", "--json"]);
    const j = JSON.parse(js.stdout);
    expect(j.items.length).toBeGreaterThan(5);
    expect(j.items.every((i: { status: string }) => ["pass", "fail", "human"].includes(i.status))).toBe(true);
  }, BUILD_TIMEOUT);
});
