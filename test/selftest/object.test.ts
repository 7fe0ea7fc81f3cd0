/**
 * The selftests test the type itself: each test makes the type's own object
 * (run.object), skips by feature with the reason, runs a second time as a
 * FIXTURE_VARIANT on the stand-in kind only where the same test holds there
 * (no byte-identical `shmem_` twins), and leaves simulator-only scenarios out.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";
import { emitSelftests, selftestLayout } from "../../src/emit/selftest/index.js";
import { loadModel } from "../../src/load/index.js";
import { lower } from "../../src/lower/index.js";
import { normalize } from "../../src/model/normalize.js";
import { planSuite } from "../../src/plan/planner/index.js";
import { gccArgs, kselftestIncludes } from "../../src/run/kernel/build.js";
import { lowerOf } from "../fixtures/lower.js";

const ROOT = join(import.meta.dirname, "../..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function suiteOf(example: string) {
  const model = (await loadModel(join(ROOT, "examples", example))).model!;
  return { model, suite: planSuite(lowerOf(model)) };
}

describe("run.object, lowered once", () => {
  it("defaults from the file, else a device node named after the module; an explicit object wins", async () => {
    const { model: xram } = await suiteOf("xram.uffd.ts");
    expect(lower(xram).testObject).toEqual({ kind: "chardev", path: "/dev/xram" });
    expect(lower(xram).standIn).toEqual({ kind: "shmem", type: "xram" });
    const { model: gmem } = await suiteOf("gmem.uffd.ts");
    expect(lower(gmem).testObject).toEqual({ kind: "guest_memfd", flags: ["mmap", "init_shared"] });
    expect(lower(gmem).standIn).toBeUndefined();
    const { model: shmem } = await suiteOf("shmem.uffd.ts");
    expect(lower(shmem).testObject).toEqual({ kind: "memfd" });
    const custom = normalize({ ...xram.spec, run: { kernelKind: "shmem", object: { kind: "chardev", path: "/dev/xram0" } } });
    expect(lower(custom).testObject).toEqual({ kind: "chardev", path: "/dev/xram0" });
  });
});

describe("the emitted C", () => {
  it("xram: a fixture with the type's own variant and the stand-in variant; no twins; simulator-only scenarios listed, not emitted", async () => {
    const { suite } = await suiteOf("xram.uffd.ts");
    const layout = selftestLayout(suite, "xram");
    expect(layout.fixtures.map((f) => [f.name, f.variants.map((v) => v.name)])).toEqual([
      ["xram", ["xram", "shmem"]],
      ["xram_only", ["xram"]],
    ]);
    const c = emitSelftests(suite, { name: "xram" }).find((f) => f.path === "xram_uffd_test.c")!.contents;
    expect(c).toContain('.path = "/dev/xram",');
    expect(c).toContain('.what = "shmem, standing in for xram",');
    // Every shmem_ scenario became the stand-in variant of its declared twin: none is a TEST of its own.
    expect(c).not.toMatch(/^TEST\(shmem_/m);
    const twins = suite.scenarios.filter((s) => s.name.startsWith("shmem_"));
    expect(twins.length).toBeGreaterThan(20);
    for (const t of twins) expect(layout.runs.get(t.name)?.tapName).toBe(`xram.shmem.${t.name.slice("shmem_".length)}`);
    for (const t of twins) expect(layout.runs.get(t.name)?.ranOn).toBe("shmem, standing in for xram");
    // Simulator-only: left out, listed with the reason.
    const simOnly = suite.scenarios.filter((s) => s.simulatorOnly);
    expect(simOnly.length).toBeGreaterThan(3);
    for (const s of simOnly) {
      expect(c).not.toMatch(new RegExp(`\\b${s.name}\\)`));
      expect(c).toMatch(new RegExp(`^ \\* - ${s.name}: fault injection`, "m"));
      expect(layout.runs.has(s.name)).toBe(false);
    }
    // Every other scenario is somewhere in the C.
    expect(suite.scenarios.filter((s) => !s.simulatorOnly && !layout.runs.has(s.name))).toEqual([]);
    // xram has no fallocate: the fallocated-page scenario is skipped as not applicable, not run vacuously.
    const falloc = c.slice(c.indexOf("TEST_F(xram_only, fallocated_page_fault_resolvable)"));
    expect(falloc).toMatch(/^TEST_F\(xram_only, fallocated_page_fault_resolvable\)\n\{\n\tSKIP\(return,\n\t {5}"not applicable: needs fallocate\(2\)/);
  });

  it("guest_memfd: the private-page scenario is simulator-only (no vacuous C test)", async () => {
    const { suite } = await suiteOf("gmem.uffd.ts");
    const priv = suite.scenarios.find((s) => s.name === "gmem_private_after_register_not_served")!;
    expect(priv.simulatorOnly).toMatch(/in-place conversion/);
    const c = emitSelftests(suite, { name: "kvm_gmem" }).find((f) => f.path === "kvm_gmem_uffd_test.c")!.contents;
    expect(c).not.toMatch(/TEST(_F)?\([^)]*gmem_private_after_register_not_served\)/);
    expect(c).toMatch(/^ \* - gmem_private_after_register_not_served: private pages/m);
  });

  it("one runtime for every suite: a plain header, the same bytes everywhere; the suite's common header passes the values in", async () => {
    const { suite } = await suiteOf("shmem.uffd.ts");
    const files = emitSelftests(suite, { name: "shmem" });
    const c = files.find((f) => f.path === "shmem_uffd_test.c")!.contents;
    const h = files.find((f) => f.path === "shmem_uffd_common.h")!.contents;
    const rt = files.find((f) => f.path === "uffdkit_runtime.h")!.contents;
    expect(c).toContain('#include "shmem_uffd_common.h"');
    expect(c).not.toMatch(/static inline int uk_setup\(/);
    expect(h).not.toMatch(/static inline int uk_setup\(/);
    expect(h).toMatch(/#define UK_BLOCK_MS\t200\n[\s\S]*#include "uffdkit_runtime.h"\n/);
    expect(h.split("\n").length).toBeLessThan(90);
    expect(rt).toMatch(/static inline int uk_setup\(/);
    // The template is plain C: no expression; every suite gets the same file.
    const src = readFileSync(join(ROOT, "templates/selftest/uffdkit_runtime.h.hbs"), "utf8");
    expect(src).not.toContain("{{");
    expect(rt).toBe(src);
    const { suite: gmem } = await suiteOf("gmem.uffd.ts");
    expect(emitSelftests(gmem, { name: "kvm_gmem" }).find((f) => f.path === "uffdkit_runtime.h")!.contents).toBe(rt);
    // The type is shmem itself: its twins are the same test, run once.
    expect(c).not.toMatch(/^TEST\(shmem_/m);
    expect(c).not.toContain("standing in");
  });

  it("xram, run here: the own variant skips (no device node), the stand-in variant runs", async () => {
    const inc = kselftestIncludes();
    expect(inc.ok, inc.ok ? "" : inc.reason).toBe(true);
    if (!inc.ok) return;
    const { suite } = await suiteOf("xram.uffd.ts");
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-obj-"));
    dirs.push(dir);
    for (const f of emitSelftests(suite, { name: "xram" })) writeFileSync(join(dir, f.path), f.contents);
    const bin = join(dir, "t");
    execFileSync("gcc", gccArgs(inc.dir, join(dir, "xram_uffd_test.c"), bin), { stdio: "pipe" });
    const own = spawnSync(bin, ["-r", "xram.xram.missing_read_copy"], { encoding: "utf8" });
    expect(own.stdout).toMatch(/^ok 1 xram\.xram\.missing_read_copy # SKIP access\(\/dev\/xram\) returned ENOENT$/m);
    const stand = spawnSync(bin, ["-r", "xram.shmem.missing_read_copy"], { encoding: "utf8" });
    expect(stand.stdout).toMatch(/^ok 1 xram\.shmem\.missing_read_copy$/m);
    expect(stand.stdout).toContain("# uffdkit: step 0 api:");
  }, BUILD_TIMEOUT);
});
