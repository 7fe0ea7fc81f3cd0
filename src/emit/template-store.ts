/**
 * Handlebars templates for every emitter, compiled once at build time.
 *
 * `npm run build` precompiles templates/**\/*.hbs into dist/templates.precompiled.cjs
 * (scripts/precompile-templates.mjs). Compiling them at run time cost ~220 ms of
 * every cold `uffdkit gen` (bench/gen); loading the precompiled specs costs a
 * few. Each spec carries the hash of its source, so an edited template whose
 * build is stale is compiled from source instead: output never lags templates/.
 *
 * Escaping is off everywhere (this is C, not HTML): every emitter validates the
 * identifiers it interpolates (src/kernel/cident.ts) instead.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type HandlebarsNS from "handlebars";

type Handlebars = typeof HandlebarsNS;
type Delegate = HandlebarsNS.TemplateDelegate;
/** The object Handlebars.precompile describes in JS source; Handlebars.template takes it. */
type TemplateSpec = Parameters<Handlebars["template"]>[0];
const require = createRequire(import.meta.url);

/** Options every template is compiled with, at build time and at run time alike. */
export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

export interface Precompiled {
  readonly [name: string]: { readonly hash: string; readonly spec: TemplateSpec };
}

export { packageRoot } from "../load/package-root.js";
import { packageRoot } from "../load/package-root.js";

export function templatesDir(): string {
  return join(packageRoot(), "templates");
}

export function templateHash(source: string): string {
  return createHash("sha256").update(source).digest("hex").slice(0, 16);
}

/** Every .hbs file under templates/, by name relative to it without ".hbs" ("kernel/file.c"). */
export function listTemplates(root = templatesDir()): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith(".hbs")) out.set(relative(root, p).split(sep).join("/").replace(/\.hbs$/, ""), p);
    }
  };
  walk(root);
  return out;
}

let precompiled: Precompiled | null | undefined;
function loadPrecompiled(): Precompiled | null {
  if (precompiled !== undefined) return precompiled;
  const file = join(packageRoot(), "dist", "templates.precompiled.cjs");
  precompiled = existsSync(file) ? (require(file) as Precompiled) : null;
  return precompiled;
}

let fullHandlebars: Handlebars | undefined;
/** The runtime is enough for precompiled templates; the compiler loads only when a template must be compiled. */
function compilerHandlebars(): Handlebars {
  fullHandlebars ??= require("handlebars") as Handlebars;
  return fullHandlebars;
}

export interface TemplateEnvironment {
  /** Render templates/<name>.hbs. */
  render(name: string, view: object): string;
}

/**
 * An environment with its own helpers and, as partials, every template under the
 * given areas whose file name starts with "_" (partial "kernel/_get_folio" is
 * templates/kernel/_get_folio.hbs; areas may also register unprefixed partials
 * by name through `partials`).
 */
export function createTemplateEnvironment(opts: {
  helpers: Record<string, HandlebarsNS.HelperDelegate>;
  partialAreas?: readonly string[];
  /** Extra partials: partial name → template name. */
  partials?: Record<string, string>;
  /** For tests: another templates folder and precompiled set. */
  root?: string;
  precompiled?: Precompiled | null;
}): TemplateEnvironment {
  const files = listTemplates(opts.root);
  const pre = opts.precompiled !== undefined ? opts.precompiled : loadPrecompiled();
  const runtime = require("handlebars/runtime") as Handlebars & { default?: Handlebars };
  const hb = (runtime.default ?? runtime).create();
  const cache = new Map<string, Delegate>();

  const templateFor = (name: string): Delegate => {
    const hit = cache.get(name);
    if (hit) return hit;
    const path = files.get(name);
    if (!path) throw new Error(`uffdkit: template ${name}.hbs missing under ${opts.root ?? templatesDir()}`);
    const source = readFileSync(path, "utf8");
    const entry = pre?.[name];
    let t: Delegate;
    if (entry && entry.hash === templateHash(source)) {
      t = hb.template(entry.spec);
    } else {
      // Stale or no build: compile with the full Handlebars, but run in this environment.
      const spec = compilerHandlebars().precompile(source, COMPILE_OPTIONS) as unknown as string;
      t = hb.template(evalSpec(spec));
    }
    cache.set(name, t);
    return t;
  };

  for (const [name, fn] of Object.entries(opts.helpers)) hb.registerHelper(name, fn);
  for (const area of opts.partialAreas ?? []) {
    for (const name of files.keys()) {
      const base = name.split("/").pop() ?? "";
      if (name.startsWith(`${area}/`) && base.startsWith("_")) {
        hb.registerPartial(name.replace(/\.[a-z]+$/, ""), templateFor(name));
      }
    }
  }
  for (const [partial, name] of Object.entries(opts.partials ?? {})) hb.registerPartial(partial, templateFor(name));

  return { render: (name, view) => templateFor(name)(view) };
}

/** Turn precompiled JS source (an object literal) into the spec object. Our own templates only. */
export function evalSpec(js: string): TemplateSpec {
  return new Function(`return (${js});`)() as TemplateSpec;
}

/** Thrown when text that cannot be made safe for a C comment reaches a template: a bug in uffdkit (the loader validates it, S05/S06). */
export class UnsafeCommentTextError extends Error {
  constructor(readonly value: string, readonly where: string) {
    super(`refusing to emit ${JSON.stringify(value.slice(0, 80))} inside a C comment (${where})`);
  }
}

/**
 * Text for the inside of a C block comment: one line, printable, and unable to
 * end the comment. `*\/` and `/*` are split with a space (C has no escape inside
 * comments); a line break or a control character is refused, because no
 * rewriting of it is provably what the spec meant.
 */
export function cCommentText(value: string, where: string): string {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) throw new UnsafeCommentTextError(value, where);
  return value.replace(/\*\//g, "* /").replace(/\/\*/g, "/ *");
}
