/**
 * Counterexamples a kernel developer can run: schedules
 * userspace can force become scenarios (kselftests under `conform`).
 */
import { describe, expect, it } from "vitest";
import { forcedCases, forcedScenarioOf, forcedSuite } from "../../src/run/explore/forced.js";
import { programsForKind } from "../../src/plan/explore/programs.js";
import { simulateScenario } from "../../src/run/sim/index.js";
import { validateScenario } from "../../src/run/sim/validate.js";
import { emitSelftests } from "../../src/emit/selftest/index.js";

const prog = (kind: "anon" | "shmem", name: string) => programsForKind(kind).find((p) => p.name === name)!;

describe("forced schedules", () => {
  for (const kind of ["anon", "shmem"] as const) {
    it(`${kind}: the partial fill's EAGAIN and the retry's EEXIST become one scenario that passes on the simulator`, () => {
      const cases = forcedCases(prog(kind, "partial_fill"), { kernel: "6.18" });
      const c = cases.find((x) => x.outcome.includes("EAGAIN after a partial fill"))!;
      expect(c.outcome).toContain("COPY → EEXIST (the page was filled meanwhile)");
      const ops = c.scenario.steps.map((s) => `${s.op}${"expect" in s && s.expect && "result" in s.expect ? `:${s.expect.result}` : ""}`);
      expect(ops).toContain("copy:EAGAIN");
      expect(ops).toContain("copy:EEXIST");
      expect(validateScenario(JSON.parse(JSON.stringify(c.scenario)))).toEqual([]);
      expect(simulateScenario(c.scenario, { kernel: "6.18" }).verdict).toBe("pass");
    });

    it(`${kind}: COPY against a pending REMOVE event (EAGAIN, then the retry after the read) is forced`, () => {
      const cases = forcedCases(prog(kind, "fill_vs_remove"), { kernel: "6.18" });
      expect(cases.map((c) => c.outcome)).toContain("COPY → EAGAIN (mmap_changing: a non-cooperative event is pending)");
    });
  }

  it("a schedule that switches threads inside a kernel path is not forceable, and says why", () => {
    const p = prog("shmem", "partial_fill");
    // first faults, second faults, the monitor reads the first fault and pauses its two-page COPY
    // between the pages; then the second thread runs: no userspace order holds the COPY there.
    const names = p.threads.map((t) => t.name);
    const at = (n: string) => names.indexOf(n);
    let found: { reason: string } | null = null;
    for (const tail of [[at("monitor"), at("monitor"), at("second")], [at("monitor"), at("monitor"), at("monitor"), at("second")]]) {
      const r = forcedScenarioOf(p, { kernel: "6.18" }, [at("first"), at("second"), ...tail], "x", "x");
      if ("reason" in r) found = r;
    }
    expect(found?.reason).toMatch(/inside a kernel path|woken, has not/);
  });

  it("the suite conform runs: scenarios the selftest emitter turns into C", () => {
    const suite = forcedSuite("anon", programsForKind("anon"), { kernel: "6.18" });
    expect(suite.name).toBe("explore-anon");
    expect(suite.scenarios.length).toBeGreaterThanOrEqual(2);
    const files = emitSelftests(suite, { name: "explore_anon" });
    expect(files.map((f) => f.contents).join("\n")).toMatch(/UFFDIO_COPY|uk_copy/);
  });

  it("shmem: fork() with EVENT_FORK racing a fill is forced too", () => {
    const cases = forcedCases(prog("shmem", "fill_vs_fork"), { kernel: "6.18" });
    expect(cases.map((c) => c.outcome)).toEqual(["COPY → EAGAIN (mmap_changing: a non-cooperative event is pending)"]);
    expect(forcedSuite("shmem", programsForKind("shmem"), { kernel: "6.18" }).scenarios.map((s) => s.name)).toContain("explore_fill_vs_fork_1");
  });

  it("anon: fork() with EVENT_FORK racing a fill is forced: the fork waits for its event, the COPY meanwhile is EAGAIN, then the fork event is read and the retry fills", () => {
    const cases = forcedCases(prog("anon", "fill_vs_fork"), { kernel: "6.18" });
    const c = cases.find((x) => x.outcome === "COPY → EAGAIN (mmap_changing: a non-cooperative event is pending)")!;
    expect(c, JSON.stringify(cases.map((x) => x.outcome))).toBeDefined();
    const ops = c.scenario.steps.map((s) => `${s.op}${"expect" in s && s.expect && "result" in s.expect ? `:${s.expect.result}` : ""}${"expect" in s && s.expect && "event" in s.expect ? `:${s.expect.event}` : ""}`);
    // The order a kernel developer runs: faulter parked, fork parked on its event, the fault read,
    // COPY refused while the fork event is pending, the fork event read, the retry.
    expect(ops.slice(2)).toEqual(["touch", "fork", "event:pagefault", "copy:EAGAIN", "event:fork", "wait", "copy:ok", "wait"]);
    expect(simulateScenario(c.scenario, { kernel: "6.18" }).verdict).toBe("pass");
    const suite = forcedSuite("anon", programsForKind("anon"), { kernel: "6.18" });
    expect(suite.scenarios.map((s) => s.name)).toContain("explore_fill_vs_fork_1");
    // The monitor allocates the COPY's source while the fork waits in the kernel for its event:
    // glibc's fork() would hold malloc's locks there, so the runtime forks by the raw system call.
    const runtime = emitSelftests(suite, { name: "explore_anon" }).find((f) => f.path === "uffdkit_runtime.h")!.contents;
    const forkChild = runtime.slice(runtime.indexOf("static inline int uk_fork_child"), runtime.indexOf("static void *uk_worker"));
    expect(forkChild).toMatch(/syscall\(SYS_clone/);
    expect(forkChild).not.toMatch(/\bfork\(\)/);
  });
});
