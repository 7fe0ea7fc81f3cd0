import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/load/index.js";

const DIR = fileURLToPath(new URL("../../examples/", import.meta.url));
const examples = readdirSync(DIR).filter((f) => f.endsWith(".uffd.ts"));

describe("examples", () => {
  it("has the ten mailing-list examples and xram, uffdkit's own driver", () => {
    expect(examples.sort()).toEqual([
      "gmem-minor.uffd.ts",
      "gmem-missing-minor.uffd.ts",
      "gmem-nodirectmap.uffd.ts",
      "gmem-v4-posted.uffd.ts",
      "gmem-write-continue.uffd.ts",
      "gmem.uffd.ts",
      "hugetlbfs.uffd.ts",
      "kvm-userfault-acquire.uffd.ts",
      "kvm-userfault-v3.uffd.ts",
      "shmem.uffd.ts",
      "xram.uffd.ts",
    ]);
  });

  for (const f of examples) {
    it(`${f}: a literal spec that cites its public source and imports defineMemoryType from "uffdkit"`, async () => {
      const text = readFileSync(DIR + f, "utf8");
      // The mailing-list thread it is taken from (a public lore/lkml link), or uffdkit's own driver (test/series/xram/) it describes.
      expect(text).toMatch(/^\/\*\*[\s\S]*?(https:\/\/(lore\.kernel\.org|lkml\.iu\.edu)\/\S+|the driver is uffdkit's own)[\s\S]*?\*\//);
      expect(text).toContain('import { defineMemoryType } from "uffdkit";');
      const r = await loadSpec(DIR + f);
      expect(r.evaluation).toBe("static");
      expect(r.diagnostics).toEqual([]);
    });
  }
});
