/**
 * Decide what writing a set of generated files into a directory would do,
 * without touching the disk: the pure half of the writer, so `--check` and the
 * real write share one decision.
 */
import { isAbsolute, normalize, sep } from "node:path";
import type { Manifest } from "./manifest.js";
import { sha256 } from "./manifest.js";

export interface GeneratedFile {
  readonly path: string;
  readonly contents: string;
}

export type WriteAction =
  | { readonly kind: "create"; readonly path: string }
  | { readonly kind: "update"; readonly path: string }
  | { readonly kind: "unchanged"; readonly path: string }
  /** The file differs from what uffdkit last wrote: a person edited it. */
  | { readonly kind: "edited"; readonly path: string; readonly why: string }
  /** Generated before, not any more, and untouched since: safe to delete. */
  | { readonly kind: "remove"; readonly path: string };

export interface DiskView {
  /** Current contents of a relative path, or undefined if absent. */
  read(path: string): string | undefined;
}

/** A generated path must stay inside the output directory. */
export function isSafeRelativePath(p: string): boolean {
  if (p === "" || isAbsolute(p)) return false;
  const n = normalize(p);
  return !(n === ".." || n.startsWith(`..${sep}`) || n.split(sep).includes(".."));
}

export function planWrites(files: readonly GeneratedFile[], disk: DiskView, manifest: Manifest | undefined, force: boolean): WriteAction[] {
  const actions: WriteAction[] = [];
  const generated = new Set<string>();
  for (const f of files) {
    if (!isSafeRelativePath(f.path)) throw new Error(`refusing to write outside the output directory: ${f.path}`);
    generated.add(f.path);
    const current = disk.read(f.path);
    if (current === undefined) {
      actions.push({ kind: "create", path: f.path });
      continue;
    }
    if (current === f.contents) {
      actions.push({ kind: "unchanged", path: f.path });
      continue;
    }
    const recorded = manifest?.files[f.path];
    const editedByHand = recorded === undefined ? true : recorded !== sha256(current);
    if (editedByHand && !force) {
      actions.push({
        kind: "edited",
        path: f.path,
        why: recorded === undefined ? "it exists but uffdkit did not write it" : "it was changed after uffdkit wrote it",
      });
    } else {
      actions.push({ kind: "update", path: f.path });
    }
  }
  for (const [path, hash] of Object.entries(manifest?.files ?? {})) {
    if (generated.has(path) || !isSafeRelativePath(path)) continue;
    const current = disk.read(path);
    if (current !== undefined && sha256(current) === hash) actions.push({ kind: "remove", path });
  }
  return actions;
}
