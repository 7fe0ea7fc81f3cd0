/**
 * A seeded mutator of spec sources: takes one of the examples and applies one
 * to three mutations from these families (structure, types, names,
 * paths, text, numbers, syntax, nesting, computed forms). Each mutant says
 * whether uffdkit must refuse it (an error finding) and which strings must
 * never reach a generated file.
 *
 * Deterministic: the same seed gives the same mutants, so a failure report
 * (seed, index) reproduces.
 */

export interface Mutant {
  readonly text: string;
  /** The mutation families applied, for the report. */
  readonly kinds: readonly string[];
  /** true: the input is invalid, and at least one error finding must say so. */
  readonly mustRefuse: boolean;
  /** Strings that must not appear in any generated file (kernel C, selftests, checklist...). */
  readonly attacks: readonly string[];
}

/** mulberry32: small, fast, good enough to spread mutations; not for secrets. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

interface Step {
  text: string;
  mustRefuse: boolean;
  attacks: string[];
  /** The top-level field the step set: a later step on the same field replaces its claim. */
  field?: string;
}

/** Replace the value of a one-line top-level field `  key: value,`; add the field when it is not written on one line. */
function setField(text: string, key: string, value: string): string {
  const re = new RegExp(`^  ${key}: .*,$`, "m");
  if (re.test(text)) return text.replace(re, () => `  ${key}: ${value},`);
  return insertField(text, `${key}: ${value}`);
}

/** Insert a line right after `defineMemoryType({`. */
function insertField(text: string, line: string): string {
  return text.replace("defineMemoryType({", () => `defineMemoryType({\n  ${line},`);
}

/** Insert a top-level statement after the import line. */
function insertStatement(text: string, stmt: string): string {
  return text.replace(/^(import [^\n]*\n)/m, (m) => `${m}${stmt}\n`);
}

const q = (s: string) => JSON.stringify(s);

/** Strings an attacker would like to see in a generated kernel file. Each carries a unique marker. */
const C_INJECTIONS = ['x.c */\n#include "EVIL_INC.h"\n/* ', "x */ EVIL_CLOSE /*", "a;EVIL_SEMI", "a\nEVIL_NL"];
const TRAILER = "\nSigned-off-by: EVIL_MALLORY <m@x>";

const MUTATIONS: Record<string, (text: string, r: Rand) => Step> = {
  names(text, r) {
    const field = pick(r, ["name", "vmOps"]);
    // `name` gets uffdkit's suffixes (`_uffd_can_userfault`, 19 characters): 46 is one too many; other names may have 64.
    const tooLong = "n".repeat(field === "name" ? int(r, 46, 80) : int(r, 65, 80));
    const bad = [
      "_Atomic", "typeof", "asm", "alignas", "nullptr", "constexpr", "_Generic", "static_assert", "__attribute__", "current",
      "1abc", "", "a-b", "naïve", tooLong, "x */ EVIL_CLOSE /*", "a;EVIL_SEMI", "EVIL\nNL", "__EVIL",
    ];
    if (r() < 0.25) return { text: setField(text, field, q(`fz_${int(r, 0, 99999)}`)), mustRefuse: false, attacks: [], field };
    const v = pick(r, bad);
    return { text: setField(text, field, q(v)), mustRefuse: true, attacks: v.includes("EVIL") ? [v] : [], field };
  },
  paths(text, r) {
    const bad = ["../../x.c", "/etc/x.c", "", "mm/../x.c", "mm/./x.c", "mm//x.c", "mm/x.h", "C:\\x.c", "mm/x.c\u0000", ".git/x.c", "-o.c", ...C_INJECTIONS, `mm/x.c${TRAILER}`];
    if (r() < 0.25) return { text: setField(text, "file", q(pick(r, ["mm/fuzz.c", "drivers/a/b_c.c", "virt/kvm/fz.c"]))), mustRefuse: false, attacks: [], field: "file" };
    const v = pick(r, bad);
    return { text: setField(text, "file", q(v)), mustRefuse: true, attacks: v.includes("EVIL") ? [v] : [], field: "file" };
  },
  text(text, r) {
    const where = pick(r, ["subsystem", "series.title", "series.blurb", "series.base", "series.coDevelopedBy"]);
    const bad = [`mm/x${TRAILER}`, "a\u202eEVIL_BIDI", "a\u001b[31mEVIL_ESC", "a\rEVIL_CR", "a\u2028EVIL_LS", "x".repeat(2001), "a\tEVIL_TAB"];
    const v = pick(r, bad);
    const attacks = v.includes("EVIL") ? [v] : [];
    if (where === "subsystem") return { text: setField(text, "subsystem", q(v)), mustRefuse: true, attacks, field: "subsystem" };
    if (where === "series.coDevelopedBy") {
      return { text: setField(text, "series", `{ coDevelopedBy: [{ name: ${q("M <EVIL_ANGLE@x>")}, email: ${q(v)} }] }`), mustRefuse: true, attacks: [...attacks, "M <EVIL_ANGLE@x>"], field: "series" };
    }
    const key = where.split(".")[1]!;
    const val = key === "base" ? pick(r, ["--upload-pack=EVIL_OPT", "a b", "x..y", ...bad]) : v;
    return { text: setField(text, "series", `{ ${key}: ${q(val)} }`), mustRefuse: true, attacks: val.includes("EVIL") ? [val] : [], field: "series" };
  },
  numbers(text, r) {
    const field = pick(r, ["run", "series"]);
    // Past the field's maximum (run.pages 512, series.version 999), the exact-integer range, or not an integer.
    const beyond = field === "run" ? ["513", "1000", "4096"] : ["1000", "100000"];
    const bad = ["1e308", "-1", "0", "0.5", "9007199254740993", "10000", ...beyond, "Infinity", "NaN", "-0", "1n", "0x7fffffffffffffff"];
    const good = ["1", "2", "16", "64"];
    const valid = r() < 0.2;
    const v = valid ? pick(r, good) : pick(r, bad);
    const value = field === "run" ? `{ pages: ${v} }` : `{ version: ${v} }`;
    return { text: setField(text, field, value), mustRefuse: !valid, attacks: [], field };
  },
  types(text, r) {
    const field = pick(r, ["name", "subsystem", "file", "vmOps", "backing", "api", "features", "ioctls", "getFolio", "copy", "wpMarkers"]);
    const isString = ["name", "subsystem", "file", "vmOps", "backing", "api"].includes(field);
    const isArray = ["features", "ioctls"].includes(field);
    const isBool = field === "wpMarkers";
    const wrong = isString ? ["42", "true", "null", "[]", "{}", '["x"]'] : isArray ? ['"missing"', "42", "{}", "null", "[1, 2]"] : isBool ? ['"yes"', "1", "[]"] : ['"x"', "42", "[]", "true"];
    return { text: setField(text, field, pick(r, wrong)), mustRefuse: true, attacks: [], field };
  },
  structure(text, r) {
    const op = pick(r, ["delete-required", "unknown", "prototype", "duplicate", "many-unknown"]);
    if (op === "delete-required") {
      const field = pick(r, ["name", "subsystem", "file", "vmOps", "backing", "api", "features", "ioctls"]);
      const re = new RegExp(`^  ${field}: .*,\\n`, "m");
      return re.test(text) ? { text: text.replace(re, ""), mustRefuse: true, attacks: [], field } : { text, mustRefuse: false, attacks: [] };
    }
    if (op === "unknown") return { text: insertField(text, `${pick(r, ["nmae", "feature", "wpMarker", "fz"])}: 1`), mustRefuse: true, attacks: [] };
    if (op === "prototype") {
      const key = pick(r, ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__", '"__proto__"', "isPrototypeOf", "__defineGetter__"]);
      const where = r() < 0.5 ? "top" : "copy";
      if (where === "copy") return { text: setField(text, "copy", `{ alloc: { strategy: "vma", ${key}: 1 } }`), mustRefuse: true, attacks: [], field: "copy" };
      return { text: insertField(text, `${key}: { x: 1 }`), mustRefuse: true, attacks: [] };
    }
    if (op === "duplicate") {
      const field = pick(r, ["name", "api", "features", "backing"]);
      const m = new RegExp(`^  ${field}: .*,$`, "m").exec(text);
      return m ? { text: insertField(text, m[0].trim().replace(/,$/, "")), mustRefuse: true, attacks: [] } : { text, mustRefuse: false, attacks: [] };
    }
    const n = int(r, 10, 3000);
    return { text: insertField(text, Array.from({ length: n }, (_, i) => `u${i}: ${i}`).join(", ")), mustRefuse: true, attacks: [] };
  },
  syntax(text, r) {
    const pos = int(r, 0, text.length - 1);
    const op = pick(r, ["delete", "insert", "truncate", "swap"]);
    if (op === "delete") return { text: text.slice(0, pos) + text.slice(pos + 1), mustRefuse: false, attacks: [] };
    if (op === "insert") return { text: text.slice(0, pos) + pick(r, ["{", "}", "[", "]", "(", ")", '"', ",", ":", ";", "`", "/*", "\u2028", "\u0000", "\\"]) + text.slice(pos), mustRefuse: false, attacks: [] };
    if (op === "truncate") return { text: text.slice(0, pos), mustRefuse: false, attacks: [] };
    const other = int(r, 0, text.length - 1);
    const [a, b] = pos < other ? [pos, other] : [other, pos];
    return { text: text.slice(0, a) + text[b] + text.slice(a + 1, b) + text[a] + text.slice(b + 1), mustRefuse: false, attacks: [] };
  },
  nesting(text, r) {
    const depth = pick(r, [1, 2, 10, 40, 70, 200, 1000, 5000, 20000]);
    const [open, close] = pick(r, [["(", ")"], ["[", "]"], ["{ a: ", " }"], ["!", ""], ["- ", ""], ["c ? d : ", ""], ["() => ", ""], ["typeof ", ""]] as const);
    const field = pick(r, ["name", "features", "api"]);
    const m = new RegExp(`^  ${field}: (.*),$`, "m").exec(text);
    if (!m) return { text, mustRefuse: false, attacks: [] };
    const value = `${open.repeat(depth)}${m[1]}${close.repeat(depth)}`;
    // Parentheses keep the value; anything else changes its type or is not static. Past the limit, S09 either way.
    return { text: setField(text, field, value), mustRefuse: depth > 64 || open !== "(", attacks: [], field };
  },
  computed(text, r) {
    // [name, edit, the field it sets when the construct lives only in that field's value]
    const forms: [string, (t: string) => string, string?][] = [
      ["template", (t) => setField(t, "name", "`fz${'_'}x`"), "name"],
      ["call", (t) => setField(t, "name", 'String("fz")'), "name"],
      ["let", (t) => setField(insertStatement(t, 'let N = "fz";'), "name", "N")],
      ["arith", (t) => setField(t, "run", "{ pages: 1 + 1 }"), "run"],
      ["import-pkg", (t) => setField(insertStatement(t, 'import { N } from "node:os";'), "name", "N"), "name"],
      ["spread-import", (t) => setField(insertStatement(t, 'import { M } from "./nowhere";'), "features", "[...M]"), "features"],
      ["getter", (t) => setField(t, "copy", '{ get alloc() { return { strategy: "vma" }; } }'), "copy"],
      ["computed-key", (t) => insertField(insertStatement(t, 'const K = "name";'), '[K]: "fz"')],
      ["exit", (t) => insertStatement(t, "process.exit(0);")],
      ["loop", (t) => insertStatement(t, "for (;;) {}")],
      ["interval", (t) => insertStatement(t, "setInterval(() => {}, 1);")],
      ["stringify", (t) => insertStatement(t, 'JSON.stringify = () => "{}";')],
      ["stdout", (t) => insertStatement(t, 'process.stdout.write("EVIL_STDOUT");')],
      ["self", (t) => setField(insertStatement(t, "const s = s;"), "name", "s"), "name"],
      ["self-spread", (t) => setField(insertStatement(t, "const o = { ...o };"), "copy", "o"), "copy"],
      ["class", (t) => insertStatement(t, "class X { static { process.exit(0); } }")],
      ["await", (t) => setField(t, "name", 'await Promise.resolve("x")'), "name"],
      ["new", (t) => setField(t, "name", 'new String("x")'), "name"],
    ];
    const statics: [string, (t: string) => string, string][] = [
      ["concat", (t) => setField(t, "subsystem", '"mm/" + "fz"'), "subsystem"],
      ["as-const", (t) => setField(t, "backing", '"anon" as const'), "backing"],
      ["const", (t) => setField(insertStatement(t, 'const SUB = "mm/fz";'), "subsystem", "SUB"), "subsystem"],
    ];
    if (r() < 0.2) {
      const [, f, field] = pick(r, statics);
      return { text: f(text), mustRefuse: false, attacks: [], field };
    }
    const [, f, field] = pick(r, forms);
    return { text: f(text), mustRefuse: true, attacks: ["EVIL_STDOUT"], ...(field ? { field } : {}) };
  },
};

export const FAMILIES = Object.keys(MUTATIONS);

/** The i-th mutant of a seeded run over `examples` (name → source). */
export function mutant(examples: readonly string[], seed: number, index: number): Mutant {
  const r = prng(seed * 1_000_003 + index);
  let text = pick(r, examples);
  const kinds: string[] = [];
  let mustRefuse = false;
  const byField = new Map<string, boolean>();
  const attacks: string[] = [];
  const count = r() < 0.7 ? 1 : int(r, 2, 3);
  for (let i = 0; i < count; i++) {
    const family = pick(r, FAMILIES);
    const step = MUTATIONS[family]!(text, r);
    text = step.text;
    kinds.push(family);
    if (step.field !== undefined) byField.set(step.field, step.mustRefuse);
    else mustRefuse ||= step.mustRefuse;
    attacks.push(...step.attacks);
    // A random edit can also repair what an earlier step broke (delete the `_` of `_Atomic`):
    // after one, the mutant makes no claim about refusal, only about crashes, positions and leaks.
    if (family === "syntax") {
      return { text, kinds, mustRefuse: false, attacks };
    }
  }
  return { text, kinds, mustRefuse: mustRefuse || [...byField.values()].some(Boolean), attacks };
}
