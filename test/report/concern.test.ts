/**
 * One verdict per concern. C01 (where shared-ness is checked)
 * and C15 (conversion designed for now) judge the same race; what exploration
 * finds about it counts for both, so neither is "verified" while the other's
 * exploration refutes it.
 */
import { lower } from "../../src/lower/index.js";
import { describe, expect, it } from "vitest";
import { buildChecklist, CHECKLIST_ITEMS } from "../../src/report/checklist/index.js";
import { open } from "../../src/session/index.js";
import { normalize } from "../../src/model/normalize.js";
import type { ExploreEvidence } from "../../src/ir/result.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";

const program = (checklist: string[], violated: boolean): ExploreEvidence["programs"][number] => ({
  name: "fill_vs_conversion",
  checklist,
  verdict: "exhaustive",
  schedules: 3,
  violations: violated ? [{ property: "private", message: "page 0 is private (converted) but a user PTE maps it", schedule: ["monitor", "converter", "monitor"] }] : [],
});
const status = (explore: ExploreEvidence, id: string) => buildChecklist(lower(normalize(GMEM_SPEC)), { explore }).items.find((i) => i.id === id)!;

describe("one verdict per concern", () => {
  it("C01 and C15 share the conversion-race concern", () => {
    const ids = CHECKLIST_ITEMS.filter((i) => i.concern === "conversion-race").map((i) => i.id);
    expect(ids).toEqual(["C01", "C15"]);
  });

  it("an exploration tagged C01 that finds the race fails C15 too, with the schedule", () => {
    const c15 = status({ programs: [program(["C01"], true)] }, "C15");
    expect(c15.status).toBe("fail");
    expect(c15.verifiedBy.find((v) => v.kind === "explore")?.detail).toMatch(/schedule: monitor → converter → monitor/);
  });

  it("an exhaustive exploration without violation verifies both", () => {
    const ev = { programs: [program(["C01"], false)] };
    expect(status(ev, "C01").status).toBe("pass");
    expect(status(ev, "C15").status).toBe("pass");
  });

  it("no item of the concern is verified while another item's evidence fails", () => {
    for (const tagged of [["C01"], ["C15"]]) {
      const ev = { programs: [program(tagged, true), { ...program(tagged, false), name: "other" }] };
      for (const id of ["C01", "C15"]) expect(status(ev, id).status, `${tagged} → ${id}`).toBe("fail");
    }
  });

  it("on the examples: gmem.uffd.ts verifies C01 and C15 by exploration; the posted v4 fails both", async () => {
    for (const [spec, want] of [["examples/gmem.uffd.ts", "pass"], ["examples/gmem-v4-posted.uffd.ts", "fail"]] as const) {
      const g = (await open(spec)).generation();
      const items = buildChecklist(g.lowered, { explore: g.exploreEvidence }).items;
      for (const id of ["C01", "C15"]) {
        const item = items.find((i) => i.id === id)!;
        expect(item.status, `${spec} ${id}`).toBe(want);
        const byExplore = item.verifiedBy.filter((v) => v.kind === "explore");
        expect(byExplore.map((v) => v.by), `${spec} ${id}`).toEqual(["explore:fill_vs_conversion", "explore:fault_vs_conversion"]);
        expect(byExplore.every((v) => v.result === want)).toBe(true);
      }
    }
  });
});
