/**
 * C identifiers moved to src/kernel/cident.ts (the loader checks them too, and
 * load may not import emit). This re-export keeps parallel branches building.
 */
export * from "../kernel/cident.js";
