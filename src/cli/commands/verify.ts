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
 * The type's functions come from the C beside the spec (`<spec>.c`) when there
 * is one, else (with --tree) from the tree's file.
 *
 * -o DIR writes checklist.md and sim.tap there; both name the C they rest on.
 * Exit 0: everything ran and nothing failed; 1: a finding, a failing scenario,
 * a broken contract or a property violation; 2: usage.
 */
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { formatDiagnostics } from "../../diagnostics/format.js";
import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { isApiGeneration, API_GENERATIONS, type ApiGenerationId } from "../../kernel/generations.js";
import type { CSource } from "../../ir/c-source.js";
import { open, type Generation } from "../../session/index.js";
import { declaredCOf } from "../../plan/planner/declared.js";
import { explorePrograms } from "../../run/explore/pool.js";
import type { ProgramReport } from "../../run/explore/index.js";
import { contentHash } from "../../run/c/provenance.js";
import { cFromTree, diffFunctions, type FunctionDiff } from "../verify-sources.js";
import { writeFiles } from "../out.js";
import { EXIT, type CliIO } from "../io.js";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const usage = (msg: string) => {
    io.err(`uffdkit verify: ${msg}`);
    if (io.json) io.emitJson({ ok: false, error: msg });
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
  const t0 = performance.now();
  const specPath = relative(process.cwd(), resolve(specArg)) || specArg;
  const base = { ...(api ? { api } : {}), allowExec: opts.allowExec === true };
  const session = await open(specPath, base);
  if (session.loadFailed) {
    io.out(formatDiagnostics(session.loadFindings, { color: io.color }));
    return EXIT.usage;
  }
  const gen = session.generation();
  if (gen.stops("kernel").length) {
    io.out(formatDiagnostics(gen.findings, { color: io.color }));
    return usage(`${specPath} stops at the gate: fix the spec first (uffdkit check)`);
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
  const explored = "wasm" in mine.compiled ? await exploreAll(mine, opts) : [];
  const seconds = (performance.now() - t0) / 1000;

  const failing = made.simulation.results.filter((r) => r.verdict === "fail" || r.verdict === "error").map((r) => r.scenario);
  const contracts = mine.simulation.contractFindings;
  const violations = explored.flatMap((r) => r.counterexamples.map((c) => `${r.program}: ${c.violation.property}: ${c.violation.message}`));
  const ok = !hasErrors(diagnostics) && failing.length === 0 && contracts.length === 0 && violations.length === 0 && "wasm" in mine.compiled;
  if (typeof opts.out === "string") {
    const files = made.files.filter((f) => f.path === "checklist.md" || f.path === "sim.tap");
    const w = writeFiles(io, "verify", opts.out, files, { ...opts, force: true });
    if ("error" in w) return w.exit;
  }
  if (io.json) {
    io.emitJson({ ok, diagnostics, functions: diff, failingScenarios: failing, contractFindings: contracts, explore: violations, summary: made.cSummary, seconds, fromGen: input.fromGen });
    return ok ? EXIT.ok : EXIT.findings;
  }
  const sources = [input.callbacks, ...(input.typeC ? [input.typeC] : [])];
  io.out(`uffdkit verify: ${specPath} (${mine.model.name}, ${mine.api}) on ${sources.map((s) => `${s.path} (sha256 ${contentHash(s.text)})`).join(" + ")}`);
  if (diagnostics.length) io.out(formatDiagnostics(diagnostics, { color: io.color }));
  io.out(["functions, compared with what gen writes:", ...diff.map(diffLine(input.callbacks.path)), ...input.fromGen.map((n) => `  gen's      ${n}(): not a function of its own in the tree; gen's version ran (series splices it into the ->fault handler)`)].join("\n"));
  const count = (v: string) => made.simulation.results.filter((r) => r.verdict === v).length;
  io.out(`simulator: ${made.simulation.results.length} scenarios: ${count("pass")} pass, ${count("fail") + count("error")} fail, ${count("lacks")} not runnable${failing.length ? ` (${failing.join(", ")})` : ""}`);
  io.out(made.cSummary.filter((l) => !l.startsWith("explore")).join("\n"));
  io.out(`explore: ${explored.length} programs, ${violations.length} violation(s)${violations.map((v) => `\n  ${v}`).join("")}`);
  if (typeof opts.out === "string") io.out(`checklist: ${opts.out}/checklist.md (names the C above and its hashes)`);
  io.out(`${ok ? "verified" : "NOT verified"}: ${verdictOf(ok, diagnostics, failing, contracts, violations)} (${seconds.toFixed(1)} s)`);
  return ok ? EXIT.ok : EXIT.findings;
}

/** The developer's callbacks and the type's C: from --c (and the file beside the spec), or from the tree. */
async function inputOf(gen: Generation, emitted: CSource, o: { cFile?: string | undefined; tree?: string | undefined }): Promise<{ callbacks: CSource; typeC?: CSource; fromGen: readonly string[] } | { error: string }> {
  const beside = gen.typeC;
  const rel = (p: string) => relative(process.cwd(), resolve(p)) || p;
  if (o.cFile) {
    let text: string;
    try {
      text = readFileSync(o.cFile, "utf8");
    } catch {
      return { error: `${o.cFile} cannot be read` };
    }
    return { callbacks: { path: rel(o.cFile), text }, ...(beside ? { typeC: beside } : {}), fromGen: [] };
  }
  const t = await cFromTree(o.tree!, gen.model.targetFile, emitted, declaredCOf(gen.lowered).ops, gen.lowered.typeFunctions.map((f) => f.name));
  if ("error" in t) return t;
  const typeC = beside ?? (t.typeC ? { ...t.typeC, path: rel(t.typeC.path) } : undefined);
  return { callbacks: { ...t.callbacks, path: rel(t.callbacks.path) }, ...(typeC ? { typeC } : {}), fromGen: t.fromGen };
}

/** Every concurrent program of the spec, on the developer's C. */
async function exploreAll(g: Generation, opts: Record<string, unknown>): Promise<ProgramReport[]> {
  const { programs, opts: simOpts } = g.exploration;
  const workers = typeof opts.workers === "string" ? Number(opts.workers) : undefined;
  return explorePrograms(programs, simOpts, workers && Number.isInteger(workers) && workers > 0 ? { workers } : {});
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

function verdictOf(ok: boolean, d: readonly Diagnostic[], failing: readonly string[], contracts: readonly string[], violations: readonly string[]): string {
  if (ok) return "every scenario passed, every contract held, no schedule broke a property";
  const why: string[] = [];
  const errors = d.filter((x) => x.severity === "error").length;
  if (errors) why.push(`${errors} error finding(s)`);
  if (failing.length) why.push(`${failing.length} failing scenario(s)`);
  if (contracts.length) why.push(`${contracts.length} contract violation(s)`);
  if (violations.length) why.push(`${violations.length} property violation(s) in explored schedules`);
  return why.join(", ") || "the C did not run";
}
