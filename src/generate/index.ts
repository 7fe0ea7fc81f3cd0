/**
 * The pure generate step: a session's generation → the files of out/<name>/.
 * Nothing here touches the disk; src/write decides what to do with the result.
 *
 * Layout of out/<name>/ for one generation (the spec's `api`, or `gen --api ID`):
 *   findings.txt                      what `check` says of the spec
 *   kernel/<api>/<name>_uffd.c        the ops, callbacks, hook and glue
 *   selftests/...                     the kselftests planned from the spec
 *   scenarios.json                    the same tests as Scenario IR (runnable with `uffdkit sim`)
 *   sim.tap                           the selftests' results on the reference simulator
 *   checklist.md                      the review checklist, with what uffdkit verified
 *
 * For several generations in one run (`gen --api all`, `--api a,b`), every
 * generation's files are apart: kernel/<api>/, selftests/<api>/,
 * findings.<api>.txt, scenarios.<api>.json, sim.<api>.tap, checklist.<api>.md.
 * Every file names its generation (a header comment, the suite title, the
 * checklist title), so a folder never mixes generations silently.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { formatDiagnostics } from "../diagnostics/format.js";
import type { ApiGenerationId } from "../kernel/generations.js";
import { formatCoverage } from "../run/c/coverage.js";
import { cDiagnosticsOf, typeFunctionLines } from "../run/c/provenance.js";
import type { Generation } from "../session/index.js";
import { formatTap } from "../run/tap.js";
import type { ExploreEvidence, SuiteResult } from "../ir/result.js";
import type { GeneratedFile } from "../write/plan-writes.js";

export interface GenerateResult {
  readonly files: GeneratedFile[];
  readonly simulation: SuiteResult;
  /** One line per fact about the executed C: branches, violations, arcs not reached. */
  readonly cSummary: readonly string[];
}

/** Where a generation's files go: the one-generation layout, or apart per generation. */
export function generationPaths(api: ApiGenerationId, several: boolean) {
  const top = (stem: string, ext: string) => (several ? `${stem}.${api}.${ext}` : `${stem}.${ext}`);
  return {
    findings: top("findings", "txt"),
    scenarios: top("scenarios", "json"),
    simTap: top("sim", "tap"),
    checklist: top("checklist", "md"),
    selftests: several ? `selftests/${api}` : "selftests",
  };
}

/**
 * The files of one generation, from the session's stages. The caller asks the
 * gate first (generation.stops("kernel")): a closed stage throws GateClosed.
 */
export function generateArtifacts(g: Generation, opts: { several?: boolean } = {}): GenerateResult {
  const gen = g.api;
  const paths = generationPaths(gen, opts.several ?? false);
  const files: GeneratedFile[] = [];
  files.push({ path: paths.findings, contents: findingsText(g.findings, gen) });

  for (const f of g.kernel.files) files.push(f);
  const suite = g.suite;
  files.push({ path: paths.scenarios, contents: JSON.stringify(suite, null, 2) + "\n" });
  for (const f of g.selftests) files.push({ path: `${paths.selftests}/${f.path}`, contents: f.contents });

  const simulation = g.simulation.result;
  const cSummary = cSummaryOf(g);
  files.push({ path: paths.simTap, contents: withComments(formatTap(simulation, suite), [`generation: ${gen}`, ...cSummary]) });

  files.push({ path: paths.checklist, contents: g.checklist.markdown });
  return { files, simulation, cSummary: [...cSummary, ...exploreSummaryOf(g.exploreEvidence)] };
}

/** One line per explored program gen ran for the checklist. */
function exploreSummaryOf(e: ExploreEvidence): string[] {
  return e.programs.map((p) => {
    const what = p.violations.length ? p.violations.map((v) => `${v.property} violation`).join(", ") : `no violation (${p.verdict})`;
    return `explore (${p.checklist.join(", ")}): ${p.name}: ${what}${p.violations.length ? " (uffdkit explore prints the schedule)" : ""}`;
  });
}

/** TAP comments right after the version line, where every TAP reader accepts them. */
function withComments(tap: string, lines: readonly string[]): string {
  const nl = tap.indexOf("\n");
  return tap.slice(0, nl + 1) + lines.map((l) => `# ${l}\n`).join("") + tap.slice(nl + 1);
}

/** Why no C ran: the compile findings by id (they are printed, positioned, with the other findings), else the compiler's first line. */
function notExecutedWhy(compiled: Generation["compiled"]): string {
  if (!("error" in compiled)) return "not compiled";
  const ids = [...new Set(cDiagnosticsOf(compiled).map((d) => d.id))];
  if (ids.length) return `it did not compile against the contract model (${ids.join(", ")} above); the simulator results above ran without it`;
  return compiled.error.split("\n")[0] ?? "not compiled";
}

function cSummaryOf(g: Generation): string[] {
  const file = g.cSource.path;
  const { coverage, contractFindings } = g.simulation;
  const compiled = g.compiled;
  const types = typeFunctionLines(g.simulation.evidence);
  if (!coverage) return [`C: ${file} was not executed: ${notExecutedWhy(compiled)}`, ...types];
  return [...formatCoverage(file, coverage, contractFindings.length), ...contractFindings.map((f) => `contract: ${f}`), ...types];
}

function findingsText(diagnostics: readonly Diagnostic[], api: ApiGenerationId): string {
  if (diagnostics.length === 0) return `uffdkit check (${api}): no findings\n`;
  // Plain text, positions relative to the repository: the file is committed.
  return `uffdkit check (${api}):\n` + formatDiagnostics(diagnostics, { color: false }) + "\n";
}
