import { existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadModel, loadSpec } from "../../src/load/index.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/specs/${name}`, import.meta.url));
const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

/** 1-based line and column of the n-th occurrence of `needle` in a file, found independently of the loader. */
function locate(file: string, needle: string, nth = 0): { line: number; column: number } {
  const lines = readFileSync(file, "utf8").split("\n");
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    let from = 0;
    for (;;) {
      const col = lines[i]!.indexOf(needle, from);
      if (col < 0) break;
      if (seen++ === nth) return { line: i + 1, column: col + 1 };
      from = col + 1;
    }
  }
  throw new Error(`${needle} not in ${file}`);
}

describe("loadSpec: static evaluation", () => {
  it("reads a literal spec with exact positions for every value", async () => {
    const file = example("gmem.uffd.ts");
    const r = await loadSpec(file);
    expect(r.fatal).toBe(false);
    expect(r.evaluation).toBe("static");
    expect(r.diagnostics).toEqual([]);
    expect(r.spec?.name).toBe("kvm_gmem");
    expect(r.spec?.ioctls).toEqual(["copy", "zeropage", "continue"]);
    expect(r.spec?.series?.blurb).toMatch(/^Let guest_memfd support .* EXPORT_SYMBOL_FOR_KVM\(\)\.$/);
    const at = (p: string) => r.positions.get(p);
    expect(at("ioctls.1")).toMatchObject({ file, ...locate(file, '"zeropage"') });
    expect(at("getFolio.notUptodate")).toMatchObject(locate(file, '"zero-fill" }'));
    expect(at("copy.alloc.strategy")).toMatchObject(locate(file, '"shared-policy"'));
    expect(at("")).toMatchObject({ line: locate(file, "defineMemoryType({").line });
    // End column is exclusive: the span covers the whole literal, quotes included.
    const z = at("ioctls.1")!;
    expect(z.endColumn - z.column).toBe('"zeropage"'.length);
  });

  it("reads every static form: consts, `as const`, `satisfies`, `+`, spreads, an aliased import, a sibling .ts file", async () => {
    const file = fixture("static-forms.uffd.ts");
    const r = await loadSpec(file);
    expect(r.diagnostics).toEqual([]);
    expect(r.evaluation).toBe("static");
    expect(r.spec).toMatchObject({
      name: "literal",
      subsystem: "mm/static",
      file: "mm/literal.c",
      backing: "anon",
      api: "linux-7.1",
      features: ["missing", "minor"],
      ioctls: ["copy", "zeropage", "continue"],
      copy: { alloc: { strategy: "vma" } },
    });
    // A value from the sibling file is positioned in that file, where it is written.
    const consts = fixture("static-consts.ts");
    expect(r.positions.get("features.1")).toMatchObject({ file: consts, ...locate(consts, '"minor"') });
    expect(r.positions.get("ioctls.2")).toMatchObject({ file, ...locate(file, '"continue"') });
  });

  it("runs nothing and refuses a module with a top-level statement (S07, fatal)", async () => {
    const marker = fixture("no-exec.executed");
    rmSync(marker, { force: true });
    const file = fixture("no-exec.uffd.ts");
    const r = await loadSpec(file);
    expect(r.fatal).toBe(true);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ id: "S07", severity: "error", span: { file, ...locate(file, "writeFileSync(new URL") } });
    expect(r.diagnostics[0]!.message).toMatch(/top-level call to `writeFileSync`/);
    expect(existsSync(marker)).toBe(false);
  });

  it("does not execute a computed spec: S07 names the construct and where", async () => {
    const file = fixture("computed.uffd.ts");
    const r = await loadSpec(file);
    expect(r.fatal).toBe(true);
    expect(r.spec).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ id: "S07", span: locate(file, "resolvers(),") });
    expect(r.diagnostics[0]!.message).toMatch(/a call to `resolvers`/);
    expect(r.diagnostics[0]!.hint).toMatch(/--allow-exec/);
  });

  it("with allowExec, executes a computed spec in a child process, positioning findings at the default export", async () => {
    const file = fixture("computed.uffd.ts");
    const r = await loadSpec(file, { allowExec: true });
    expect(r.fatal).toBe(false);
    expect(r.evaluation).toBe("executed");
    expect(r.spec?.ioctls).toEqual(["copy", "zeropage", "continue"]);
    expect(r.positions.get("")).toMatchObject({ line: locate(file, "defineMemoryType({").line });
    const note = r.diagnostics.find((d) => d.id === "LOAD");
    expect(note?.severity).toBe("info");
    expect(note?.message).toMatch(/computed .*separate process/);
    expect(note?.span).toMatchObject(locate(file, "resolvers(),"));
  });

  it("with allowExec, a computed spec may import constants from a sibling .ts file", async () => {
    const r = await loadSpec(fixture("computed-sibling.uffd.ts"), { allowExec: true });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.evaluation).toBe("executed");
    expect(r.spec).toMatchObject({ name: "sib_exec", subsystem: "mm/static", features: ["missing", "minor"], copy: { alloc: { strategy: "vma" } } });
  });

  it("with allowExec, stops a module that never finishes and reports it", async () => {
    process.env.UFFDKIT_EXEC_TIMEOUT_MS = "1500";
    try {
      const file = fixture("computed-hang.uffd.ts");
      const r = await loadSpec(file, { allowExec: true });
      expect(r.fatal).toBe(true);
      expect(r.diagnostics[0]).toMatchObject({ id: "LOAD", severity: "error" });
      expect(r.diagnostics[0]!.message).toMatch(/did not finish within 1\.5 s/);
    } finally {
      delete process.env.UFFDKIT_EXEC_TIMEOUT_MS;
    }
  });
});

describe("loadSpec: errors as values", () => {
  it("reports a missing file in one line, fatal", async () => {
    const r = await loadSpec(fixture("does-not-exist.uffd.ts"));
    expect(r.fatal).toBe(true);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toMatch(/cannot read .*does-not-exist\.uffd\.ts: no such file/);
  });

  it("reports a syntax error with its position, fatal", async () => {
    const file = fixture("syntax-error.uffd.ts.txt");
    const r = await loadSpec(file);
    expect(r.fatal).toBe(true);
    expect(r.diagnostics[0]!.message).toMatch(/^syntax error/);
    expect(r.diagnostics[0]!.span?.line).toBe(8);
  });

  it("reports a module without a default export at the file start, with a hint", async () => {
    const r = await loadSpec(fixture("no-default-export.uffd.ts"));
    expect(r.fatal).toBe(true);
    expect(r.diagnostics[0]).toMatchObject({ id: "LOAD", span: { line: 1, column: 1 } });
    expect(r.diagnostics[0]!.hint).toMatch(/export default defineMemoryType/);
  });

  it("reports values of the wrong type as fatal S04 at their position", async () => {
    const file = fixture("wrong-type.uffd.ts");
    const r = await loadSpec(file);
    expect(r.fatal).toBe(true);
    const byPath = Object.fromEntries(r.diagnostics.map((d) => [d.path, d]));
    expect(byPath["name"]).toMatchObject({ id: "S04", span: locate(file, "3,") });
    expect(byPath["features"]!.message).toMatch(/must be an array .* not a string \("missing"\)/);
    expect(byPath["features"]!.span).toMatchObject(locate(file, '"missing"'));
  });

  it("reports an unknown field as S01 with did-you-mean, not fatal", async () => {
    const file = fixture("unknown-field.uffd.ts");
    const r = await loadModel(file);
    expect(r.fatal).toBe(false);
    expect(r.model).toBeDefined();
    const d = r.diagnostics.find((x) => x.id === "S01")!;
    expect(d.hint).toBe("did you mean `wpMarkers`?");
    expect(d.span).toMatchObject(locate(file, "wpMarker:"));
  });

  it("reports unknown values as S02 with did-you-mean and the valid list, and withholds the model", async () => {
    const file = fixture("unknown-value.uffd.ts");
    const r = await loadModel(file);
    expect(r.fatal).toBe(false);
    expect(r.model).toBeUndefined();
    const s02 = r.diagnostics.filter((d) => d.id === "S02");
    expect(s02.map((d) => d.hint)).toEqual(['did you mean "missing"?', 'did you mean "continue"?']);
    expect(s02[0]!.message).toMatch(/valid values: missing, minor, wp/);
    expect(s02[1]!.span).toMatchObject(locate(file, '"cotinue"', 1)); // the first occurrence is in the comment
  });

  it("positions bad kvmUserfault values (Oliver Upton on KVM Userfault v3 04/15) as S02 at the value, with the valid list", async () => {
    const file = fixture("kvm-userfault-bad.uffd.ts");
    const r = await loadModel(file);
    expect(r.model).toBeUndefined();
    const s02 = r.diagnostics.filter((d) => d.id === "S02");
    expect(s02.map((d) => d.path)).toEqual(["kvmUserfault.bitmapLoad", "kvmUserfault.userspaceStore"]);
    expect(s02[0]!.hint).toBe('did you mean "acquire"?');
    expect(s02[0]!.span).toMatchObject(locate(file, '"aquire"', 1)); // the first occurrence is in the comment
    expect(s02[1]!.message).toMatch(/valid values: plain, release/);
    expect(s02[1]!.span).toMatchObject(locate(file, '"seq_cst"'));
  });

  it("reports an unknown API generation as S02 listing the generations", async () => {
    const r = await loadModel(fixture("unknown-api.uffd.ts"));
    expect(r.model).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ id: "S02", path: "api" });
    expect(r.diagnostics[0]!.message).toMatch(/peterx-v1, peterx-v4, linux-7\.1, linux-7\.1\+gmem/);
  });

  it("reports C names that are not C identifiers as S03", async () => {
    const file = fixture("bad-ident.uffd.ts");
    const r = await loadModel(file);
    const s03 = r.diagnostics.filter((d) => d.id === "S03");
    expect(s03.map((d) => d.path)).toEqual(["name", "vmOps"]);
    expect(s03[1]!.span).toMatchObject(locate(file, '"x */ y"'));
  });
});

describe("loadModel", () => {
  it("overrides the API generation on request", async () => {
    const r = await loadModel(example("gmem.uffd.ts"), { api: "linux-7.1" });
    expect(r.model?.gen.id).toBe("linux-7.1");
    expect(r.model?.positions.get("api")).toBeDefined();
  });
});

