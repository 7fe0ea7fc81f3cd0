/**
 * `uffdkit gen SPEC [-o DIR] [--api ID|ID,ID...|all] [--check] [--force]`
 *
 * `--api all` (every API generation) or a comma-separated list writes every
 * generation named in one run, each apart (src/generate: kernel/<api>/,
 * selftests/<api>/, findings.<api>.txt, ...); the manifest covers them all.
 *
 * Validate, then write every artifact under out/<name>/. A spec with error
 * findings still gets its artifacts (the C shows the flaw as declared, the
 * simulator's failing scenario is the evidence) and gen exits 1; a spec that
 * cannot be loaded, or whose names are not C identifiers, gets nothing (exit 2/1).
 */
import { relative, resolve } from "node:path";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { formatDiagnostics } from "../../diagnostics/format.js";
import { isApiGeneration, API_GENERATIONS, type ApiGenerationId } from "../../kernel/generations.js";
import { open } from "../../session/index.js";
import { outDirFor, writeFiles } from "../out.js";
import { EXIT, type CliIO } from "../io.js";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const specArg = args[0];
  if (!specArg) {
    io.err("uffdkit gen: missing SPEC (a .uffd.ts file)");
    return EXIT.usage;
  }
  let api: ApiGenerationId | undefined;
  let apis: ApiGenerationId[] | undefined;
  if (typeof opts.api === "string") {
    const wanted = opts.api === "all" ? [...API_GENERATIONS] : opts.api.split(",").map((a) => a.trim());
    const unknown = wanted.filter((a) => !isApiGeneration(a));
    if (unknown.length || wanted.length === 0) {
      io.err(`uffdkit gen: unknown API generation '${unknown[0] ?? opts.api}'; use one of: ${API_GENERATIONS.join(", ")}, a comma-separated list of them, or all`);
      return EXIT.usage;
    }
    const list = [...new Set(wanted as ApiGenerationId[])];
    if (list.length === 1) api = list[0];
    else apis = list;
  }
  const specPath = relative(process.cwd(), resolve(specArg)) || specArg;
  if (apis) return runSeveral(io, specPath, apis, opts);
  const session = await open(specPath, { ...(api ? { api } : {}), allowExec: opts.allowExec === true });
  if (session.loadFailed) {
    report(io, session.loadFindings, undefined);
    return EXIT.usage;
  }
  const g = session.generation();
  const model = g.model;
  const diagnostics = [...g.findings];
  if (g.stops("kernel").length) {
    // Unknown fields/values, unsafe names or text, duplicates: the model is not trustworthy enough to emit from.
    report(io, diagnostics, { written: [], stale: [], refused: [], outDir: "" });
    io.err("uffdkit gen: nothing written; fix the spec first");
    return EXIT.findings;
  }

  const { generateArtifacts } = await import("../../generate/index.js");
  const { files, simulation, cSummary } = generateArtifacts(g);
  // What compiling found (R66: a callee the contract model lacks), positioned in the C.
  diagnostics.push(...g.cFindings);
  const outDir = outDirFor(io, "gen", specPath, opts);
  if (typeof outDir === "number") return outDir;
  const result = writeFiles(io, "gen", outDir, files, opts);
  if ("error" in result) {
    if (io.json) io.emitJson({ diagnostics, written: [], stale: [], refused: [], outDir, error: result.error });
    return result.exit;
  }
  const failing = simulation.results.filter((r) => r.verdict === "fail" || r.verdict === "error").map((r) => r.scenario);
  const summary = {
    written: opts.check ? [] : result.stale,
    stale: result.stale,
    refused: result.refused,
    outDir: relative(process.cwd(), result.outDir) || ".",
  };
  report(io, diagnostics, summary, failing);

  if (result.refused.length > 0) {
    for (const r of result.refused) io.err(`uffdkit gen: not overwriting ${summary.outDir}/${r.path}: ${r.why} (use --force to overwrite)`);
    return EXIT.findings;
  }
  if (opts.check) return checkVerdict(io, summary.outDir, result.stale, diagnostics, failing);
  io.err(`uffdkit gen: ${summary.outDir}: ${writtenSummary(result.actions)}`);
  const count = (v: string) => simulation.results.filter((r) => r.verdict === v).length;
  const target = g.api;
  io.out(
    [
      `${specPath}: ${model.name} for ${target}: ${summarizeFindings(diagnostics)}`,
      ...files.filter((f) => /^(kernel\/|selftests\/[^/]*\.c$)/.test(f.path)).map((f) => `  ${summary.outDir}/${f.path}`),
      `  simulator: ${simulation.results.length} scenarios: ${count("pass")} pass, ${count("fail") + count("error")} fail, ${count("lacks")} not runnable, ${count("not-applicable")} not applicable (${summary.outDir}/sim.tap)`,
      ...cSummary.map((l) => `  ${l}`),
      `  checklist: ${summary.outDir}/checklist.md`,
    ].join("\n"),
  );
  if (failing.length > 0) {
    // The files are written (they are what the simulator ran), but a failing scenario is not a success.
    io.err(`uffdkit gen: simulator: ${failing.length} scenario(s) fail: ${failing.join(", ")} (see ${summary.outDir}/sim.tap); exit 1`);
    return EXIT.findings;
  }
  return hasErrors(diagnostics) ? EXIT.findings : EXIT.ok;
}

function summarizeFindings(diagnostics: readonly { severity: string }[]): string {
  if (diagnostics.length === 0) return "no findings";
  const n = (sev: string) => diagnostics.filter((d) => d.severity === sev).length;
  return `${n("error")} error(s), ${n("warning")} warning(s), ${n("info")} note(s)`;
}

function report(
  io: CliIO,
  diagnostics: Parameters<typeof formatDiagnostics>[0],
  write: { written: readonly string[]; stale: readonly string[]; refused: readonly { path: string; why: string }[]; outDir: string } | undefined,
  failingScenarios: readonly string[] = [],
): void {
  if (io.json) {
    io.emitJson({ diagnostics, ...(write ?? {}), failingScenarios });
    return;
  }
  if (diagnostics.length > 0) io.out(formatDiagnostics(diagnostics, { color: io.color }));
}

/** Every generation of `apis` in one run, each apart, one manifest for them all. */
async function runSeveral(io: CliIO, specPath: string, apis: readonly ApiGenerationId[], opts: Record<string, unknown>): Promise<number> {
  const { generateArtifacts, generationPaths } = await import("../../generate/index.js");
  const files: { path: string; contents: string }[] = [];
  const lines: string[] = [];
  const failing: string[] = [];
  const allDiagnostics = [];
  let errors = false;
  const session = await open(specPath, { allowExec: opts.allowExec === true });
  if (session.loadFailed) {
    report(io, session.loadFindings, undefined);
    return EXIT.usage;
  }
  for (const api of apis) {
    const g = session.generation(api);
    const diagnostics = [...g.findings];
    allDiagnostics.push(...diagnostics);
    errors ||= hasErrors(diagnostics);
    if (g.stops("kernel").length) {
      // Nothing trustworthy to emit for this generation: its findings say why.
      const p = generationPaths(api, true);
      files.push({ path: p.findings, contents: `uffdkit check (${api}):\n${formatDiagnostics(diagnostics, { color: false })}\nnothing else written for ${api}: fix the spec first\n` });
      lines.push(`  ${api}: not emittable (${summarizeFindings(diagnostics)}), see ${p.findings}`);
      continue;
    }
    const made = generateArtifacts(g, { several: true });
    allDiagnostics.push(...g.cFindings);
    errors ||= g.cFindings.some((d) => d.severity === "error");
    files.push(...made.files);
    const count = (v: string) => made.simulation.results.filter((r) => r.verdict === v).length;
    const p = generationPaths(api, true);
    lines.push(`  ${api}: ${summarizeFindings(diagnostics)}; simulator ${count("pass")} pass, ${count("fail") + count("error")} fail (${p.simTap}); ${p.selftests}/, kernel/${api}/, ${p.checklist}`);
    failing.push(...made.simulation.results.filter((r) => r.verdict === "fail" || r.verdict === "error").map((r) => `${api}:${r.scenario}`));
  }
  const outDir = outDirFor(io, "gen", specPath, opts);
  if (typeof outDir === "number") return outDir;
  const result = writeFiles(io, "gen", outDir, files, opts);
  if ("error" in result) return result.exit;
  const shown = relative(process.cwd(), result.outDir) || ".";
  if (io.json) io.emitJson({ diagnostics: allDiagnostics, apis, written: opts.check ? [] : result.stale, stale: result.stale, refused: result.refused, outDir: shown, failingScenarios: failing });
  if (result.refused.length > 0) {
    for (const r of result.refused) io.err(`uffdkit gen: not overwriting ${shown}/${r.path}: ${r.why} (use --force to overwrite)`);
    return EXIT.findings;
  }
  if (opts.check) return checkVerdict(io, shown, result.stale, allDiagnostics, failing);
  io.err(`uffdkit gen: ${shown}: ${writtenSummary(result.actions)}`);
  if (!io.json) io.out([`${specPath}: ${apis.length} generations, each apart in ${shown}:`, ...lines].join("\n"));
  if (failing.length > 0) {
    io.err(`uffdkit gen: simulator: ${failing.length} scenario(s) fail: ${failing.join(", ")}; exit 1`);
    return EXIT.findings;
  }
  return errors ? EXIT.findings : EXIT.ok;
}

/**
 * `gen --check`'s answer, by gen's own exit rules: 1 when out/ is stale, and also
 * when it is fresh but is a fresh copy of a failure (an error finding, or a
 * simulator scenario that fails), each reason said on stderr; else 0.
 */
function checkVerdict(
  io: CliIO,
  outDir: string,
  stale: readonly string[],
  diagnostics: readonly { severity: string; id: string }[],
  failing: readonly string[],
): number {
  const reasons: string[] = [];
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) reasons.push(`the spec has ${errors.length} error finding(s) (${[...new Set(errors.map((d) => d.id))].join(", ")})`);
  if (failing.length > 0) reasons.push(`simulator: ${failing.length} scenario(s) fail: ${failing.join(", ")}`);
  const state = stale.length > 0 ? `is stale: ${stale.join(", ")}` : "is up to date";
  io.err(`uffdkit gen --check: ${outDir} ${state}${reasons.length ? `; exit 1: ${reasons.join("; ")}` : ""}`);
  return stale.length > 0 || reasons.length > 0 ? EXIT.findings : EXIT.ok;
}

/** "3 file(s) written, 2 removed (no longer generated), 40 unchanged". */
function writtenSummary(actions: readonly { kind: string }[]): string {
  const n = (k: string) => actions.filter((a) => a.kind === k).length;
  const removed = n("remove");
  return `${n("create") + n("update")} file(s) written${removed ? `, ${removed} removed (no longer generated)` : ""}, ${n("unchanged")} unchanged`;
}
