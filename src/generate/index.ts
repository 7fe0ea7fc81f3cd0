/**
 * The pure generate step: Model (+ its findings) → the files of out/<name>/.
 * Nothing here touches the disk; src/write decides what to do with the result.
 *
 * Layout of out/<name>/:
 *   findings.txt                      what `check` says of the spec
 *   kernel/<api>/<name>_uffd.c        the ops, callbacks, hook and glue
 *   selftests/...                     the kselftests planned from the spec
 *   scenarios.json                    the same tests as Scenario IR (runnable with `uffdkit sim`)
 *   sim.tap                           the selftests' results on the reference simulator
 *   checklist.md                      the review checklist, with what uffdkit verified
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { formatDiagnostics } from "../diagnostics/format.js";
import { buildChecklist } from "../emit/checklist/index.js";

import { emitSelftests } from "../emit/selftest/index.js";
import type { ApiGenerationId } from "../kernel/generations.js";
import type { Model } from "../model/model.js";
import { cEvidenceOf, runType, type TypeRun } from "../pipeline.js";
import { formatCoverage } from "../run/c/coverage.js";
import { formatTap } from "../run/tap.js";
import type { SuiteResult } from "../ir/result.js";
import type { GeneratedFile } from "../write/plan-writes.js";

export interface GenerateResult {
  readonly files: GeneratedFile[];
  readonly simulation: SuiteResult;
  readonly run: TypeRun;
  /** One line per fact about the executed C: branches, violations, arcs not reached. */
  readonly cSummary: readonly string[];
}

export function generateArtifacts(model: Model, diagnostics: readonly Diagnostic[], api?: ApiGenerationId): GenerateResult {
  const files: GeneratedFile[] = [];
  files.push({ path: "findings.txt", contents: findingsText(diagnostics) });

  const run = runType({ model, diagnostics, emittable: true }, api ?? model.gen.id);
  for (const f of run.kernel.files) files.push(f);
  const suite = run.suite;
  files.push({ path: "scenarios.json", contents: JSON.stringify(suite, null, 2) + "\n" });
  for (const f of emitSelftests(suite, { name: model.name })) files.push({ path: `selftests/${f.path}`, contents: f.contents });

  const simulation = run.simulation;
  const cSummary = cSummaryOf(run);
  files.push({ path: "sim.tap", contents: withComments(formatTap(simulation, suite), cSummary) });

  const checklist = buildChecklist(model, { diagnostics, simulation, suite, c: cEvidenceOf(run) });
  files.push({ path: "checklist.md", contents: checklist.markdown });
  return { files, simulation, run, cSummary };
}

/** TAP comments right after the version line, where every TAP reader accepts them. */
function withComments(tap: string, lines: readonly string[]): string {
  const nl = tap.indexOf("\n");
  return tap.slice(0, nl + 1) + lines.map((l) => `# ${l}\n`).join("") + tap.slice(nl + 1);
}

function cSummaryOf(run: TypeRun): string[] {
  const file = run.kernel.files[0]!.path;
  if (!run.coverage) return [`C: ${file} was not executed: ${"error" in run.compiled ? run.compiled.error.split("\n")[0] : "not compiled"}`];
  return [...formatCoverage(file, run.coverage, run.contractFindings.length), ...run.contractFindings.map((f) => `contract: ${f}`)];
}

function findingsText(diagnostics: readonly Diagnostic[]): string {
  if (diagnostics.length === 0) return "uffdkit check: no findings\n";
  // Plain text, positions relative to the repository: the file is committed.
  return formatDiagnostics(diagnostics, { color: false }) + "\n";
}
