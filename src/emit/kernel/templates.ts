/**
 * The Handlebars environment for kernel C and shim headers: escaping off (this is
 * C, not HTML), every identifier through cIdent at render time, templates and
 * partials compiled once per process.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { cIdent } from "../cident.js";

/** The package root: the nearest ancestor with uffdkit's package.json (works from src/ and dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "uffdkit") return dir;
      } catch {
        /* not ours; keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("uffdkit: cannot find the package root (package.json) to locate templates/");
    dir = up;
  }
}

export function templatesDir(): string {
  return join(packageRoot(), "templates");
}

let env: typeof Handlebars | undefined;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

function environment(): typeof Handlebars {
  if (env) return env;
  const hb = Handlebars.create();
  /** {{id x "where"}}: the last guard before a name becomes C text. */
  hb.registerHelper("id", (value: unknown, where: unknown) => {
    const w = typeof where === "string" ? where : "template";
    return cIdent(String(value), w);
  });
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("not", (a: unknown) => !a);
  hb.registerHelper("and", (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper("or", (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  // Partials: every file whose name starts with "_" under templates/kernel and
  // templates/shim, named by its path without extensions ("shim/_head").
  const root = templatesDir();
  for (const area of ["kernel", "shim"]) {
    for (const file of walk(join(root, area))) {
      const base = file.split(sep).pop() ?? "";
      if (!base.startsWith("_") || !base.endsWith(".hbs")) continue;
      const name = relative(root, file).split(sep).join("/").replace(/\.hbs$/, "").replace(/\.[a-z]+$/, "");
      hb.registerPartial(name, readFileSync(file, "utf8"));
    }
  }
  env = hb;
  return hb;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Render templates/<name>.hbs with the view. */
export function render(name: string, view: object): string {
  let t = compiled.get(name);
  if (!t) {
    const file = join(templatesDir(), `${name}.hbs`);
    if (!existsSync(file)) throw new Error(`uffdkit: template ${name}.hbs missing under ${templatesDir()}`);
    t = environment().compile(readFileSync(file, "utf8"), { noEscape: true, strict: true });
    compiled.set(name, t);
  }
  return t(view);
}
