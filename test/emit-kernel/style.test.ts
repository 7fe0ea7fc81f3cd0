import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { API_GENERATIONS } from "../../src/kernel/generations.js";
import { UnsafeIdentifierError } from "../../src/kernel/cident.js";
import { emitKernel } from "../../src/emit/kernel/index.js";
import { emitAllGenerations, lowerOf } from "../fixtures/lower.js";
import { columns, styleProblems, tidyC, wrapCall } from "../../src/emit/kernel/format.js";
import { compileUnit, shimHeader, typeStubs } from "../../src/emit/kernel/shim.js";
import { packageRoot } from "../../src/emit/kernel/templates.js";
import { loadModel } from "../../src/load/index.js";
import type { Model } from "../../src/model/model.js";
import { GMEM_LIKE, SHMEM_LIKE, model } from "../fixtures/emit-specs.js";

const examplesDir = join(packageRoot(), "examples");
const exampleFiles = (() => {
  try {
    return readdirSync(examplesDir).filter((f) => f.endsWith(".uffd.ts"));
  } catch {
    return [];
  }
})();

async function exampleModels(): Promise<{ file: string; model: Model }[]> {
  const out: { file: string; model: Model }[] = [];
  for (const f of exampleFiles) {
    const r = await loadModel(join(examplesDir, f));
    if (r.model && !r.fatal) out.push({ file: f, model: r.model });
  }
  return out;
}

function allTexts(m: Model): { what: string; text: string }[] {
  return emitAllGenerations(m).flatMap((a) => [
    ...a.files.map((f) => ({ what: `${m.name} ${f.path}`, text: f.contents })),
    { what: `${m.name} ${a.api} ops`, text: a.fragments.ops },
    { what: `${m.name} ${a.api} hook`, text: a.fragments.hook },
    ...(a.fragments.faultGlue ? [{ what: `${m.name} ${a.api} glue`, text: a.fragments.faultGlue.code }] : []),
  ]);
}

function checkStyle(what: string, text: string) {
  expect(styleProblems(text), what).toEqual([]);
  expect(text, what).not.toMatch(/[=!]= NULL\b|NULL [=!]=/);
  expect(text, what).not.toMatch(/^ +(?!\*)\S/m); // indentation is tabs (comment continuation " *" aside)
  expect(text, what).not.toMatch(/\n\n\n/);
  expect(text, what).not.toMatch(/\)\n\{\n\n/);
}

describe("kernel style on every output", () => {
  it.each([
    ["gmem-like", GMEM_LIKE],
    ["shmem-like", SHMEM_LIKE],
  ] as const)("%s, all generations: < 80 columns, tabs, no trailing whitespace, SPDX", (_n, spec) => {
    for (const { what, text } of allTexts(model(spec))) checkStyle(what, text);
    for (const a of emitAllGenerations(model(spec))) {
      expect(a.files[0]!.contents.split("\n")[0]).toBe("// SPDX-License-Identifier: GPL-2.0");
    }
  });

  it("the examples/ specs, all generations", async () => {
    expect(exampleFiles.length).toBeGreaterThan(0);
    const ms = await exampleModels();
    expect(ms.length).toBeGreaterThan(0);
    for (const { model: m } of ms) for (const { what, text } of allTexts(m)) checkStyle(what, text);
  });

  it("shims are within 80 columns too", () => {
    for (const api of API_GENERATIONS) {
      expect(styleProblems(shimHeader(api)), api).toEqual([]);
      expect(styleProblems(typeStubs(lowerOf(model(GMEM_LIKE), api))), api).toEqual([]);
    }
  });

  it("the layout helpers: tab-aware columns, wrapping before 80, tidy", () => {
    expect(columns("\tab")).toBe(10);
    expect(columns("a\tb")).toBe(9);
    const w = wrapCall("static int a_rather_long_function_name_for_wrapping", ["struct vm_area_struct *vma", "unsigned long address", "struct folio **foliop"], ";");
    for (const l of w.split("\n")) expect(columns(l)).toBeLessThan(80);
    expect(w.split("\n")[1]).toMatch(/^\t+ *unsigned long address,/);
    expect(tidyC("{\n\n\tx;\n\n\n\ty;\n\n}\n\n")).toBe("{\n\tx;\n\n\ty;\n}\n");
    expect(styleProblems("\tok\nbad \n" + "x".repeat(80))).toEqual(["line 2: trailing whitespace", "line 3: 80 columns"]);
  });
});

describe("identifiers are validated before they reach C", () => {
  const bad = ["a;b", "x*/y", "evil(void); int z", "1abc", "int"];
  it.each(bad)("name %j never reaches the output", (name) => {
    expect(() => emitKernel(lowerOf(model(GMEM_LIKE, { name })))).toThrow(UnsafeIdentifierError);
  });
  it.each([
    ["guard.shared", { guard: { shared: "a;b", at: "fault" as const } }],
    ["vmOps", { vmOps: "ops = 0; //" }],
    ["getFolio.helper", { getFolio: { strategy: "lookup-or-create" as const, helper: "f(x)", notUptodate: "missing" as const } }],
    ["copy.alloc.helper", { copy: { alloc: { strategy: "helper" as const, helper: "a b" } } }],
    ["copy.prepare", { copy: { alloc: { strategy: "mapping-gfp" as const }, prepare: "p;q" } }],
    ["copy.unaccount", { copy: { alloc: { strategy: "mapping-gfp" as const }, unaccount: "u}" } }],
    ["fault.handler", { fault: { handler: "h-1", raise: "handle_userfault" as const } }],
  ])("%s", (where, patch) => {
    const badText = JSON.stringify(patch).match(/"(?:shared|vmOps|helper|prepare|unaccount|handler)":"([^"]*)"/)?.[1] ?? "";
    expect(badText, where).not.toBe("");
    let refused = 0;
    for (const api of API_GENERATIONS) {
      let out = "";
      try {
        const m = model(GMEM_LIKE, patch);
        out = emitKernel(lowerOf(m, api)).files[0]!.contents + compileUnit(lowerOf(m, api));
      } catch (e) {
        expect(e).toBeInstanceOf(UnsafeIdentifierError);
        refused++;
        continue;
      }
      // A generation that does not use the field may emit; the bad text must still be absent.
      expect(out).not.toContain(badText);
    }
    expect(refused).toBeGreaterThan(0);
  });
});
