/**
 * The two user-reported races held in conform (src/plan/reference/races.ts),
 * on the simulator: they are in the anon and shmem reference suites, and the
 * simulator observes what this machine's 6.18 kernel was measured to do
 * (`uffdkit conform --kind anon|shmem` runs both and compares them).
 */
import { describe, expect, it } from "vitest";
import { referenceSuite } from "../../src/plan/reference/index.js";
import { simulateScenario } from "../../src/run/sim/index.js";
import type { Scenario } from "../../src/ir/scenario.js";

const RACES: Record<"anon" | "shmem", string[]> = {
  anon: ["race_copy_vs_remove_dontneed", "race_copy_partial_retry_eexist_wp"],
  shmem: ["race_copy_vs_remove_madv_remove", "race_copy_vs_remove_dontneed", "race_copy_partial_retry_eexist_wp"],
};

function observed(sc: Scenario): string[] {
  const r = simulateScenario(sc, { kernel: "6.18" });
  expect(r.verdict, r.reason).toBe("pass");
  return r.steps.map((s) => `${s.op}: ${s.observed}`);
}

describe.each(Object.entries(RACES))("races in conform: %s", (kind, names) => {
  const suite = referenceSuite(kind as "anon" | "shmem");
  const byName = (n: string) => suite.scenarios.find((s) => s.name === n)!;

  it("are in the reference suite", () => {
    for (const n of names) expect(byName(n), n).toBeDefined();
  });

  it.each(names.filter((n) => n.startsWith("race_copy_vs_remove")))("%s: COPY is EAGAIN while the REMOVE is unread, the faulter stays blocked, and the retry succeeds", (n) => {
    const obs = observed(byName(n));
    const eagain = obs.findIndex((o) => o === "copy: errno=EAGAIN copy=-11");
    const removed = obs.findIndex((o) => o.startsWith("event: remove"));
    expect(eagain).toBeGreaterThan(0);
    expect(removed).toBeGreaterThan(eagain);
    expect(obs[eagain - 1]).toBe(`madvise: blocked`);
    expect(obs[eagain + 1]).toBe("wait: blocked");
    expect(obs.slice(removed)).toEqual(["event: remove page=0 pages=1", "wait: done", "copy: ok copy=4096", "wait: done value=0x22"]);
  });

  it("race_copy_partial_retry_eexist_wp: EAGAIN after one page, EEXIST on the retry; only the filled page is write-protected", () => {
    const obs = observed(byName("race_copy_partial_retry_eexist_wp"));
    expect(obs).toContain("copy: errno=EAGAIN copy=4096");
    expect(obs).toContain("copy: errno=EEXIST copy=-17");
    expect(obs).toContain("event: pagefault page=0 flags=wp,write");
    expect(obs).toContain("event: pagefault page=2 flags=0");
  });
});
