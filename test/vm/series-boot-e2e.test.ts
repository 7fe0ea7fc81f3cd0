/**
 * `series --build --boot` end to end, for real: xram's series (uffdkit's own
 * page-cache driver, added to linux-source-6.12 as a developer would bring a
 * new type) is written into the 6.12 git tree, built after every patch, then
 * built once more as a bootable kernel (scripts/vm/base.config, the
 * selftests' options, CONFIG_XRAM) and booted in QEMU, where the generated
 * selftests run.
 *
 * 6.12 has no vm_uffd_ops core: vma_can_userfault() accepts anon, shmem and
 * hugetlb VMAs only, so registering /dev/xram is refused and every test of
 * the type itself must SKIP saying so; the shmem variants (shmem standing in
 * for xram) run and must pass. Nothing may fail, error or splat. The same
 * kernel then runs a guest_memfd memslot on a KVM_X86_SW_PROTECTED_VM, which
 * its base.config enables and Debian's 6.12 lacks.
 *
 * The build directory is the one scripts/vm-ci.sh boots for conform's
 * reference suites (SERIES_BOOT_DIR), so CI builds one 6.12 kernel for both.
 * Needs qemu-system-x86 and busybox-static (scripts/vm-setup.sh; CI installs
 * them); the test fails, never skips, without them. It takes minutes: a cold
 * kernel build, then a TCG guest.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";
import { loadModel } from "../../src/load/index.js";
import { lower } from "../../src/lower/index.js";
import { describeFailures } from "../../src/series/build/index.js";
import { bootSeries, standInsOf } from "../../src/series/boot.js";
import { openValue } from "../../src/session/index.js";
import { buildSeries } from "../../src/series/index.js";
import { referenceSuite } from "../../src/plan/reference/index.js";
import { compareSuites } from "../../src/run/compare.js";
import { simulateSuite } from "../../src/run/sim/index.js";
import { resolveKernel, runSuitesInVm } from "../../src/run/vm/index.js";
import { sh } from "../series/fixture.js";
import { kernelGitTree, ROOT, withXramDriver } from "../series/ktree.js";

/** Shared with scripts/vm-ci.sh, which boots <dir>/o-vm/arch/x86/boot/bzImage for conform. */
const SERIES_BOOT_DIR = join(ROOT, ".cache", "series-boot-xram");

describe("series --build --boot: xram on linux-source-6.12 in a QEMU guest", () => {
  it("builds the series, boots it, and every selftest passes or skips with 6.12's reason", async () => {
    const repo = kernelGitTree();
    const base = withXramDriver(repo);
    const model = (await loadModel(join(ROOT, "examples", "xram.uffd.ts"))).model!;
    const g = openValue(model).generation();
    const version = 100 + Math.floor(Math.random() * 800);
    const progress = (l: string) => process.stderr.write(`series-boot: ${l}\n`);
    const r = await buildSeries(lower(model), {
      tree: repo,
      base,
      version,
      out: join(SERIES_BOOT_DIR, "patches"),
      kernel: g.kernel,
      selftests: g.selftests,
      getMaintainer: false,
      build: true,
      buildDir: SERIES_BOOT_DIR,
      onProgress: progress,
    });
    if (!r.ok) throw new Error(`series stopped: ${r.error.code}: ${r.error.message}`);
    try {
      const built = r.result.build!;
      expect(describeFailures(built)).toEqual([]);
      expect(built.ok).toBe(true);

      const b = await bootSeries({ tree: repo, buildDir: SERIES_BOOT_DIR, typeFile: model.targetFile, suite: g.suite, debug: false, say: progress });
      console.log([`series-boot: per-patch build ${(built.ms / 1000).toFixed(0)} s`, ...b.lines].join("\n"));
      expect(b.build?.ok).toBe(true);
      expect(existsSync(join(SERIES_BOOT_DIR, "o-vm", "arch/x86/boot/bzImage"))).toBe(true);
      const run = b.run!;
      expect(run.problem).toBeUndefined();
      expect(run.findings).toEqual([]);
      // The guest sees the CPUs QEMU gives it (-smp 2): ACPI's MADT lists them.
      expect(run.facts.cpus).toBe(2);
      expect(run.facts.kvm).toBe(true);
      const results = run.results.flatMap((x) => x.results);
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((x) => x.verdict === "fail" || x.verdict === "error")).toEqual([]);
      // On the type itself (/dev/xram) 6.12 refuses every registration: each test skips saying
      // what it saw and why (no vm_uffd_ops core); a scenario xram cannot express is not applicable.
      const standIns = standInsOf(g.suite);
      const selftests = results.filter((x) => !x.reason?.startsWith("simulator-only:"));
      const own = selftests.filter((x) => !standIns.has(x.scenario));
      const refused = own.filter((x) => x.reason?.startsWith("UFFDIO_REGISTER on xram"));
      expect(refused.length).toBeGreaterThan(0);
      for (const t of refused) expect(t.reason).toMatch(/^UFFDIO_REGISTER on xram \(\/dev\/xram\) returned EINVAL: 6\.12's core has no vm_uffd_ops /);
      for (const t of own.filter((x) => !refused.includes(x))) expect(t.reason).toMatch(/^not applicable: /);
      for (const t of own) expect(t.verdict).toBe("lacks");
      // shmem standing in for xram runs on 6.12's own shmem support: it passes, and is reported apart.
      const onStandIn = selftests.filter((x) => standIns.has(x.scenario));
      expect(onStandIn.length).toBeGreaterThan(0);
      expect(onStandIn.filter((x) => x.verdict !== "pass")).toEqual([]);
      expect(b.lines.some((l) => l.startsWith("  on shmem, standing in for xram (not a test of the type):"))).toBe(true);
      expect(b.ok).toBe(true);

      // The same kernel has KVM_SW_PROTECTED_VM (base.config), which Debian's 6.12 lacks:
      // a guest_memfd memslot binds there, as the simulator held to 6.12 says.
      const kernel = await resolveKernel(join(SERIES_BOOT_DIR, "o-vm", "arch/x86/boot/bzImage"), { say: progress });
      if (typeof kernel === "string") throw new Error(kernel);
      expect(kernel.built).toBeDefined();
      const gmem = referenceSuite("guest_memfd");
      const memslot = { ...gmem, scenarios: gmem.scenarios.filter((x) => x.name === "gmem_memslot_sw_protected_vm" || x.name === "mmap_without_flags_enodev") };
      const guest = await runSuitesInVm([memslot], kernel, { say: progress });
      expect(guest.problem).toBeUndefined();
      expect(guest.results[0]!.results.map((x) => [x.scenario, x.verdict])).toEqual([
        ["mmap_without_flags_enodev", "pass"],
        ["gmem_memslot_sw_protected_vm", "pass"],
      ]);
      const c = compareSuites(simulateSuite(memslot, { kernel: "6.12" }), guest.results[0]!);
      expect(c.disagree).toBe(0);
      expect(c.agree).toBe(2);
    } finally {
      sh(repo, "git", ["branch", "-q", "-D", r.result.branch]);
    }
  }, BUILD_TIMEOUT);
});
