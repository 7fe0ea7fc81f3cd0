/**
 * The selftests make the type's real object as the spec
 * declares it (a system call, a file on its filesystem), skip naming what they
 * observed (the call and its errno), enable the type's own Kconfig option, and
 * report a scenario that needs an operation the type lacks as not applicable.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitSelftests } from "../../src/emit/selftest/index.js";
import { loadModel } from "../../src/load/index.js";
import { lower } from "../../src/lower/index.js";
import { normalize } from "../../src/model/normalize.js";
import { planSuite } from "../../src/plan/planner/index.js";
import { checkModel } from "../../src/rules/index.js";
import { gccArgs, kselftestIncludes } from "../../src/run/kernel/build.js";
import { simulateSuite } from "../../src/run/sim/index.js";
import { formatTap } from "../../src/run/tap.js";
import { emitKernel } from "../../src/emit/kernel/index.js";
import { declaredCOf } from "../../src/plan/planner/declared.js";
import { compileEmittedC } from "../../src/run/c/compile.js";
import { harnessNamesOf } from "../../src/run/c/harness.js";
import { lowerOf } from "../fixtures/lower.js";

/**
 * A selftest that blocks on a userfault nobody resolves would hang the run:
 * this bounds a hang, not speed (a busy machine is far inside it).
 */
const HANG_BOUND_MS = 10 * 60_000;

const ROOT = join(import.meta.dirname, "../..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function modelOf(path: string) {
  return (await loadModel(join(ROOT, path))).model!;
}

/** Emit, write and build the selftests of a spec; the binary path. */
function build(files: { path: string; contents: string }[], main: string): string | undefined {
  const inc = kselftestIncludes();
  expect(inc.ok, inc.ok ? "" : inc.reason).toBe(true);
  if (!inc.ok) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "uffdkit-realobj-"));
  dirs.push(dir);
  for (const f of files) writeFileSync(join(dir, f.path), f.contents);
  const bin = join(dir, "t");
  execFileSync("gcc", gccArgs(inc.dir, join(dir, main), bin), { stdio: "pipe" });
  return bin;
}

describe("run.object: a system call, a file on the type's filesystem", () => {
  it("lowers as declared; S12 when the spec does not say how to make it", async () => {
    expect(lower(await modelOf("test/fixtures/specs/object-syscall.uffd.ts")).testObject).toEqual({ kind: "syscall", name: "memfd_secret", nr: 447, args: [0] });
    expect(lower(await modelOf("test/fixtures/specs/object-file.uffd.ts")).testObject).toEqual({ kind: "file", dir: "/dev/shm", magic: 0x01021994 });
    const m = await modelOf("test/fixtures/specs/object-syscall.uffd.ts");
    const bad = normalize({ ...m.spec, run: { object: { kind: "syscall" } } });
    expect(checkModel(lowerOf(bad)).find((d) => d.id === "S12")).toMatchObject({ severity: "error", path: "run.object" });
    expect(checkModel(lowerOf(normalize({ ...m.spec, run: { object: { kind: "file" } } }))).find((d) => d.id === "S12")?.message).toMatch(/needs `dir`/);
  });

  it("the syscall object: __NR_ fallback, the call in the variant, the type's Kconfig option in the config fragment", async () => {
    const model = await modelOf("test/fixtures/specs/object-syscall.uffd.ts");
    const files = emitSelftests(planSuite(lowerOf(model)), { name: "secretmem" });
    const c = files.find((f) => f.path === "secretmem_uffd_test.c")!.contents;
    expect(c).toMatch(/#ifndef __NR_memfd_secret\n#define __NR_memfd_secret\t447\n#endif/);
    expect(c).toMatch(/\.kind = UK_SYSCALL,[\s\S]*\.sys_name = "memfd_secret",\n\t\.sys_nr = __NR_memfd_secret,\n\t\.sys_args = \{ 0 \},/);
    expect(c).not.toContain("/dev/secretmem");
    expect(files.find((f) => f.path === "config")!.contents).toContain("CONFIG_SECRETMEM=y");
  });

  it("run here, the syscall object skips naming the call's errno or the REGISTER errno, never a blanket 'kernel lacks'", async () => {
    const model = await modelOf("test/fixtures/specs/object-syscall.uffd.ts");
    const bin = build(emitSelftests(planSuite(lowerOf(model)), { name: "secretmem" }), "secretmem_uffd_test.c");
    if (!bin) return;
    const r = spawnSync(bin, ["-r", "secretmem.secretmem.missing_read_copy"], { encoding: "utf8", timeout: HANG_BOUND_MS });
    const line = r.stdout.split("\n").find((l) => /^(not )?ok 1 /.test(l)) ?? r.stdout;
    // secretmem has no vm_uffd_ops on this kernel: REGISTER refuses it, or memfd_secret() is not built in.
    expect(line).toMatch(/ # SKIP (UFFDIO_REGISTER on secretmem \(memfd_secret\(\)\) returned EINVAL|making secretmem \(memfd_secret\(\)\) failed: errno=E[A-Z]+ \(memfd_secret\))$/);
    expect(r.stdout).not.toMatch(/kernel lacks/);
  });

  it("run here, the file object runs on tmpfs, and a directory on the wrong filesystem is refused, saying so", async () => {
    const model = await modelOf("test/fixtures/specs/object-file.uffd.ts");
    const files = emitSelftests(planSuite(lowerOf(model)), { name: "xfsmem" });
    const c = files.find((f) => f.path === "xfsmem_uffd_test.c")!.contents;
    expect(c).toMatch(/\.kind = UK_FILE,\n\t\.path = "\/dev\/shm",[\s\S]*\.fs_magic = 0x1021994UL,/);
    const bin = build(files, "xfsmem_uffd_test.c");
    if (!bin) return;
    const ok = spawnSync(bin, ["-r", "xfsmem.xfsmem.missing_read_copy"], { encoding: "utf8", timeout: HANG_BOUND_MS });
    expect(ok.stdout).toMatch(/^ok 1 xfsmem\.xfsmem\.missing_read_copy$/m);
    const wrong = normalize({ ...model.spec, run: { ...model.spec.run, object: { kind: "file", dir: "/tmp", magic: 0x58465342 } } });
    const bin2 = build(emitSelftests(planSuite(lowerOf(wrong)), { name: "xfsmem" }), "xfsmem_uffd_test.c");
    const skip = spawnSync(bin2!, ["-r", "xfsmem.xfsmem.missing_read_copy"], { encoding: "utf8", timeout: HANG_BOUND_MS });
    expect(skip.stdout).toMatch(/# SKIP making xfsmem \(\/tmp\) failed: \/tmp: f_type 0x[0-9a-f]+, not the type's fs$/m);
  });
});

describe("not applicable: an operation the type lacks", () => {
  it("xram has no fallocate: its fallocate scenarios are not applicable in the suite, the simulator, TAP and the selftest C, never a pass", async () => {
    const model = await modelOf("examples/xram.uffd.ts");
    expect(lower(model).objectOps).toEqual({ ops: [], declared: true });
    const suite = planSuite(lowerOf(model));
    const na = suite.scenarios.filter((s) => s.notApplicable);
    expect(na.map((s) => s.name)).toContain("fallocated_page_fault_resolvable");
    expect(na[0]!.notApplicable).toMatch(/^needs fallocate\(2\), which xram does not support \(run\.ops does not list fallocate\)$/);
    // The stand-in kind (shmem) has fallocate: its twin still runs.
    expect(suite.scenarios.find((s) => s.name === "shmem_fallocated_page_fault_resolvable")?.notApplicable).toBeUndefined();
    const lowered = lower(model);
    const file = emitKernel(lowered).files[0]!;
    const compiled = compileEmittedC(file.contents, file.path, harnessNamesOf(model.gen.id, declaredCOf(lowered)));
    const sim = simulateSuite(suite, { kernel: "7.1", declaredC: compiled });
    const r = sim.results.find((x) => x.scenario === "fallocated_page_fault_resolvable")!;
    expect(r.verdict).toBe("not-applicable");
    const tap = formatTap(sim, suite);
    expect(tap).toMatch(/^ok \d+ fallocated_page_fault_resolvable # SKIP not applicable: needs fallocate\(2\)/m);
    expect(tap).toMatch(/not-applicable:[1-9]/);
    const c = emitSelftests(suite, { name: "xram" }).find((f) => f.path === "xram_uffd_test.c")!.contents;
    expect(c).toContain('SKIP(return,\n\t     "not applicable: needs fallocate(2), which xram does not support (run.ops does not list fallocate)");');
  });

  it("a chardev type that says nothing gets no operation assumed; a known kind gets them all", async () => {
    const xram = await modelOf("examples/xram.uffd.ts");
    const silent = normalize({ ...xram.spec, run: { kernelKind: "shmem" } });
    expect(lower(silent).objectOps).toEqual({ ops: [], declared: false });
    const na = planSuite(lowerOf(silent)).scenarios.find((s) => s.notApplicable)!;
    expect(na.notApplicable).toMatch(/run\.ops is not set, and uffdkit does not assume them for a chardev object/);
    expect(lower(await modelOf("examples/gmem.uffd.ts")).objectOps.ops).toEqual(["fallocate", "punch-hole", "madv-remove", "write", "read"]);
  });
});
