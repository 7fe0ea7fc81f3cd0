/**
 * Executing a computed spec, only on --allow-exec: transpile the module and the
 * sibling .ts files it imports (no type-check) into a temporary folder, point
 * its `uffdkit` import at this build, and import it in a separate Node process
 * with a time and a heap limit. The child's stdout and stderr never reach ours
 * (a module that prints must not corrupt --json); its default export comes back
 * as JSON on a pipe of its own (fd 3), serialised with a JSON.stringify taken
 * before the module ran. An exit, a crash or a hang is a finding, not ours.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ts as TS } from "ts-morph";
import { MAX_IMPORTED_FILES } from "./limits.js";
import { readSourceFile } from "./read.js";
import { ts } from "./typescript.js";

export type ExecuteResult = { ok: true; value: unknown; output: string } | { ok: false; message: string; output: string };

/** Wall-clock limit of the child (ms) and its V8 heap limit (MiB). */
export const EXEC_TIMEOUT_MS = 10_000;
/** UFFDKIT_EXEC_TIMEOUT_MS may shorten the limit (tests, impatient CI), never lengthen it. */
function timeoutMs(): number {
  const asked = Number(process.env.UFFDKIT_EXEC_TIMEOUT_MS);
  return Number.isFinite(asked) && asked > 0 ? Math.min(asked, EXEC_TIMEOUT_MS) : EXEC_TIMEOUT_MS;
}
export const EXEC_HEAP_MB = 256;
/** Bytes of the child's output kept for the finding, and of its result. */
const MAX_CHILD_OUTPUT = 4096;
const MAX_CHILD_RESULT = 1024 * 1024;

/**
 * The child: keep the real JSON.stringify and fd 3 before the module can touch
 * them, import the module, send its default export back. Exit codes: 0 sent,
 * 3 no default export, 4 the import threw.
 */
const CHILD = `
const stringify = JSON.stringify;
const fs = await import("node:fs");
const send = (s) => fs.writeSync(3, s);
try {
  const mod = await import(process.argv[1]);
  if (!("default" in mod)) process.exit(3);
  send(stringify(mod.default) ?? "undefined");
  process.exit(0);
} catch (e) {
  try { send(String(e && e.name ? e.name + ": " + e.message : e)); } catch {}
  process.exit(4);
}
`;

/** The module that stands for `"uffdkit"`: the built package when present, else a shim of its only runtime export. */
function uffdkitModuleUrl(workDir: string): string {
  const built = new URL("../index.js", import.meta.url);
  if (built.protocol === "file:" && existsSync(built)) return built.href;
  const shim = join(workDir, "uffdkit-shim.mjs");
  writeFileSync(shim, "export function defineMemoryType(spec) { return spec; }\n");
  return pathToFileURL(shim).href;
}

export async function executeSpecModule(file: string, text: string): Promise<ExecuteResult> {
  const workDir = mkdtempSync(join(tmpdir(), "uffdkit-spec-"));
  try {
    const uffdkit = uffdkitModuleUrl(workDir);
    const entry = transpileTree(resolve(file), text, workDir, uffdkit);
    if (typeof entry !== "string") return { ok: false, message: entry.error, output: "" };
    return await runChild(entry);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Transpile the spec and its relative .ts imports into workDir; returns the entry's path. */
function transpileTree(entryAbs: string, entryText: string, workDir: string, uffdkit: string): string | { error: string } {
  const done = new Map<string, string>();
  const pending: { abs: string; text: string }[] = [{ abs: entryAbs, text: entryText }];
  const outPath = (abs: string) => {
    let p = done.get(abs);
    if (!p) {
      p = join(workDir, `m${done.size}.mjs`);
      done.set(abs, p);
    }
    return p;
  };
  outPath(entryAbs);
  while (pending.length > 0) {
    const { abs, text } = pending.pop()!;
    const js = ts.transpileModule(text, {
      fileName: abs,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    }).outputText;
    let error: string | undefined;
    const code = rewriteSpecifiers(js, (spec) => {
      if (spec === "uffdkit") return uffdkit;
      if (!spec.startsWith("./") && !spec.startsWith("../")) return spec;
      const base = resolve(dirname(abs), spec);
      const ts_ = /\.ts$/.test(base) ? base : /\.m?js$/.test(base) ? base.replace(/\.m?js$/, ".ts") : `${base}.ts`;
      if (!done.has(ts_) && existsSync(ts_)) {
        if (done.size > MAX_IMPORTED_FILES) error = `the spec imports more than ${MAX_IMPORTED_FILES} files`;
        const read = readSourceFile(ts_);
        if (!read.ok) error = `cannot read ${ts_}: ${read.why}`;
        else pending.push({ abs: ts_, text: read.text });
        return pathToFileURL(outPath(ts_)).href;
      }
      if (done.has(ts_)) return pathToFileURL(done.get(ts_)!).href;
      return pathToFileURL(base).href;
    });
    if (error) return { error };
    writeFileSync(outPath(abs), code);
  }
  return done.get(entryAbs)!;
}

function runChild(entry: string): Promise<ExecuteResult> {
  return new Promise((settle) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${EXEC_HEAP_MB}`, "--input-type=module", "-e", CHILD, pathToFileURL(entry).href], {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      if (output.length < MAX_CHILD_OUTPUT) output += chunk.toString("utf8").slice(0, MAX_CHILD_OUTPUT - output.length);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const chunks: Buffer[] = [];
    let size = 0;
    const result = child.stdio[3] as NodeJS.ReadableStream;
    result.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_CHILD_RESULT) chunks.push(c);
      else child.kill("SIGKILL");
    });
    let timedOut = false;
    const limit = timeoutMs();
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, limit);
    child.on("error", (e) => {
      clearTimeout(timer);
      settle({ ok: false, message: `could not start Node to execute the spec: ${e.message}`, output });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const sent = Buffer.concat(chunks).toString("utf8");
      if (timedOut) return settle({ ok: false, message: `executing the spec module did not finish within ${limit / 1000} s; it was stopped`, output });
      if (size > MAX_CHILD_RESULT) return settle({ ok: false, message: `the spec module's default export is larger than ${MAX_CHILD_RESULT} bytes`, output });
      if (signal) return settle({ ok: false, message: `executing the spec module ended by signal ${signal} (out of memory at ${EXEC_HEAP_MB} MiB?)`, output });
      if (code === 3) return settle({ ok: false, message: "the executed module has no default export", output });
      if (code === 4) return settle({ ok: false, message: `executing the spec module failed: ${sent.slice(0, 500)}`, output });
      if (code !== 0 || sent === "") return settle({ ok: false, message: `the spec module exited (code ${code}) while it was loaded, before uffdkit could read its default export`, output });
      if (sent === "undefined") return settle({ ok: true, value: undefined, output });
      try {
        settle({ ok: true, value: JSON.parse(sent) as unknown, output });
      } catch {
        settle({ ok: false, message: "the spec module's default export could not be read back as JSON", output });
      }
    });
  });
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
