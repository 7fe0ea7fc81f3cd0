import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/load/index.js";

const DIR = fileURLToPath(new URL("../../examples/", import.meta.url));
const examples = readdirSync(DIR).filter((f) => f.endsWith(".uffd.ts"));

describe("examples", () => {
  it("has the ten seed examples and xram, uffdkit's own driver", () => {
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
    it(`${f}: a literal spec that names its seed and imports defineMemoryType from "uffdkit"`, async () => {
      const text = readFileSync(DIR + f, "utf8");
      // A seed thread it is taken from, or uffdkit's own driver (test/series/xram/) it describes.
      expect(text).toMatch(/^\/\*\*[\s\S]*?(seed 00\d_[0-9a-f]{16}\.txt|the driver is uffdkit's own)[\s\S]*?\*\//);
      expect(text).toContain('import { defineMemoryType } from "uffdkit";');
      const r = await loadSpec(DIR + f);
      expect(r.evaluation).toBe("static");
      expect(r.diagnostics).toEqual([]);
    });
  }
});
