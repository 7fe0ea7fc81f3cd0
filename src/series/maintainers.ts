/**
 * Recipients from the tree's own scripts/get_maintainer.pl (measured:
 * works standalone in a git tree made from linux-source-6.12, 0.23 s). Optional:
 * a tree without the script, or a run that fails, only leaves a note.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export type MaintainersResult = { ok: true; recipients: string[]; note: string } | { ok: false; note: string };

export function getMaintainers(tree: string, patches: readonly string[]): MaintainersResult {
  const script = join(tree, "scripts", "get_maintainer.pl");
  if (!existsSync(script) || !existsSync(join(tree, "MAINTAINERS"))) {
    return { ok: false, note: "no Cc lines: the tree has no scripts/get_maintainer.pl and MAINTAINERS" };
  }
  if (patches.length === 0) return { ok: false, note: "no Cc lines: no patches to ask get_maintainer.pl about" };
  const r = spawnSync("perl", [script, "--no-rolestats", "--no-git", "--no-git-fallback", "--no-tree", ...patches], {
    cwd: tree,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split("\n")[0];
    return { ok: false, note: `no Cc lines: scripts/get_maintainer.pl failed (${why})` };
  }
  const recipients = [
    ...new Set(
      r.stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.includes("@")),
    ),
  ];
  return { ok: true, recipients, note: `Cc: ${recipients.length} recipients from scripts/get_maintainer.pl` };
}
