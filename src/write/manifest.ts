/**
 * The manifest records what uffdkit last wrote into an output directory, by
 * content hash. A file whose hash no longer matches was edited by hand, and is
 * not overwritten without --force.
 */
import { createHash } from "node:crypto";

export const MANIFEST_NAME = ".uffdkit-manifest.json";
/** The manifest of a run in progress: written before the files, removed when the manifest is committed. */
export const PENDING_NAME = ".uffdkit-pending.json";
/** Held (O_EXCL) by the one gen writing the folder. */
export const LOCK_NAME = ".uffdkit-lock";

export interface Manifest {
  readonly generator: "uffdkit";
  /** Relative path → sha256 of the contents uffdkit wrote. */
  readonly files: Readonly<Record<string, string>>;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function parseManifest(text: string | undefined): Manifest | undefined {
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as Partial<Manifest>;
    if (m.generator !== "uffdkit" || typeof m.files !== "object" || m.files === null || Array.isArray(m.files)) return undefined;
    // The manifest is a file in the output folder, as hostile as any input: keep well-formed entries only.
    const files = Object.fromEntries(Object.entries(m.files).filter(([, h]) => typeof h === "string" && /^[0-9a-f]{64}$/.test(h)));
    return { generator: "uffdkit", files };
  } catch {
    return undefined;
  }
}

export function formatManifest(files: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ generator: "uffdkit", files: sorted }, null, 2) + "\n";
}
