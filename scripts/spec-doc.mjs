// Regenerate docs/spec.md from the schema, the spec types, src/lower and examples/ (after `npm run build`).
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSpec } from "../dist/load/index.js";
import { examplesOf, renderSpecReference } from "../dist/report/spec-reference.js";

const root = join(import.meta.dirname, "..");
const files = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".uffd.ts")).sort();
const specs = [];
for (const f of files) specs.push({ file: `examples/${f}`, spec: (await loadSpec(join(root, "examples", f))).spec });
writeFileSync(join(root, "docs/spec.md"), renderSpecReference(examplesOf(specs)));
console.error(`docs/spec.md: ${files.length} examples`);
