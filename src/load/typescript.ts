/**
 * The compiler API, from ts-morph's bundled TypeScript, loaded with require().
 *
 * Why not `import { ts } from "ts-morph"`: an ESM import of a CommonJS package
 * makes Node run its export lexer over the package and what it re-exports,
 * ~9 MB of bundled compiler, which measured ~180 ms of every cold `uffdkit gen`
 * (bench/gen). require() skips that pass. Types come from a type-only import.
 */
import { createRequire } from "node:module";
import type { ts as TsNamespace } from "ts-morph";

export const ts: typeof TsNamespace = (createRequire(import.meta.url)("ts-morph") as { ts: typeof TsNamespace }).ts;
