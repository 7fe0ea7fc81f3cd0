/**
 * Docs/spec.md is the reference of the spec language,
 * generated (scripts/spec-doc.mjs); this fails when it is stale, or when a
 * field has no description.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/load/index.js";
import { DEFAULT_GET_FOLIO } from "../../src/lower/index.js";
import { docComments, examplesOf, renderSpecReference, schemaPaths } from "../../src/report/spec-reference.js";

const ROOT = join(import.meta.dirname, "../..");

async function rendered(): Promise<string> {
  const files = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".uffd.ts")).sort();
  const specs = [];
  for (const f of files) specs.push({ file: `examples/${f}`, spec: (await loadSpec(join(ROOT, "examples", f))).spec });
  return renderSpecReference(examplesOf(specs), readFileSync(join(ROOT, "src/spec/types.ts"), "utf8"));
}

describe("docs/spec.md", () => {
  it("is what scripts/spec-doc.mjs renders now (regenerate it after changing the spec, lower or examples)", async () => {
    expect(readFileSync(join(ROOT, "docs/spec.md"), "utf8")).toBe(await rendered());
  });

  it("describes every field the loader knows: a doc comment in src/spec/types.ts or in the schema", () => {
    const docs = docComments(readFileSync(join(ROOT, "src/spec/types.ts"), "utf8"));
    const undocumented = schemaPaths().filter(({ path, field }) => !docs.get(path) && !field.doc && !/^series\./.test(path)).map((r) => r.path);
    expect(undocumented).toEqual([]);
  });

  it("states defaults from the code that decides them, generations from the callbacks, examples from examples/", async () => {
    const doc = await rendered();
    expect(doc).toContain("### `getFolio.notUptodate`");
    expect(doc).toMatch(new RegExp(`getFolio.notUptodate\`[\\s\\S]*?- default: required in \`getFolio\`; without \`getFolio\`: "${DEFAULT_GET_FOLIO.notUptodate}"`));
    expect(doc).toMatch(/### `copy.prepare`[\s\S]*?- generations: peterx-v1, linux-7.1, linux-7.1\+gmem/);
    expect(doc).toMatch(/### `run.ops`[\s\S]*?- example \(examples\/xram.uffd.ts\): `\[\]`/);
  });
});
