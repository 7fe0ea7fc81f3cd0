/**
 * `uffdkit test SPEC [--sim] [--kernel] [--json]`
 *
 * Plan the spec's selftests and run them on the reference simulator (the
 * default) and/or this machine's kernel. TAP per runner on stdout; with both,
 * the step-by-step comparison of the scenarios the kernel ran. A spec with
 * error findings is refused: its selftests would only restate the findings.
 *
 * Exit: 0 every scenario passed (a kernel that lacks what a scenario needs is a
 * skip, not a failure), 1 a scenario failed or the spec has errors, 2 the spec
 * could not be loaded or a runner is not available.
 */
import { relative, resolve } from "node:path";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { formatDiagnostics } from "../../diagnostics/format.js";
import type { SuiteComparison } from "../../run/compare.js";
import type { ScenarioResult, SuiteResult } from "../../ir/result.js";
import { simKernelFor } from "../../run/sim-kernel.js";
import { open, type Generation } from "../../session/index.js";
import { formatTap } from "../../run/tap.js";
import { EXIT, type CliIO } from "../io.js";

type Runner = "sim" | "kernel";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const specArg = args[0];
  if (!specArg) {
    io.err("uffdkit test: missing SPEC (a .uffd.ts file)");
    return EXIT.usage;
  }
  const file = relative(process.cwd(), resolve(specArg)) || specArg;
  const session = await open(file, { allowExec: opts.allowExec === true });
  if (session.loadFailed) {
    reportFindings(io, file, session.loadFindings, "the spec could not be loaded");
    return EXIT.usage;
  }
  const g = session.generation();
  const model = g.model;
  const diagnostics = [...g.findings];
  // The gate: a verdict on a spec with known errors would only restate them (src/session/gate.ts).
  if (g.stops("testRun").length) {
    reportFindings(io, file, diagnostics, "the spec has errors; fix them (see `uffdkit check`) before testing it");
    return EXIT.findings;
  }

  const runners: Runner[] = [];
  if (opts.sim || !opts.kernel) runners.push("sim");
  if (opts.kernel) runners.push("kernel");
  if (!opts.sim && !opts.kernel) io.err("uffdkit test: running on the simulator only (add --kernel to run on this machine's kernel too)");

  // The session plans the suite and runs it on the simulator with the type's C.
  const suite = g.suite;
  const simKernel = simKernelFor(model.gen.id);
  const results: Partial<Record<Runner, SuiteResult>> = {};
  for (const runner of runners) {
    if (runner === "sim") io.err(`uffdkit test: ${suite.scenarios.length} scenarios on the simulator (kernel ${simKernel}), the type's emitted C executed`);
    results[runner] = runner === "sim" ? g.testRun : await runOnKernel(io, g);
  }
  const comparison = results.sim && results.kernel ? await compare(io, results.sim, results.kernel) : undefined;

  const failing = Object.values(results).flatMap((r) => r.results.filter(isFailure).map((x) => `${r.runner}:${x.scenario}`));
  if (io.json) {
    io.emitJson({
      file,
      api: model.gen.id,
      simulatorKernel: runners.includes("sim") ? simKernel : undefined,
      suite: { name: suite.name, title: suite.title, scenarios: suite.scenarios.map((s) => ({ name: s.name, title: s.title, kind: s.setup.kind, source: s.source ?? [] })) },
      diagnostics,
      runs: results,
      totals: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, totals(r)])),
      ...(comparison !== undefined ? { comparison } : {}),
      failing,
      ok: failing.length === 0,
    });
  } else {
    if (diagnostics.length) io.err(formatDiagnostics(diagnostics, { color: io.color }));
    for (const runner of runners) io.out(formatTap(results[runner]!, suite));
    if (comparison !== undefined) io.out(comparisonText(comparison));
    for (const runner of runners) {
      const t = totals(results[runner]!);
      const standIn = results[runner]!.results.filter((r) => r.ranOn && r.verdict === "pass");
      const on = [...new Set(standIn.map((r) => r.ranOn))].join("; ");
      io.err(
        `uffdkit test: ${runner === "sim" ? `simulator (${simKernel})` : "kernel"}: ${t.pass} pass${standIn.length ? ` (${standIn.length} ran on ${on}: not tests of ${model.name})` : ""}, ${t.fail} fail, ${t.lacks} skipped (kernel lacks, or simulator-only), ${t.error} error`,
      );
    }
  }
  return failing.length ? EXIT.findings : EXIT.ok;
}

function isFailure(r: ScenarioResult): boolean {
  return r.verdict === "fail" || r.verdict === "error";
}

function totals(r: SuiteResult): Record<"pass" | "fail" | "lacks" | "error", number> {
  const t = { pass: 0, fail: 0, lacks: 0, error: 0 };
  for (const x of r.results) t[x.verdict]++;
  return t;
}

function reportFindings(io: CliIO, file: string, diagnostics: readonly Diagnostic[], why: string): void {
  if (io.json) {
    io.emitJson({ file, error: why, diagnostics, ok: false });
    return;
  }
  io.err(formatDiagnostics(diagnostics, { color: io.color }));
  io.err(`uffdkit test: ${why}`);
}

/** The session's kernel run, with progress on a terminal. */
async function runOnKernel(io: CliIO, g: Generation): Promise<SuiteResult> {
  const total = g.suite.scenarios.length;
  io.err(`uffdkit test: ${total} scenarios on this machine's kernel (building the selftests first)`);
  let n = 0;
  return g.kernelRun((r) => {
    n++;
    if (!io.json && process.stderr.isTTY) process.stderr.write(`\r  ${n}/${total} ${r.scenario}\x1b[K`);
    if (n === total && !io.json && process.stderr.isTTY) process.stderr.write("\n");
  });
}

/** The compare step, when it is part of the build; otherwise a note instead of a comparison. */
async function compare(io: CliIO, sim: SuiteResult, kernel: SuiteResult): Promise<SuiteComparison | undefined> {
  const mod = await importOptional<{ compareSuites(a: SuiteResult, b: SuiteResult): SuiteComparison }>("../../run/compare.js");
  if (!mod) {
    io.err("uffdkit test: the compare step (src/run/compare) is not part of this build; no comparison");
    return undefined;
  }
  return mod.compareSuites(sim, kernel);
}

/** The comparison as TAP comment lines: the counts, then each disagreement with both observations. */
function comparisonText(c: SuiteComparison): string {
  const lines = [
    `# simulator vs kernel (${c.suite}): ${c.compared} compared, ${c.agree} agree, ${c.disagree} disagree, ${c.lacks} the kernel lacks, ${c.errors} kernel errors`,
  ];
  for (const s of c.scenarios) {
    if (s.status === "disagree") lines.push(`# disagree ${s.scenario}: ${s.reason ?? ""}`);
    if (s.status === "error") lines.push(`# kernel error ${s.scenario}: ${s.reason ?? ""}`);
  }
  return lines.join("\n") + "\n";
}

/** A module another engineer owns may not exist yet in this build: absent is undefined, not a crash. */
async function importOptional<T>(path: string): Promise<T | undefined> {
  try {
    return (await import(path)) as T;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" && String((e as Error).message).includes(path.replace(/^(\.\.\/)+/, ""))) return undefined;
    throw e;
  }
}
