/**
 * The type's own C beside its spec: `examples/x.uffd.ts` → `examples/x.uffd.c`.
 * It defines the functions the spec names that the type has (guard predicates,
 * allocator and lookup helpers, prepare and its undo, typeAdd's add,
 * accounting and recalc, unaccount, free hooks); the simulator compiles it with
 * the emitted callbacks and runs it. A function it does not define stays a
 * stand-in, and every report says so.
 *
 * Every command opens the session, so the file is read the way the loader reads
 * a spec (readSourceFile: regular files only, non-blocking open, bounded size):
 * a directory, FIFO, device or unreadable file at that path is a load finding,
 * never a crash or a hang.
 */
import { lstatSync, statSync } from "node:fs";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { CSource } from "../ir/c-source.js";
import { MAX_TYPE_C_BYTES } from "./limits.js";
import { readSourceFile } from "./read.js";

/** Where the type C of a spec is looked for. */
export function typeCPathOf(specFile: string): string {
  return specFile.replace(/\.(ts|js|mjs|json)$/, "") + ".c";
}

export type TypeCBeside = { source: CSource } | { finding: Diagnostic } | undefined;

/** The type C beside the spec when there is one; a finding when something is there that cannot be read as one. */
export function typeCBeside(specFile: string, limit = MAX_TYPE_C_BYTES): TypeCBeside {
  const path = typeCPathOf(specFile);
  if (path === specFile || !present(path)) return undefined;
  const why = notARegularFile(path);
  if (why) return { finding: finding(path, why, `uffdkit reads ${path} as the type's own C; make it a regular C file, or move it away`) };
  const read = readSourceFile(path, limit);
  if (read.ok) return { source: { path, text: read.text } };
  const tooBig = read.why.includes("limit");
  const why2 = tooBig ? read.why.replace("limit for a spec", "limit for a type C file") : read.why;
  const hint = tooBig ? "the type's C holds its own helpers only (a few hundred lines); move the rest out" : `uffdkit reads ${path} as the type's own C; make it readable, or move it away`;
  return { finding: finding(path, why2, hint) };
}

/** Anything at the path, even a dangling symlink (which the read then refuses). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Judged by stat before any open: opening a FIFO or device is what must not happen. */
function notARegularFile(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return "it is a directory, not a C file";
    if (!st.isFile()) return "it is not a regular file (a device, FIFO or socket)";
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "it is a symbolic link to nothing";
    if (code === "EACCES") return "permission denied";
    return code ?? "unreadable";
  }
}

function finding(path: string, why: string, hint: string): Diagnostic {
  return { id: "LOAD", severity: "error", message: `cannot read the type C ${path}: ${why}`, span: { file: path, line: 1, column: 1, endLine: 1, endColumn: 1 }, hint };
}
