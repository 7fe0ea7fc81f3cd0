/** Public API of uffdkit: what a spec file imports. */
export { defineMemoryType } from "./spec/define.js";
export type * from "./spec/types.js";
export type { ApiGenerationId } from "./kernel/generations.js";
