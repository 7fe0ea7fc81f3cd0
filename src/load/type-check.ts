/**
 * The full type-check of a spec, on request only (`uffdkit check --type-check`).
 *
 * Parse-only loading gives positions in milliseconds; a type-check builds a
 * ts-morph Project with the compiler's lib files and costs over a second, so
 * `check` and `gen` never pay it unasked. It catches what the shape check
 * cannot: a spec assembled from typed helpers, a wrong import, a value whose
 * type only the compiler knows.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import type * as TsMorph from "ts-morph";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { packageRoot } from "./package-root.js";
import { lineAndColumn } from "./positions.js";

/** Where `import ... from "uffdkit"` resolves for the check: this package's own types. */
function uffdkitTypes(): string {
  const built = join(packageRoot(), "dist", "index.d.ts");
  return existsSync(built) ? built : join(packageRoot(), "src", "index.ts");
}

export function typeCheckSpec(file: string): Diagnostic[] {
  const { Project, ts } = createRequire(import.meta.url)("ts-morph") as typeof TsMorph;
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      paths: { uffdkit: [uffdkitTypes()] },
    },
    skipAddingFilesFromTsConfig: true,
  });
  const source = project.addSourceFileAtPath(resolve(file));
  return project
    .getPreEmitDiagnostics()
    .filter((d) => d.getSourceFile()?.getFilePath() === source.getFilePath())
    .map((d) => {
      const start = d.getStart() ?? 0;
      const end = start + (d.getLength() ?? 0);
      // Our line map (LF only), not TypeScript's, which also breaks at U+2028/U+2029.
      const text0 = source.getFullText();
      const a = lineAndColumn(text0, start, source);
      const b = lineAndColumn(text0, end, source);
      const text = d.getMessageText();
      const message = typeof text === "string" ? text : ts.flattenDiagnosticMessageText(text.compilerObject, " ");
      return {
        id: `TS${d.getCode()}`,
        severity: d.getCategory() === ts.DiagnosticCategory.Error ? ("error" as const) : ("warning" as const),
        message,
        span: { file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column },
        hint: "the spec's types come from `import { defineMemoryType } from \"uffdkit\"`; an editor shows the same error as you type",
      };
    });
}
