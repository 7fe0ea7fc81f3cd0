/**
 * checkpatch comes from the user's kernel tree: the tree's own
 * scripts/checkpatch.pl, with uffdkit's flags; Debian's linux-source-6.12
 * only when the tree has none, and the result says which ran.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpatch } from "../../src/series/checkpatch.js";

const work = mkdtempSync(join(tmpdir(), "uffdkit-cp-tree-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("checkpatch of the user's tree", () => {
  it("runs the tree's scripts/checkpatch.pl with --strict --no-tree --terse --show-types and reads its findings", () => {
    const tree = join(work, "linux");
    mkdirSync(join(tree, "scripts"), { recursive: true });
    // A stand-in checkpatch.pl that echoes its flags as one finding per flag, then the patch's name.
    writeFileSync(join(tree, "scripts", "checkpatch.pl"), 'for my $a (@ARGV) { print "x.patch:1: CHECK:FLAG: $a\\n"; }\nexit 1;\n');
    const patch = join(work, "0001.patch");
    writeFileSync(patch, "");
    const r = runCheckpatch([patch], undefined, tree);
    expect(r.available).toBe(true);
    if (!r.available) return;
    expect(r.script).toBe(join(tree, "scripts", "checkpatch.pl"));
    expect(r.findings.map((f) => f.message)).toEqual(["--strict", "--no-tree", "--terse", "--show-types", patch]);
  });

  it("a tree without checkpatch.pl: Debian's, and the result names it as a stand-in for the tree's", () => {
    const bare = join(work, "bare");
    mkdirSync(bare);
    const patch = join(work, "0002.patch");
    writeFileSync(patch, "");
    const r = runCheckpatch([patch], undefined, bare);
    // Debian's tree is installed where the project's tests run (scripts/setup.sh).
    expect(r.available, r.available ? "" : r.reason).toBe(true);
    if (r.available) expect(r.script).toBe(`checkpatch.pl of Debian's linux-source-6.12 (${bare} has no scripts/checkpatch.pl)`);
  });
});
