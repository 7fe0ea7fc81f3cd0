import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Scenario, Suite } from "../../src/ir/scenario.js";
import { classify } from "../../src/run/kernel/index.js";
import { runSuiteOnKernel } from "../../src/run/kernel/index.js";
import { kselftestIncludes } from "../../src/run/kernel/build.js";
import { reserveHugePages, withHugePages } from "../../src/run/kernel/hugetlb.js";
import { parseTestOutput } from "../../src/run/kernel/parse.js";
import { probeKernel } from "../../src/run/kernel/probe.js";
import { descendants, runBounded } from "../../src/run/kernel/process.js";

const inc = kselftestIncludes();
function uffdUsable(): string | undefined {
  try {
    accessSync("/dev/userfaultfd", constants.R_OK | constants.W_OK);
    return undefined;
  } catch (e) {
    return `/dev/userfaultfd unusable: ${(e as Error).message}`;
  }
}
const skipKernel = !inc.ok ? inc.reason : uffdUsable();
// The harness and /dev/userfaultfd come with the set-up and this machine: their absence is a failure, never a skip.
it("has the kselftest harness and a usable userfaultfd", () => expect(skipKernel, String(skipKernel)).toBeFalsy());
const isRoot = process.getuid?.() === 0;
const workdir = mkdtempSync(join(tmpdir(), "uffdkit-kernel-"));

const anon = (name: string, steps: Scenario["steps"], extra: Partial<Scenario["setup"]> = {}): Scenario => ({ name, title: name, setup: { kind: "anon", pages: 2, map: "private", ...extra }, steps });

/** Live processes whose executable lives under dir. */
function processesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/exe`).startsWith(dir)) out.push(Number(d));
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}

describe("kernel runner on this machine's kernel", () => {
  it("runs a small suite and reads back the observations", async () => {
    const suite: Suite = {
      name: "kernel_smoke",
      title: "smoke",
      scenarios: [
        anon("missing_copy", [
          { op: "api" },
          { op: "register", page: 0, pages: 2, modes: ["missing"], expect: { ioctls: ["wake", "copy", "zeropage", "move", "poison"] } },
          { op: "touch", thread: "r", page: 1, access: "read", expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 1, flags: [] } },
          { op: "copy", page: 1, src: { byte: 0x5a }, expect: { copy: 4096 } },
          { op: "wait", thread: "r", expect: { outcome: "done", value: 0x5a } },
          { op: "copy", page: 1, src: { byte: 1 }, expect: { result: "EEXIST", copy: -17 } },
        ]),
        // A wrong expectation must come back as fail, naming the step and both texts.
        anon("wrong_expectation", [{ op: "api" }, { op: "api", expect: { result: "ok" } }]),
      ],
    };
    const r = await runSuiteOnKernel(suite, { workdir });
    expect(r.runner).toBe("kernel");
    const ok = r.results.find((x) => x.scenario === "missing_copy")!;
    expect(ok.verdict, ok.reason).toBe("pass");
    expect(ok.steps.map((s) => s.observed)).toEqual([
      "ok",
      "ok ioctls=wake,copy,zeropage,move,poison",
      "blocked",
      "pagefault page=1 flags=0",
      "ok copy=4096",
      "done value=0x5a",
      "errno=EEXIST copy=-17",
    ]);
    const bad = r.results.find((x) => x.scenario === "wrong_expectation")!;
    expect(bad.verdict).toBe("fail");
    expect(bad.reason).toBe("step 1 api: observed errno=EINVAL, expected ok");
  });

  it("cuts off a scenario that outlives its bound and leaves no process behind", async () => {
    const suite: Suite = {
      name: "kernel_hang",
      title: "hang",
      scenarios: [
        anon("blocks_past_timeout", [
          { op: "api" },
          { op: "register", page: 0, pages: 1, modes: ["missing"] },
          { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "blocked" } },
          { op: "wait", thread: "r", expect: { outcome: "done" } },
          { op: "wait", thread: "r", expect: { outcome: "done" } },
        ]),
      ],
    };
    // waits are bounded at 2 s each; a 700 ms bound must cut the test off first
    const r = await runSuiteOnKernel(suite, { workdir, timeoutMs: 700 });
    const res = r.results[0]!;
    expect(res.verdict).toBe("error");
    expect(res.reason).toMatch(/timed out after \d+ ms and was killed/);
    await new Promise((ok) => setTimeout(ok, 200));
    expect(processesUnder(workdir)).toEqual([]);
  });

  it("classifies what the kernel lacks, with the evidence", async () => {
    const gmem: Scenario = {
      name: "gmem_missing",
      title: "MISSING on guest_memfd",
      setup: { kind: "guest_memfd", pages: 2, map: "shared", gmemFlags: ["mmap", "init_shared"], needs: ["kvm", "gmem-uffd"] },
      steps: [{ op: "api" }, { op: "register", page: 0, pages: 2, modes: ["missing"] }],
    };
    const kvmUf: Scenario = { ...anon("kvm_uf", [{ op: "kvm_enable_userfault" }]), setup: { kind: "anon", pages: 1, map: "private", needs: ["kvm-userfault"] } };
    const r = await runSuiteOnKernel({ name: "kernel_lacks", title: "lacks", scenarios: [gmem, kvmUf] }, { workdir });
    const g = r.results.find((x) => x.scenario === "gmem_missing")!;
    if (probeKernel().kvm.present) {
      expect(g.verdict).toBe("lacks");
      // What the test observed: REGISTER refused, or (a kernel without guest_memfd) the capability absent.
      expect(g.reason).toMatch(/register MISSING on guest_memfd: errno=EINVAL|^KVM_CHECK_EXTENSION\(KVM_CAP_GUEST_MEMFD\) returned 0$/);
    } else {
      expect(g.verdict).toBe("lacks");
      expect(g.reason).toMatch(/needs kvm/);
    }
    const k = r.results.find((x) => x.scenario === "kvm_uf")!;
    expect(k.verdict).toBe("lacks");
    expect(k.reason).toMatch(/KVM_MEM_USERFAULT is not merged/);
  });

  it.skipIf(Boolean(skipKernel) || !isRoot)("reserves huge pages for a hugetlb scenario and restores vm.nr_hugepages", async () => {
    const before = readFileSync("/proc/sys/vm/nr_hugepages", "utf8").trim();
    const sc: Scenario = {
      name: "huge_zeropage",
      title: "hugetlb has no ZEROPAGE",
      setup: { kind: "hugetlb", pages: 2, map: "shared", needs: ["hugetlb-pages"] },
      steps: [{ op: "api" }, { op: "register", page: 0, pages: 2, modes: ["missing"] }, { op: "zeropage", page: 0, expect: { result: "EINVAL", zeropage: -22 } }],
    };
    const r = await runSuiteOnKernel({ name: "kernel_huge", title: "huge", scenarios: [sc] }, { workdir });
    expect(r.results[0]!.verdict, r.results[0]!.reason).toBe("pass");
    expect(readFileSync("/proc/sys/vm/nr_hugepages", "utf8").trim()).toBe(before);
  });
});

describe("kernel runner pieces without a kernel", () => {
  it("restores the hugetlb sysctl after the run, and after a throw", async () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-sysctl-"));
    const path = join(dir, "nr_hugepages");
    writeFileSync(path, "3\n");
    const r = reserveHugePages(5, { path });
    expect(readFileSync(path, "utf8").trim()).toBe("8");
    expect(r).toMatchObject({ previous: 3, reserved: 8, available: 5 });
    r.restore();
    expect(readFileSync(path, "utf8").trim()).toBe("3");
    await expect(
      withHugePages(
        2,
        async () => {
          expect(readFileSync(path, "utf8").trim()).toBe("5");
          throw new Error("scenario blew up");
        },
        { path },
      ),
    ).rejects.toThrow("scenario blew up");
    expect(readFileSync(path, "utf8").trim()).toBe("3");
    expect(process.listeners("exit").length).toBeLessThan(10);
  });

  it("kills a process tree whose members left the process group", async () => {
    // The kselftest harness child calls setpgrp(); emulate it with setsid.
    const r = await runBounded("/bin/sh", ["-c", "setsid sleep 30 & sleep 30"], 300);
    expect(r.timedOut).toBe(true);
    await new Promise((ok) => setTimeout(ok, 100));
    const sleepers = readdirSync("/proc").filter((d) => {
      try {
        return /^\d+$/.test(d) && readFileSync(`/proc/${d}/cmdline`, "utf8") === "sleep\x0030\x00" && readFileSync(`/proc/${d}/stat`, "utf8").split(" ")[2] !== "Z";
      } catch {
        return false;
      }
    });
    expect(sleepers).toEqual([]);
  });

  it("finds descendants through /proc", async () => {
    const child = spawn("/bin/sh", ["-c", "sleep 5 & wait"], { stdio: "ignore" });
    await new Promise((ok) => setTimeout(ok, 150));
    expect(descendants(process.pid)).toContain(child.pid);
    expect(descendants(child.pid!).length).toBe(1);
    child.kill("SIGKILL");
    for (const d of descendants(process.pid)) if (d !== child.pid) try { process.kill(d, "SIGKILL"); } catch { /* gone */ }
  });

  it("parses observations and classifies a crash as error, a mismatch as fail", () => {
    const sc = anon("x", [{ op: "api" }, { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "done", value: 0 } }]);
    const probe = probeKernel();
    const proc = { stdout: "", stderr: "", code: 1, signal: null, timedOut: false, ms: 5 };
    const crashed = parseTestOutput("# uffdkit: setup: ok\n# uffdkit: step 0 api: ok\n", "x");
    expect(classify(sc, crashed, proc, probe)).toMatchObject({ verdict: "error", reason: expect.stringMatching(/no observation for step 1 \(touch\)/) });
    const mismatch = parseTestOutput("# uffdkit: setup: ok\n# uffdkit: step 0 api: ok\n# uffdkit: step 1 touch: sigbus\nnot ok 1 global.x\n", "x");
    expect(classify(sc, mismatch, proc, probe)).toMatchObject({ verdict: "fail", reason: "step 1 touch: observed sigbus, expected done value=0x00" });
    const passed = parseTestOutput("# uffdkit: setup: ok\n# uffdkit: step 0 api: ok\n# uffdkit: step 1 touch: done value=0x00\nok 1 global.x\n", "x");
    expect(classify(sc, passed, { ...proc, code: 0 }, probe).verdict).toBe("pass");
    const noSetup = parseTestOutput("", "x");
    expect(classify(sc, noSetup, { ...proc, signal: "SIGSEGV", code: null }, probe)).toMatchObject({ verdict: "error", reason: expect.stringMatching(/SIGSEGV/) });
  });
});

describe("overlapping huge page reservations", () => {
  it("each run takes back only its own pages", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-sysctl-"));
    const path = join(dir, "nr_hugepages");
    writeFileSync(path, "0\n");
    const a = reserveHugePages(4, { path });
    const b = reserveHugePages(4, { path });
    expect(readFileSync(path, "utf8").trim()).toBe("8");
    a.restore();
    expect(readFileSync(path, "utf8").trim()).toBe("4");
    b.restore();
    expect(readFileSync(path, "utf8").trim()).toBe("0");
  });
});
