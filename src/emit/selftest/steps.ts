/**
 * One scenario step → the C statements of its TEST body. Each step calls a
 * runtime helper (templates/selftest/uffdkit_runtime.h.hbs), prints its observation with
 * uk_obs_*() and only then checks the expectation with EXPECT_*, so a failed
 * expectation never hides what the kernel did.
 */
import type { ErrnoName } from "../../kernel/uapi.js";
import { UFFD_PAGEFAULT_FLAG, UFFDIO_REGISTER_MODE, featureMacro, type RangeIoctl } from "../../kernel/uapi.js";
import type { CopyStep, Fill, PageRange, Scenario, SourceAddress, Step, TouchExpect } from "../../ir/scenario.js";
import { RESULT_FIELD, apiReportsMasks, hexMask } from "../../ir/observation.js";
import { isCIdentifier } from "../../kernel/cident.js";

/** A scenario the emitter cannot turn into C (a bug in the scenario, reported with its name). */
export class ScenarioEmitError extends Error {
  constructor(readonly scenario: string, message: string) {
    super(`scenario ${scenario}: ${message}`);
  }
}

/** Column width of a line after one leading tab. */
const WIDTH = 79 - 8;

function columns(s: string): number {
  return s.replace(/\t/g, "        ").length;
}

/** Tabs then spaces that indent a continuation line `col` columns past the body's tab. */
function indentTo(col: number): string {
  return "\t".repeat(Math.floor(col / 8)) + " ".repeat(col % 8);
}

/**
 * Join expression parts with `op`, wrapping under 80 columns. A head that opens
 * a parenthesis (`EXPECT_EQ(`) aligns the continuation lines under it, as
 * checkpatch --strict wants; otherwise they take one more tab.
 */
export function wrapJoin(head: string, parts: readonly string[], op: string, tail: string): string[] {
  const lines: string[] = [];
  const cont = head.endsWith("(") ? indentTo(columns(head)) : "\t";
  let cur = head;
  parts.forEach((p, i) => {
    const piece = p + (i < parts.length - 1 ? ` ${op}` : tail);
    const sep = cur.endsWith("(") || cur.endsWith("= ") || cur === cont ? "" : " ";
    if (columns(cur + sep + piece) > WIDTH && cur.trim() !== "") {
      lines.push(cur);
      cur = cont + piece;
    } else cur = cur + sep + piece;
  });
  if (parts.length === 0) cur += tail;
  lines.push(cur);
  return lines;
}

/** A call statement `head(arg, ...)tail`, wrapped under 80 columns with the arguments aligned to the parenthesis. */
export function wrapCall(head: string, args: readonly string[], tail: string): string[] {
  const open = `${head}(`;
  const cont = indentTo(columns(open));
  const lines: string[] = [];
  let cur = open;
  args.forEach((a, i) => {
    const piece = a + (i < args.length - 1 ? "," : `)${tail}`);
    const sep = cur === open ? "" : " ";
    if (cur !== open && columns(cur + sep + piece) > WIDTH) {
      lines.push(cur);
      cur = cont + piece;
    } else cur = cur + sep + piece;
  });
  if (args.length === 0) cur += `)${tail}`;
  lines.push(cur);
  return lines;
}

/**
 * Split comment text into lines of at most `width` columns at spaces. A word
 * longer than the width (a URL, a path) keeps a line of its own.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur || lines.length === 0) lines.push(cur);
  return lines;
}

/**
 * ` * `-prefixed lines of a block comment (at column 0) saying `text`, under
 * 80 columns; lines after the first are indented by `hang` spaces.
 */
export function blockCommentLines(text: string, hang = 0): string[] {
  const first = wrapWords(commentSafe(text), 79 - 3);
  const rest = first.length > 1 ? wrapWords(first.slice(1).join(" "), 79 - 3 - hang) : [];
  return [first[0]!, ...rest.map((l) => " ".repeat(hang) + l)].map((l) => (l ? ` * ${l}` : " *"));
}

/** A comment inside a TEST body (one tab in): one line when it fits, else a block. */
function stepComment(text: string): string[] {
  const safe = commentSafe(text).trim();
  if (columns(`\t/* ${safe} */`) <= 79) return [`/* ${safe} */`];
  return ["/*", ...wrapWords(safe, WIDTH - 3).map((l) => ` * ${l}`), " */"];
}

function errnoExpr(result: "ok" | ErrnoName | undefined): string {
  return !result || result === "ok" ? "0" : `-${result}`;
}

function orExpr(names: readonly string[]): string[] {
  return names.length ? [...names] : ["0"];
}

/** Comment text must not close the comment. */
export function commentSafe(s: string): string {
  return s.replace(/\*\//g, "* /").replace(/[\r\n]+/g, " ");
}

/** Map the threads of a scenario (touch threads and side-call threads) to worker slots. */
export class ThreadSlots {
  private readonly slots = new Map<string, number>();
  constructor(private readonly scenario: string) {}
  slot(name: string): number {
    let s = this.slots.get(name);
    if (s === undefined) {
      if (!isCIdentifier(name)) throw new ScenarioEmitError(this.scenario, `thread name ${JSON.stringify(name)} is not a C identifier`);
      s = this.slots.size;
      this.slots.set(name, s);
    }
    return s;
  }
  known(name: string): number {
    const s = this.slots.get(name);
    if (s === undefined) throw new ScenarioEmitError(this.scenario, `wait on thread "${name}" that no earlier step started`);
    return s;
  }
  get count(): number {
    return this.slots.size;
  }
}

function rangeLines(r: PageRange): string[] {
  const off = r.offsetBytes ?? 0;
  const len = r.lenBytes !== undefined ? `uk_len(&e, 0, ${r.lenBytes})` : `uk_len(&e, ${r.pages ?? 1}, -1)`;
  return [`a = uk_addr(&e, ${r.page}, ${off});`, `l = ${len};`];
}

/** The C expression of a COPY source address (SourceAddress). */
function sourceExpr(s: SourceAddress): string {
  const base = s.in === "alias" ? "e.alias" : s.in === "src" ? "e.src" : "e.area";
  const off = s.offsetBytes ? ` + ${s.offsetBytes}` : "";
  return `${base} + ${s.page} * e.psize${off}`;
}

function fillArgs(f: Fill): { byte: number; seed: number } {
  return "byte" in f ? { byte: f.byte & 0xff, seed: 0 } : { byte: -1, seed: f.seed ?? 0 };
}

function threadExpect(slot: number, e: TouchExpect): string[] {
  const want = { done: "UK_DONE", sigbus: "UK_SIGBUS", sigsegv: "UK_SIGSEGV", blocked: "UK_BLOCKED" }[e.outcome];
  const lines = [`EXPECT_EQ(${want}, o);`];
  if (e.outcome === "done" && e.value !== undefined) lines.push(`EXPECT_EQ(0x${(e.value & 0xff).toString(16).padStart(2, "0")}, e.thr[${slot}].result);`);
  if (e.outcome === "done" && e.result !== undefined) lines.push(`EXPECT_EQ(${errnoExpr(e.result)}, e.thr[${slot}].result);`);
  if (e.outcome === "done" && typeof e.copy === "number") lines.push(`EXPECT_EQ(${e.copy}, e.thr[${slot}].field);`);
  if (e.outcome === "done" && e.copy === "untouched") lines.push(`EXPECT_EQ(UK_UNTOUCHED, e.thr[${slot}].field);`);
  return lines;
}

function modeMacros(prefix: string, modes: readonly string[] | undefined): string[] {
  return (modes ?? []).map((m) => `${prefix}_${m.toUpperCase()}`);
}

/** A raw bit mask as a C constant: hex, 64-bit unsigned. */
function rawBits(v: number | string | undefined): string[] {
  if (v === undefined) return [];
  const big = BigInt(v);
  return big === 0n ? [] : [`${hexMask(big)}ULL`];
}

function fieldStep(n: number, op: string, call: string[], field: string, expectIn: object | undefined): string[] {
  const expect = expectIn as Record<string, unknown> | undefined;
  const lines = [...call, `uk_obs_field(${n}, "${op}", ret, "${field}", field);`, `EXPECT_EQ(${errnoExpr(expect?.result as ErrnoName | undefined)}, ret);`];
  const want = expect?.[field];
  if (typeof want === "number") lines.push(`EXPECT_EQ(${want}, field);`);
  if (want === "untouched") lines.push("EXPECT_EQ(UK_UNTOUCHED, field);");
  return lines;
}

/** A COPY made from a worker: observed like the worker (blocked, or done with its result). */
function copyThreadStep(n: number, thread: string, ctx: number, expect: CopyStep["expect"], threads: ThreadSlots): string[] {
  const s = threads.slot(thread);
  const out = [`o = uk_start_copy(&e, ${s}, "${thread}", ${ctx}, a, l, buf, mode);`, `uk_obs_thread(${n}, "copy", &e.thr[${s}], o);`];
  if (expect?.outcome === "blocked") return [...out, "EXPECT_EQ(UK_BLOCKED, o);"];
  const lines = [...out, "EXPECT_EQ(UK_DONE, o);", `EXPECT_EQ(${errnoExpr(expect?.result)}, e.thr[${s}].result);`];
  if (typeof expect?.copy === "number") lines.push(`EXPECT_EQ(${expect.copy}, e.thr[${s}].field);`);
  if (expect?.copy === "untouched") lines.push(`EXPECT_EQ(UK_UNTOUCHED, e.thr[${s}].field);`);
  return lines;
}

/** Split `a, f(b, c), "d,e"` at its top-level commas. */
function splitArgs(s: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      args.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  args.push(s.slice(start).trim());
  return args;
}

/**
 * A one-line call statement (`x = f(...);`, `f(...);`) too wide for one tab in
 * is re-wrapped with its arguments under the parenthesis; other lines stay.
 */
export function fitStatement(line: string): string[] {
  if (columns(`\t${line}`) <= 79) return [line];
  const m = /^((?:[\w.\->[\]]+ = )?\w+)\((.*)\);$/.exec(line);
  if (!m) return [line];
  return wrapCall(m[1]!, splitArgs(m[2]!), ";");
}

/** The C statements for step `n` of scenario `sc`. */
export function stepLines(sc: Scenario, n: number, step: Step, threads: ThreadSlots): string[] {
  return stepStatements(sc, n, step, threads).flatMap(fitStatement);
}

function stepStatements(sc: Scenario, n: number, step: Step, threads: ThreadSlots): string[] {
  const out: string[] = [];
  if (step.note) out.push(...stepComment(step.note));
  switch (step.op) {
    case "api":
    case "register":
    case "unregister":
    case "wake":
    case "copy":
    case "zeropage":
    case "continue":
    case "poison":
    case "writeprotect":
    case "move":
      return [...out, ...ioctlStatements(sc, n, step, threads)];
    case "event":
    case "poll":
    case "open":
    case "close":
    case "fstat":
    case "fallocate":
    case "truncate":
    case "file_read":
    case "file_write":
      return [...out, ...fileStatements(sc, n, step, threads)];
    case "touch":
    case "wait":
    case "syscall":
    case "child_wait":
    case "punch_hole":
    case "madvise":
    case "munmap":
    case "mremap":
    case "fork":
      return [...out, ...taskStatements(sc, n, step, threads)];
    case "kvm_cap":
    case "kvm_memslot":
    case "kvm_enable_userfault":
    case "kvm_bitmap":
    case "kvm_vcpu_access":
      return [...out, ...kvmStatements(sc, n, step, threads)];
  }
}

/** The userfaultfd ioctls. */
function ioctlStatements(sc: Scenario, n: number, step: Extract<Step, { op: "api" | "register" | "unregister" | "wake" | "copy" | "zeropage" | "continue" | "poison" | "writeprotect" | "move" }>, threads: ThreadSlots): string[] {
  const ctx = step.ctx ?? 0;
  const out: string[] = [];
  switch (step.op) {
    case "api": {
      const feats = (step.features ?? []).map(featureMacro);
      if (step.unknownFeature) feats.push("(1ULL << 63)");
      feats.push(...rawBits(step.rawFeatures));
      out.push(...wrapJoin("feat =", orExpr(feats), "|", ";"));
      out.push(`ret = uk_api(&e, ${ctx}, feat, ${step.badApi ? 1 : 0});`);
      if (!apiReportsMasks(step)) out.push(`uk_obs_ret(${n}, "api", ret);`);
      else out.push(`uk_obs_api(${n}, ret, e.api_features, e.api_ioctls);`);
      out.push(`EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      if (step.expect?.features !== undefined) out.push(`EXPECT_EQ(${hexMask(step.expect.features)}ULL, e.api_features);`);
      if (step.expect?.ioctls !== undefined) out.push(`EXPECT_EQ(${hexMask(step.expect.ioctls)}ULL, e.api_ioctls);`);
      return out;
    }
    case "register": {
      const modes = step.modes.map((m) => `UFFDIO_REGISTER_MODE_${m.toUpperCase()}`);
      for (const m of step.modes) if (!(m in UFFDIO_REGISTER_MODE)) throw new ScenarioEmitError(sc.name, `unknown register mode ${m}`);
      modes.push(...rawBits(step.rawMode));
      out.push(...rangeLines(step), ...wrapJoin("mode =", orExpr(modes), "|", ";"));
      out.push(`ret = uk_register(&e, ${ctx}, a, l, mode, &ioctls);`, `uk_obs_register(${n}, ret, ioctls);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      if (step.expect?.ioctls) {
        const bits = step.expect.ioctls.map((i: RangeIoctl) => `UK_IOC(${i.toUpperCase()})`);
        out.push(...wrapJoin("EXPECT_EQ(", orExpr(bits), "|", ", ioctls);"));
      }
      return out;
    }
    case "unregister":
    case "wake": {
      const req = step.op === "wake" ? "UFFDIO_WAKE" : "UFFDIO_UNREGISTER";
      out.push(...rangeLines(step), `ret = uk_range_ioctl(&e, ${ctx}, ${req}, a, l);`, `uk_obs_ret(${n}, "${step.op}", ret);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    }
    case "copy": {
      const src = step.src;
      out.push(...rangeLines(step));
      // A filled buffer is allocated (and freed, unless a worker may still use it); an address is used as it is.
      if ("page" in src) out.push(`buf = ${sourceExpr(src)};`);
      else {
        const f = fillArgs(src);
        out.push(`buf = uk_fill(&e, l, ${f.byte}, ${f.seed}, ${step.page});`, "ASSERT_NE(NULL, buf);");
      }
      out.push(...wrapJoin("mode =", orExpr([...modeMacros("UFFDIO_COPY_MODE", step.mode), ...rawBits(step.rawMode)]), "|", ";"));
      if (step.thread) return [...out, ...copyThreadStep(n, step.thread, ctx, step.expect, threads)];
      const call = [`ret = uk_copy(&e, ${ctx}, a, l, buf, mode, &field);`, ...("page" in src ? [] : ["free(buf);"])];
      return [...out, ...fieldStep(n, "copy", call, RESULT_FIELD.copy!, step.expect)];
    }
    case "zeropage": {
      out.push(...rangeLines(step), ...wrapJoin("mode =", orExpr([...modeMacros("UFFDIO_ZEROPAGE_MODE", step.mode), ...rawBits(step.rawMode)]), "|", ";"));
      return [...out, ...fieldStep(n, "zeropage", [`ret = uk_zeropage(&e, ${ctx}, a, l, mode, &field);`], RESULT_FIELD.zeropage!, step.expect)];
    }
    case "continue": {
      out.push(...rangeLines(step), ...wrapJoin("mode =", orExpr([...modeMacros("UFFDIO_CONTINUE_MODE", step.mode), ...rawBits(step.rawMode)]), "|", ";"));
      return [...out, ...fieldStep(n, "continue", [`ret = uk_continue(&e, ${ctx}, a, l, mode, &field);`], RESULT_FIELD.continue!, step.expect)];
    }
    case "poison": {
      out.push(...rangeLines(step), ...wrapJoin("mode =", orExpr(rawBits(step.rawMode)), "|", ";"));
      return [...out, ...fieldStep(n, "poison", [`ret = uk_poison(&e, ${ctx}, a, l, mode, &field);`], RESULT_FIELD.poison!, step.expect)];
    }
    case "writeprotect": {
      const modes = [...(step.wp ? ["UFFDIO_WRITEPROTECT_MODE_WP"] : []), ...(step.dontwake ? ["UFFDIO_WRITEPROTECT_MODE_DONTWAKE"] : []), ...rawBits(step.rawMode)];
      out.push(...rangeLines(step), ...wrapJoin("mode =", orExpr(modes), "|", ";"));
      out.push(`ret = uk_writeprotect(&e, ${ctx}, a, l, mode);`, `uk_obs_ret(${n}, "writeprotect", ret);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    }
    case "move": {
      const pages = step.pages ?? 1;
      const inPrimary = step.srcIn === "primary";
      const src = sc.setup.srcPages ?? 0;
      if (!src && !inPrimary) throw new ScenarioEmitError(sc.name, "a move step needs setup.srcPages");
      if (inPrimary && step.srcFill) throw new ScenarioEmitError(sc.name, "srcFill writes the source directly; with srcIn primary populate it with touch steps");
      if (step.srcFill) {
        const f = fillArgs(step.srcFill);
        out.push(`l = ${pages} * e.psize;`, `buf = uk_fill(&e, l, ${f.byte}, ${f.seed}, ${step.srcPage});`, "ASSERT_NE(NULL, buf);");
        out.push(`memcpy(e.src + ${step.srcPage} * e.psize, buf, l);`, "free(buf);");
      }
      const modes = [...(step.allowSrcHoles ? ["UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES"] : []), ...rawBits(step.rawMode)];
      out.push(...wrapJoin("mode =", orExpr(modes), "|", ";"));
      const base = inPrimary ? "e.area" : "e.src";
      const call = wrapCall("ret = uk_move", ["&e", `${ctx}`, base, `${step.srcPage}`, `${step.dstPage}`, `${pages}`, "mode", "&field"], ";");
      return [...out, ...fieldStep(n, "move", call, RESULT_FIELD.move!, step.expect)];
    }
  }
}

/** The userfaultfd's and the backing file's descriptor operations. */
function fileStatements(sc: Scenario, n: number, step: Extract<Step, { op: "event" | "poll" | "open" | "close" | "fstat" | "fallocate" | "truncate" | "file_read" | "file_write" }>, threads: ThreadSlots): string[] {
  const ctx = step.ctx ?? 0;
  const out: string[] = [];
  switch (step.op) {
    case "event": {
      const ex = step.expect;
      out.push(`uk_read_event(&e, ${ctx}, &ev, ${step.bufBytes ?? "sizeof(struct uffd_msg)"});`, `uk_obs_event(${n}, &ev);`);
      if (ex.event === "none") out.push("EXPECT_EQ(UK_EV_NONE, ev.kind);");
      else if (ex.event === "error") out.push("EXPECT_EQ(UK_EV_ERROR, ev.kind);", `EXPECT_EQ(${ex.result}, ev.err);`);
      else if (ex.event === "fork") out.push("EXPECT_EQ(UK_EV_FORK, ev.kind);");
      else if (ex.event === "remap") out.push("EXPECT_EQ(UK_EV_REMAP, ev.kind);", `EXPECT_EQ(${ex.pages}, ev.pages);`);
      else if (ex.event === "remove" || ex.event === "unmap") {
        out.push(`EXPECT_EQ(UK_EV_${ex.event.toUpperCase()}, ev.kind);`, `EXPECT_EQ(${ex.page}, ev.page);`, `EXPECT_EQ(${ex.pages}, ev.pages);`);
      }
      else {
        for (const f of ex.flags) if (!(f in UFFD_PAGEFAULT_FLAG)) throw new ScenarioEmitError(sc.name, `unknown fault flag ${f}`);
        out.push("EXPECT_EQ(UK_EV_PAGEFAULT, ev.kind);", `EXPECT_EQ(${ex.page}, ev.page);`, `EXPECT_EQ(${ex.offset ?? 0}, ev.offset);`);
        out.push(...wrapJoin("EXPECT_EQ(", orExpr(modeMacros("UFFD_PAGEFAULT_FLAG", ex.flags)), "|", ", ev.flags);"));
        if (ex.thread) {
          if (!isCIdentifier(ex.thread)) throw new ScenarioEmitError(sc.name, `thread name ${JSON.stringify(ex.thread)} is not a C identifier`);
          out.push(`EXPECT_TRUE(ev.thread && !strcmp(ev.thread, "${ex.thread}"));`);
        }
      }
      return out;
    }
    case "file_write": {
      const via = step.via === "alias" ? "UK_VIA_ALIAS" : step.via === "write" ? "UK_VIA_WRITE" : "UK_VIA_PWRITE";
      out.push(`ret = uk_file_write(&e, ${step.page}, ${step.value & 0xff}, ${via});`);
      out.push(`uk_obs_ret(${n}, "file_write", ret);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    }
    case "close":
      out.push(`close(e.uffd[${ctx}]);`, `e.uffd[${ctx}] = -1;`, `uk_obs_ret(${n}, "close", 0);`);
      return out;
    case "poll": {
      out.push(`o = uk_poll(&e, ${ctx}, ${step.timeoutMs ?? 0});`, `uk_obs_poll(${n}, o);`);
      const bits = step.expect.revents.map((r) => (r === "in" ? "POLLIN" : "POLLERR"));
      out.push(...wrapJoin("EXPECT_EQ(", orExpr(bits), "|", ", o);"));
      return out;
    }
    case "open": {
      const flags = [...(step.flags ?? []).map((f) => (f === "user_mode_only" ? "UFFD_USER_MODE_ONLY" : `O_${f.toUpperCase()}`)), ...rawBits(step.rawFlags)];
      out.push(...wrapJoin("mode =", orExpr(flags), "|", ";"));
      out.push(`ret = uk_open(${step.via === "dev" ? 1 : 0}, mode);`, `uk_obs_ret(${n}, "open", ret);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    }
    case "fstat":
      out.push("ret = uk_fstat(&e, &field);", `uk_obs_fstat(${n}, ret, field);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      if (step.expect?.size !== undefined) out.push(`EXPECT_EQ(${step.expect.size}, field);`);
      return out;
    case "fallocate": {
      const mode = step.mode === "punch" ? "FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE" : "FALLOC_FL_KEEP_SIZE";
      const len = step.lenBytes ?? -1;
      out.push(`ret = uk_fallocate(&e, ${mode}, ${step.page}, ${step.offsetBytes ?? 0}, ${step.pages ?? 1}, ${len});`);
      out.push(`uk_obs_ret(${n}, "fallocate", ret);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    }
    case "truncate":
      // ftruncate() of the backing file: no runtime helper needed (e.fd, e.psize are the runtime's).
      out.push(`ret = ftruncate(e.fd, (off_t)${step.pages} * e.psize) ? -errno : 0;`, `uk_obs_ret(${n}, "truncate", ret);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    case "file_read":
      out.push(`ret = uk_file_read(&e, ${step.page}, ${step.via === "pread" ? 1 : 0}, &o);`, `uk_obs_file_read(${n}, ret, o);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      if (step.expect?.value !== undefined) out.push(`EXPECT_EQ(${step.expect.value & 0xff}, o);`);
      return out;
  }
}

/** Accesses and system calls from worker threads; side calls (fallocate, madvise, munmap, mremap, fork) that may block on their event. */
function taskStatements(sc: Scenario, n: number, step: Extract<Step, { op: "touch" | "wait" | "syscall" | "child_wait" | "punch_hole" | "madvise" | "munmap" | "mremap" | "fork" }>, threads: ThreadSlots): string[] {
  const ctx = step.ctx ?? 0;
  const out: string[] = [];
  switch (step.op) {
    case "touch": {
      const s = threads.slot(step.thread);
      const base = step.via === "alias" ? "e.alias" : "e.area";
      const job = step.access === "write" ? "UK_WRITE" : "UK_READ";
      const off = step.offsetBytes ?? 0;
      out.push(`a = ${base} + ${step.page} * e.psize${off ? ` + ${off}` : ""};`);
      out.push(`o = uk_start(&e, ${s}, "${step.thread}", ${job}, a, e.psize${off ? ` - ${off}` : ""}, ${(step.value ?? 0) & 0xff});`);
      out.push(`uk_obs_thread(${n}, "touch", &e.thr[${s}], o);`, ...threadExpect(s, step.expect));
      return out;
    }
    case "wait": {
      const s = threads.known(step.thread);
      out.push(`o = uk_settle(&e.thr[${s}], UK_WAIT_MS);`, `uk_obs_thread(${n}, "wait", &e.thr[${s}], o);`, ...threadExpect(s, step.expect));
      return out;
    }
    case "punch_hole":
    case "madvise": {
      const name = step.thread ?? `side${n}`;
      const s = threads.slot(name);
      out.push(...rangeLines({ page: step.page, pages: step.pages ?? 1 }));
      const job = step.op === "madvise" ? "UK_MADVISE" : "UK_PUNCH";
      const advice = { remove: "MADV_REMOVE", dontneed: "MADV_DONTNEED", collapse: "MADV_COLLAPSE" } as const;
      const arg = step.op === "madvise" ? advice[step.advice] : "e.fd";
      out.push(`o = uk_side_call(&e, ${s}, "${name}", ${job}, a, l, ${arg}, &ret);`, `uk_obs_side(${n}, "${step.op}", o, ret);`);
      if (step.expect?.outcome === "blocked") out.push("EXPECT_EQ(UK_BLOCKED, o);");
      else out.push("EXPECT_EQ(UK_DONE, o);", `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    }
    case "fork": {
      const name = step.thread ?? `side${n}`;
      const s = threads.slot(name);
      const page = step.childReads ?? step.childWrites ?? -1;
      const write = step.childWrites !== undefined ? 1 : 0;
      out.push(...fitStatement(`o = uk_fork(&e, ${s}, "${name}", ${page}, ${write}, ${(step.childValue ?? 0) & 0xff}, &ret);`), `uk_obs_side(${n}, "fork", o, ret);`);
      if (step.expect?.outcome === "blocked") out.push("EXPECT_EQ(UK_BLOCKED, o);");
      else out.push("EXPECT_EQ(UK_DONE, o);", `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    }
    case "child_wait": {
      const e = step.expect;
      out.push("o = uk_child_wait(&e, &ret);", `uk_obs_child(${n}, o, ret);`);
      const want = { done: "UK_DONE", sigbus: "UK_SIGBUS", sigsegv: "UK_SIGSEGV", blocked: "UK_BLOCKED" }[e.outcome];
      out.push(`EXPECT_EQ(${want}, o);`);
      if (e.outcome === "done" && e.value !== undefined) out.push(`EXPECT_EQ(0x${(e.value & 0xff).toString(16).padStart(2, "0")}, ret);`);
      return out;
    }
    case "mremap": {
      const name = step.thread ?? `side${n}`;
      const s = threads.slot(name);
      out.push(`o = uk_mremap(&e, ${s}, "${name}", &ret);`, `uk_obs_side(${n}, "mremap", o, ret);`);
      if (step.expect?.outcome === "blocked") out.push("EXPECT_EQ(UK_BLOCKED, o);");
      else out.push("EXPECT_EQ(UK_DONE, o);", `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    }
    case "munmap": {
      const name = step.thread ?? `side${n}`;
      const s = threads.slot(name);
      out.push(...rangeLines({ page: step.page, pages: step.pages ?? 1 }));
      out.push(`o = uk_side_call(&e, ${s}, "${name}", UK_MUNMAP, a, l, 0, &ret);`, `uk_obs_side(${n}, "munmap", o, ret);`);
      if (step.expect?.outcome === "blocked") out.push("EXPECT_EQ(UK_BLOCKED, o);");
      else out.push("EXPECT_EQ(UK_DONE, o);", `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    }
    case "syscall": {
      const s = threads.slot(step.thread);
      const job = step.call === "read" ? "UK_SYS_READ" : "UK_SYS_WRITE";
      out.push(`a = e.area + ${step.page} * e.psize;`);
      out.push(`o = uk_start(&e, ${s}, "${step.thread}", ${job}, a, uk_sys_len(&e), ${(step.value ?? 0) & 0xff});`);
      out.push(`uk_obs_thread(${n}, "syscall", &e.thr[${s}], o);`, ...threadExpect(s, step.expect));
      return out;
    }
  }
}

/** KVM steps. */
function kvmStatements(sc: Scenario, n: number, step: Extract<Step, { op: "kvm_cap" | "kvm_memslot" | "kvm_enable_userfault" | "kvm_bitmap" | "kvm_vcpu_access" }>, threads: ThreadSlots): string[] {
  const ctx = step.ctx ?? 0;
  const out: string[] = [];
  switch (step.op) {
    case "kvm_cap": {
      const cap = `KVM_CAP_${step.cap.toUpperCase()}`;
      out.push(`ret = ioctl(e.vm_fd, KVM_CHECK_EXTENSION, ${cap});`, `uk_obs_value(${n}, "kvm_cap", ret < 0 ? -errno : 0, ret);`);
      if (step.expect?.value !== undefined) out.push(`EXPECT_EQ(${step.expect.value}, ret);`);
      return out;
    }
    case "kvm_memslot":
      out.push(`ret = uk_gmem_memslot(&e);`, `uk_obs_ret(${n}, "kvm_memslot", ret);`, `EXPECT_EQ(${errnoExpr(step.expect?.result)}, ret);`);
      return out;
    case "kvm_enable_userfault":
    case "kvm_bitmap":
    case "kvm_vcpu_access":
      throw new ScenarioEmitError(sc.name, "KVM Userfault steps have no C form (not merged)");
  }
}
