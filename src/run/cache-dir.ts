/**
 * Where uffdkit keeps what it builds and may reuse (compiled wasm modules,
 * selftest binaries, probes): in a checkout of the repository, its .cache/;
 * in an installed package (node_modules may be read-only, and is not the
 * user's), the user's cache folder: $XDG_CACHE_HOME/uffdkit, ~/.cache/uffdkit,
 * or ~/Library/Caches/uffdkit on macOS.
 */
import { existsSync } from "node:fs";
import { homedir, platform } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../emit/template-store.js";

export function userCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || (platform() === "darwin" ? join(homedir(), "Library", "Caches") : join(homedir(), ".cache"));
  return join(base, "uffdkit");
}

/** The cache folder `sub` (e.g. "cwasm") for this copy of uffdkit. */
export function cacheDir(sub: string, root = packageRoot()): string {
  return existsSync(join(root, ".git")) ? join(root, ".cache", sub) : join(userCacheDir(), sub);
}
