import { describe, expect, it } from "vitest";
import { lacksReasons, problemsOf, renderColumns, summaryLine, type KernelColumn } from "../../src/cli/commands/conform-vm.js";
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
