/**
 * Write generated files into an output directory: atomically (temp file and
 * rename in the same directory), never outside it, never over a hand edit
 * unless forced, and not at all in --check mode.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { formatManifest, MANIFEST_NAME, parseManifest, sha256 } from "./manifest.js";
import { planWrites, type GeneratedFile, type WriteAction } from "./plan-writes.js";

export interface WriteReport {
  readonly outDir: string;
  readonly actions: readonly WriteAction[];
  /** Files that would change (check mode) or did change. */
  readonly stale: readonly string[];
  /** Hand-edited files left alone; non-empty means the write did not complete. */
  readonly refused: readonly { path: string; why: string }[];
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function atomicWrite(path: string, contents: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.uffdkit-tmp-${process.pid}`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

export function writeOutput(outDir: string, files: readonly GeneratedFile[], opts: { check: boolean; force: boolean }): WriteReport {
  const root = resolve(outDir);
  const manifest = parseManifest(readIfExists(join(root, MANIFEST_NAME)));
  const actions = planWrites(files, { read: (p) => readIfExists(join(root, p)) }, manifest, opts.force);
  const stale = actions.filter((a) => a.kind === "create" || a.kind === "update" || a.kind === "remove").map((a) => a.path);
  const refused = actions.flatMap((a) => (a.kind === "edited" ? [{ path: a.path, why: a.why }] : []));
  if (opts.check || refused.length > 0) return { outDir: root, actions, stale, refused };

  const hashes: Record<string, string> = {};
  for (const f of files) {
    const a = actions.find((x) => x.path === f.path);
    if (a?.kind === "create" || a?.kind === "update") atomicWrite(join(root, f.path), f.contents);
    hashes[f.path] = sha256(f.contents);
  }
  for (const a of actions) if (a.kind === "remove") rmSync(join(root, a.path), { force: true });
  atomicWrite(join(root, MANIFEST_NAME), formatManifest(hashes));
  return { outDir: root, actions, stale, refused };
}
