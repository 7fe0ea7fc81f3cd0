/**
 * The guest_memfd selftests as the series adds them to
 * tools/testing/selftests/kvm: built there by the directory's own Makefile
 * against 6.12's kvm_util (vm_create_barebones(), __vm_create_guest_memfd()),
 * then run on this machine's kernel. Every test must pass or skip with a
 * reason this test can classify: no /dev/kvm, no guest_memfd, or (6.18: no
 * vm_uffd_ops for guest_memfd) no userfaultfd support for guest_memfd. Without
 * KVM at all the whole program skips (kvm_util's constructor), as every KVM
 * selftest does; that is classified too, never taken for a pass.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";
import { emitSelftests, selftestLayout } from "../../src/emit/selftest/index.js";
import { loadModel } from "../../src/load/index.js";
import { planSuite } from "../../src/plan/planner/index.js";
import { buildInKvmSelftests } from "../../src/run/kernel/kvm-selftest.js";
import { lowerOf } from "../fixtures/lower.js";

const ROOT = join(import.meta.dirname, "../..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const kvm = existsSync("/dev/kvm");

/** Why a guest_memfd test may skip on this machine; anything else is a failure of this test. */
function classify(reason: string): "no-kvm" | "no-gmem" | "no-gmem-mmap" | "no-gmem-uffd" | "unknown" {
  if (reason === "access(/dev/kvm) failed: no /dev/kvm") return "no-kvm";
  if (reason === "KVM_CHECK_EXTENSION(KVM_CAP_GUEST_MEMFD) returned 0") return "no-gmem";
  if (reason === "KVM_CAP_GUEST_MEMFD_FLAGS lacks GUEST_MEMFD_FLAG_MMAP") return "no-gmem-mmap";
  if (reason === "UFFDIO_REGISTER on guest_memfd returned EINVAL") return "no-gmem-uffd";
  return "unknown";
}

describe("guest_memfd selftests in 6.12's tools/testing/selftests/kvm", () => {
  it.each(["examples/gmem.uffd.ts", "examples/upstream/gmem-v2.uffd.ts"])(
    "%s: builds with kvm_util and, run here, passes or skips with a reason",
    async (spec) => {
      const loaded = await loadModel(join(ROOT, spec));
      const model = loaded.model!;
      const suite = planSuite(lowerOf(model));
      const files = emitSelftests(suite, { name: model.name });
      const prog = `${model.name}_uffd_test`;
      const dir = mkdtempSync(join(tmpdir(), "uffdkit-kvm-"));
      dirs.push(dir);
      const b = await buildInKvmSelftests(files, prog, dir);
      expect(b.ok, b.log).toBe(true);
      // kvm_util, not the raw ioctls: the barebones VM comes from the library.
      expect(execFileSync("nm", [b.binary], { encoding: "utf8" })).toMatch(/ T ____vm_create\b/);

      const r = spawnSync(b.binary, [], { encoding: "utf8" });
      if (!kvm && r.status === 4) {
        // Without KVM, kvm_util's constructor skips the whole program before
        // any test (it reads /sys/module/kvm/parameters), as every KVM selftest does.
        expect(r.stdout + r.stderr).toMatch(/SKIP.*(\/dev\/kvm|\/sys\/module\/kvm)/);
        return;
      }
      const lines = r.stdout.split("\n").filter((l) => /^(not )?ok \d+ /.test(l));
      const layout = selftestLayout(suite, model.name);
      const tests = new Set([...layout.runs.values()].map((x) => x.tapName));
      expect(lines.length).toBe(tests.size);
      expect(lines.filter((l) => l.startsWith("not ok")), r.stdout.slice(-3000)).toEqual([]);

      const skips = lines.map((l) => / # SKIP (.*)$/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
      expect(skips.filter((s) => classify(s) === "unknown")).toEqual([]);
      // The declared type's tests: TEST_F of its fixture, on a guest_memfd of its own.
      const declared = lines.filter((l) => /^(not )?ok \d+ kvm_gmem(_only)?\./.test(l));
      expect(declared.length).toBeGreaterThan(10);
      if (!kvm) {
        // No KVM (CI): every guest_memfd test says so; none passes.
        for (const l of lines) expect(l).toMatch(/ # SKIP access\(\/dev\/kvm\) failed: no \/dev\/kvm$/);
        return;
      }
      // KVM without guest_memfd (KVM_CHECK_EXTENSION(KVM_CAP_GUEST_MEMFD) is 0 on /dev/kvm, e.g. a
      // 6.18 x86 host without KVM_SW_PROTECTED_VM): every test of the type says so, and none passes.
      if (declared.some((l) => / # SKIP kernel lacks KVM_CAP_GUEST_MEMFD$/.test(l))) {
        for (const l of declared) expect(l).toMatch(/ # SKIP kernel lacks KVM_CAP_GUEST_MEMFD$/);
        return;
      }
      const release = execFileSync("uname", ["-r"], { encoding: "utf8" }).trim();
      // 6.18 maps guest_memfd but has no vm_uffd_ops for it: registration is refused.
      if (release.startsWith("6.18.")) {
        // (A 6.18 built without KVM_GUEST_MEMFD has no guest_memfd at all: the capability check says so.)
        for (const l of declared) expect(l).toMatch(/ # SKIP (UFFDIO_REGISTER on guest_memfd returned EINVAL|KVM_CHECK_EXTENSION\(KVM_CAP_GUEST_MEMFD\) returned 0)$/);
        // Where guest_memfd exists, the kind's own behaviour (plain TESTs on guest_memfd, no registration needed) runs.
        if (declared.some((l) => /UFFDIO_REGISTER on guest_memfd/.test(l))) expect(lines.filter((l) => / global\./.test(l) && !/ # SKIP /.test(l)).length).toBeGreaterThan(0);
      }
    },
    BUILD_TIMEOUT,
  );
});
