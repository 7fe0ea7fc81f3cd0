/**
 * Who owns the EOF check, per API generation uffdkit emits, and what the
 * truncate disturber finds (docs/explore.md, "What the truncate disturber
 * finds").
 *
 * - The check that keeps a COPY from leaving a folio cached or mapped beyond
 *   EOF is core's in every generation with COPY: mfill_atomic_install_pte()
 *   re-checks i_size under the page table lock (mfill_file_over_size(),
 *   Axel Rasmussen's helper, 6.6) and the add is undone (7.1:
 *   __mfill_atomic_pte() calls ->filemap_remove(); peterx-v1: the emitted
 *   uffd_copy calls core's mfill_atomic_install_pte() and undoes on its error).
 *   So a held-out page-cache spec with `copy.alloc.eofCheck: false` explores
 *   clean on both, and R45 is a warning that says so.
 * - The check the type owns is in its ->fault on every generation where the
 *   type raises the userfault itself (peterx-v1, linux-7.1): a ->fault that
 *   raises MISSING before it checks i_size (`fault.eofFirst: false`) is found,
 *   with a counterexample schedule.
 */
import { describe, expect, it } from "vitest";
import { open, type ExplorePlan } from "../../src/session/index.js";
import { exploreProgram, replaySchedule } from "../../src/run/explore/index.js";
import { programOf } from "./helpers.js";
import { findRule } from "../../src/rules/index.js";

const FIX = "test/fixtures/specs";
const TRUNCATE = ["fill_vs_truncate", "copy_vs_truncate"];
/** The generations whose ->fault is the type's and whose COPY goes through the type (alloc_folio or uffd_copy). */
const TYPE_FAULT_GENS = ["peterx-v1", "linux-7.1"] as const;
const ALLOCATED_BEYOND_EOF = "COPY beyond EOF allocated a folio first; core's i_size re-check at install refused it and nothing stayed cached or mapped";

async function planAt(spec: string, api: (typeof TYPE_FAULT_GENS)[number]): Promise<{ plan: ExplorePlan; findings: string[] }> {
  const session = await open(spec, { api });
  if (session.loadFailed) throw new Error(`${spec} does not load`);
  const g = session.generation();
  return { plan: g.exploration, findings: g.findings.map((f) => `${f.id}:${f.severity}`) };
}

describe("an alloc_folio / uffd_copy without the EOF check: core's install re-check keeps EOF", () => {
  for (const api of TYPE_FAULT_GENS) {
    it(`${api}: explores clean under shrink-and-regrow, COPY beyond EOF is EFAULT, and R45 is a warning, not an error`, async () => {
      const { plan, findings } = await planAt(`${FIX}/pagecache-no-eof-alloc.uffd.ts`, api);
      expect(findings).toContain("R45:warning");
      expect(findings).not.toContain("R45:error");
      for (const name of TRUNCATE) {
        const r = exploreProgram(programOf(plan, name), plan.opts);
        expect(r.verdict, `${api} ${name}`).toBe("exhaustive");
        expect(r.counterexamples.map((c) => c.violation.message), `${api} ${name}`).toEqual([]);
        expect(r.outcomes.some((o) => o.startsWith("COPY → EFAULT")), `${api} ${name}`).toBe(true);
        expect(r.outcomes.some((o) => o.includes("ENOMEM")), `${api} ${name}`).toBe(false);
      }
      // The report says who refused it: the fill allocated beyond EOF and core's install check caught it.
      const copy = exploreProgram(programOf(plan, "copy_vs_truncate"), plan.opts);
      expect(copy.outcomes).toContain(ALLOCATED_BEYOND_EOF);
    });
  }

  it("with the check, 7.1 refuses in alloc_folio (ENOMEM, as shmem's shmem_mfill_folio_alloc()); peterx-v1's uffd_copy refuses with EFAULT, as shmem_mfill_atomic_pte() did", async () => {
    const at71 = (await planAt(`${FIX}/pagecache-eof.uffd.ts`, "linux-7.1")).plan;
    const v71 = exploreProgram(programOf(at71, "copy_vs_truncate"), at71.opts);
    expect(v71.outcomes).toContain("COPY → ENOMEM");
    const { plan } = await planAt(`${FIX}/pagecache-eof.uffd.ts`, "peterx-v1");
    const v1 = exploreProgram(programOf(plan, "copy_vs_truncate"), plan.opts);
    expect(v1.outcomes).toEqual(["COPY → EFAULT"]);
    // peterx-v1's uffd_copy checks before it allocates, and runs whole: it never allocates beyond EOF.
    expect(v1.outcomes).not.toContain(ALLOCATED_BEYOND_EOF);
    // On 7.1 the type's check cannot be the last word even when present: a shrink after
    // ->alloc_folio() is caught only by core's install re-check.
    expect(v71.outcomes).toContain(ALLOCATED_BEYOND_EOF);
  });

  it("the window is reached, not reported: truncated first, the COPY allocates beyond EOF, stops before ->filemap_add(), then fails at install and leaves nothing cached", async () => {
    const { plan } = await planAt(`${FIX}/pagecache-no-eof-alloc.uffd.ts`, "linux-7.1");
    const p = programOf(plan, "copy_vs_truncate");
    const last = p.setup.pages - 1;
    const e = replaySchedule(p, { ...plan.opts, describeChanges: true }, ["truncator", "monitor", "monitor"]);
    const file = e.sim.primary.file!;
    // Shrunk to `last` pages, so page `last` is beyond EOF when alloc_folio allocates for it.
    expect(file.size).toBe(last);
    expect(e.trace[1]!.stop).toMatch(/after ->alloc_folio\(\).*before ->filemap_add\(\)/);
    expect(e.trace[2]!.stop).toMatch(/EFAULT/);
    expect(e.violations).toEqual([]);
    expect(file.cache[last]).toBe(-1);
    expect(e.sim.primary.pte[last]).toBe(0);
  });
});

describe("what R45 and R67 say", () => {
  it("R45 predicts what exploration shows (core's install re-check, no leak), cites it, and is a warning; R67 is the error for the check the type owns", () => {
    const r45 = findRule("R45")!;
    expect(r45.severity).toBe("warning");
    expect(r45.predicts).toMatch(/mfill_file_over_size\(\)/);
    expect(r45.predicts).toMatch(/nothing leaks/);
    expect(r45.predicts).not.toMatch(/the page leaks/);
    expect(r45.sources).toContain("mfillFileOverSize");
    const r67 = findRule("R67")!;
    expect(r67.severity).toBe("error");
    expect(r67.applies).not.toContain("linux-7.1+gmem");
  });
});

describe("the EOF check a type owns: its ->fault", () => {
  for (const api of TYPE_FAULT_GENS) {
    it(`${api}: a ->fault that raises MISSING before it checks i_size is found, with the schedule faulter → truncator → faulter`, async () => {
      const { plan } = await planAt(`${FIX}/pagecache-no-eof-fault.uffd.ts`, api);
      const r = exploreProgram(programOf(plan, "fill_vs_truncate"), plan.opts);
      const cx = r.counterexamples.find((c) => c.violation.property === "eof");
      expect(cx, JSON.stringify(r.counterexamples.map((c) => c.violation))).toBeDefined();
      expect(cx!.schedule).toEqual(["faulter", "truncator", "faulter"]);
      expect(cx!.violation.message).toMatch(/raised a userfault instead of SIGBUS/);
      // The same type with the check first explores clean.
      const good = await planAt(`${FIX}/pagecache-eof.uffd.ts`, api);
      expect(exploreProgram(programOf(good.plan, "fill_vs_truncate"), good.plan.opts).counterexamples).toEqual([]);
      // And R67 says so on the spec, before any exploration.
      expect((await planAt(`${FIX}/pagecache-no-eof-fault.uffd.ts`, api)).findings).toContain("R67:error");
      expect(good.findings.some((f) => f.startsWith("R67"))).toBe(false);
    });
  }
});
