#!/usr/bin/env node
// Thin entry: everything lives in dist/cli/main.js (built from src/cli/main.ts).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
if (!existsSync(main)) {
  process.stderr.write("uffdkit: dist/cli/main.js is missing: in a checkout of uffdkit run `npm ci && npm run build`; an installed package is incomplete (reinstall uffdkit: npm i uffdkit)\n");
  process.exit(2);
}
const { main: run } = await import(main);
process.exitCode = await run(process.argv.slice(2));
