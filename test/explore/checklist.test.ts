/**
 * The checklist takes C01's evidence from exploration: a conversion racing a
 * fill that maps a private page fails C01 with the schedule; a type whose
 * conversion programs explore exhaustively without violation passes it.
 */
import { describe, expect, it } from "vitest";
import { buildChecklist } from "../../src/report/checklist/index.js";
import { open } from "../../src/session/index.js";

async function c01(spec: string) {
  const g = (await open(spec)).generation();
  const explore = g.exploreEvidence;
  const item = buildChecklist(g.lowered, { explore }).items.find((i) => i.id === "C01");
  return { explore, item };
}

describe("C01 from interleaving exploration", () => {
  it("fails with the schedule when a conversion slips between the shared-ness check and the fill (gmem-v4-posted)", async () => {
    const { item } = await c01("examples/gmem-v4-posted.uffd.ts");
    const v = item!.verifiedBy.filter((x) => x.kind === "explore");
    expect(v.map((x) => x.by)).toEqual(["explore:fill_vs_conversion", "explore:fault_vs_conversion"]);
    expect(v.every((x) => x.result === "fail")).toBe(true);
    expect(v[0]!.detail).toMatch(/private: .*schedule: .*converter/);
    expect(item!.status).toBe("fail");
  });

  it("is not evidence for a type without the conversion programs", async () => {
    const { explore } = await c01("examples/shmem.uffd.ts");
    expect(explore.programs).toEqual([]);
  });
});
