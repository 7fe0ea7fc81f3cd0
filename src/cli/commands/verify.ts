/**
 * `uffdkit verify SPEC (--c FILE | --tree DIR) [--api ID] [-o DIR] [--workers N] [--json]`
 *
 * The full verification gen runs on its own C, run on the callbacks as the
 * developer has them (after `series` and hand edits): the planned suite with
 * its fault injection, branch coverage, the helper contracts, exploration of
 * every concurrent program, and the checklist's evidence. It says, function
 * by function, how their C differs from what gen would write, and which of
 * the type's functions ran as C and which were stand-ins.
 *
 * --c FILE: the callbacks file (gen's kernel/<api>/<name>_uffd.c, edited).
 * --tree DIR: the type's own file in a kernel tree (the spec's `file`), read
 *   with tree-sitter; findings name the tree file's lines.
 * The type's functions come from the tree (with --tree) where it defines
 * them; the C beside the spec (`<spec>.c`) supplies the ones the tree lacks
 * (and, with --c, all of them). The report says which came from where.
 * The ->fault glue is the tree's only when the tree defines the glue function
 * and its ->fault handler calls it first thing, returning its nonzero result
 * (verify-sources.ts faultGlueInTree()); otherwise the report says
 * "fault glue: gen's (not the tree's)", why, and that it is not checked.
 *
 * -o DIR writes checklist.md and sim.tap there; both name the C they rest on.
 * The verdict line counts what ran: scenarios passed / failed / not
 * applicable / not runnable (lacks), programs explored exhaustively or only
 * to a bound, and the type functions that ran as stand-ins.
 *   verified          everything ran and passed, nothing was a stand-in: exit 0
 *   partly verified   nothing failed, but type functions were stand-ins, the
 *                     fault glue in the tree (--tree) was gen's, or
 *                     scenarios/programs were not applicable: exit 0
 *   not verified      nothing failed, but something did not run (a scenario
 *                     the simulator lacks, a bounded search, no program
 *                     explored): exit 0
 *   NOT verified      a finding, a failing scenario, a broken contract, a
 *                     property violation, C that did not compile: exit 1
 * Exit 2: usage (and a spec that does not load or stops at the gate).
 */
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { formatDiagnostics } from "../../diagnostics/format.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { isApiGeneration, API_GENERATIONS, type ApiGenerationId } from "../../kernel/generations.js";
import type { CSource } from "../../ir/c-source.js";
import { open, type Generation } from "../../session/index.js";
import { declaredCOf } from "../../plan/planner/declared.js";
import { explorePrograms } from "../../run/explore/pool.js";
import type { ProgramReport } from "../../run/explore/index.js";
import { contentHash } from "../../run/c/provenance.js";
import { cFromTree, diffFunctions, functionsOf, type CFunction, type FaultGlueNames, type FaultGlueOrigin, type FunctionDiff } from "../verify-sources.js";
import { writeFiles } from "../out.js";
import { EXIT, type CliIO } from "../io.js";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const usage = (msg: string, diagnostics?: readonly Diagnostic[]) => {
    io.err(`uffdkit verify: ${msg}`);
    if (io.json) io.emitJson({ ok: false, error: msg, ...(diagnostics ? { diagnostics } : {}) });
    return EXIT.usage;
  };
  const specArg = args[0];
  if (!specArg) return usage("missing SPEC (a .uffd.ts file)");
  const cFile = typeof opts.c === "string" ? opts.c : undefined;
  const tree = typeof opts.tree === "string" ? opts.tree : undefined;
  if (!cFile === !tree) return usage("give the C to verify: --c FILE (the callbacks file) or --tree DIR (a kernel tree with the type's file)");
  let api: ApiGenerationId | undefined;
  if (typeof opts.api === "string") {
    if (!isApiGeneration(opts.api)) return usage(`unknown API generation '${opts.api}'; use one of: ${API_GENERATIONS.join(", ")}`);
    api = opts.api;
  }
  const workers = opts.workers === undefined ? undefined : Number(opts.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 64)) return usage("--workers takes an integer from 1 to 64");
  const t0 = performance.now();
  const specPath = relative(process.cwd(), resolve(specArg)) || specArg;
  const base = { ...(api ? { api } : {}), allowExec: opts.allowExec === true };
  const session = await open(specPath, base);
  if (session.loadFailed) {
    if (!io.json) io.out(formatDiagnostics(session.loadFindings, { color: io.color }));
    return usage(`cannot load ${specPath}; fix the findings above`, session.loadFindings);
  }
  const gen = session.generation();
  if (gen.stops("kernel").length) {
    if (!io.json) io.out(formatDiagnostics(gen.findings, { color: io.color }));
    return usage(`${specPath} stops at the gate: fix the spec first (uffdkit check)`, gen.findings);
  }
  const emitted = { path: gen.kernel.files[0]!.path, text: gen.kernel.files[0]!.contents };
  const input = await inputOf(gen, emitted, { cFile, tree });
  if ("error" in input) return usage(input.error);
  // The same session, on the developer's C: every stage below runs it.
  const mine = (await open(specPath, { ...base, cSource: { kind: "file", ...input.callbacks }, typeC: input.typeC ?? null })).generation();

  const { generateArtifacts } = await import("../../generate/index.js");
  const made = generateArtifacts(mine);
  const diagnostics: Diagnostic[] = [...mine.findings, ...mine.cFindings];
  const diff = await diffFunctions(emitted.text, input.callbacks.text, new Set(gen.lowered.typeFunctions.map((t) => t.name)));
  const explored = "wasm" in mine.compiled ? await exploreAll(mine, workers) : { reports: [] };
  const seconds = (performance.now() - t0) / 1000;

  const tally = tallyOf(mine, made.simulation.results, explored, diagnostics, input.faultGlue, tree ? "tree" : "c");
  if (typeof opts.out === "string") {
    const files = made.files.filter((f) => f.path === "checklist.md" || f.path === "sim.tap");
    const w = writeFiles(io, "verify", opts.out, files, { ...opts, force: true });
    if ("error" in w) return w.exit;
  }
  const verdict = verdictOf(tally);
  const exit = verdict.kind === "failed" ? EXIT.findings : EXIT.ok;
  const origins = originsOf(mine, input);
  if (io.json) {
    io.emitJson({
      ok: verdict.kind === "verified",
      verdict: verdict.kind,
      why: verdict.why,
      counts: tally.counts,
      diagnostics,
      functions: diff,
      typeFunctions: origins,
      failingScenarios: tally.failing,
      contractFindings: tally.contracts,
      explore: tally.violations,
      ...(tally.exploreError ? { exploreError: tally.exploreError } : {}),
      summary: made.cSummary,
      seconds,
      fromGen: input.fromGen,
      ...(input.faultGlue ? { faultGlue: input.faultGlue } : {}),
    });
    return exit;
  }
  const sources = [input.callbacks, ...(input.typeC ? [input.typeC] : [])];
  io.out(`uffdkit verify: ${specPath} (${mine.model.name}, ${mine.api}) on ${sources.map((s) => `${s.path} (sha256 ${contentHash(s.text)})`).join(" + ")}`);
  if (diagnostics.length) io.out(formatDiagnostics(diagnostics, { color: io.color }));
  io.out(["functions, compared with what gen writes:", ...diff.map(diffLine(input.callbacks.path)), ...input.fromGen.map((n) => `  gen's      ${n}(): not a function of its own in the tree; gen's version ran, not checked`)].join("\n"));
  if (input.faultGlue) io.out(faultGlueLine(input.faultGlue, tree ? "tree" : "c"));
  if (origins.length) io.out(["the type's functions:", ...origins.map((o) => `  ${o.name}(): ${o.from === "stand-in" ? "a stand-in (no C of it given): not verified" : `its C from ${o.file} (${o.from === "tree" ? "the tree" : "the file beside the spec"})`}`)].join("\n"));
  const n = tally.counts.scenarios;
  io.out(`simulator: ${n.total} scenarios: ${n.passed} pass, ${n.failed} fail, ${n.notApplicable} not applicable, ${n.lacks} not runnable${tally.failing.length ? ` (${tally.failing.join(", ")})` : ""}`);
  io.out(made.cSummary.filter((l) => !l.startsWith("explore")).join("\n"));
  const e = tally.counts.explore;
  io.out(`explore: ${e.total} programs: ${e.exhaustive} exhaustive, ${e.bounded} bounded, ${e.notApplicable} not applicable; ${tally.violations.length} violation(s)${tally.exploreError ? `; exploration failed: ${tally.exploreError}` : ""}${tally.violations.map((v) => `\n  ${v}`).join("")}`);
  if (typeof opts.out === "string") io.out(`checklist: ${opts.out}/checklist.md (names the C above and its hashes)`);
  io.out(`${VERDICT_WORDS[verdict.kind]}: ${verdict.why} (${seconds.toFixed(1)} s)`);
  return exit;
}

/** What ran, counted: the verdict and the JSON report read it. */
interface Tally {
  readonly counts: {
    readonly scenarios: { readonly total: number; readonly passed: number; readonly failed: number; readonly notApplicable: number; readonly lacks: number };
    readonly explore: { readonly total: number; readonly exhaustive: number; readonly bounded: number; readonly notApplicable: number };
    readonly standIns: readonly string[];
    /** With --tree, the verdict's reason when the ->fault glue (or its call in the handler) that ran was gen's; else null. */
    readonly glueFromGen: string | null;
    readonly errors: number;
  };
  readonly failing: readonly string[];
  readonly contracts: readonly string[];
  readonly violations: readonly string[];
  readonly compiled: boolean;
  readonly exploreError?: string;
}

/** The report's line on whose ->fault glue ran. */
export function faultGlueLine(g: FaultGlueOrigin, mode: "tree" | "c"): string {
  if (g.from === "gen" && mode === "c") return `fault glue: ${g.why}`;
  if (g.from === "tree") return `fault glue: the tree's: ${g.fn}() (${g.path}:${g.fnLine}), called first thing in ${g.handler}() (${g.path}:${g.callLine}), its nonzero result returned`;
  return `fault glue: gen's (not the tree's): ${g.why}; not checked`;
}

function tallyOf(
  mine: Generation,
  results: readonly { readonly scenario: string; readonly verdict: string }[],
  explored: Explored,
  diagnostics: readonly Diagnostic[],
  faultGlue?: FaultGlueOrigin,
  mode: "tree" | "c" = "tree",
): Tally {
  const count = (...v: string[]) => results.filter((r) => v.includes(r.verdict)).length;
  const reports = explored.reports;
  const countE = (v: string) => reports.filter((r) => r.verdict === v).length;
  return {
    counts: {
      scenarios: { total: results.length, passed: count("pass"), failed: count("fail", "error"), notApplicable: count("not-applicable"), lacks: count("lacks") },
      explore: { total: reports.length, exhaustive: countE("exhaustive"), bounded: countE("bounded"), notApplicable: countE("not-applicable") },
      standIns: (mine.simulation.evidence.typeFunctions ?? []).filter((t) => t.ran === "stand-in").map((t) => `${t.name}()`),
      // With --c the handler is not in the given C: its call of the glue is series' splice, as for gen's own C
      // (the report says so, and the verdict rests on it as gen's does). With --tree the handler is there to read.
      glueFromGen: faultGlue?.from === "gen" && mode === "tree" ? "fault glue: gen's (not the tree's), not checked" : null,
      errors: diagnostics.filter((d) => d.severity === "error").length,
    },
    failing: results.filter((r) => r.verdict === "fail" || r.verdict === "error").map((r) => r.scenario),
    contracts: mine.simulation.contractFindings,
    violations: reports.flatMap((r) => r.counterexamples.map((c) => `${r.program}: ${c.violation.property}: ${c.violation.message}`)),
    compiled: "wasm" in mine.compiled,
    ...(explored.error ? { exploreError: explored.error } : {}),
  };
}

type VerdictKind = "verified" | "partly-verified" | "not-verified" | "failed";
const VERDICT_WORDS: Record<VerdictKind, string> = { verified: "verified", "partly-verified": "partly verified", "not-verified": "not verified", failed: "NOT verified" };

/**
 * verified only when every scenario and program ran and passed and no type
 * function was a stand-in; a failure is "NOT verified" (exit 1); what did not
 * run, or ran on a stand-in, says so without failing.
 */
function verdictOf(t: Tally): { kind: VerdictKind; why: string } {
  const { scenarios: s, explore: e, standIns, errors, glueFromGen } = t.counts;
  const failed: string[] = [];
  if (!t.compiled) failed.push("the C did not compile against the contract model, so none of it ran");
  if (errors) failed.push(`${errors} error finding(s)`);
  if (s.failed) failed.push(`${s.failed} failing scenario(s)`);
  if (t.contracts.length) failed.push(`${t.contracts.length} contract violation(s)`);
  if (t.violations.length) failed.push(`${t.violations.length} property violation(s) in explored schedules`);
  if (t.exploreError) failed.push(`exploration failed (${t.exploreError})`);
  const notRun: string[] = [];
  if (s.lacks) notRun.push(`${s.lacks} scenario(s) the simulator cannot run (lacks)`);
  if (e.bounded) notRun.push(`${e.bounded} of ${e.total} program(s) explored only to a bound, not exhaustively`);
  if (t.compiled && !t.exploreError && e.total === 0) notRun.push("no concurrent program was explored");
  const partly: string[] = [];
  if (standIns.length) partly.push(`${standIns.length} type function(s) ran as stand-ins, their C not verified: ${standIns.join(", ")}`);
  if (glueFromGen) partly.push(glueFromGen);
  if (s.notApplicable) partly.push(`${s.notApplicable} scenario(s) not applicable (the type lacks the operation)`);
  if (e.notApplicable) partly.push(`${e.notApplicable} program(s) not applicable`);
  const ran = `${s.passed}/${s.total} scenarios passed, ${e.exhaustive}/${e.total} programs explored exhaustively`;
  if (failed.length) return { kind: "failed", why: [...failed, ...notRun, ...partly].join("; ") };
  if (notRun.length) return { kind: "not-verified", why: `nothing failed, but not everything ran: ${[...notRun, ...partly].join("; ")} (${ran})` };
  if (partly.length) return { kind: "partly-verified", why: `nothing failed; ${partly.join("; ")} (${ran})` };
  return { kind: "verified", why: `${ran}, every contract held, no schedule broke a property, every type function ran as C` };
}

/** Which C each of the type's functions ran from: the tree, the file beside the spec, or a stand-in. */
function originsOf(mine: Generation, input: VerifyInput): { name: string; from: "tree" | "beside" | "stand-in"; file?: string }[] {
  return (mine.simulation.evidence.typeFunctions ?? []).map((t) => {
    if (t.ran === "stand-in") return { name: t.name, from: "stand-in" as const };
    const from = input.fromBeside.includes(t.name) ? ("beside" as const) : input.fromTree.includes(t.name) ? ("tree" as const) : ("beside" as const);
    return { name: t.name, from, file: from === "beside" ? input.besidePath ?? t.file ?? "" : input.treePath ?? t.file ?? "" };
  });
}

interface VerifyInput {
  readonly callbacks: CSource;
  readonly typeC?: CSource;
  readonly fromGen: readonly string[];
  /** Whose ->fault glue ran (absent when the type has none). */
  readonly faultGlue?: FaultGlueOrigin;
  /** Type functions whose C came from the tree's file, and from the file beside the spec. */
  readonly fromTree: readonly string[];
  readonly fromBeside: readonly string[];
  readonly treePath?: string;
  readonly besidePath?: string;
}

/**
 * The developer's callbacks and the type's C: from --c (and the file beside
 * the spec), or from the tree, where the tree's own definitions win and the
 * file beside the spec supplies only the functions the tree lacks.
 */
async function inputOf(gen: Generation, emitted: CSource, o: { cFile?: string | undefined; tree?: string | undefined }): Promise<VerifyInput | { error: string }> {
  const beside = gen.typeC;
  const names = gen.lowered.typeFunctions.map((f) => f.name);
  const rel = (p: string) => relative(process.cwd(), resolve(p)) || p;
  const glue = glueNamesOf(gen);
  const besideDefines = beside ? (await functionsOf(beside.text)).filter((f) => names.includes(f.name)) : [];
  if (o.cFile) {
    let text: string;
    try {
      text = readFileSync(o.cFile, "utf8");
    } catch {
      return { error: `${o.cFile} cannot be read` };
    }
    // The callbacks file holds the glue function, never the ->fault handler that calls it.
    const faultGlue: FaultGlueOrigin | undefined = glue && { from: "gen", ...glue, why: `${glue.fn}() is from ${rel(o.cFile)}; its call first thing in ${glue.handler}() is the one series splices (--c gives the callbacks only; --tree DIR reads the handler and checks it)` };
    return { callbacks: { path: rel(o.cFile), text }, ...(beside ? { typeC: beside, besidePath: beside.path } : {}), fromGen: [], ...(faultGlue ? { faultGlue } : {}), fromTree: [], fromBeside: besideDefines.map((f) => f.name) };
  }
  const t = await cFromTree(o.tree!, gen.model.targetFile, emitted, declaredCOf(gen.lowered).ops, names, glue);
  if ("error" in t) return t;
  const treeC = t.typeC ? { ...t.typeC, path: rel(t.typeC.path) } : undefined;
  const fromTree = treeC ? (await functionsOf(treeC.text)).filter((f) => names.includes(f.name)).map((f) => f.name) : [];
  const missing = besideDefines.filter((f) => !fromTree.includes(f.name));
  const typeC = mergeTypeC(treeC, beside, missing);
  return {
    callbacks: { ...t.callbacks, path: rel(t.callbacks.path) },
    ...(typeC ? { typeC } : {}),
    fromGen: t.fromGen,
    ...(t.faultGlue ? { faultGlue: t.faultGlue.from === "tree" ? { ...t.faultGlue, path: rel(t.faultGlue.path) } : t.faultGlue } : {}),
    fromTree,
    fromBeside: missing.map((f) => f.name),
    ...(treeC ? { treePath: treeC.path } : {}),
    ...(beside ? { besidePath: beside.path } : {}),
  };
}

/** The glue function the simulator calls in ->fault, and the handler it belongs in; none when the type has no glue. */
function glueNamesOf(gen: Generation): FaultGlueNames | undefined {
  const fn = declaredCOf(gen.lowered).faultGlue;
  const handler = gen.kernel.fragments.faultGlue?.handler;
  return fn && handler ? { fn, handler } : undefined;
}

/** The tree's type functions, and after them (at their own lines, #line) those only the file beside the spec defines. */
function mergeTypeC(treeC: CSource | undefined, beside: CSource | undefined, missing: readonly CFunction[]): CSource | undefined {
  if (!beside || missing.length === 0) return treeC;
  if (!treeC) return beside;
  const extra = missing.map((f) => `\n#line ${f.line} "${beside.path}"\n${f.text}`).join("");
  return { path: treeC.path, text: `${treeC.text}${extra}\n` };
}

interface Explored {
  readonly reports: readonly ProgramReport[];
  readonly error?: string;
}

/** Every concurrent program of the spec, on the developer's C; a crash of the search is reported, not thrown. */
async function exploreAll(g: Generation, workers: number | undefined): Promise<Explored> {
  const { programs, opts: simOpts } = g.exploration;
  try {
    return { reports: await explorePrograms(programs, simOpts, workers ? { workers } : {}) };
  } catch (e) {
    return { reports: [], error: e instanceof Error ? e.message : String(e) };
  }
}

function diffLine(path: string) {
  return (d: FunctionDiff): string => {
    const at = d.line ? ` (${path}:${d.line})` : "";
    switch (d.status) {
      case "same":
        return `  same       ${d.name}()${at}`;
      case "differs":
        return `  differs    ${d.name}(): ${d.changed} line(s) changed${at}; yours ran`;
      case "only-gen":
        return `  missing    ${d.name}(): gen writes it, your C has no definition of it`;
      case "only-yours":
        return `  yours only ${d.name}()${at}`;
    }
  };
}
