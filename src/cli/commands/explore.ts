/**
 * `uffdkit explore [SPEC] [--kind K] [--program FILE] [-o DIR] [--workers N]
 * [--no-reduction] [--max-schedules N] [--max-seconds S] [--threads T]
 * [--ops K] [--pages P] [--shard i/n] [--json]`, and
 * `uffdkit explore --merge SHARD.json... [-o DIR] [--json]`
 *
 * Enumerate the interleavings of small concurrent programs over the spec's
 * type (or a real kind) and print, per program, whether the search was
 * exhaustive or bounded, its counts, and "no violation" or the shortest
 * counterexample; each counterexample is written as a replay file that
 * `uffdkit sim` runs again. The rules are not consulted: what is found is
 * found by running the emitted C. Exit 0 no violation, 1 violations, 2 usage.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { formatDiagnostics } from "../../diagnostics/format.js";
import { isApiGeneration, API_GENERATIONS, type ApiGenerationId } from "../../kernel/generations.js";
import type { ConcurrentProgram } from "../../ir/program.js";
import type { DeclaredType, Scenario } from "../../ir/scenario.js";
import { exploreWeak } from "../../run/explore/weak.js";
import { mergeShards, shardReportOf, type ShardReport } from "../../run/explore/merge.js";
import type { Shard } from "../../run/explore/search.js";
import { boundProgram, describeBounds, type ProgramBounds } from "../../plan/explore/bounds.js";
import { declaredTypeOf } from "../../plan/planner/declared.js";
import { programsForKind } from "../../plan/explore/programs.js";
import { formatReport, replayFileName, replayFileOf, type ProgramReport } from "../../run/explore/index.js";
import { explorePrograms } from "../../run/explore/pool.js";
import { programsOf } from "../../run/explore/validate.js";
import type { SimOptions } from "../../run/sim/simulation.js";
import { open } from "../../session/index.js";
import { readJsonFile } from "./json-file.js";
import { outDirFor, writeFiles } from "../out.js";
import { EXIT, type CliIO } from "../io.js";

const KINDS = ["anon", "shmem", "hugetlb"] as const;
type Kind = (typeof KINDS)[number];

interface Target {
  readonly label: string;
  readonly programs: readonly ConcurrentProgram[];
  /** KVM Userfault scenarios (weak memory), explored in this thread. */
  readonly weak: readonly Scenario[];
  readonly opts: SimOptions;
  /** Where replay files go, and the spec they rebuild the C from (relative to them). */
  readonly outDir: string;
  readonly spec?: string;
  readonly api?: ApiGenerationId;
  /** The spec's type, for hand-written programs that leave setup.declared out. */
  readonly declared?: DeclaredType;
}

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const fail = (msg: string) => {
    io.err(`uffdkit explore: ${msg}`);
    if (io.json) io.emitJson({ ok: false, error: msg });
    return EXIT.usage;
  };
  const num = (name: string, v: unknown, min: number, max: number): number | undefined | string => {
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= min && n <= max ? n : `--${name} takes an integer from ${min} to ${max}`;
  };
  const workers = num("workers", opts.workers, 1, 64);
  const maxSchedules = num("max-schedules", opts.maxSchedules, 1, 100_000_000);
  const maxSeconds = num("max-seconds", opts.maxSeconds, 1, 86_400);
  const threads = num("threads", opts.threads, 2, 8);
  const ops = num("ops", opts.ops, 1, 8);
  const pages = num("pages", opts.pages, 2, 64);
  for (const v of [workers, maxSchedules, maxSeconds, threads, ops, pages]) if (typeof v === "string") return fail(v);
  const shard = shardOf(opts.shard);
  if (typeof shard === "string") return fail(shard);
  if (opts.merge === true) return mergeCommand(io, args, opts);
  if (args.length > 1) return fail(`one SPEC at a time (got ${args.length}); shard reports go with --merge`);
  const programBounds: ProgramBounds = { ...(typeof threads === "number" ? { threads } : {}), ...(typeof ops === "number" ? { ops } : {}), ...(typeof pages === "number" ? { pages } : {}) };

  const target = await targetOf(io, args[0], opts);
  if (typeof target === "number") return target;
  let programs = target.programs;
  if (typeof opts.program === "string") {
    const read = readJsonFile(opts.program);
    if (!read.ok) return fail(read.error);
    const { programs: own, errors } = programsOf(read.data);
    if (errors.length) {
      io.err(`uffdkit explore: ${opts.program} is not a program file (see docs/explore.md):`);
      for (const e of errors) io.err(`  ${opts.program}: ${e.path}: ${e.message}`);
      return EXIT.usage;
    }
    if (own.some((p) => p.setup.kind === "declared") && !target.declared) return fail(`${opts.program}: a program of kind "declared" needs the SPEC whose type it runs`);
    programs = own.map((p) => withDeclared(p, target.declared));
  }
  programs = programs.map((p) => boundProgram(p, programBounds));
  // KVM Userfault's visibility orders are not partitioned: shard 0 explores them.
  const weak = typeof opts.program === "string" || (shard && shard.index > 0) ? [] : target.weak;
  if (programs.length === 0 && weak.length === 0) return fail(`${target.label}: nothing to explore (the spec declares no mode with a resolution to race against)`);

  const progress = process.stderr.isTTY && !io.json;
  const t0 = Date.now();
  let reports: ProgramReport[];
  try {
    reports = await explorePrograms(programs, target.opts, {
      ...(typeof workers === "number" ? { workers } : {}),
      reduction: opts.reduction !== false,
      ...(shard ? { shard } : {}),
      bounds: {
        ...(typeof maxSchedules === "number" ? { maxSchedules } : {}),
        ...(typeof maxSeconds === "number" ? { maxMillis: maxSeconds * 1000 } : {}),
      },
      onDone: (r, done, total) => {
        if (progress) process.stderr.write(`\rexplore: ${done}/${total} programs (${r.program}: ${r.stats.schedules} schedules)\x1b[K`);
      },
    });
  } catch (e) {
    if (progress) process.stderr.write("\n");
    return fail(e instanceof Error ? e.message : String(e));
  }
  if (progress) process.stderr.write(`\rexplore: ${programs.length} programs in ${((Date.now() - t0) / 1000).toFixed(1)} s\x1b[K\n`);
  const weakReports = weak.map((sc) => exploreWeak(sc, target.opts));

  const replays = reports.flatMap((r) =>
    r.counterexamples.map((c) => {
      const file = replayFileOf(programs.find((p) => p.name === r.program)!, c, target.opts.kernel);
      const spec = target.spec ? relative(resolve(target.outDir), resolve(target.spec)) : undefined;
      const withSpec = spec ? { ...file, replay: { ...file.replay, spec, ...(target.api ? { api: target.api } : {}) } } : file;
      return { path: replayFileName(r.program, c.violation.property), contents: `${JSON.stringify(withSpec, null, 2)}\n` };
    }),
  );
  for (const r of weakReports) {
    const sc = weak.find((w) => w.name === r.program)!;
    for (const c of r.counterexamples) {
      const spec = target.spec ? relative(resolve(target.outDir), resolve(target.spec)) : undefined;
      const file = {
        replay: { kernel: target.opts.kernel, ...(spec ? { spec } : {}), ...(target.api ? { api: target.api } : {}), weakMemory: c.weakMemory, expect: { property: c.violation.property, message: c.violation.message } },
        scenario: sc,
      };
      replays.push({ path: replayFileName(r.program, c.violation.property), contents: `${JSON.stringify(file, null, 2)}\n` });
    }
  }
  reports.push(...weakReports);
  const boundsText = describeBounds(programBounds);
  if (shard && io.json) {
    // A shard's report is input for --merge: everything it found, and the programs to replay it.
    const file: ShardReport = { uffdkit: "explore-shard", version: 1, target: target.label, kernel: target.opts.kernel, bounds: boundsText, shard, reports, programs: [...programs] };
    io.emitJson(file);
    return reports.some((r) => r.counterexamples.length) ? EXIT.findings : EXIT.ok;
  }
  if (replays.length) {
    mkdirSync(dirname(resolve(target.outDir)), { recursive: true });
    const written = writeFiles(io, "explore", target.outDir, replays, { ...opts, check: false });
    if ("error" in written) return written.exit;
  }
  const violations = reports.reduce((n, r) => n + r.counterexamples.length, 0);
  if (io.json) {
    io.emitJson({ ok: violations === 0, target: target.label, reports, replayDir: replays.length ? target.outDir : undefined });
  } else {
    const header = headerOf(target.label, target.opts.kernel, boundsText, shard);
    io.out(formatReport(header, reports, replays.length ? target.outDir : undefined));
  }
  return violations ? EXIT.findings : EXIT.ok;
}

/** The spec's programs and its C, or a real kind's programs. */
async function targetOf(io: CliIO, specArg: string | undefined, opts: Record<string, unknown>): Promise<Target | number> {
  const kind = typeof opts.kind === "string" ? opts.kind : undefined;
  if (kind !== undefined && !(KINDS as readonly string[]).includes(kind)) {
    io.err(`uffdkit explore: unknown --kind '${kind}'; use one of: ${KINDS.join(", ")} (a declared type is explored from its spec)`);
    return EXIT.usage;
  }
  if (specArg && kind) {
    io.err("uffdkit explore: give a SPEC or --kind, not both");
    return EXIT.usage;
  }
  if (!specArg) {
    if (!kind) {
      io.err("uffdkit explore: missing SPEC (a .uffd.ts file), or --kind anon|shmem|hugetlb for a kernel's own kind");
      return EXIT.usage;
    }
    const outDir = typeof opts.out === "string" ? opts.out : join("out", `kind-${kind}`, "explore");
    return { label: `kind ${kind}`, programs: programsForKind(kind as Kind), weak: [], opts: { kernel: "6.18" }, outDir };
  }
  let api: ApiGenerationId | undefined;
  if (typeof opts.api === "string") {
    if (!isApiGeneration(opts.api)) {
      io.err(`uffdkit explore: unknown API generation '${opts.api}'; use one of: ${API_GENERATIONS.join(", ")}`);
      return EXIT.usage;
    }
    api = opts.api;
  }
  const specPath = relative(process.cwd(), resolve(specArg)) || specArg;
  const session = await open(specPath, { ...(api ? { api } : {}), allowExec: opts.allowExec === true });
  if (session.loadFailed) {
    io.err(formatDiagnostics(session.loadFindings, { color: io.color }));
    io.err(`uffdkit explore: cannot load ${specPath}; fix the findings above`);
    return EXIT.usage;
  }
  const g = session.generation();
  const stoppers = g.stops("exploration");
  if (stoppers.length) {
    io.err(formatDiagnostics(stoppers, { color: io.color }));
    io.err("uffdkit explore: the spec's shape is wrong (S findings above), so there is no C to run; fix the spec first");
    return EXIT.findings;
  }
  const compiled = g.compiled;
  if ("error" in compiled) {
    io.err(`uffdkit explore: the emitted C of ${g.model.name} does not compile against uffdkit's kernel model: ${compiled.error}`);
    return EXIT.findings;
  }
  const plan = g.exploration;
  const outDir = outDirFor(io, "explore", specPath, opts, "explore");
  if (typeof outDir === "number") return outDir;
  return {
    label: `${g.model.name} (${g.api}) from ${specPath}`,
    programs: plan.programs,
    weak: plan.weak,
    declared: declaredTypeOf(g.model, g.lowered),
    opts: plan.opts,
    outDir,
    spec: specPath,
    api: g.api,
  };
}

/** A hand-written program of kind "declared" without setup.declared runs the spec's type. */
function withDeclared(p: ConcurrentProgram, declared: DeclaredType | undefined): ConcurrentProgram {
  if (p.setup.kind !== "declared" || p.setup.declared || !declared) return p;
  return { ...p, setup: { ...p.setup, declared } };
}

function headerOf(label: string, kernel: string, bounds: string, shard?: Shard): string {
  const part = shard && shard.count > 1 ? `; shard ${shard.index} of ${shard.count}: only its share of the schedule prefixes, merge the shards with --merge` : "";
  return `uffdkit explore: ${label} (simulated Linux ${kernel}; programs: ${bounds}${part}; rules not consulted: every finding below comes from running the schedules)`;
}

/** `--shard i/n`: 0 <= i < n. */
function shardOf(v: unknown): Shard | undefined | string {
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(String(v));
  const bad = "--shard takes i/n with 0 <= i < n (e.g. --shard 0/4 ... --shard 3/4; a Kubernetes Indexed Job passes $JOB_COMPLETION_INDEX/n)";
  if (!m) return bad;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && count <= 100_000 && index < count ? { index, count } : bad;
}

/** `--merge SHARD.json...`: what the unsharded run would have printed (src/run/explore/merge.ts). */
function mergeCommand(io: CliIO, files: string[], opts: Record<string, unknown>): number {
  const fail = (msg: string) => {
    io.err(`uffdkit explore --merge: ${msg}`);
    if (io.json) io.emitJson({ ok: false, error: msg });
    return EXIT.usage;
  };
  if (files.length === 0) return fail("give the shard reports (each from `uffdkit explore ... --shard i/n --json`)");
  const shards: ShardReport[] = [];
  for (const f of files) {
    const read = readJsonFile(f);
    if (!read.ok) return fail(read.error);
    const shard = shardReportOf(read.data);
    if ("error" in shard) return fail(`${f}: ${shard.error}`);
    shards.push(shard);
  }
  const merged = mergeShards(shards);
  if ("error" in merged) return fail(merged.error);
  const violations = merged.reports.reduce((n, r) => n + r.counterexamples.length, 0);
  let replayDir: string | undefined;
  if (violations && typeof opts.out === "string") {
    // The merged counterexamples' replay files; the spec path each names is the shards' machine's.
    const replays = merged.reports.flatMap((r) => {
      const program = merged.programs.find((p) => p.name === r.program);
      return program ? r.counterexamples.map((c) => ({ path: replayFileName(r.program, c.violation.property), contents: `${JSON.stringify(replayFileOf(program, c, merged.kernel), null, 2)}\n` })) : [];
    });
    mkdirSync(resolve(opts.out), { recursive: true });
    const written = writeFiles(io, "explore", opts.out, replays, { ...opts, check: false });
    if ("error" in written) return written.exit;
    replayDir = opts.out;
  }
  if (io.json) io.emitJson({ ok: violations === 0, target: merged.target, bounds: merged.bounds, reports: merged.reports, ...(replayDir ? { replayDir } : {}) });
  else io.out(formatReport(headerOf(merged.target, merged.kernel, merged.bounds), merged.reports, replayDir));
  return violations ? EXIT.findings : EXIT.ok;
}
