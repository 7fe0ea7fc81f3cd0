/**
 * `uffdkit explore` and `uffdkit sim REPLAY` end to end (built CLI: the
 * suite's pretest builds it).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;
const bin = join(root, "bin/uffdkit.js");

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("uffdkit explore", () => {
  it("finds Sean's TOCTOU in gmem-v4-posted with the rules off, and the replay reproduces it deterministically", () => {
    const out = mkdtempSync(join(tmpdir(), "uffdkit-explore-"));
    const r = cli("explore", "examples/gmem-v4-posted.uffd.ts", "-o", out, "--workers", "2");
    expect(r.code, r.err).toBe(1);
    expect(r.out).toContain("rules not consulted");
    expect(r.out).toMatch(/program fill_vs_conversion: [^\n]*\n  exhaustive: \d+ schedules, \d+ states, \d+ pruned/);
    expect(r.out).toMatch(/VIOLATION private: page 0 is private/);
    expect(r.out).toMatch(/program two_faults_one_page:[^\n]*\n  exhaustive:[^\n]*\n  no violation/);
    const files = readdirSync(out).filter((f) => f.endsWith(".replay.json"));
    expect(files).toContain("fill_vs_conversion.private.replay.json");
    for (const f of files) {
      const s = cli("sim", join(out, f));
      expect(s.code, s.out + s.err).toBe(0);
      expect(s.out).toMatch(/reproduced: .*\(two runs, identical traces\)/);
    }
  });

  it("every counterexample of the seed examples replays deterministically with uffdkit sim", () => {
    for (const spec of ["examples/gmem-missing-minor.uffd.ts", "examples/gmem-v4-posted.uffd.ts"]) {
      const out = mkdtempSync(join(tmpdir(), "uffdkit-explore-"));
      const r = cli("explore", spec, "-o", out);
      expect(r.code, r.err).toBe(1);
      const files = readdirSync(out).filter((f) => f.endsWith(".replay.json"));
      expect(files.length, spec).toBeGreaterThan(0);
      for (const f of files) {
        const s = cli("sim", join(out, f));
        expect(s.code, `${spec} ${f}: ${s.out}${s.err}`).toBe(0);
      }
    }
  });

  it("the default example, which closes the window with guard.recheck, explores clean (exit 0, no replay file)", () => {
    const out = mkdtempSync(join(tmpdir(), "uffdkit-explore-"));
    const r = cli("explore", "examples/gmem.uffd.ts", "-o", out);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/program fill_vs_conversion:[^\n]*\n  exhaustive:[\s\S]*?no violation/);
    expect(existsSync(out) ? readdirSync(out).filter((f) => f.endsWith(".replay.json")) : []).toEqual([]);
  });

  it("says when a replay no longer shows its violation (exit 1)", () => {
    const out = mkdtempSync(join(tmpdir(), "uffdkit-explore-"));
    cli("explore", "examples/gmem-v4-posted.uffd.ts", "-o", out);
    const f = join(out, "fill_vs_conversion.private.replay.json");
    const data = JSON.parse(readFileSync(f, "utf8"));
    // Leave the conversion out: the COPY alone breaks nothing.
    data.replay.schedule = ["monitor", "monitor"];
    writeFileSync(f, JSON.stringify(data));
    const s = cli("sim", f);
    expect(s.code).toBe(1);
    expect(s.out).toContain("NOT reproduced");
  });

  it("finds the stale bitmap read in KVM Userfault v3 and none with Oliver's acquire/release", () => {
    const out = mkdtempSync(join(tmpdir(), "uffdkit-explore-"));
    const v3 = cli("explore", "examples/kvm-userfault-v3.uffd.ts", "-o", out);
    expect(v3.out).toMatch(/program kvm_userfault_fill_then_clear:[^\n]*\n  exhaustive:[\s\S]*?VIOLATION stale/);
    const s = cli("sim", join(out, "kvm_userfault_fill_then_clear.stale.replay.json"));
    expect(s.code, s.out + s.err).toBe(0);
    const acq = cli("explore", "examples/kvm-userfault-acquire.uffd.ts", "-o", mkdtempSync(join(tmpdir(), "uffdkit-explore-")));
    expect(acq.out).toMatch(/program kvm_userfault_fill_then_clear:[^\n]*\n  exhaustive:[^\n]*\n  reached:[^\n]*0 read stale contents\n  no violation/);
  });

  it("explores a kernel's own kind and reports the documented outcomes it reached", () => {
    const r = cli("explore", "--kind", "anon", "-o", mkdtempSync(join(tmpdir(), "uffdkit-explore-")));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("COPY → EAGAIN (mmap_changing: a non-cooperative event is pending)");
    expect(r.out).toContain("COPY → EAGAIN after a partial fill (1 of 2 pages)");
  });

  it("refuses a bad program file with positioned errors, and bad options, with exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-explore-"));
    const f = join(dir, "bad.json");
    writeFileSync(f, JSON.stringify({ name: "x", title: "t", setup: { kind: "shmem", pages: 2, map: "shared" }, prologue: [], threads: [{ name: "a", ops: [{ op: "acess", page: 0 }] }] }));
    const r = cli("explore", "--kind", "shmem", "--program", f);
    expect(r.code).toBe(2);
    expect(r.err).toContain("$.threads[0].ops[0].op: one of access, serve, convert, step");
    expect(cli("explore", "--kind", "tmpfs").code).toBe(2);
    expect(cli("explore", "--kind", "shmem", "--workers", "0").err).toContain("--workers takes an integer");
    expect(cli("explore").code).toBe(2);
  });

  it("explores a hand-written program", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-explore-"));
    const doc = readFileSync(join(root, "docs/explore.md"), "utf8");
    const program = /```json\n([\s\S]*?)```/.exec(doc)![1]!;
    writeFileSync(join(dir, "p.json"), program);
    const r = cli("explore", "--kind", "shmem", "--program", join(dir, "p.json"), "-o", dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/program two_readers:[^\n]*\n  exhaustive: [^\n]*\n(  reached:[^\n]*\n)?  no violation/);
  });
});
