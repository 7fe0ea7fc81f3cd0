/**
 * The CLI suites run bin/uffdkit.js, which runs dist/. Build it when a source
 * is newer than the build, and only then: several suites rebuilding dist/ in
 * place while others spawn the CLI is a race (a half-written dist/ file).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureBuiltCli(root: string): void {
  const main = join(root, "dist/cli/main.js");
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(root, "src"))) return;
  const b = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (!existsSync(main)) throw new Error(`build failed:\n${b.stdout}${b.stderr}`);
}
