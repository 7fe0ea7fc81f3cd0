/**
 * Bounds the user sets on the explored programs:
 * `--threads`, `--ops` and `--pages`. Unset, every program is the planner's
 * own (2–3 threads, 1–2 operations a thread, 2 pages: docs/explore.md), so
 * the defaults stay what they were. Set, a program grows; it never shrinks
 * below its own shape, because each of its threads plays a role in the race
 * it was written for:
 * - pages P: the mapping has P pages; a range that covered the whole mapping
 *   still does (REGISTER, a zap of everything, ftruncate back to full size);
 *   any other range, and a truncation to a smaller size, stays where it was;
 * - ops K: each worker thread runs K operations, its own and then the same
 *   again shifted to the next pages (the monitor's serve loop is one op; a
 *   fork, an mremap or a close is not done twice);
 * - threads T: copies of the program's first thread are added, each shifted
 *   to the next pages, until there are T threads.
 * The same transformation applies to hand-written programs.
 */
import type { ConcurrentProgram, ProgramOp, ProgramThread } from "../../ir/program.js";
import type { Step } from "../../ir/scenario.js";

export interface ProgramBounds {
  readonly threads?: number;
  readonly ops?: number;
  readonly pages?: number;
}

/** What the bounds are when none is set, as the report states them. */
export const OWN_BOUNDS = "each program's own (2-3 threads, 1-2 operations a thread, 2 pages)";

export function describeBounds(b: ProgramBounds): string {
  if (b.threads === undefined && b.ops === undefined && b.pages === undefined) return OWN_BOUNDS;
  const part = (v: number | undefined, what: string) => (v === undefined ? `the program's own ${what}` : `${v} ${what}`);
  return `at least ${part(b.threads, "threads")}, ${part(b.ops, "operations a worker thread")}, ${part(b.pages, "pages")}`;
}

export function boundProgram(p: ConcurrentProgram, b: ProgramBounds): ConcurrentProgram {
  const own = p.setup.pages;
  const pages = Math.max(own, b.pages ?? own);
  let threads = pages === own ? p.threads : p.threads.map((t) => ({ ...t, ops: t.ops.map((o) => widenOp(o, own, pages)) }));
  if (b.ops !== undefined) {
    const longer = threads.map((t) => lengthen(t, b.ops!, pages));
    if (longer.some((t, k) => t !== threads[k])) threads = longer;
  }
  if (b.threads !== undefined && b.threads > threads.length) {
    const worker = threads.find((t) => !isServe(t)) ?? threads[0]!;
    threads = [...threads, ...copiesOf(worker, b.threads - threads.length, threads, pages)];
  }
  if (pages === own && threads === p.threads) return p;
  const setup = pages === own ? p.setup : widenSetup(p.setup, own, pages);
  const prologue = pages === own ? p.prologue : p.prologue.map((s) => widenStep(s, own, pages));
  const name = `${p.name}${suffix(b, p, pages, threads.length)}`;
  return { ...p, name, setup, prologue, threads };
}

/** The program's name says the bounds it was grown to, so reports and replay files stay apart. */
function suffix(b: ProgramBounds, p: ConcurrentProgram, pages: number, nthreads: number): string {
  const parts: string[] = [];
  if (nthreads !== p.threads.length) parts.push(`t${nthreads}`);
  if (b.ops !== undefined && p.threads.some((t) => !isServe(t) && t.ops.length < b.ops!)) parts.push(`o${b.ops}`);
  if (pages !== p.setup.pages) parts.push(`p${pages}`);
  return parts.length ? `.${parts.join("")}` : "";
}

function isServe(t: ProgramThread): boolean {
  return t.ops.some((o) => o.op === "serve");
}

function widenSetup(s: ConcurrentProgram["setup"], own: number, pages: number): ConcurrentProgram["setup"] {
  const populate = s.populate?.map((f) => (f.page === 0 && f.pages === own ? { ...f, pages } : f));
  return { ...s, pages, ...(populate ? { populate } : {}), ...(s.srcPages === own ? { srcPages: pages } : {}) };
}

/** A range over the whole mapping stays over the whole mapping, and so does a truncation to full size. */
function widenStep(s: Step, own: number, pages: number): Step {
  if (s.op === "truncate") return s.pages === own ? { ...s, pages } : s;
  const r = s as { page?: number; pages?: number };
  if (r.page === 0 && r.pages === own) return { ...s, pages } as Step;
  return s;
}

function widenOp(o: ProgramOp, own: number, pages: number): ProgramOp {
  return o.op === "step" ? { ...o, step: widenStep(o.step, own, pages) } : o;
}

/** The op moved k pages on (wrapping), for the copies and repeats a bound adds. */
function shiftOp(o: ProgramOp, k: number, pages: number): ProgramOp {
  if (k === 0) return o;
  switch (o.op) {
    case "access":
    case "convert":
      return { ...o, page: (o.page + k) % pages };
    case "serve":
      return o;
    case "step": {
      const r = o.step as { page?: number; pages?: number };
      if (r.page === undefined || (r.pages ?? 1) >= pages) return o;
      const n = r.pages ?? 1;
      return { ...o, step: { ...o.step, page: (r.page + k) % (pages - n + 1) } as Step };
    }
  }
}

/** Operations a thread can do again: accesses, conversions, steps on a page range, ftruncate. fork, mremap, close happen once. */
function repeatable(o: ProgramOp): boolean {
  if (o.op === "access" || o.op === "convert") return true;
  if (o.op !== "step") return false;
  return o.step.op === "truncate" || (o.step as { page?: number }).page !== undefined;
}

function lengthen(t: ProgramThread, ops: number, pages: number): ProgramThread {
  const again = t.ops.filter(repeatable);
  if (isServe(t) || t.ops.length >= ops || again.length === 0) return t;
  const extra = Array.from({ length: ops - t.ops.length }, (_, j) => shiftOp(again[j % again.length]!, 1 + Math.floor(j / again.length), pages));
  return { ...t, ops: [...t.ops, ...extra] };
}

function copiesOf(t: ProgramThread, n: number, taken: readonly ProgramThread[], pages: number): ProgramThread[] {
  const names = new Set(taken.map((x) => x.name));
  const out: ProgramThread[] = [];
  for (let k = 1; out.length < n; k++) {
    const name = `${t.name}${k + 1}`;
    if (names.has(name)) continue;
    names.add(name);
    out.push({ name, ops: t.ops.map((o) => shiftOp(o, k, pages)) });
  }
  return out;
}
