/**
 * The CLI suites run bin/uffdkit.js, which runs dist/. Build it when a source
 * is newer than the build, and only then: several suites rebuilding dist/ in
 * place while others spawn the CLI is a race (a half-written dist/ file).
 * Suites that find it stale at the same time build one after the other under
 * one lock (flock(1)), and each looks again once it holds the lock, so only
 * the first one builds.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function fresh(root: string): boolean {
  const main = join(root, "dist/cli/main.js");
  return existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(root, "src"));
}

/** The same freshness test, as a node one-liner that runs under the lock (exit 0: fresh). */
const FRESH_JS = `
const { existsSync, readdirSync, statSync } = require("fs");
const newest = (d) => readdirSync(d, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(d + "/" + e.name) : statSync(d + "/" + e.name).mtimeMs), 0);
process.exit(existsSync("dist/cli/main.js") && statSync("dist/cli/main.js").mtimeMs >= newest("src") ? 0 : 1);`;

export function ensureBuiltCli(root: string): void {
  if (fresh(root)) return;
  mkdirSync(join(root, ".cache"), { recursive: true });
  const script = `node -e '${FRESH_JS}' || npx tsc -p tsconfig.build.json`;
  const b = spawnSync("flock", [join(root, ".cache/dist-build.lock"), "sh", "-c", script], { cwd: root, encoding: "utf8" });
  if (!fresh(root)) throw new Error(`build failed:\n${b.stdout ?? ""}${b.stderr ?? ""}${b.error ? String(b.error) : ""}`);
}
