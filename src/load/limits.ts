/**
 * Input limits of the loader: what a real spec needs, with room to spare, and
 * no more. A spec is a few hundred lines nesting five levels deep; anything far
 * past these is a mistake or an attack, and gets a finding instead of a stack
 * overflow, a hang or gigabytes of memory.
 */

/** Largest spec file read (bytes). The seed examples are 2–6 KiB. */
export const MAX_SPEC_BYTES = 256 * 1024;

/** Deepest bracket nesting in a spec or an imported constants file, checked before parsing. */
export const MAX_SOURCE_NESTING = 64;

/** Deepest value nesting after following consts (objects and arrays). */
export const MAX_VALUE_DEPTH = 32;

/** Longest chain of consts naming consts (`const a = b; const b = c; ...`) followed. */
export const MAX_CONST_CHAIN = 64;

/** Most sibling files a spec may import constants from, transitively. */
export const MAX_IMPORTED_FILES = 16;

/** Most findings of one kind reported for one spec before the rest are summarised. */
export const MAX_FINDINGS_PER_RULE = 50;

/** Largest scenario file `uffdkit sim` reads (bytes), and its deepest JSON nesting. */
export const MAX_SCENARIO_BYTES = 8 * 1024 * 1024;
export const MAX_SCENARIO_NESTING = 64;

/**
 * The first place where bracket nesting passes `limit`, as a character offset,
 * or undefined. Strings and comments are skipped (approximately: a regex literal
 * containing brackets may count), which is all a guard in front of a recursive
 * parser needs: it refuses what would overflow the stack, not what is merely odd.
 */
export function nestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27 || c === 0x60) {
      // "..." '...' `...`: skip to the closing quote, honouring backslash escapes.
      for (i++; i < n && text.charCodeAt(i) !== c; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? n : eol;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? n : close + 1;
    } else if (c === 0x28 || c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** Largest type C file read beside a spec (bytes). The example is about 1 KiB; a type's helpers are a few hundred lines. */
export const MAX_TYPE_C_BYTES = 1024 * 1024;
