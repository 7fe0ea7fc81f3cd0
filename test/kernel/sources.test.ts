/**
 * Kernel facts carry a source a reader can open. The settled fact behind R20 (a
 * type with vm_uffd_ops but no alloc_folio) is cited down to the file, lines and
 * commit of a public tree, not only by the hotfix's commit id.
 */
import { describe, expect, it } from "vitest";
import { SOURCES, type SourceRef } from "../../src/kernel/sources.js";
import { findRule } from "../../src/rules/index.js";
import { renderRulesMarkdown } from "../../src/rules/markdown.js";

describe("file-level citations", () => {
  const hotfix: SourceRef = SOURCES.hotfixUnsupported;

  it("the alloc_folio fact names the function, its lines, the repository and the full commit", () => {
    expect(hotfix.cite).toMatch(/df3ee3b3bbc3/);
    expect(hotfix.readAt).toMatch(/mm\/userfaultfd\.c lines \d+-\d+, __mfill_atomic_pte\(\)/);
    expect(hotfix.readAt).toMatch(/-EOPNOTSUPP/);
    expect(hotfix.readAt).toMatch(/https:\/\/github\.com\/[\w.-]+\/linux\/blob\/[0-9a-f]{40}\/mm\/userfaultfd\.c#L\d+-L\d+/);
  });

  it("R20 says where, and `explain`'s sources and docs/rules.md carry the place", () => {
    const r20 = findRule("R20")!;
    expect(r20.sources).toContain("hotfixUnsupported");
    expect(r20.predicts).toMatch(/mm\/userfaultfd\.c:\d+-\d+ at github\.com\/[\w.-]+\/linux [0-9a-f]{12}/);
    expect(renderRulesMarkdown()).toContain(`; read at: ${hotfix.readAt}`);
  });

  it("a readAt is only ever a public place: a repository URL at a full commit", () => {
    for (const [key, src] of Object.entries(SOURCES) as [string, SourceRef][]) {
      if (src.readAt === undefined) continue;
      expect(src.readAt, key).toMatch(/https:\/\/\S+\/[0-9a-f]{40}\//);
    }
  });
});
