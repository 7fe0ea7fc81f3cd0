import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "../cli-check/built-cli.js";

const root = join(import.meta.dirname, "../..");
function uffdkit(...args: string[]) {
  return spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), ...args], { cwd: root, encoding: "utf8" });
}
const tmp = () => mkdtempSync(join(tmpdir(), "uffdkit-gen-"));

beforeAll(() => ensureBuiltCli(root));

describe("uffdkit gen", () => {
  it("writes every artifact for the default example and exits 0", () => {
    const out = tmp();
    const r = uffdkit("gen", "examples/gmem.uffd.ts", "-o", out);
    expect(r.status, r.stderr).toBe(0);
    for (const f of [
      "findings.txt",
      "kernel/linux-7.1+gmem/kvm_gmem_uffd.c",
      "selftests/kvm_gmem_uffd_test.c",
      "scenarios.json",
      "sim.tap",
      "checklist.md",
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readFileSync(join(out, "kernel/linux-7.1+gmem/kvm_gmem_uffd.c"), "utf8")).toContain("static const struct vm_uffd_ops kvm_gmem_uffd_ops");
    const tap = readFileSync(join(out, "sim.tap"), "utf8");
    expect(tap).toMatch(/^TAP version 13/);
    expect(tap).not.toMatch(/^not ok/m);
  });

  it("is deterministic: a second run writes nothing and --check finds it fresh", () => {
    const out = tmp();
    expect(uffdkit("gen", "examples/shmem.uffd.ts", "-o", out).status).toBe(0);
    const again = uffdkit("gen", "examples/shmem.uffd.ts", "-o", out, "--json");
    const doc = JSON.parse(again.stdout);
    expect(doc.stale).toEqual([]);
    const check = uffdkit("gen", "examples/shmem.uffd.ts", "-o", out, "--check");
    expect(check.status).toBe(0);
    expect(check.stderr).toContain("up to date");
  });

  it("--check exits 1 and names the stale files, writing nothing", () => {
    const out = tmp();
    expect(uffdkit("gen", "examples/gmem.uffd.ts", "-o", out).status).toBe(0);
    const other = uffdkit("gen", "examples/gmem.uffd.ts", "-o", out, "--check", "--api", "linux-7.1");
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/stale: .*kernel\/linux-7\.1\/kvm_gmem_uffd\.c/);
    expect(existsSync(join(out, "kernel/linux-7.1"))).toBe(false);
  });

  it("--check on a fresh out/ of a spec with error findings exits 1, as gen does, and says why", () => {
    const out = tmp();
    expect(uffdkit("gen", "examples/gmem-v4-posted.uffd.ts", "-o", out).status).toBe(1);
    const check = uffdkit("gen", "examples/gmem-v4-posted.uffd.ts", "-o", out, "--check");
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/--check: .* is up to date; exit 1: the spec has \d+ error finding\(s\) \([^)]*R39[^)]*\); simulator: \d+ scenario\(s\) fail: .*gmem_private_after_register_not_served/);
    // Several generations at once: the same rule.
    const outSeveral = tmp();
    expect(uffdkit("gen", "examples/gmem-v4-posted.uffd.ts", "-o", outSeveral, "--api", "linux-7.1+gmem,linux-7.1").status).toBe(1);
    const severalCheck = uffdkit("gen", "examples/gmem-v4-posted.uffd.ts", "-o", outSeveral, "--api", "linux-7.1+gmem,linux-7.1", "--check");
    expect(severalCheck.status).toBe(1);
    expect(severalCheck.stderr).toMatch(/is up to date; exit 1: the spec has \d+ error finding\(s\) \([^)]*R39/);
  });

  it("--check on a fresh out/ whose simulator fails, with no error finding, exits 1 and names the scenarios", () => {
    // The type's own C with its undo emptied: the rules cannot see it, the simulator running that C does.
    const dir = tmp();
    writeFileSync(join(dir, "gmem-nodirectmap.uffd.ts"), readFileSync(join(root, "examples/gmem-nodirectmap.uffd.ts"), "utf8"));
    const typeC = readFileSync(join(root, "examples/gmem-nodirectmap.uffd.c"), "utf8");
    const emptied = typeC.replace(/(void kvm_gmem_folio_restore_direct_map\([^)]*\)\n\{\n)[^}]*\}/, "$1}");
    expect(emptied).not.toBe(typeC);
    writeFileSync(join(dir, "gmem-nodirectmap.uffd.c"), emptied);
    const run = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), ...args], { cwd: dir, encoding: "utf8" });
    expect(run("gen", "gmem-nodirectmap.uffd.ts", "-o", "out").status).toBe(1);
    const json = JSON.parse(run("gen", "gmem-nodirectmap.uffd.ts", "-o", "out", "--check", "--json").stdout);
    expect(json.stale).toEqual([]);
    expect(json.diagnostics.filter((d: { severity: string }) => d.severity === "error")).toEqual([]);
    const check = run("gen", "gmem-nodirectmap.uffd.ts", "-o", "out", "--check");
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/out is up to date; exit 1: simulator: \d+ scenario\(s\) fail: .*inject_filemap_add_eexist/);
    expect(check.stderr).not.toMatch(/error finding/);
    // Put the undo back: fresh for a clean spec is exit 0 again (after gen rewrites out/).
    writeFileSync(join(dir, "gmem-nodirectmap.uffd.c"), typeC);
    expect(run("gen", "gmem-nodirectmap.uffd.ts", "-o", "out").status).toBe(0);
    const clean = run("gen", "gmem-nodirectmap.uffd.ts", "-o", "out", "--check");
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stderr).toMatch(/out is up to date$/m);
  });

  it("does not overwrite a hand-edited file without --force, and says which and why", () => {
    const out = tmp();
    expect(uffdkit("gen", "examples/gmem.uffd.ts", "-o", out).status).toBe(0);
    const target = join(out, "checklist.md");
    writeFileSync(target, "my notes\n");
    const r = uffdkit("gen", "examples/gmem.uffd.ts", "-o", out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not overwriting .*checklist\.md: it was changed after uffdkit wrote it \(use --force/);
    expect(readFileSync(target, "utf8")).toBe("my notes\n");
    const forced = uffdkit("gen", "examples/gmem.uffd.ts", "-o", out, "--force");
    expect(forced.status, forced.stderr).toBe(0);
    expect(readFileSync(target, "utf8")).not.toBe("my notes\n");
  });

  it("still writes the artifacts of a spec flawed on purpose, exits 1, and names the failing scenario", () => {
    const out = tmp();
    const r = uffdkit("gen", "examples/gmem-v4-posted.uffd.ts", "-o", out);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/error R39/);
    expect(readFileSync(join(out, "findings.txt"), "utf8")).toMatch(/error R39/);
    const tap = readFileSync(join(out, "sim.tap"), "utf8");
    expect(tap).toMatch(/^not ok \d+ gmem_private_after_register_not_served/m);
    expect(r.stderr).toMatch(/simulator: \d+ scenario\(s\) fail: .*gmem_private_after_register_not_served/);
  });

  it("gives one clear line and exit 2 for a missing spec or an unknown API generation", () => {
    const missing = uffdkit("gen", "examples/nope.uffd.ts");
    expect(missing.status).toBe(2);
    expect(missing.stderr + missing.stdout).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(missing.stderr + missing.stdout).toMatch(/nope\.uffd\.ts/);
    const api = uffdkit("gen", "examples/gmem.uffd.ts", "--api", "linux-9.9");
    expect(api.status).toBe(2);
    expect(api.stderr).toMatch(/unknown API generation 'linux-9\.9'/);
  });

  it("--json prints only JSON on stdout", () => {
    const out = tmp();
    const r = uffdkit("gen", "examples/gmem-v4-posted.uffd.ts", "-o", out, "--json");
    const doc = JSON.parse(r.stdout);
    expect(doc.diagnostics.some((d: { id: string }) => d.id === "R39")).toBe(true);
    expect(doc.failingScenarios).toContain("gmem_private_after_register_not_served");
  });
});
