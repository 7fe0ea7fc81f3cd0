/**
 * Committed files refer to nothing outside the repository: no path on the
 * authors' machine, no local copy of a mailing-list message (its lore link is
 * what a reader can open), no note or name of the project's work tracker. The
 * emitted files have their own, stricter check (test/emit/no-outside-docs.test.ts).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { outsideRepoRefs, pendingElsewhere } from "./outside-refs.js";

const ROOT = join(import.meta.dirname, "../..");
const TREES = ["src", "templates", "docs", "scripts", "examples", "bench", "README.md"];
const TEXT = /\.(ts|mts|mjs|js|json|md|c|h|sh|txt|tmpl|hbs|ejs|in)$|^[^.]+$/;

function walk(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((e) => (e === "node_modules" || e === ".git" || e === ".cache" || e === "dist" ? [] : walk(join(path, e))));
}

function committedTextFiles(): string[] {
  return TREES.flatMap((t) => walk(join(ROOT, t))).filter((f) => TEXT.test(f.split("/").pop() ?? ""));
}

describe("committed files cite only what a reader of the repository can open", () => {
  it("the patterns find each kind of outside reference (the check can fail)", () => {
    const bad = [
      "Facts: shared/reference/vm_uffd_ops.md §2",
      "asked for it in seed 001_dc44d63e273ded28.txt",
      "the race of seed 004",
      "see /work/coord/issues/19.md",
      "# ---- stage conform-vm (issue 22, branch h5-qemu)",
      "Issue 19 item 6: the selftests make the object",
      "appended to NOTES.md",
      "as helper H3 measured",
      "the lead merges it",
    ];
    for (const line of bad) expect(outsideRepoRefs("x.ts", line), line).not.toEqual([]);
    const good = [
      "Oliver Upton on KVM Userfault v3 04/15, https://lore.kernel.org/r/aFMWQ5_zMXGTCE98@linux.dev",
      "buf = uk_fill(&e, l, 0, seed, page);",
      "Keep tabs in the lead-in so the caret lines up",
      "Documentation/admin-guide/mm/userfaultfd.rst",
      "{ \"pattern\": \"page-index\", \"seed\": 7 }",
    ];
    for (const line of good) expect(outsideRepoRefs("x.ts", line), line).toEqual([]);
  });

  it("every Markdown file docs, scripts, examples, templates, bench and README.md name is one of the repository", () => {
    const mine = new Set(walk(ROOT).filter((f) => !f.includes("/.git/") && f.endsWith(".md")).map((f) => f.split("/").pop()));
    const named = committedTextFiles()
      .filter((f) => !relative(ROOT, f).startsWith("src/"))
      .flatMap((f) => readFileSync(f, "utf8").split("\n").flatMap((l, i) => [...l.matchAll(/\b([\w-]+\.md)\b/g)].map((m) => ({ at: `${relative(ROOT, f)}:${i + 1}`, md: m[1]! }))));
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !mine.has(n.md))).toEqual([]);
  });

  it("src, templates, docs, scripts, examples, bench and README.md", () => {
    const files = committedTextFiles();
    expect(files.length).toBeGreaterThan(200);
    const hits = files.flatMap((f) => outsideRepoRefs(relative(ROOT, f), readFileSync(f, "utf8")));
    expect(hits.filter((h) => !pendingElsewhere(h))).toEqual([]);
  });
});
