/**
 * The compiler API the loader parses specs with: the TypeScript that ts-morph
 * bundles (@ts-morph/common/dist/typescript.js, the `ts` that ts-morph exports),
 * loaded with require() and without ts-morph's project layer.
 *
 * Why this way (bench/gen measures it): an ESM import of a CommonJS package makes
 * Node run its export lexer over ~9 MB of bundled compiler (~180 ms), and
 * ts-morph's own layer (Project, code-block-writer, file-system helpers) costs
 * another ~120 ms that parse-only loading never uses. The loader needs
 * createSourceFile, the node guards and transpileModule: the compiler itself.
 */
import { createRequire } from "node:module";
import type { ts as TsNamespace } from "ts-morph";

export const ts: typeof TsNamespace = createRequire(import.meta.url)("@ts-morph/common/dist/typescript.js") as typeof TsNamespace;
