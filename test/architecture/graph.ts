/**
 * The import graph of src/, read from the sources (every `import`/`export ...
 * from` with a relative path, type-only ones included: a type import is a
 * dependency of the design too), and the stage each file belongs to.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
const SRC = join(ROOT, "src");

/**
 * The flow, earliest first: load → lower → rules → plan/emit → run → report →
 * session → generate → cli, with kernel data, the spec's types and the shared
 * contracts (ir) below everything.
 * A file may import its own stage or an earlier one, never a later one.
 */
export const STAGES: readonly (readonly string[])[] = [
  ["diagnostics"],
  ["kernel"],
  ["spec"],
  ["ir"],
  ["load", "model"],
  ["lower"],
  ["rules"],
  ["plan", "emit"],
  ["run"],
  ["report", "series", "write"],
  ["session"],
  ["generate"],
  ["cli"],
  ["index.ts"],
];

/** The stage rank of a src-relative path (its top folder, or the file at the top). */
export function rankOf(path: string): number {
  const top = path.split("/")[0]!;
  const i = STAGES.findIndex((s) => s.includes(top));
  if (i < 0) throw new Error(`src/${path}: its folder ${top} is in no stage of test/architecture/graph.ts`);
  return i;
}

export function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [relative(SRC, p)] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+["'](\.{1,2}\/[^"']+)["']|import\(\s*["'`](\.{1,2}\/[^"'`]+)["'`]\s*\)/g;

/** The relative imports of one source text, resolved to src-relative .ts paths. */
export function importsOf(path: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    if (spec.includes("${")) continue;
    const target = relative(SRC, resolve(SRC, dirname(path), spec)).replace(/\.js$/, ".ts");
    if (target.startsWith("..")) continue;
    out.push(target);
  }
  return out;
}

export function importGraph(): Map<string, string[]> {
  return new Map(sourceFiles().map((f) => [f, importsOf(f, readFileSync(join(SRC, f), "utf8"))]));
}

/** Strongly connected components with more than one file (import cycles), by Tarjan. */
export function cycles(graph: Map<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}
