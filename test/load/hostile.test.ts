/**
 * Hostile specs at the loader: each attack (code that runs, hangs, huge or
 * odd input), planted in a spec, is a
 * positioned finding at `check` time (never an exception, a hang, or code that
 * runs), and nothing the attack carries reaches the model.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { formatDiagnostics } from "../../src/diagnostics/format.js";
import { cIdent, MAX_C_IDENTIFIER_LENGTH } from "../../src/kernel/cident.js";
import { loadModel, loadSpec } from "../../src/load/index.js";
import { MAX_NAME_LENGTH } from "../../src/load/shape.js";

const dir = mkdtempSync(join(tmpdir(), "uffdkit-hostile-load-"));
let n = 0;

/** A valid spec with `fields` replacing (or adding to) its literal fields, and `before` top-level text. */
function spec(fields: Record<string, string> = {}, before = ""): string {
  const base: Record<string, string> = {
    name: '"hostile"',
    subsystem: '"mm/hostile"',
    file: '"mm/hostile.c"',
    vmOps: '"hostile_vm_ops"',
    backing: '"anon"',
    api: '"linux-7.1"',
    features: '["missing"]',
    ioctls: '["copy", "zeropage"]',
    copy: '{ alloc: { strategy: "vma" } }',
  };
  const body = Object.entries({ ...base, ...fields })
    .map(([k, v]) => `  ${k}: ${v},`)
    .join("\n");
  return `import { defineMemoryType } from "uffdkit";\n${before}\nexport default defineMemoryType({\n${body}\n});\n`;
}

function file(text: string, name = `s${n++}.uffd.ts`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Load a spec text and return its diagnostics; every error must carry a position in a real file. */
async function findings(text: string): Promise<{ diags: Diagnostic[]; fatal: boolean; model: boolean }> {
  const r = await loadModel(file(text));
  for (const d of r.diagnostics) {
    expect(d.span, `${d.id}: ${d.message}`).toBeDefined();
    expect(d.span!.line).toBeGreaterThanOrEqual(1);
  }
  return { diags: r.diagnostics, fatal: r.fatal, model: r.model !== undefined };
}

const ids = (ds: Diagnostic[]) => ds.filter((d) => d.severity === "error").map((d) => d.id);

describe("values that reach C, commit messages and paths are validated where they enter", () => {
  it("refuses a `file` that would close the header comment and add an #include (S06)", async () => {
    const r = await findings(spec({ file: JSON.stringify('virt/kvm/x.c */\n#include "evil.h"\n/* ') }));
    expect(ids(r.diags)).toEqual(["S06"]);
    expect(r.model).toBe(false);
  });

  it.each([["../../x.c"], ["/etc/x.c"], [""], ["mm/./x.c"], ["mm//x.c"], ["mm/x.h"], ["mm/.x.c"], ["mm/x y.c"], ["-rf.c"]])("refuses file %j (S06)", async (bad) => {
    const r = await findings(spec({ file: JSON.stringify(bad) }));
    expect(ids(r.diags)).toEqual(["S06"]);
  });

  it("accepts kernel source paths", async () => {
    for (const good of ["mm/shmem.c", "virt/kvm/guest_memfd.c", "fs/hugetlbfs/inode.c", "drivers/gpu/drm/i915/gem/i915_gem_shmem.c"]) {
      const r = await findings(spec({ file: JSON.stringify(good) }));
      expect(ids(r.diags), good).toEqual([]);
    }
  });

  it("refuses a subsystem with a newline that would forge a trailer (S05)", async () => {
    const r = await findings(spec({ subsystem: JSON.stringify("mm/shmem\nSigned-off-by: Mallory <m@x>") }));
    expect(ids(r.diags)).toEqual(["S05"]);
    expect(r.diags[0]!.message).toMatch(/newline/);
  });

  it("refuses control and bidi characters in every free text field (S05)", async () => {
    const texts = {
      series: `{ title: "a\\u202eb", blurb: "x\\ty", base: "--upload-pack=evil", changelog: [{ version: 1, changes: ["a\\rb"], link: "l\\u2028" }], coDevelopedBy: [{ name: "M <m@x>", email: "not an address" }] }`,
    };
    const r = await findings(spec(texts));
    const paths = r.diags.map((d) => `${d.id}:${d.path}`).sort();
    expect(paths).toEqual(
      ["series.base", "series.blurb", "series.changelog.0.changes.0", "series.changelog.0.link", "series.coDevelopedBy.0.email", "series.coDevelopedBy.0.name", "series.title"].map((p) => `S05:${p}`).sort(),
    );
  });

  it.each([["_Atomic"], ["typeof"], ["asm"], ["alignas"], ["nullptr"], ["constexpr"], ["_Generic"], ["thread_local"], ["__attribute__"], ["current"], ["_Reserved"]])(
    "refuses the keyword or reserved name %s as a C name (S03)",
    async (kw) => {
      const r = await findings(spec({ vmOps: JSON.stringify(kw) }));
      expect(ids(r.diags)).toEqual(["S03"]);
    },
  );

  it("refuses a name whose derived identifiers would pass the emitter's limit, at check time (S03)", async () => {
    for (const len of [MAX_NAME_LENGTH + 1, 52, 64]) {
      const r = await findings(spec({ name: JSON.stringify("n".repeat(len)) }));
      expect(ids(r.diags), String(len)).toEqual(["S03"]);
    }
    // The longest accepted name derives only identifiers the emitter accepts (one limit, shared).
    const ok = await loadModel(file(spec({ name: JSON.stringify("n".repeat(MAX_NAME_LENGTH)) })));
    expect(ok.diagnostics.filter((d) => d.id.startsWith("S"))).toEqual([]);
    for (const id of Object.values(ok.model!.cnames)) {
      expect(id.length).toBeLessThanOrEqual(MAX_C_IDENTIFIER_LENGTH);
      expect(cIdent(id, "test")).toBe(id);
    }
  });
});

describe("no user code runs: a non-static construct is S07, naming it", () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ["a template with ${}", { name: "`x${1}`" }, "", /template literal with substitutions/],
    ["a call", { name: "String(1)" }, "", /a call to `String`/],
    ["a let", { name: "N" }, "let N = \"n\";", /`let` or `var`/],
    ["arithmetic", { run: "{ pages: 1 + 1 }" }, "", /`\+` on a value that is not a string/],
    ["an imported value from a package", { name: "N" }, 'import { N } from "some-package";', /imported from the package "some-package"/],
    ["a spread of an import", { features: "[...M]" }, 'import { M } from "node:process";', /imported from the package "node:process"/],
    ["a getter", { copy: "{ get alloc() { return { strategy: \"vma\" }; } }" }, "", /getter or setter/],
    ["a computed key", { ["[K]"]: '"x"' }, 'const K = "name";', /computed property name/],
    ["a property access", { name: "process.env.USER" }, "", /property access `process\.env\.USER`/],
    ["a top-level loop", {}, "for (;;) {}", /top-level for statement/],
    ["setInterval", {}, "setInterval(() => {}, 1000);", /top-level call to `setInterval`/],
    ["a JSON.stringify override", {}, "JSON.stringify = () => \"{}\";", /top-level expression statement/],
    ["stdout corruption", {}, 'process.stdout.write("junk");', /top-level call to `process\.stdout\.write`/],
    ["a class with a static block", {}, "class X { static { process.exit(0); } }", /class/],
  ];
  it.each(cases)("%s", async (_what, fields, before, message) => {
    const r = await findings(spec(fields, before));
    expect(r.fatal).toBe(true);
    expect(ids(r.diags)).toEqual(["S07"]);
    expect(r.diags[0]!.message).toMatch(message);
    expect(r.diags[0]!.hint).toMatch(/--allow-exec/);
  });

  it("keeps an aliased defineMemoryType and a sibling .ts import static", async () => {
    writeFileSync(join(dir, "names.ts"), 'export const NAME = "sib" + "ling";\nexport const MODES = ["missing"] as const;\n');
    const text = spec({ name: "NAME", vmOps: '"sibling_vm_ops"', features: "[...MODES]" }, 'import { NAME, MODES } from "./names.js";').replace(
      'import { defineMemoryType } from "uffdkit";',
      'import { defineMemoryType as dmt } from "uffdkit";',
    ).replace("defineMemoryType({", "dmt({");
    const r = await loadSpec(file(text));
    expect(r.diagnostics).toEqual([]);
    expect(r.spec).toMatchObject({ name: "sibling", features: ["missing"] });
  });

  it("reads no file outside the spec's imports, and runs nothing, when it refuses", async () => {
    const marker = join(dir, "ran.marker");
    const r = await findings(spec({}, `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "ran");`));
    expect(ids(r.diags)).toEqual(["S07"]);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("--allow-exec: the module runs in a bounded child, never in uffdkit", () => {
  it("keeps a module's interval, stdout writes and JSON.stringify override out of uffdkit", async () => {
    const before = [
      "setInterval(() => {}, 1000);",
      'process.stdout.write("EVIL_STDOUT\\n");',
      'JSON.stringify = () => "{}";',
    ].join("\n");
    const writes: string[] = [];
    const realWrite = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    let r;
    try {
      r = await loadSpec(file(spec({}, before)), { allowExec: true });
    } finally {
      process.stdout.write = realWrite;
    }
    expect(writes.join("")).not.toContain("EVIL_STDOUT");
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
    expect(r.evaluation).toBe("executed");
    expect(r.spec?.name).toBe("hostile");
    expect(r.diagnostics[0]!.message).toContain("EVIL_STDOUT"); // reported inside the note, for the user to see
  });
});

describe("no crash on odd but parseable input", () => {
  it.each([["constructor"], ["toString"], ["valueOf"], ["hasOwnProperty"], ["__proto__"], ['"__proto__"']])("reports a field named %s as unknown (S01)", async (key) => {
    const r = await findings(spec({ [key]: "1" }));
    expect(ids(r.diags)).toEqual(["S01"]);
    expect(r.model).toBe(true);
  });

  it("reports prototype-member names inside nested objects too", async () => {
    const r = await findings(spec({ copy: '{ alloc: { strategy: "vma", constructor: 1 }, toString: "x" }' }));
    expect(ids(r.diags).sort()).toEqual(["S01", "S01"]);
  });

  it("reports self-reference (S07) instead of overflowing the stack", async () => {
    for (const before of ["const s = s;", "const s: string[] = [...s];", "const a = b; const b = a;", "const o = { ...o };"]) {
      const field: Record<string, string> = before.includes("o =") ? { copy: "o" } : before.includes("[...s]") ? { features: "s" } : { name: before.includes("a =") ? "a" : "s" };
      const r = await findings(spec(field, before));
      expect(ids(r.diags), before).toEqual(["S07"]);
      expect(r.diags[0]!.message).toMatch(/refers to itself/);
    }
  });

  it("reports deep nesting (S09) at its position, for parentheses and arrays", async () => {
    for (const [open, close] of [["(", ")"], ["[", "]"]] as const) {
      const r = await findings(spec({ name: `${open.repeat(1000)}"x"${close.repeat(1000)}` }));
      expect(ids(r.diags)).toEqual(["S09"]);
      expect(r.diags[0]!.span!.line).toBe(4); // the `name:` line
    }
  });

  it("reports expressions nested past the parser's stack (S09), not only brackets", async () => {
    for (const value of [`${"!".repeat(60000)}1`, `${"a ? b : ".repeat(15000)}c`, `${"() => ".repeat(20000)}c`]) {
      const r = await findings(spec({ name: value }));
      expect(ids(r.diags)).toEqual(["S09"]);
      expect(r.fatal).toBe(true);
    }
  });

  it("reports a chain of 12,000 consts (S09) instead of overflowing the stack", async () => {
    let before = "";
    for (let i = 0; i < 12000; i++) before += `const c${i}=c${i + 1};\n`;
    before += 'const c12000 = "x";';
    const r = await findings(spec({ name: "c0" }, before));
    expect(ids(r.diags)).toEqual(["S09"]);
    expect(r.diags[0]!.message).toMatch(/chain of more than 64 consts/);
  });

  it("reports duplicate keys (S08) at the second one", async () => {
    const text = spec({ features: '["missing"], features: ["minor"]' });
    const r = await findings(text);
    expect(ids(r.diags)).toContain("S08");
    const d = r.diags.find((x) => x.id === "S08")!;
    expect(d.path).toBe("features");
    expect(d.span!.column).toBe(text.split("\n")[d.span!.line - 1]!.indexOf("features", 10) + 1);
  });

  it("reports numbers past the exact-integer range or a field's maximum (S09)", async () => {
    const r = await findings(spec({ series: "{ version: 1e308 }", run: "{ pages: 10000 }" }));
    expect(r.diags.map((d) => `${d.id}:${d.path}`).sort()).toEqual(["S09:run.pages", "S09:series.version"]);
    const big = await findings(spec({ series: "{ version: 9007199254740993 }" }));
    expect(ids(big.diags)).toEqual(["S09"]);
  });

  it("refuses a FIFO and /dev/zero without reading them", async () => {
    const fifo = join(dir, "fifo.uffd.ts");
    execFileSync("mkfifo", [fifo]);
    for (const f of [fifo, "/dev/zero"]) {
      const r = await loadSpec(f);
      expect(r.fatal).toBe(true);
      expect(r.diagnostics[0]!.message).toMatch(/not a regular file/);
      expect(r.diagnostics[0]!.span).toMatchObject({ file: f, line: 1 });
    }
  });

  it("refuses a spec over the size limit", async () => {
    const r = await loadSpec(file(spec() + `// ${"x".repeat(300 * 1024)}\n`));
    expect(r.diagnostics[0]!.message).toMatch(/byte limit/);
  });

  it("reports 20,000 unknown fields on one line briefly, each frame a window of the line", async () => {
    const fields = Array.from({ length: 20000 }, (_, i) => `f${i}: 1`).join(", ");
    const text = spec().replace("  name:", `  ${fields},\n  name:`);
    const p = file(text);
    const r = await loadModel(p);
    const out = formatDiagnostics(r.diagnostics, { color: false });
    // 50 findings, then one that counts the other 19,950, positioned at the 51st field.
    const s01 = r.diagnostics.filter((d) => d.id === "S01");
    expect(s01).toHaveLength(51);
    expect(s01[50]!.message).toMatch(/^and 19950 more S01 finding\(s\)/);
    expect(s01[50]!.span!.column).toBe(text.split("\n")[s01[50]!.span!.line - 1]!.indexOf("f50:") + 1);
    expect(Math.max(...out.split("\n").map((l) => l.length))).toBeLessThan(200);
  });
});

describe("positions count lines as editors do", () => {
  it("does not count U+2028/U+2029 in a comment as line breaks", async () => {
    const text = spec({ features: '["missing", "mnior"]' }, "/* a comment with \u2028 and \u2029 inside */");
    const r = await findings(text);
    const d = r.diags.find((x) => x.id === "S02")!;
    const line = text.split("\n").findIndex((l) => l.includes('"mnior"')) + 1;
    expect(d.span).toMatchObject({ line, column: text.split("\n")[line - 1]!.indexOf('"mnior"') + 1 });
  });
});
