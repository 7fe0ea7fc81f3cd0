/**
 * src/, kmodel/ and templates/ cite public sources only: an upstream file or
 * function, a commit, a lore Message-ID or link, or a source key of
 * src/kernel/sources.ts that resolves to one. The project's private reference
 * notes (vm_uffd_ops.md, uffd-abi.md and its findings' old alias abi#N,
 * ecosystem.md) are not something a reader of the repository can open.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { SOURCES } from "../../src/kernel/sources.js";
import { referenceSuites } from "../../src/plan/reference/index.js";

const ROOT = join(import.meta.dirname, "../..");
const TREES = ["src", "kmodel", "templates"];
const PRIVATE_NOTE = /vm_uffd_ops\.md|uffd-abi\.md|ecosystem\.md|\babi#\d+\b|\bdossier\b/;

function walk(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((e) => walk(join(path, e)));
}

/** Lines citing a private note, as "file:line: text". */
export function privateNoteRefs(name: string, text: string): string[] {
  return text.split("\n").flatMap((l, i) => (PRIVATE_NOTE.test(l) ? [`${name}:${i + 1}: ${l.trim()}`] : []));
}

describe("no citation of the project's private reference notes", () => {
  it("the pattern finds each form (the check can fail)", () => {
    for (const line of ['["vm_uffd_ops.md §2.3"]', " * (uffd-abi.md finding 5)", '["abi#8"]', "(§1.7 of the dossier)", 'cite: "ecosystem.md §4.2"']) {
      expect(privateNoteRefs("x.ts", line), line).toHaveLength(1);
    }
    for (const line of ['["faultPath", "abi618WriteBack"]', " * struct vm_uffd_ops in include/linux/userfaultfd_k.h", "see vm_uffd_ops.c"]) {
      expect(privateNoteRefs("x.ts", line), line).toEqual([]);
    }
  });

  it("src, kmodel and templates", () => {
    const files = TREES.flatMap((t) => walk(join(ROOT, t)));
    expect(files.length).toBeGreaterThan(100);
    const hits = files.flatMap((f) => privateNoteRefs(relative(ROOT, f), readFileSync(f, "utf8")));
    expect(hits).toEqual([]);
  });

  it("no reference scenario's source names a section of a note; the abi618* keys resolve to kernel code", () => {
    const sources = referenceSuites().flatMap((suite) => suite.scenarios.flatMap((sc) => (sc.source ?? []).map((src) => `${suite.name}/${sc.name}: ${src}`)));
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.filter((s) => PRIVATE_NOTE.test(s) || s.includes("§"))).toEqual([]);
    const behaviours = Object.entries(SOURCES).filter(([k]) => /^abi618[A-Z]/.test(k));
    expect(behaviours.length).toBe(12);
    for (const [k, v] of behaviours) expect(v.cite, k).toMatch(/^(fs|mm|virt|include)\/[\w/.-]+\.[ch] |^vma_can_userfault\(\)/);
  });

  it("the committed out/ (what gen writes of the examples: scenarios, checklists, C, selftests) cites no note either", () => {
    const files = readdirSync(join(ROOT, "out")).flatMap((d) => walk(join(ROOT, "out", d)));
    expect(files.filter((f) => f.endsWith("/scenarios.json")).length).toBeGreaterThan(5);
    expect(files.flatMap((f) => privateNoteRefs(relative(ROOT, f), readFileSync(f, "utf8")))).toEqual([]);
  });
});
