import { describe, expect, it } from "vitest";
import { hostVersion, lacksReasons, problemsOf, renderColumns, summaryLine, type KernelColumn } from "../../src/cli/commands/conform-vm.js";
import { vmMissing } from "../../src/run/vm/index.js";
import { compareSuites } from "../../src/run/compare.js";
import type { SuiteResult } from "../../src/ir/result.js";

function result(runner: "sim" | "kernel", rows: [string, "pass" | "fail" | "lacks", string][]): SuiteResult {
  return { suite: "anon", runner, results: rows.map(([scenario, verdict, obs]) => ({ scenario, verdict, steps: verdict === "lacks" ? [] : [{ index: 0, op: "register", observed: obs, ok: verdict === "pass" }] })) };
}

describe("conform --vm table", () => {
  const sim = result("sim", [["a", "pass", "ok"], ["b", "pass", "ok"]]);
  const host: KernelColumn = { label: "6.18 (host)", version: "6.18", comparisons: [compareSuites(sim, result("kernel", [["a", "pass", "ok"], ["b", "pass", "ok"]]))], ms: 1000 };
  const g61: KernelColumn = {
    label: "6.1 (debian 6.1.0-50-amd64)",
    version: "6.1",
    comparisons: [compareSuites(sim, result("kernel", [["a", "pass", "ok"], ["b", "fail", "errno=EINVAL"]]))],
    ms: 2000,
    note: "TCG guest 9.0 s",
    findings: ["lockdep: WARNING: possible recursive locking detected"],
  };

  it("has a column per kernel, the host's first, and a line per kernel", () => {
    const text = renderColumns([{ label: "anon" }], [host, g61]);
    const lines = text.split("\n");
    expect(lines[0]).toBe("== anon");
    expect(lines[1]).toMatch(/^scenario\s+6\.18 \(host\)\s+6\.1 \(debian 6\.1\.0-50-amd64\)$/);
    expect(lines[2]).toMatch(/^a\s+yes\s+yes$/);
    expect(lines[3]).toMatch(/^b\s+yes\s+NO \(step 0 register\)$/);
    expect(text).toContain("anon on 6.1 (debian 6.1.0-50-amd64): agreement 1/2 (50%)");
    expect(summaryLine(g61)).toBe("6.1 (debian 6.1.0-50-amd64): agreement 1/2 (50%), kernel lacks 0, errors 0; 2.0 s; TCG guest 9.0 s");
  });

  it("names the kernel in each disagreement and reports console findings", () => {
    const p = problemsOf([{ label: "anon" }], [host, g61]);
    expect(p).toEqual([
      "disagreement: 6.1 (debian 6.1.0-50-amd64): anon/b: step 0 register: simulator ok, kernel errno=EINVAL",
      "kernel finding: 6.1 (debian 6.1.0-50-amd64): lockdep: WARNING: possible recursive locking detected",
    ]);
  });

  it("says why a kernel lacks what it lacks, most frequent reason first", () => {
    const lacking = compareSuites(result("sim", [["x", "pass", "ok"], ["y", "pass", "ok"], ["z", "pass", "ok"]]), {
      suite: "gmem",
      runner: "kernel",
      results: [
        { scenario: "x", verdict: "lacks", steps: [], reason: "kernel lacks GUEST_MEMFD_FLAG_MMAP" },
        { scenario: "y", verdict: "lacks", steps: [], reason: "kernel lacks GUEST_MEMFD_FLAG_MMAP" },
        { scenario: "z", verdict: "lacks", steps: [], reason: "needs kvm-userfault: KVM_MEM_USERFAULT is not merged (guest runs 6.12.118)" },
      ],
    });
    const col: KernelColumn = { label: "6.12", version: "6.12", comparisons: [lacking], ms: 1 };
    expect(lacksReasons(col)).toEqual(["  lacks 2: kernel lacks GUEST_MEMFD_FLAG_MMAP", "  lacks 1: needs kvm-userfault"]);
  });
});

describe("conform --vm: the host and the host's tools", () => {
  it("holds the host to its own release's model, as the guests, not to 6.18", () => {
    expect(hostVersion("6.1.0-50-amd64")).toEqual({ version: "6.1", label: "6.1 (host 6.1.0-50-amd64)" });
    expect(hostVersion("6.12.118+deb12-amd64")).toEqual({ version: "6.12", label: "6.12 (host 6.12.118+deb12-amd64)" });
    expect(hostVersion("6.18.44-fc-v1300")).toEqual({ version: "6.18", label: "6.18 (host 6.18.44-fc-v1300)" });
  });

  it("says so when the host's release has no model, instead of simulating another kernel", () => {
    const h = hostVersion("6.16.3-arch1-1");
    expect(h).toEqual({ notCompared: expect.stringMatching(/^host 6\.16\.3-arch1-1: not compared: no simulator model for 6\.16\.3-arch1-1 \(series 6\.16\); the simulator models 6\.1, 6\.12, 6\.18/) });
  });

  it("names each missing host tool with the package to install, before any kernel is fetched", () => {
    expect(vmMissing({ qemu: { ok: true, detail: "/usr/bin/qemu-system-x86_64" }, busybox: { ok: true, detail: "/bin/busybox (static)" } })).toEqual([]);
    const m = vmMissing({ qemu: { ok: false, detail: "qemu-system-x86_64 is not on PATH" }, busybox: { ok: false, detail: "/bin/busybox is linked dynamically; the guest needs a static busybox" } });
    expect(m).toHaveLength(2);
    expect(m[0]).toMatch(/^QEMU is needed to boot the guests: qemu-system-x86_64 is not on PATH; install it \(Debian\/Ubuntu: apt install qemu-system-x86; Fedora: dnf install qemu-system-x86/);
    expect(m[1]).toMatch(/^a static busybox is needed .*linked dynamically.*apt install busybox-static/);
  });
});
