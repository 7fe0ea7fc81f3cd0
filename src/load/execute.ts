/**
 * The fallback for computed specs: transpile the module (no type-check) to a
 * temporary .mjs, point its `uffdkit` import at this build and its relative
 * imports at the spec's folder, import it, and take the default export.
 * The user's own files are never written; the temporary folder is removed.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ts as TS } from "ts-morph";
import { ts } from "./typescript.js";

export type ExecuteResult = { ok: true; value: unknown } | { ok: false; message: string };

/** The module that stands for `"uffdkit"`: the built package when present, else a shim of its only runtime export. */
function uffdkitModuleUrl(workDir: string): string {
  const built = new URL("../index.js", import.meta.url);
  if (built.protocol === "file:" && existsSync(built)) return built.href;
  const shim = join(workDir, "uffdkit-shim.mjs");
  writeFileSync(shim, "export function defineMemoryType(spec) { return spec; }\n");
  return pathToFileURL(shim).href;
}

export async function executeSpecModule(file: string, text: string): Promise<ExecuteResult> {
  const abs = resolve(file);
  const out = ts.transpileModule(text, {
    fileName: abs,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  });
  const workDir = mkdtempSync(join(tmpdir(), "uffdkit-spec-"));
  try {
    const uffdkit = uffdkitModuleUrl(workDir);
    const code = rewriteSpecifiers(out.outputText, (spec) => {
      if (spec === "uffdkit") return uffdkit;
      if (spec.startsWith("./") || spec.startsWith("../")) return pathToFileURL(resolve(dirname(abs), spec)).href;
      return spec;
    });
    const tmp = join(workDir, "spec.mjs");
    writeFileSync(tmp, code);
    const mod = (await withConsoleOnStderr(() => import(pathToFileURL(tmp).href))) as Record<string, unknown>;
    if (!("default" in mod)) return { ok: false, message: "the module has no default export" };
    return { ok: true, value: mod.default };
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { ok: false, message: `executing the spec module failed: ${msg}` };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Run `fn` with console.log/info/debug sent to stderr: a spec module that logs
 * while it runs must not corrupt `--json` output, where stdout is one JSON document.
 */
async function withConsoleOnStderr<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

/** Rewrite the specifiers of static imports/exports and of `import("...")` with string literals. */
function rewriteSpecifiers(code: string, map: (spec: string) => string): string {
  const sf = ts.createSourceFile("out.mjs", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (n: TS.Node) => {
    let lit: TS.Node | undefined;
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier) lit = n.moduleSpecifier;
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0]) lit = n.arguments[0];
    if (lit && ts.isStringLiteral(lit)) {
      const to = map(lit.text);
      if (to !== lit.text) edits.push({ start: lit.getStart(sf), end: lit.getEnd(), text: JSON.stringify(to) });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  let outText = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) outText = outText.slice(0, e.start) + e.text + outText.slice(e.end);
  return outText;
}
