import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import Handlebars from "handlebars";
import { COMPILE_OPTIONS, createTemplateEnvironment, evalSpec, listTemplates, packageRoot, templateHash } from "../../src/emit/template-store.js";

describe("template store", () => {
  it("lists every template under templates/ by name without .hbs", () => {
    const names = [...listTemplates().keys()];
    expect(names).toContain("kernel/file.c");
    expect(names).toContain("shim/peterx-v1.h");
    expect(names.every((n) => !n.endsWith(".hbs"))).toBe(true);
  });

  it("a precompiled spec renders exactly what compiling the source renders", () => {
    const src = "{{#each xs}}\t.{{this}}\t= {{../p}}_{{this}},\n{{/each}}";
    const compiled = Handlebars.compile(src, COMPILE_OPTIONS);
    const pre = Handlebars.template(evalSpec(Handlebars.precompile(src, COMPILE_OPTIONS) as unknown as string));
    const view = { xs: ["a<b", "c&d"], p: "x" };
    expect(pre(view)).toBe(compiled(view));
    expect(pre(view)).toContain("a<b"); // escaping is off: this is C
  });

  it("renders with helpers and partials, and strict mode refuses a missing field", () => {
    const env = createTemplateEnvironment({
      helpers: { up: (s: unknown) => String(s).toUpperCase() },
      partialAreas: ["kernel"],
    });
    // templates/kernel/_notes.hbs is a partial of the kernel area; file.c uses partials and fields.
    expect(() => env.render("kernel/file.c", {})).toThrow();
  });

  it("the build's precompiled specs carry the hash of their current source", () => {
    const file = join(packageRoot(), "dist/templates.precompiled.cjs");
    if (!existsSync(file)) {
      console.warn("skipped: dist/templates.precompiled.cjs absent (run npm run build)");
      return;
    }
    const text = readFileSync(file, "utf8");
    for (const [name, path] of listTemplates()) {
      const hash = templateHash(readFileSync(path, "utf8"));
      expect(text, name).toContain(`${JSON.stringify(name)}: { hash: ${JSON.stringify(hash)}`);
    }
  });

  it("the precompile script writes one entry per template", () => {
    const r = spawnSync(process.execPath, ["scripts/precompile-templates.mjs"], { cwd: packageRoot(), encoding: "utf8" });
    if (r.status !== 0 && /Cannot find module .*dist/.test(r.stderr)) {
      console.warn("skipped: dist/ not built");
      return;
    }
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`precompiled ${listTemplates().size} templates`));
  });

  it("a template whose source changed after the build is compiled from source", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-tpl-"));
    const src = "v{{n}}";
    writeFileSync(join(dir, "t.hbs"), src);
    // A spec for different source must not be used for this one: hashes differ.
    expect(templateHash("v{{n}}!")).not.toBe(templateHash(src));
  });
});
