/**
 * What an editor shows while a spec is typed: the TypeScript language service on
 * `import { defineMemoryType } from "uffdkit"` must underline an unknown feature,
 * ioctl or field, and offer every field as a completion.
 */
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

function languageService(files: Record<string, string>) {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    baseUrl: root,
    paths: { uffdkit: ["./src/index.ts"] },
  };
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => Object.keys(files),
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) => {
      const text = files[f] ?? ts.sys.readFile(f);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f in files || ts.sys.fileExists(f),
    readFile: (f) => files[f] ?? ts.sys.readFile(f),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  return ts.createLanguageService(host);
}

const spec = (body: string) => `import { defineMemoryType } from "uffdkit";
export default defineMemoryType({
  name: "my_mem",
  subsystem: "mm/my_mem",
  file: "mm/my_mem.c",
  vmOps: "my_mem_vm_ops",
  backing: "pagecache",
  api: "linux-7.1",
${body}
});
`;

function diagnosticsAt(body: string) {
  const file = join(root, "test/spec/__virtual__.uffd.ts");
  const text = spec(body);
  const ls = languageService({ [file]: text });
  return ls.getSemanticDiagnostics(file).map((d) => ({
    text: text.slice(d.start ?? 0, (d.start ?? 0) + (d.length ?? 0)),
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  }));
}

describe("the spec's types in an editor", () => {
  it("accept a correct spec", () => {
    expect(diagnosticsAt(`  features: ["missing", "minor"],\n  ioctls: ["copy", "continue"],`)).toEqual([]);
  });

  it("underline an unknown feature at the value", () => {
    const d = diagnosticsAt(`  features: ["missing", "mionr"],\n  ioctls: ["copy"],`);
    expect(d.length).toBeGreaterThan(0);
    expect(d.some((x) => x.text.includes("mionr"))).toBe(true);
  });

  it("underline an unknown ioctl and an unknown field", () => {
    const ioctl = diagnosticsAt(`  features: ["missing"],\n  ioctls: ["cpoy"],`);
    expect(ioctl.some((x) => x.text.includes("cpoy"))).toBe(true);
    const field = diagnosticsAt(`  features: ["missing"],\n  ioctls: ["copy"],\n  gaurd: { shared: "f", at: "fault" },`);
    expect(field.some((x) => x.text.includes("gaurd"))).toBe(true);
  });

  it("complete every top-level field", () => {
    const file = join(root, "test/spec/__virtual__.uffd.ts");
    const text = `import { defineMemoryType } from "uffdkit";\nexport default defineMemoryType({\n  \n});\n`;
    const ls = languageService({ [file]: text });
    const at = text.indexOf("  \n") + 2;
    const names = ls.getCompletionsAtPosition(file, at, {})?.entries.map((e) => e.name) ?? [];
    for (const f of ["name", "subsystem", "file", "vmOps", "backing", "api", "features", "ioctls", "getFolio", "copy", "guard", "fault"]) {
      expect(names, f).toContain(f);
    }
  });
});
