import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { API_GENERATIONS } from "../../src/kernel/generations.js";
import { SOURCES } from "../../src/kernel/sources.js";
import { findRule, RULES, suggestRule } from "../../src/rules/index.js";
import { renderRulesMarkdown } from "../../src/rules/markdown.js";

describe("rule catalogue", () => {
  it("has every kernel rule R01–R41 of the dossier's table, once", () => {
    for (let i = 1; i <= 41; i++) {
      const id = `R${String(i).padStart(2, "0")}`;
      expect(findRule(id)?.kind, id).toBe("kernel");
    }
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("numbers the §5 review findings from R42, each citing its §5 item", () => {
    const review = RULES.filter((r) => r.kind === "review");
    expect(review.length).toBeGreaterThanOrEqual(8);
    for (const r of review) {
      expect(Number(r.id.slice(1)), r.id).toBeGreaterThanOrEqual(42);
      expect(r.checklist?.length, r.id).toBeGreaterThan(0);
      for (const n of r.checklist!) expect(n >= 1 && n <= 22, `${r.id} §5.${n}`).toBe(true);
    }
  });

  it("gives every entry sources that exist, generations that exist, a fix and a prediction", () => {
    for (const r of RULES) {
      for (const k of r.sources) expect(SOURCES[k], `${r.id} cites ${k}`).toBeDefined();
      if (r.kind !== "spec") expect(r.sources.length, r.id).toBeGreaterThan(0);
      for (const g of r.applies) expect(API_GENERATIONS).toContain(g);
      expect(r.fix.length, r.id).toBeGreaterThan(5);
      expect(r.predicts.length, r.id).toBeGreaterThan(5);
    }
  });

  it("has a check exactly for the judgeable kernel and review rules", () => {
    for (const r of RULES) {
      if (r.kind === "spec") continue;
      expect(Boolean(r.check), r.id).toBe(r.judgeable);
    }
  });

  it("finds rules case-insensitively and suggests near misses", () => {
    expect(findRule("r12")?.id).toBe("R12");
    expect(findRule("R99")).toBeUndefined();
    expect(suggestRule("R012")).toBe("R12");
    expect(suggestRule("S1")).toBe("S01");
  });

  it("docs/rules.md is the catalogue rendered (regenerate with src/rules/markdown.ts)", () => {
    const doc = readFileSync(new URL("../../docs/rules.md", import.meta.url), "utf8");
    expect(doc).toBe(renderRulesMarkdown());
  });
});
