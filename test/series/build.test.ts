/**
 * The per-patch build (src/series/build) on a git tree made from
 * linux-source-6.12 with uffdkit's xram driver added, as a module. Four
 * hand-written patches, each with one known defect and then a good one, show
 * that the build check fails for each defect for the right reason and passes
 * the good code: an unexported symbol (only modpost can see it), a prototype
 * of 6.12 where the generation's tree has another (the API header's), and a
 * definition after its use.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";
import type { KernelFragments } from "../../src/emit/kernel/artifacts.js";
import { buildSeriesPatches, describeFailures, type BuildReport } from "../../src/series/build/index.js";
import { loadCParser } from "../../src/series/c-syntax.js";
import { spliceExport, spliceTypeFile } from "../../src/series/splice.js";
import { sh } from "./fixture.js";
import { kernelGitTree, withXramDriver } from "./ktree.js";

const parser = await loadCParser();

const GOOD_HELPERS = `static bool xram_uffd_can_userfault(struct vm_area_struct *vma,
				    vm_flags_t vm_flags)
{
	return true;
}

static struct folio *xram_uffd_get_folio_noalloc(struct inode *inode,
						 pgoff_t pgoff)
{
	return filemap_lock_folio(inode->i_mapping, pgoff);
}

static struct folio *xram_uffd_alloc_folio(struct vm_area_struct *vma,
					   unsigned long addr)
{
	return filemap_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, NULL);
}
`;

const OPS_STRUCT = `static const struct vm_uffd_ops xram_uffd_ops = {
	.can_userfault		= xram_uffd_can_userfault,
	.get_folio_noalloc	= xram_uffd_get_folio_noalloc,
	.alloc_folio		= xram_uffd_alloc_folio,
};
`;

function fragments(ops: string): KernelFragments {
  return {
    includes: ["#include <linux/userfaultfd_k.h>"],
    ops: `#ifdef CONFIG_USERFAULTFD\n${ops}#endif /* CONFIG_USERFAULTFD */\n`,
    hook: "#ifdef CONFIG_USERFAULTFD\n\t.uffd_ops\t= &xram_uffd_ops,\n#endif",
    exports: [],
  };
}

/** The four versions of drivers/char/xram.c, one per patch. */
const VERSIONS: [string, string][] = [
  // filemap_get_entry() is not exported: it links built in, modpost refuses the module.
  ["unexported", GOOD_HELPERS.replace("\treturn filemap_lock_folio(inode->i_mapping, pgoff);", "\treturn filemap_get_entry(inode->i_mapping, pgoff);") + "\n" + OPS_STRUCT],
  // 6.12's two-argument filemap_alloc_folio(); linux-7.1's tree takes a mempolicy too.
  ["prototype", GOOD_HELPERS.replace("filemap_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, NULL)", "filemap_alloc_folio(GFP_HIGHUSER_MOVABLE, 0)") + "\n" + OPS_STRUCT],
  // The ops struct before the function it points at, with no prototype.
  ["after-use", GOOD_HELPERS.replace(/static struct folio \*xram_uffd_alloc_folio[\s\S]*$/, "") + "\n" + OPS_STRUCT + "\n" + GOOD_HELPERS.slice(GOOD_HELPERS.indexOf("static struct folio *xram_uffd_alloc_folio"))],
  ["good", GOOD_HELPERS + "\n" + OPS_STRUCT],
];

/** A helper that needs filemap_remove_folio(), which 6.12 does not export: patches 5 and 6 export it. */
const REMOVE_HELPER = `static void xram_uffd_filemap_remove(struct folio *folio,
				     struct vm_area_struct *vma)
{
	filemap_remove_folio(folio);
	folio_unlock(folio);
}
`;
const WITH_REMOVE = GOOD_HELPERS + "\n" + REMOVE_HELPER + "\n" + OPS_STRUCT.replace("};", "\t.filemap_remove\t\t= xram_uffd_filemap_remove,\n};");

let repo = "";
let report: BuildReport;

/** Commit each version of xram.c in turn on the xram branch (plumbing only); returns the commits. */
function commitVersions(base: string): { sha: string; subject: string }[] {
  const baseSha = sh(repo, "git", ["rev-parse", base]).trim();
  const original = sh(repo, "git", ["show", `${baseSha}:drivers/char/xram.c`]);
  const env = { GIT_INDEX_FILE: join(repo, ".git", "uffdkit-build-test-index") };
  const ident = { GIT_AUTHOR_NAME: "uffdkit", GIT_AUTHOR_EMAIL: "uffdkit@localhost", GIT_COMMITTER_NAME: "uffdkit", GIT_COMMITTER_EMAIL: "uffdkit@localhost" };
  sh(repo, "git", ["read-tree", baseSha], env);
  let parent = baseSha;
  return VERSIONS.map(([name, ops]) => {
    const spliced = spliceTypeFile(parser, "drivers/char/xram.c", original, "xram_vm_ops", fragments(ops));
    if (!spliced.ok) throw new Error(spliced.error.message);
    const blob = execFileSync("git", ["-C", repo, "hash-object", "-w", "--stdin"], { input: spliced.text, encoding: "utf8" }).trim();
    sh(repo, "git", ["update-index", "--cacheinfo", `100644,${blob},drivers/char/xram.c`], env);
    const tree = sh(repo, "git", ["write-tree"], env).trim();
    parent = sh(repo, "git", ["commit-tree", tree, "-p", parent, "-m", `xram: ${name}`], ident).trim();
    return { sha: parent, subject: `xram: ${name}` };
  });
}

/** Patches 5 and 6: filemap_remove_folio() exported to "kvm" (wrong module), then to "xram". */
function commitExports(parent: string): { sha: string; subject: string }[] {
  const original = sh(repo, "git", ["show", `${parent}:drivers/char/xram.c`]);
  const xram = spliceTypeFile(parser, "drivers/char/xram.c", sh(repo, "git", ["show", `${parent}~4:drivers/char/xram.c`]), "xram_vm_ops", fragments(WITH_REMOVE));
  if (!xram.ok) throw new Error(xram.error.message);
  expect(original).not.toBe(xram.text);
  const filemap = sh(repo, "git", ["show", `${parent}:mm/filemap.c`]);
  const env = { GIT_INDEX_FILE: join(repo, ".git", "uffdkit-build-test-index") };
  const ident = { GIT_AUTHOR_NAME: "uffdkit", GIT_AUTHOR_EMAIL: "uffdkit@localhost", GIT_COMMITTER_NAME: "uffdkit", GIT_COMMITTER_EMAIL: "uffdkit@localhost" };
  const out: { sha: string; subject: string }[] = [];
  for (const mod of ["kvm", "xram"]) {
    const exported = spliceExport(parser, "mm/filemap.c", filemap, "filemap_remove_folio", `EXPORT_SYMBOL_FOR_MODULES(filemap_remove_folio, "${mod}");`);
    if (!exported.ok) throw new Error(exported.error.message);
    for (const [path, text] of [["drivers/char/xram.c", xram.text], ["mm/filemap.c", exported.text]] as const) {
      const blob = execFileSync("git", ["-C", repo, "hash-object", "-w", "--stdin"], { input: text, encoding: "utf8" }).trim();
      sh(repo, "git", ["update-index", "--cacheinfo", `100644,${blob},${path}`], env);
    }
    const tree = sh(repo, "git", ["write-tree"], env).trim();
    parent = sh(repo, "git", ["commit-tree", tree, "-p", parent, "-m", `xram: export to ${mod}`], ident).trim();
    out.push({ sha: parent, subject: `xram: export to ${mod}` });
  }
  return out;
}

describe("series build check on linux-source-6.12 + xram (module)", () => {
  beforeAll(async () => {
    repo = kernelGitTree();
    const base = withXramDriver(repo);
    const versions = commitVersions(base);
    const patches = [...versions, ...commitExports(versions.at(-1)!.sha)];
    report = await buildSeriesPatches({
      tree: repo,
      baseSha: sh(repo, "git", ["rev-parse", base]).trim(),
      patches,
      typeFile: "drivers/char/xram.c",
      api: "linux-7.1",
      modular: true,
      parser,
    });
  }, BUILD_TIMEOUT);

  const step = (patch: number, config: string) => report.steps.find((s) => s.patch === patch && s.config === config)!;

  it("builds every patch in all three configurations, on the stand-in for the prerequisite", () => {
    expect(report.unavailable).toBeUndefined();
    expect(report.standIn).toBe(true);
    for (let p = 1; p <= 6; p++) expect(["builtin", "module", "nouffd"].map((c) => step(p, c)?.config)).toEqual(["builtin", "module", "nouffd"]);
  });

  it("an unexported symbol fails modpost in the module build only", () => {
    expect(step(1, "builtin").ok).toBe(true);
    expect(step(1, "nouffd").ok).toBe(true);
    const m = step(1, "module");
    expect(m.ok).toBe(false);
    expect(m.problems.map((p) => p.raw).join("\n")).toMatch(/"filemap_get_entry" \[drivers\/char\/xram\.ko\] undefined/);
  });

  it("6.12's prototype where the generation's tree has another fails to compile", () => {
    const b = step(2, "builtin");
    expect(b.ok).toBe(false);
    expect(b.problems.some((p) => p.level === "error" && /too few arguments/.test(p.message))).toBe(true);
  });

  it("a definition after its use fails to compile, naming the file and line", () => {
    const b = step(3, "builtin");
    expect(b.ok).toBe(false);
    const p = b.problems.find((x) => /xram_uffd_alloc_folio/.test(x.message));
    expect(p?.file).toBe("drivers/char/xram.c");
    expect(p?.line).toBeGreaterThan(0);
    expect(describeFailures(report).join("\n")).toMatch(/patch 3 "xram: after-use" \[builtin, W=1\]: drivers\/char\/xram\.c:\d+:\d+: error: /);
  });

  it("the good version builds with 0 errors and 0 warnings everywhere, modpost included", () => {
    for (const c of ["builtin", "module", "nouffd"]) expect(step(4, c), `${c}: ${step(4, c).log ?? ""}`).toMatchObject({ ok: true, problems: [] });
  });

  it("an export restricted to another module fails modpost; exported to the type's own module, it links", () => {
    const wrong = step(5, "module");
    expect(wrong.ok).toBe(false);
    expect(wrong.problems.map((p) => p.raw).join("\n")).toMatch(/xram uses symbol filemap_remove_folio from namespace module:kvm/);
    expect(step(5, "builtin").ok).toBe(true);
    for (const c of ["builtin", "module", "nouffd"]) expect(step(6, c), `${c}: ${step(6, c).log ?? ""}`).toMatchObject({ ok: true, problems: [] });
  });
});
