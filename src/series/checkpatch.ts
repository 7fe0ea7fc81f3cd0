/**
 * Running scripts/checkpatch.sh on the series and reading its terse output:
 * `<file>:<line>: ERROR|WARNING|CHECK:<TYPE>: <message>` per finding
 * (checkpatch.pl --strict --terse --show-types). FILE_PATH_CHANGES ("does MAINTAINERS need updating?") is
 * expected for every patch that adds a file and is reported apart.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface CheckpatchFinding {
  readonly file: string;
  readonly line: number;
  readonly level: "ERROR" | "WARNING" | "CHECK";
  readonly type: string;
  readonly message: string;
}

export type CheckpatchResult =
  | { available: true; findings: CheckpatchFinding[]; errors: number; warnings: number; checks: number; expectedNotices: number; raw: string; script: string }
  | { available: false; reason: string };

const SCRIPT = fileURLToPath(new URL("../../scripts/checkpatch.sh", import.meta.url));

/** Notices every new-file patch gets; not a defect of the patch. */
export const EXPECTED_TYPES = new Set(["FILE_PATH_CHANGES"]);

export function parseCheckpatch(out: string): CheckpatchFinding[] {
  const findings: CheckpatchFinding[] = [];
  for (const l of out.split("\n")) {
    const m = /^(.*?):(\d+): (ERROR|WARNING|CHECK):([A-Z0-9_]+): (.*)$/.exec(l);
    if (m) findings.push({ file: m[1]!, line: Number(m[2]), level: m[3] as CheckpatchFinding["level"], type: m[4]!, message: m[5]! });
  }
  return findings;
}

/**
 * checkpatch on the patches. With `tree` (the user's kernel tree, as `series`
 * passes it), that tree's own scripts/checkpatch.pl: the rules of the kernel
 * the series is for. Without one, or when the tree has none, `script`
 * (scripts/checkpatch.sh: Debian's linux-source-6.12, for uffdkit's own tests
 * and demo), and the result says so.
 */
export function runCheckpatch(patches: readonly string[], script = SCRIPT, tree?: string): CheckpatchResult {
  const own = tree ? join(tree, "scripts", "checkpatch.pl") : undefined;
  if (own && existsSync(own)) return readResult(spawnSync("perl", [own, ...FLAGS, ...patches], { encoding: "utf8" }), own);
  const r = spawnSync("bash", [script, ...patches], { encoding: "utf8" });
  return readResult(r, tree ? `checkpatch.pl of Debian's linux-source-6.12 (${tree} has no scripts/checkpatch.pl)` : "checkpatch.pl of Debian's linux-source-6.12");
}

/** The flags uffdkit checks its series with (the same as scripts/checkpatch.sh's). */
const FLAGS = ["--strict", "--no-tree", "--terse", "--show-types"];

function readResult(r: SpawnSyncReturns<string>, script: string): CheckpatchResult {
  if (r.status === 3 || r.error) return { available: false, reason: (r.stderr || r.error?.message || "checkpatch unavailable").trim() };
  const raw = `${r.stdout}${r.stderr}`;
  const findings = parseCheckpatch(raw);
  const real = findings.filter((f) => !EXPECTED_TYPES.has(f.type));
  return {
    available: true,
    findings,
    errors: real.filter((f) => f.level === "ERROR").length,
    warnings: real.filter((f) => f.level === "WARNING").length,
    checks: real.filter((f) => f.level === "CHECK").length,
    expectedNotices: findings.length - real.length,
    raw,
    script,
  };
}

export function checkpatchSummary(r: CheckpatchResult): string {
  if (!r.available) return `not run (${r.reason})`;
  return `${r.errors} errors, ${r.warnings} warnings, ${r.checks} checks` + (r.expectedNotices ? ` (plus ${r.expectedNotices} MAINTAINERS notice${r.expectedNotices > 1 ? "s" : ""} for new files)` : "");
}
