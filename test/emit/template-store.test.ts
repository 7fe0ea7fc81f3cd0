import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

  it("renders with helpers and area partials, and strict mode refuses a missing field", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-tpl-"));
    mkdirSync(join(dir, "c"));
    writeFileSync(join(dir, "c/_decl.h.hbs"), "static int {{up n}};");
    writeFileSync(join(dir, "c/file.c.hbs"), "{{> c/_decl}}\n/* {{note}} */\n");
    const env = createTemplateEnvironment({ helpers: { up: (x: unknown) => String(x).toUpperCase() }, partialAreas: ["c"], root: dir, precompiled: null });
    expect(env.render("c/file.c", { n: "x", note: "a<b" })).toBe("static int X;/* a<b */\n") // a standalone partial line takes its newline;
    expect(() => env.render("c/file.c", { n: "x" })).toThrow(/note/);
    expect(() => env.render("c/nope", {})).toThrow(/missing/);
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

  it("uses a precompiled spec whose hash matches, and compiles from source when it does not", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-tpl-"));
    writeFileSync(join(dir, "t.hbs"), "current {{n}}");
    const specOf = (src: string) => evalSpec(Handlebars.precompile(src, COMPILE_OPTIONS) as unknown as string);
    // A build made from older source: the spec says "old", under the old source's hash.
    const stale = { t: { hash: templateHash("old {{n}}"), spec: specOf("old {{n}}") } };
    expect(createTemplateEnvironment({ helpers: {}, root: dir, precompiled: stale }).render("t", { n: 1 })).toBe("current 1");
    // A build of the current source is used as is (the spec here renders differently to prove it).
    const fresh = { t: { hash: templateHash("current {{n}}"), spec: specOf("built {{n}}") } };
    expect(createTemplateEnvironment({ helpers: {}, root: dir, precompiled: fresh }).render("t", { n: 2 })).toBe("built 2");
    expect(createTemplateEnvironment({ helpers: {}, root: dir, precompiled: null }).render("t", { n: 3 })).toBe("current 3");
  });
});
