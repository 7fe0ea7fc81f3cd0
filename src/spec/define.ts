import type { MemoryTypeSpec } from "./types.js";

/**
 * Declare a memory type's userfaultfd support. The identity function exists for
 * the editor: it gives completion on every field and underlines unknown values.
 * `const` keeps literal types so a typo in `features` is a type error as you type.
 */
export function defineMemoryType<const T extends MemoryTypeSpec>(spec: T & Exact<T>): T {
  return spec;
}

/** Reject keys that MemoryTypeSpec does not know, so an editor underlines them. */
type Exact<T> = { [K in keyof T]: K extends keyof MemoryTypeSpec ? T[K] : never };
