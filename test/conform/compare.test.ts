import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NOT_EXPRESSIBLE, referenceSuites } from "../../src/plan/reference/index.js";
import { SOURCES } from "../../src/kernel/sources.js";
import { compareSuites, percent } from "../../src/run/compare.js";
import type { SuiteResult } from "../../src/ir/result.js";

const kernel: SuiteResult = {
  suite: "anon",
  runner: "kernel",
  results: [
    { scenario: "a", verdict: "pass", steps: [{ index: 0, op: "api", observed: "ok", ok: true }, { index: 1, op: "copy", observed: "errno=EEXIST copy=-17", ok: true }] },
    { scenario: "b", verdict: "pass", steps: [{ index: 0, op: "api", observed: "ok", ok: true }] },
    { scenario: "c", verdict: "lacks", steps: [], reason: "step 1 register MISSING on guest_memfd: errno=EINVAL" },
    { scenario: "d", verdict: "error", steps: [], reason: "timed out" },
  ],
};

describe("compareSuites", () => {
  it("agrees when every step's observation is the same", () => {
    const c = compareSuites({ ...kernel, runner: "sim" }, kernel);
    expect(c).toMatchObject({ agree: 2, disagree: 0, lacks: 1, errors: 1, compared: 2 });
  });

  it("finds a planted disagreement and names the step and both observations", () => {
    const sim: SuiteResult = {
      ...kernel,
      runner: "sim",
      results: kernel.results.map((r) => (r.scenario === "a" ? { ...r, verdict: "fail", steps: [r.steps[0]!, { index: 1, op: "copy", observed: "ok copy=4096", ok: false, expected: "errno=EEXIST copy=-17" }] } : r)),
    };
    const c = compareSuites(sim, kernel);
    expect(c.disagree).toBe(1);
    const a = c.scenarios.find((s) => s.scenario === "a")!;
    expect(a).toMatchObject({ status: "disagree", step: 1, op: "copy", simObserved: "ok copy=4096", kernelObserved: "errno=EEXIST copy=-17" });
    expect(a.reason).toBe("step 1 copy: simulator ok copy=4096, kernel errno=EEXIST copy=-17");
    // a scenario the kernel lacks is neither agreement nor disagreement, even when the simulator differs
    expect(c.scenarios.find((s) => s.scenario === "c")!.status).toBe("lacks");
    expect(percent(c.agree, c.compared)).toBe("50%");
  });

  it("reports a verdict difference with identical steps, and a missing observation", () => {
    const sim: SuiteResult = { ...kernel, runner: "sim", results: [{ ...kernel.results[0]!, steps: [kernel.results[0]!.steps[0]!] }, { ...kernel.results[1]!, verdict: "fail", reason: "setup" }] };
    const c = compareSuites(sim, kernel);
    expect(c.scenarios.find((s) => s.scenario === "a")).toMatchObject({ status: "disagree", step: 1, simObserved: "(no observation)" });
    expect(c.scenarios.find((s) => s.scenario === "b")!.reason).toMatch(/verdicts differ \(simulator fail, kernel pass\)/);
  });
});

describe("reference suites", () => {
  it("one suite per kind, unique C-identifier names, every scenario cites a source", () => {
    const suites = referenceSuites();
    expect(suites.map((s) => s.name)).toEqual(["anon", "shmem", "shmem-anon", "hugetlb", "guest_memfd"]);
    for (const s of suites) {
      const names = s.scenarios.map((x) => x.name);
      expect(new Set(names).size).toBe(names.length);
      for (const sc of s.scenarios) {
        expect(sc.name).toMatch(/^[a-z_][a-z0-9_]*$/);
        expect(sc.source?.length, sc.name).toBeGreaterThan(0);
      }
    }
  });

  it("covers each observed 6.18 behaviour (an abi618* source), or lists it as not expressible with the reason", () => {
    const cited = new Set(referenceSuites().flatMap((s) => s.scenarios.flatMap((x) => x.source ?? [])));
    const gaps = NOT_EXPRESSIBLE.map((g) => g.case);
    expect(NOT_EXPRESSIBLE.every((g) => g.why.length > 10)).toBe(true);
    const behaviours = Object.keys(SOURCES).filter((k) => /^abi618[A-Z]/.test(k));
    expect(behaviours).toHaveLength(12);
    for (const f of behaviours) expect(cited.has(f) || gaps.some((g) => g.startsWith(`${f} `)), f).toBe(true);
    expect(cited.has("abi618CopySrcFault")).toBe(true);
  });

  it("walks all 8 register mode combinations on every non-gmem kind", () => {
    for (const s of referenceSuites().filter((x) => x.name !== "guest_memfd")) {
      expect(s.scenarios.filter((x) => x.name.startsWith("register_") && x.source?.includes("[ut register-ioctls]")).length, s.name).toBe(8);
    }
  });
});

describe("uffdkit conform (CLI)", () => {
  const built = existsSync("dist/cli/commands/conform.js");
  // dist/ is built by the set-up (npm run build): its absence is a failure, never a skip.
  it("has the built CLI", () => expect(built).toBe(true));
  it("rejects an unknown kind with exit 2 and prints JSON only on stdout", () => {
    const r = spawnSync("node", ["bin/uffdkit.js", "conform", "--kind", "nope", "--json"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toHaveProperty("error");
    expect(r.stderr).toMatch(/unknown kind "nope"/);
  });

  it("runs --sim-only for one kind: a table, a summary line, exit 0 iff no problem", () => {
    const r = spawnSync("node", ["bin/uffdkit.js", "conform", "--sim-only", "--kind", "guest_memfd", "--json"], { encoding: "utf8" });
    if (r.status === 2) {
      expect(r.stderr).toMatch(/simulator/);
      return;
    }
    const doc = JSON.parse(r.stdout) as { overall: { pass: number; total: number }; problems: string[] };
    expect(doc.overall.total).toBe(referenceSuites().find((s) => s.name === "guest_memfd")!.scenarios.length);
    expect(r.status).toBe(doc.problems.length ? 1 : 0);
  });
});

describe("compareSuites with a simulator error", () => {
  it("reports the simulator's own reason", () => {
    const sim: SuiteResult = { suite: "anon", runner: "sim", results: [{ scenario: "a", verdict: "error", steps: [], reason: "setup: no such kind" }] };
    const c = compareSuites(sim, kernel);
    expect(c.scenarios.find((s) => s.scenario === "a")).toMatchObject({ status: "disagree", step: 0, reason: "simulator error: setup: no such kind" });
  });
});
