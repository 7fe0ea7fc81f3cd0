/**
 * `uffdkit test` end to end, through bin/uffdkit.js (dist/ is built first when
 * a source is newer: test/cli-check/built-cli.ts).
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "../cli-check/built-cli.js";
import { BUILD_TIMEOUT } from "../build-timeout.js";

beforeAll(() => ensureBuiltCli(join(import.meta.dirname, "../..")), BUILD_TIMEOUT);

function canRunKernel(): string {
  try {
    accessSync("/dev/userfaultfd", constants.R_OK | constants.W_OK);
  } catch {
    return "/dev/userfaultfd is not accessible";
  }
  const gcc = spawnSync("gcc", ["--version"]);
  if (gcc.status !== 0) return "gcc is not installed";
  const ksrc = spawnSync("bash", ["scripts/kernel-src.sh", "extract"], { encoding: "utf8" });
  if (ksrc.status !== 0) return `kernel source for kselftest_harness.h unavailable: ${ksrc.stderr.trim().split("\n").pop()}`;
  return "";
}
const kernelWhy = canRunKernel();
if (kernelWhy) console.warn(`test/plan/cli-test: kernel runs skipped: ${kernelWhy}`);

function uffdkit(...args: string[]) {
  const r = spawnSync("node", ["bin/uffdkit.js", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);

describe("uffdkit test", () => {
  it("runs the simulator by default, says so, and prints TAP; exit 0 when all pass", () => {
    const r = uffdkit("test", "examples/gmem.uffd.ts");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/simulator only/);
    expect(r.stdout.startsWith("TAP version 13\n")).toBe(true);
    expect(r.stdout).toMatch(/^ok \d+ missing_read_copy$/m);
    expect(r.stdout).toMatch(/# Totals: pass:\d+ fail:0 skip:0 error:0/);
  });

  it("--json prints one document with the plan, the run and the totals", () => {
    const r = uffdkit("test", "examples/gmem.uffd.ts", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      api: string;
      simulatorKernel: string;
      suite: { scenarios: { name: string }[] };
      runs: { sim: { results: unknown[] }; kernel?: unknown };
      totals: { sim: { pass: number; fail: number } };
    };
    expect(doc.ok).toBe(true);
    expect(doc.api).toBe("linux-7.1+gmem");
    expect(doc.simulatorKernel).toBe("7.1+gmem");
    expect(doc.runs.kernel).toBeUndefined();
    expect(doc.runs.sim.results).toHaveLength(doc.suite.scenarios.length);
    expect(doc.totals.sim.fail).toBe(0);
  });

  it("refuses a spec with error findings: exit 1, the findings on stderr, nothing run", () => {
    const r = uffdkit("test", "examples/gmem-v4-posted.uffd.ts");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error R39/);
    expect(r.stderr).toMatch(/fix them/);
    expect(r.stdout).toBe("");
    const j = uffdkit("test", "examples/gmem-v4-posted.uffd.ts", "--json");
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout) as { ok: boolean; diagnostics: { id: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.diagnostics.some((d) => d.id === "R39")).toBe(true);
  });

  it("a missing spec file is a load error: exit 2, one clear message, no stack", () => {
    const r = uffdkit("test", "no/such/spec.uffd.ts");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read no\/such\/spec\.uffd\.ts: no such file/);
    noStack(r.stderr);
  });

  it("exits 1 when a planned scenario fails on the simulator, naming it", () => {
    // A spec that passes check but whose guest_memfd is created without INIT_SHARED:
    // every fault on it is refused, so the MISSING scenarios cannot complete.
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-test-"));
    const file = join(dir, "noshare.uffd.ts");
    const src = spawnSync("cat", ["examples/gmem.uffd.ts"], { encoding: "utf8" }).stdout.replace(/gmemFlags:\s*\[[^\]]*\]/, 'gmemFlags: ["mmap"]');
    expect(src).toContain('gmemFlags: ["mmap"]');
    writeFileSync(file, src);
    const r = uffdkit("test", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^not ok \d+ missing_read_copy/m);
  });

  it.skipIf(Boolean(kernelWhy))(`--sim --kernel runs both and compares them${kernelWhy ? ` (skipped: ${kernelWhy})` : ""}`, () => {
    const r = uffdkit("test", "examples/shmem.uffd.ts", "--sim", "--kernel");
    expect(r.stderr).toMatch(/kernel: \d+ pass, 0 fail/);
    expect(r.stdout.match(/^TAP version 13$/gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/^# simulator vs kernel \(shmem\): (\d+) compared, \1 agree, 0 disagree/m);
    expect(r.code).toBe(0);
  }, BUILD_TIMEOUT);
});
