/**
 * The manifest records what uffdkit last wrote into an output directory, by
 * content hash. A file whose hash no longer matches was edited by hand, and is
 * not overwritten without --force.
 */
import { createHash } from "node:crypto";

export const MANIFEST_NAME = ".uffdkit-manifest.json";

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
    if (m.generator !== "uffdkit" || typeof m.files !== "object" || m.files === null) return undefined;
    return { generator: "uffdkit", files: m.files };
  } catch {
    return undefined;
  }
}

export function formatManifest(files: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ generator: "uffdkit", files: sorted }, null, 2) + "\n";
}
