/**
 * Where uffdkit's own files are (templates/, dist/, scripts/): found from this
 * module, in src/ and dist/ alike. The loader needs it for the type-check, the
 * emitter for its templates: it lives at the earliest stage that uses it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: the nearest ancestor with uffdkit's package.json (works from src/ and dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "uffdkit") return dir;
      } catch {
        /* not ours; keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("uffdkit: cannot find the package root (package.json) to locate templates/");
    dir = up;
  }
}
