/**
 * No emitted file cites a document a kernel reader cannot look up: uffdkit's
 * own notes (DESIGN.md, vm_uffd_ops.md, uffd-abi.md, ecosystem.md, ...) are
 * not in the kernel. Kernel files, commits and lore links are what the C, the
 * selftests and the patches cite (src/kernel/sources.ts).
 */
import { lower } from "../../src/lower/index.js";
import { readdirSync, readFileSync, rmSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateArtifacts } from "../../src/generate/index.js";
import { buildSeries } from "../../src/series/index.js";
import { open, openValue } from "../../src/session/index.js";
import { gmemModel, makeFixtureTree } from "../series/fixture.js";
import { outsideRepoRefs, pendingElsewhere } from "../repo/outside-refs.js";

const ROOT = join(import.meta.dirname, "../..");
const EXAMPLES = [
  ...readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".uffd.ts")).map((f) => join("examples", f)),
  ...readdirSync(join(ROOT, "examples/upstream")).filter((f) => f.endsWith(".uffd.ts")).map((f) => join("examples/upstream", f)),
];

/** A reference to a document outside the kernel tree. */
const OUTSIDE = /\b[\w.-]+\.md\b|\bDESIGN\b|\bdossier\b|shared\/reference|uffd-abi\b|\becosystem\b/;

/**
 * Lines citing a document outside the kernel tree, or anything outside the
 * repository (test/repo/outside-refs.ts: machine paths, local copies of
 * mailing-list messages, the work tracker's names and numbers).
 */
export function outsideRefs(name: string, text: string): string[] {
  const docs = text
    .split("\n")
    .map((l, i) => ({ l, i }))
    // Documentation/**/*.rst is in the kernel; a Markdown file is not.
    .filter(({ l }) => OUTSIDE.test(l))
    .map(({ l, i }) => `${name}:${i + 1}: ${l.trim()}`);
  return [...docs, ...outsideRepoRefs(name, text)];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

describe("emitted files cite only what is in the kernel", () => {
  it("the pattern finds a reference (the check can fail)", () => {
    expect(outsideRefs("x.c", "/* see vm_uffd_ops.md §2 */")).toHaveLength(1);
    expect(outsideRefs("x.c", " * Source: DESIGN.md")).toHaveLength(1);
    expect(outsideRefs("x.c", " * Source: Documentation/admin-guide/mm/userfaultfd.rst")).toEqual([]);
    expect(outsideRefs("x.c", " * the file and UFFDIO_CONTINUE (seed 001)")).toHaveLength(1);
    expect(outsideRefs("x.c", " *   missing (write() + UFFDIO_CONTINUE); seed 001_dc44d63e273ded28")).toHaveLength(1);
    expect(outsideRefs("x.c", " * checked since issue 21 (branch h4b-reach)")).not.toEqual([]);
    expect(outsideRefs("x.c", " *   https://lore.kernel.org/r/20250303133011.44095-1-kalyazin@amazon.com")).toEqual([]);
  });

  it.each(EXAMPLES)("%s: kernel C and selftests as gen makes them", async (spec) => {
    const g = (await open(join(ROOT, spec))).generation();
    expect(g.stops("kernel")).toEqual([]);
    const { files } = generateArtifacts(g);
    const emitted = files.filter((f) => /^(kernel|selftests)\//.test(f.path));
    expect(emitted.length).toBeGreaterThan(3);
    expect(emitted.flatMap((f) => outsideRefs(f.path, f.contents))).toEqual([]);
  });

  it("every committed file under out/*/kernel and out/*/selftests", () => {
    const files = readdirSync(join(ROOT, "out")).flatMap((d) => ["kernel", "selftests"].flatMap((sub) => {
      try {
        return walk(join(ROOT, "out", d, sub));
      } catch {
        return [];
      }
    }));
    expect(files.length).toBeGreaterThan(40);
    expect(files.flatMap((f) => outsideRefs(relative(ROOT, f), readFileSync(f, "utf8")))).toEqual([]);
  });

  it("every other committed file under out/ (checklist, scenarios, findings, TAP) names nothing outside the repository", () => {
    const files = readdirSync(join(ROOT, "out"))
      .flatMap((d) => walk(join(ROOT, "out", d)))
      .filter((f) => !/\/out\/[^/]+\/(kernel|selftests)\//.test(f));
    expect(files.length).toBeGreaterThan(40);
    const hits = files.flatMap((f) => outsideRepoRefs(relative(join(ROOT, "out"), f), readFileSync(f, "utf8")));
    expect(hits.filter((h) => !pendingElsewhere(h))).toEqual([]);
  });

  it("the series' patches and cover letter", async () => {
    const tree = makeFixtureTree();
    const out = mkdtempSync(join(tmpdir(), "uffdkit-refs-"));
    cleanup.push(tree, out);
    const model = gmemModel();
    const e = { emitted: openValue(model).generation() };
    const r = await buildSeries(lower(model), { tree, out: join(out, "series"), kernel: e.emitted.kernel, selftests: e.emitted.selftests, getMaintainer: false });
    if (!r.ok) throw new Error(`${r.error.message} (${r.error.hint})`);
    const patches = readdirSync(join(out, "series")).filter((f) => f.endsWith(".patch"));
    expect(patches.length).toBeGreaterThan(2);
    expect(patches.flatMap((p) => outsideRefs(p, readFileSync(join(out, "series", p), "utf8")))).toEqual([]);
  });
});
