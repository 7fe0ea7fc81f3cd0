/**
 * docs/spec.md, generated: the reference of the spec language. For every field
 * the loader knows (src/load/schema.ts, so none is missing): what it is (the
 * doc comment in src/spec/types.ts), its values, its default as src/lower
 * decides it, the API generations that use it, and an example from examples/.
 * Regenerate with `node scripts/spec-doc.mjs`; test/report/spec-reference.test.ts
 * fails when docs/spec.md is stale.
 */
import { readFileSync } from "node:fs";
import ts from "typescript";
import { API_GENERATIONS, GENERATIONS, type ApiGenerationId, type CallbackRole } from "../kernel/generations.js";
import { KIND_KCONFIG } from "../kernel/kinds.js";
import { SPEC_SCHEMA, type Field, type Schema } from "../load/schema.js";
import { DEFAULT_COPY, DEFAULT_GET_FOLIO } from "../lower/index.js";

/** One example value of a field: the spec file that sets it and the value. */
export interface ExampleValue {
  readonly file: string;
  readonly value: unknown;
}

interface Row {
  readonly path: string;
  readonly field: Field;
}

/** Every field path of the schema, depth first: `copy.alloc.strategy`, `series.changelog[].version`. */
export function schemaPaths(schema: Schema = SPEC_SCHEMA, prefix = ""): Row[] {
  const out: Row[] = [];
  if (schema.kind === "array") return schemaPaths(schema.of, `${prefix}[]`);
  if (schema.kind !== "object") return out;
  for (const [key, field] of Object.entries(schema.fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push({ path, field }, ...schemaPaths(field.schema, path));
  }
  return out;
}

/** JSDoc of every property in src/spec/types.ts, by field path from MemoryTypeSpec. */
export function docComments(typesSource: string): Map<string, string> {
  const sf = ts.createSourceFile("types.ts", typesSource, ts.ScriptTarget.ES2022, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  sf.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n)) interfaces.set(n.name.text, n);
  });
  const out = new Map<string, string>();
  const visit = (members: ts.NodeArray<ts.TypeElement>, prefix: string, depth: number) => {
    for (const m of members) {
      if (!ts.isPropertySignature(m) || !m.name || !ts.isIdentifier(m.name)) continue;
      const path = prefix ? `${prefix}.${m.name.text}` : m.name.text;
      const doc = ts.getJSDocCommentsAndTags(m).map((d) => (ts.isJSDoc(d) ? ts.getTextOfJSDocComment(d.comment) ?? "" : "")).join(" ").trim();
      if (doc) out.set(path, doc.replace(/[ \t]+/g, " ").replace(/\n /g, "\n"));
      if (depth > 4 || !m.type) continue;
      let t: ts.TypeNode = m.type;
      let sub = path;
      if (ts.isArrayTypeNode(t)) {
        t = t.elementType;
        sub = `${path}[]`;
      }
      if (ts.isTypeLiteralNode(t)) visit(t.members, sub, depth + 1);
      else if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName)) {
        const i = interfaces.get(t.typeName.text);
        if (i) visit(i.members, sub, depth + 1);
      }
    }
  };
  const root = interfaces.get("MemoryTypeSpec");
  if (root) visit(root.members, "", 0);
  return out;
}

const gensWith = (roles: readonly CallbackRole[]): ApiGenerationId[] => API_GENERATIONS.filter((g) => GENERATIONS[g].callbacks.some((c) => roles.includes(c.role)));

/** Which generations use a field: from the generations' callbacks where a field feeds one callback. */
export function generationsOf(path: string): readonly ApiGenerationId[] {
  if (path.startsWith("getFolio")) return gensWith(["getFolio"]);
  if (path === "copy.export" || path.startsWith("copy.filemap") || path.startsWith("copy.typeAdd") || path === "copy.unaccount" || path === "copy.prepare")
    return gensWith(["filemapAdd", "filemapRemove", "copy"]);
  if (path.startsWith("copy")) return gensWith(["allocFolio", "copy"]);
  if (path.startsWith("guard.recheck")) return gensWith(["filemapAdd"]);
  return API_GENERATIONS;
}

const json = (v: unknown) => JSON.stringify(v);

/** The default of a field as src/lower (or the loader's normalize) decides it; code constants where they exist. */
export function defaultOf(path: string, field: Field): string {
  const gf = path.match(/^getFolio\.(\w+)$/)?.[1];
  if (path === "getFolio") return `when a generation needs get_folio and the spec has none: ${json(DEFAULT_GET_FOLIO)}`;
  if (gf && gf in DEFAULT_GET_FOLIO) return `${field.required ? "required in `getFolio`; without `getFolio`: " : ""}${json(DEFAULT_GET_FOLIO[gf as keyof typeof DEFAULT_GET_FOLIO])}`;
  if (field.required) return "required";
  if (path === "copy") return `when COPY/ZEROPAGE is declared and the spec has none: ${json(DEFAULT_COPY)}`;
  const al = path.match(/^copy\.alloc\.(\w+)$/)?.[1];
  if (al && al in DEFAULT_COPY.alloc) return json(DEFAULT_COPY.alloc[al as keyof typeof DEFAULT_COPY.alloc]);
  const cp = path.match(/^copy\.(\w+)$/)?.[1];
  if (cp && cp in DEFAULT_COPY && cp !== "alloc") return json(DEFAULT_COPY[cp as keyof typeof DEFAULT_COPY]);
  const known: Record<string, string> = {
    modular: "false (built in)",
    module: '"kvm" for a subsystem starting with KVM, else `name`',
    kconfig: `by file: ${Object.entries(KIND_KCONFIG).map(([f, k]) => `${f} → ${k.symbol} (${k.type})`).join(", ")}; else none, and \`modular\` is not checked against it`,
    "guard.granularity": '"page"',
    "fault.eofFirst": "true",
    "fault.raise": 'anonymous and hugetlb: core; page cache: "core" where the generation has __do_userfault() (linux-7.1+gmem), else "none"',
    wpMarkers: "false",
    populateByWrite: "false",
    "kvmUserfault.userspaceStore": '"release"',
    "run.pages": "8",
    "run.gmemFlags": '["mmap", "init_shared"] for a guest_memfd object',
    "run.object": 'by file: mm/shmem.c → memfd, mm/hugetlb.c or backing hugetlb → memfd-hugetlb, virt/kvm/guest_memfd.c → guest_memfd, backing anon → anonymous memory; else chardev at /dev/<module>',
    "run.object.path": '"/dev/<module>"',
    "run.object.args": "[] (no arguments)",
    "run.ops": "every operation for memfd, hugetlb memfd, guest_memfd and anonymous memory; none for chardev, syscall and file objects (uffdkit never guesses)",
    "series.version": "1",
    "series.rfc": "false",
  };
  return known[path] ?? "none";
}

function valuesOf(s: Schema): string {
  switch (s.kind) {
    case "string":
      return s.values ? s.values.map((v) => `\`"${v}"\``).join(", ") : s.cident ? "a C identifier" : "text";
    case "number":
      return `integer${s.min !== undefined ? ` ${s.min}..${s.max}` : ""}`;
    case "boolean":
      return "boolean";
    case "array":
      return `list of ${valuesOf(s.of)}`;
    case "one-or-many":
      return `${valuesOf(s.of)}, or a list of them`;
    case "object":
      return "object";
  }
}

export function renderSpecReference(examples: ReadonlyMap<string, ExampleValue>, typesSource = readFileSync(new URL("../../src/spec/types.ts", import.meta.url), "utf8")): string {
  const docs = docComments(typesSource);
  const lines = [
    "# The spec language",
    "",
    "<!-- Generated by scripts/spec-doc.mjs from src/load/schema.ts, src/spec/types.ts, src/lower and examples/; do not edit. -->",
    "",
    "A spec is `export default defineMemoryType({ ... })` in a `*.uffd.ts` file. Every field below, with its",
    "values, its default as uffdkit lowers it (src/lower decides every default once), the API generations that",
    "use it, and an example from `examples/` where one sets it. `uffdkit init NAME --kind K` writes a starter.",
    "",
  ];
  for (const { path, field } of schemaPaths()) {
    const depth = path.split(".").length;
    lines.push(`${"#".repeat(Math.min(depth + 1, 5))} \`${path}\``, "");
    const doc = docs.get(path) ?? field.doc;
    if (doc) lines.push(doc, "");
    lines.push(`- values: ${valuesOf(field.schema)}`);
    lines.push(`- default: ${defaultOf(path, field)}`);
    const gens = generationsOf(path);
    lines.push(`- generations: ${gens.length === API_GENERATIONS.length ? "all" : gens.join(", ")}`);
    const ex = examples.get(path);
    if (ex) lines.push(`- example (${ex.file}): \`${JSON.stringify(ex.value)}\``);
    lines.push("");
  }
  return lines.join("\n");
}

/** The first example spec that sets each path (examples in file-name order), values shortened. */
export function examplesOf(specs: readonly { file: string; spec: unknown }[]): Map<string, ExampleValue> {
  const out = new Map<string, ExampleValue>();
  const walk = (v: unknown, path: string, file: string) => {
    if (v === undefined) return;
    if (path && !out.has(path)) out.set(path, { file, value: shorten(v) });
    if (Array.isArray(v)) {
      for (const x of v) if (x && typeof x === "object") walk(x, `${path}[]`, file);
    } else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, file);
  };
  for (const s of specs) walk(s.spec, "", s.file);
  return out;
}

function shorten(v: unknown): unknown {
  const text = JSON.stringify(v);
  if (text.length <= 160) return v;
  if (Array.isArray(v)) return `[${v.length} entries]`;
  if (v && typeof v === "object") return `{ ${Object.keys(v).join(", ")} }`;
  return `${text.slice(0, 150)}…`;
}
