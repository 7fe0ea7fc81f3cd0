/**
 * The engine itself: step-by-step control, determinism, invariants, setup
 * errors as verdicts, and the KVM Userfault ordering exploration (Oliver Upton on KVM Userfault v3 04/15).
 */
import { describe, expect, it } from "vitest";
import { createSimulation, exploreInterleavings, simulateScenario, simulateSuite } from "../../src/run/sim/index.js";
import { checkInvariants } from "../../src/run/sim/invariants.js";
import { drainOrders } from "../../src/run/sim/kvm_userfault.js";
import type { Scenario, Step } from "../../src/ir/scenario.js";
import { API, explain, run, sc } from "./helpers.js";

const POSTCOPY: Scenario = sc("postcopy_small", { kind: "shmem", pages: 8 }, [
  { op: "api", features: ["thread_id"] },
  { op: "register", page: 0, pages: 8, modes: ["missing"] },
  { op: "touch", thread: "w1", page: 3, access: "read", expect: { outcome: "blocked" } },
  { op: "touch", thread: "w2", page: 5, access: "write", value: 9, expect: { outcome: "blocked" } },
  { op: "event", expect: { event: "pagefault", page: 3, flags: [], thread: "w1" } },
  { op: "event", expect: { event: "pagefault", page: 5, flags: ["write"], thread: "w2" } },
  { op: "copy", page: 0, pages: 8, src: { pattern: "page-index", seed: 0x10 }, expect: { result: "ok", copy: 8 * 4096 } },
  { op: "wait", thread: "w1", expect: { outcome: "done", value: 0x13 } },
  { op: "wait", thread: "w2", expect: { outcome: "done" } },
  { op: "close" },
]);

describe("step-able simulation", () => {
  it("exposes threads and machine state between steps", () => {
    const sim = createSimulation(POSTCOPY, { kernel: "6.18" });
    sim.step();
    sim.step();
    sim.step();
    expect(sim.thread("w1")?.state).toBe("blocked");
    expect(sim.ctx(0)?.pending.length).toBe(1);
    while (!sim.done) sim.step();
    expect(sim.thread("w1")?.state).toBe("done");
    expect(sim.result().verdict).toBe("pass");
    // The write by w2 landed in the page cache after the COPY.
    const file = sim.primary.file!;
    expect(sim.machine.folios.value[file.cache[5]!]).toBe(9);
  });
  it("is deterministic: the same scenario twice gives identical observations and findings", () => {
    const a = simulateScenario(POSTCOPY, { kernel: "6.18" });
    const b = simulateScenario(POSTCOPY, { kernel: "6.18" });
    expect(a.verdict, explain(a)).toBe("pass");
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
  it("a suite runs every scenario and names the runner", () => {
    const s = simulateSuite({ name: "s", title: "t", scenarios: [POSTCOPY, sc("bad", { kind: "anon", map: "shared" }, [API])] }, { kernel: "6.18" });
    expect(s.runner).toBe("sim");
    expect(s.results.map((r) => r.verdict)).toEqual(["pass", "error"]);
    expect(s.results[1]!.reason).toMatch(/shmem-anon/);
  });
  it("a scenario error (unknown ctx, blocked thread reused) is an observation, never a throw", () => {
    const r = run(
      sc("misuse", { kind: "anon", map: "private" }, [
        API,
        { op: "register", page: 0, modes: ["missing"] },
        { op: "touch", thread: "t", page: 0, access: "read", expect: { outcome: "blocked" } },
        { op: "touch", thread: "t", page: 0, access: "read", expect: { outcome: "blocked" } },
        { op: "copy", ctx: 3, page: 0, src: { byte: 1 } },
      ]),
    );
    expect(r.verdict).toBe("fail");
    expect(r.steps[3]!.observed).toMatch(/^error reason=thread_t_is_still_blocked/);
    expect(r.steps[4]!.observed).toMatch(/^error/);
    expect(simulateScenario(null as unknown as Scenario, { kernel: "6.18" }).verdict).toBe("error");
  });
});

describe("invariants", () => {
  it("hold after every step of a busy scenario", () => {
    const sim = createSimulation(POSTCOPY, { kernel: "6.18" });
    while (!sim.done) {
      sim.step();
      expect(checkInvariants(sim.machine)).toEqual([]);
    }
  });
  it("catch a leaked reference, a locked folio and a blocked thread without an event", () => {
    const sim = createSimulation(POSTCOPY, { kernel: "6.18" });
    for (let i = 0; i < 7; i++) sim.step();
    const m = sim.machine;
    const f = sim.primary.file!.cache[0]!;
    m.folios.get(f);
    m.folios.lock(f);
    const msgs = checkInvariants(m).map((x) => x.message);
    expect(msgs.some((x) => /leaked/.test(x))).toBe(true);
    expect(msgs.some((x) => /left locked/.test(x))).toBe(true);
    const sim2 = createSimulation(POSTCOPY, { kernel: "6.18" });
    for (let i = 0; i < 3; i++) sim2.step();
    sim2.ctx(0)!.pending.length = 0;
    expect(checkInvariants(sim2.machine).map((x) => x.message)).toContain("thread w1 is blocked with no pending or delivered event");
  });
});

describe("KVM Userfault ordering (Oliver Upton on KVM Userfault v3 04/15)", () => {
  const kvm = (order: "release" | "relaxed", load: "acquire" | "plain"): Scenario =>
    sc(`kvm_${order}_${load}`, { kind: "anon", map: "private", pages: 2, needs: ["kvm-userfault"] }, [
      API,
      { op: "register", page: 0, pages: 2, modes: ["missing"] },
      { op: "kvm_enable_userfault" },
      { op: "kvm_bitmap", page: 0, set: true, order: "release" },
      { op: "kvm_vcpu_access", page: 0, load, expect: { outcome: "exit-userfault" } },
      { op: "copy", page: 0, src: { byte: 0xab } },
      { op: "kvm_bitmap", page: 0, set: false, order },
      { op: "kvm_vcpu_access", page: 0, load, expect: { outcome: "any" } },
    ] as Step[]);

  it("the sequential run exits while the bit is set and reads the data after the clear", () => {
    const r = run(kvm("release", "acquire"));
    expect(r.verdict, explain(r)).toBe("pass");
    expect(r.steps[7]!.observed).toBe("done value=0xab");
  });
  it("with a plain load some interleaving observes stale contents", () => {
    const e = exploreInterleavings(kvm("release", "plain"), { kernel: "6.18" });
    expect(e.staleObserved).toBe(true);
    const last = e.accesses[e.accesses.length - 1]!;
    expect(last.stale.length).toBeGreaterThan(0);
    expect(last.stale[0]!.value).toBe(0x00);
  });
  it("with store-release and load-acquire no interleaving does", () => {
    const e = exploreInterleavings(kvm("release", "acquire"), { kernel: "6.18" });
    expect(e.schedules).toBeGreaterThan(3);
    expect(e.staleObserved).toBe(false);
    // Both outcomes a correct pairing allows do occur: an exit, and the fresh data.
    const last = e.accesses[e.accesses.length - 1]!;
    expect(last.outcomes.some((o) => o.exit)).toBe(true);
    expect(last.outcomes.some((o) => !o.exit && o.value === 0xab)).toBe(true);
  });
  it("a relaxed clear is stale even with an acquire load", () => {
    expect(exploreInterleavings(kvm("relaxed", "acquire"), { kernel: "6.18" }).staleObserved).toBe(true);
  });
  it("drain orders keep a release after every earlier store", () => {
    const orders = drainOrders([
      { kind: "page", page: 0, value: 1, old: 0, release: false },
      { kind: "bit", page: 0, value: 0, old: 1, release: true },
    ]);
    expect(orders).toEqual([[0, 1]]);
    const relaxed = drainOrders([
      { kind: "page", page: 0, value: 1, old: 0, release: false },
      { kind: "bit", page: 0, value: 0, old: 1, release: false },
    ]);
    expect(relaxed).toHaveLength(2);
  });
});


describe("postcopy driver (bench/postcopy)", () => {
  it("takes one MISSING fault per page, resolves each with COPY and reads the data back", async () => {
    const { simulatePostcopy } = await import("../../src/run/sim/postcopy.js");
    const r = simulatePostcopy(4096, { value: 0x3c });
    expect(r).toMatchObject({ pages: 4096, faults: 4096, verified: true });
    expect(r.seconds).toBeGreaterThan(0);
  });
});
