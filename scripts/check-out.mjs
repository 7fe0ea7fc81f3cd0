// CI: out/ must be exactly what `uffdkit gen` makes of every example.
import { existsSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";

// examples/ and examples/upstream/ (what upstream merged): each gets out/<stem>/.
const examples = [
  ...readdirSync("examples").filter((f) => f.endsWith(".uffd.ts")),
  ...(existsSync("examples/upstream") ? readdirSync("examples/upstream").filter((f) => f.endsWith(".uffd.ts")).map((f) => `upstream/${f}`) : []),
].sort();
let stale = 0;
for (const ex of examples) {
  const r = spawnSync(process.execPath, ["bin/uffdkit.js", "gen", `examples/${ex}`, "--check", "--json"], { encoding: "utf8" });
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    console.error(`check-out: ${ex}: gen --check printed no JSON (exit ${r.status}):\n${r.stderr}`);
    stale++;
    continue;
  }
  if (!Array.isArray(doc.stale) || doc.stale.length > 0 || (doc.refused ?? []).length > 0) {
    console.error(`check-out: ${ex}: out/ is stale: ${JSON.stringify(doc.stale ?? doc)}; run: node bin/uffdkit.js gen examples/${ex}`);
    stale++;
  } else {
    console.log(`check-out: ${ex}: up to date`);
  }
}
if (examples.length === 0) {
  console.error("check-out: no examples found");
  process.exit(1);
}
process.exit(stale ? 1 : 0);
