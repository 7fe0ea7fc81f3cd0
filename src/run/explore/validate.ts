/**
 * Hand-written programs and replay files (docs/explore.md), checked before
 * anything runs: the setup and every step against the published scenario
 * schema (src/run/sim/validate.ts), the rest here. Errors name a JSON path.
 */
import { validateScenario, type SchemaError } from "../sim/validate.js";
import type { ConcurrentProgram } from "../../ir/program.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const OPS = new Set(["access", "serve", "convert", "step"]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function validateProgram(data: unknown, at = "$"): SchemaError[] {
  if (!isObj(data)) return [{ path: at, message: "a program is an object { name, title, setup, prologue, threads }" }];
  const errs: SchemaError[] = [];
  const p = data;
  if (typeof p.name !== "string" || !NAME.test(p.name)) errs.push({ path: `${at}.name`, message: "a name of letters, digits, _ and -, starting with a letter or _ (at most 64)" });
  if (typeof p.title !== "string") errs.push({ path: `${at}.title`, message: "a one-sentence string" });
  const prologue = Array.isArray(p.prologue) ? p.prologue : [];
  if (p.prologue !== undefined && !Array.isArray(p.prologue)) errs.push({ path: `${at}.prologue`, message: "an array of scenario steps" });
  // The setup and the prologue are a scenario's: let the schema say what is wrong with them.
  for (const e of validateScenario({ name: "program", title: "program", source: [], setup: p.setup, steps: prologue })) {
    errs.push({ path: e.path.replace(/^\$\.steps/, `${at}.prologue`).replace(/^\$/, at), message: e.message });
  }
  if (!Array.isArray(p.threads) || p.threads.length < 1 || p.threads.length > 4) {
    errs.push({ path: `${at}.threads`, message: "an array of one to four threads { name, ops }" });
    return errs;
  }
  const names = new Set<string>();
  p.threads.forEach((t: unknown, i: number) => {
    const tp = `${at}.threads[${i}]`;
    if (!isObj(t)) return void errs.push({ path: tp, message: "a thread is { name, ops }" });
    if (typeof t.name !== "string" || !NAME.test(t.name)) errs.push({ path: `${tp}.name`, message: "a name of letters, digits, _ and -" });
    else if (names.has(t.name)) errs.push({ path: `${tp}.name`, message: `"${t.name}" names two threads` });
    else names.add(t.name);
    if (!Array.isArray(t.ops) || t.ops.length < 1 || t.ops.length > 8) return void errs.push({ path: `${tp}.ops`, message: "an array of one to eight operations" });
    t.ops.forEach((o: unknown, k: number) => errs.push(...validateOp(o, `${tp}.ops[${k}]`, p.setup)));
  });
  return errs;
}

function validateOp(o: unknown, at: string, setup: unknown): SchemaError[] {
  if (!isObj(o) || typeof o.op !== "string" || !OPS.has(o.op)) return [{ path: `${at}.op`, message: `one of ${[...OPS].join(", ")}` }];
  const page = (v: unknown, path: string) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) < 4096 ? [] : [{ path, message: "a page index (an integer from 0)" }]);
  switch (o.op) {
    case "access":
      return [...page(o.page, `${at}.page`), ...(o.access === "read" || o.access === "write" ? [] : [{ path: `${at}.access`, message: '"read" or "write"' }])];
    case "convert":
      return [...page(o.page, `${at}.page`), ...(o.to === "private" || o.to === "shared" ? [] : [{ path: `${at}.to`, message: '"private" or "shared"' }])];
    case "serve": {
      const bad: SchemaError[] = [];
      if (o.missing !== undefined && o.missing !== "copy" && o.missing !== "zeropage" && o.missing !== "move") bad.push({ path: `${at}.missing`, message: '"copy", "zeropage" or "move"' });
      if (o.minor !== undefined && o.minor !== "continue") bad.push({ path: `${at}.minor`, message: '"continue"' });
      if (o.wp !== undefined && o.wp !== "unprotect") bad.push({ path: `${at}.wp`, message: '"unprotect"' });
      if (o.span !== undefined && !(Number.isInteger(o.span) && (o.span as number) >= 1 && (o.span as number) <= 16)) bad.push({ path: `${at}.span`, message: "1 to 16 pages" });
      return bad;
    }
    case "step":
      return validateScenario({ name: "op", title: "op", source: [], setup, steps: [o.step] })
        .filter((e) => e.path.startsWith("$.steps"))
        .map((e) => ({ path: e.path.replace(/^\$\.steps\[0\]/, `${at}.step`), message: e.message }));
  }
  return [];
}

/** A file of programs: one program, or { programs: [...] }. */
export function programsOf(data: unknown): { programs: ConcurrentProgram[]; errors: SchemaError[] } {
  const list = isObj(data) && Array.isArray(data.programs) ? data.programs : [data];
  const errors = list.flatMap((p: unknown, i: number) => validateProgram(p, isObj(data) && Array.isArray(data.programs) ? `$.programs[${i}]` : "$"));
  return { programs: errors.length ? [] : (list as ConcurrentProgram[]), errors };
}
