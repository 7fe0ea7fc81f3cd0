/**
 * Kernel git trees for the series tests: one made from Debian's
 * linux-source-6.12 by scripts/kernel-git-tree.sh (cached in .cache/, shared by
 * the test files; buildSeries only adds branches, which the tests delete), and
 * a branch of it with uffdkit's own small page-cache driver added, as a
 * developer would bring a new memory type.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sh } from "./fixture.js";

export const ROOT = join(import.meta.dirname, "..", "..");

/** The cached git tree (made on first use: about a minute). Throws with the fix when the source is missing. */
export function kernelGitTree(): string {
  const dest = join(ROOT, ".cache", "ktree-6.12");
  try {
    return execFileSync("bash", [join(ROOT, "scripts/kernel-git-tree.sh"), dest], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (e) {
    const err = e as { stderr?: string };
    throw new Error(`cannot make the linux-source-6.12 git tree (run scripts/setup.sh): ${err.stderr ?? String(e)}`);
  }
}

export const XRAM_BRANCH = "uffdkit-test/xram-base";

/**
 * A branch with drivers/char/xram.c, its Kconfig entry and Makefile line
 * committed on the tree's master (made with plumbing: the work tree is not
 * touched). Returns the branch name.
 */
export function withXramDriver(repo: string): string {
  if (sh(repo, "git", ["branch", "--list", XRAM_BRANCH]).trim() !== "") return XRAM_BRANCH;
  const dir = join(ROOT, "test/series/xram");
  const base = sh(repo, "git", ["rev-parse", "master"]).trim();
  const show = (p: string) => sh(repo, "git", ["show", `${base}:${p}`]);
  const kconfig = show("drivers/char/Kconfig");
  const endmenu = kconfig.lastIndexOf("\nendmenu");
  const files = new Map<string, string>([
    ["drivers/char/xram.c", readFileSync(join(dir, "xram.c"), "utf8")],
    ["drivers/char/Kconfig", kconfig.slice(0, endmenu) + readFileSync(join(dir, "Kconfig.entry"), "utf8").replace(/\n$/, "") + kconfig.slice(endmenu)],
    ["drivers/char/Makefile", show("drivers/char/Makefile").replace(/\n*$/, "\n") + "obj-$(CONFIG_XRAM)\t\t+= xram.o\n"],
  ]);
  const env = { GIT_INDEX_FILE: join(repo, ".git", `uffdkit-test-index-${process.pid}`) };
  sh(repo, "git", ["read-tree", base], env);
  for (const [path, contents] of files) {
    const blob = execFileSync("git", ["-C", repo, "hash-object", "-w", "--stdin"], { input: contents, encoding: "utf8" }).trim();
    sh(repo, "git", ["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], env);
  }
  const tree = sh(repo, "git", ["write-tree"], env).trim();
  const commit = execFileSync("git", ["-C", repo, "commit-tree", tree, "-p", base, "-m", "char: add xram, a RAM device backed by the page cache"], {
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "uffdkit", GIT_AUTHOR_EMAIL: "uffdkit@localhost", GIT_COMMITTER_NAME: "uffdkit", GIT_COMMITTER_EMAIL: "uffdkit@localhost" },
  }).trim();
  try {
    sh(repo, "git", ["branch", XRAM_BRANCH, commit]);
  } catch (e) {
    // Another test file made it at the same time: fine if it is there now.
    if (sh(repo, "git", ["branch", "--list", XRAM_BRANCH]).trim() === "") throw e;
  }
  return XRAM_BRANCH;
}
