/**
 * The type's own C beside its spec: `examples/x.uffd.ts` → `examples/x.uffd.c`.
 * It defines the functions the spec names that the type has (guard predicates,
 * allocator and lookup helpers, prepare and its undo, typeAdd's add,
 * accounting and recalc, unaccount, free hooks); the simulator compiles it with
 * the emitted callbacks and runs it. A function it does not define stays a
 * stand-in, and every report says so.
 */
import { existsSync, readFileSync } from "node:fs";
import type { CSource } from "../ir/c-source.js";

/** Where the type C of a spec is looked for. */
export function typeCPathOf(specFile: string): string {
  return specFile.replace(/\.(ts|js|mjs|json)$/, "") + ".c";
}

/** The type C beside the spec, when there is one. */
export function typeCBeside(specFile: string): CSource | undefined {
  const path = typeCPathOf(specFile);
  if (path === specFile || !existsSync(path)) return undefined;
  return { path, text: readFileSync(path, "utf8") };
}
