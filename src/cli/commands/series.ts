/**
 * `uffdkit series SPEC --tree DIR [-v N] [--rfc] [--base REV] [-o DIR] [--json]`
 *
 * Check the spec, emit the kernel C and selftests, run the simulator (and the
 * kernel where it can run the tests), then build the series in the kernel git
 * tree (src/series) and check it with checkpatch. Exit 0 done, 1 the spec has
 * error findings (nothing built), 2 usage, load or tree errors (tree untouched).
 */
import { relative, resolve } from "node:path";
import { formatDiagnostics, summarize } from "../../diagnostics/format.js";
import { MAX_SERIES_VERSION } from "../../load/schema.js";
import { textProblem } from "../../load/text.js";
import { checkpatchSummary, runCheckpatch } from "../../series/checkpatch.js";
import { open } from "../../session/index.js";
import { describeFailures } from "../../series/build/index.js";
import { buildSeries, checkTree, type SeriesOptions } from "../../series/index.js";
import type { Suite } from "../../ir/scenario.js";
import { EXIT, type CliIO } from "../io.js";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const usage = (msg: string) => {
    if (io.json) io.emitJson({ ok: false, error: msg });
    io.err(`uffdkit series: ${msg}`);
    return EXIT.usage;
  };
  const file = args[0];
  if (!file) return usage("missing SPEC (a <type>.uffd.ts file)");
  if (typeof opts.tree !== "string") return usage("missing --tree DIR (the kernel git tree)");
  const checkedArgs = versionAndBase(opts);
  if (typeof checkedArgs === "string") return usage(checkedArgs);
  const { version } = checkedArgs;

  const specPath = relative(process.cwd(), resolve(file)) || file;
  const session = await open(specPath, { allowExec: opts.allowExec === true });
  if (session.loadFailed) {
    if (io.json) io.emitJson({ ok: false, error: "cannot load the spec", diagnostics: session.loadFindings });
    else io.err(formatDiagnostics(session.loadFindings, { color: io.color }));
    io.err(`uffdkit series: cannot load ${specPath}; fix the findings above`);
    return EXIT.usage;
  }
  const g = session.generation();
  const model = g.model;
  const diagnostics = [...g.findings];
  // The gate (src/session/gate.ts): a series must not carry known errors.
  if (g.stops("series").length) {
    if (io.json) io.emitJson({ ok: false, error: "the spec has error findings", diagnostics });
    else io.err(formatDiagnostics(diagnostics, { color: io.color }));
    io.err(`uffdkit series: no series built: ${summarize(diagnostics)}; a series should not carry known errors (see uffdkit check ${specPath})`);
    return EXIT.findings;
  }

  const { kernel, suite, selftests } = g;

  const seriesOpts: SeriesOptions = {
    tree: opts.tree,
    ...(version !== undefined ? { version } : {}),
    ...(opts.rfc ? { rfc: true } : {}),
    ...(typeof opts.base === "string" ? { base: opts.base } : {}),
    ...(typeof opts.upstream === "string" ? { upstream: opts.upstream } : {}),
    ...(typeof opts.out === "string" ? { out: opts.out } : {}),
    ...(opts.build ? { build: true } : {}),
    // Absolute: git runs in the tree (-C), where a relative --build-dir would name another place.
    ...(typeof opts.buildDir === "string" ? { buildDir: resolve(opts.buildDir) } : {}),
    // Progress only for people watching a terminal; never in --json mode.
    ...(!io.json && process.stderr.isTTY ? { onProgress: (line: string) => io.err(`uffdkit series: ${line}`) } : {}),
    kernel,
    selftests,
    scenarioTitles: suite.scenarios.map((s) => s.title),
  };
  // The tree first: a wrong file, vm_operations_struct or handler costs nothing to find.
  const checked = await checkTree(g.lowered, seriesOpts);
  if (!checked.ok) {
    const e = checked.error;
    if (io.json) io.emitJson({ ok: false, error: e.message, code: e.code, hint: e.hint });
    io.err(`uffdkit series: ${e.code === "base-lacks-prerequisite" ? "base lacks the prerequisite: " : ""}${e.message}\n  fix: ${e.hint}\n  (the tree was not changed)`);
    return EXIT.usage;
  }

  io.err(`uffdkit series: running ${suite.scenarios.length} tests on the simulator${io.json ? "" : " and, where it can, this kernel"}...`);
  const testing = await g.seriesTesting();
  const { sim, kernel: onKernel } = testing;
  const standIn = g.lowered.standIn?.kind;
  if (standIn && onKernel.result) io.err(`uffdkit series: the kernel run was on ${standIn}, standing in for ${model.name}: not a test of ${model.name}`);

  const outcome = await buildSeries(g.lowered, { ...seriesOpts, testing: testing.evidence });
  if (!outcome.ok) {
    const e = outcome.error;
    if (io.json) io.emitJson({ ok: false, error: e.message, code: e.code, hint: e.hint });
    io.err(`uffdkit series: ${e.message}\n  fix: ${e.hint}\n  (the tree was not changed)`);
    return EXIT.usage;
  }
  const r = outcome.result;
  // The tree's own checkpatch.pl (the kernel the series is for); Debian's only when the tree has none.
  const cp = runCheckpatch(r.patches, undefined, r.tree);

  const buildFailed = r.build !== undefined && !r.build.ok;
  if (io.json) {
    io.emitJson({
      ok: !buildFailed,
      ...r,
      checkpatch: cp.available
        ? { available: true, script: cp.script, errors: cp.errors, warnings: cp.warnings, checks: cp.checks, findings: cp.findings }
        : { available: false, reason: cp.reason },
      testing: {
        sim: sim.result ? { results: sim.result.results.map((x) => ({ scenario: x.scenario, verdict: x.verdict })) } : { note: sim.note },
        kernel: onKernel.result ? { results: onKernel.result.results.map((x) => ({ scenario: x.scenario, verdict: x.verdict })), note: onKernel.note } : { note: onKernel.note },
      },
    });
    return buildFailed ? EXIT.findings : EXIT.ok;
  }
  printSeries(io, model.name, r, cp);
  const booted = await bootIfAsked(io, opts, r, model.targetFile, suite);
  io.out("");
  io.out("Next:");
  io.out(`  review the commits:     git -C ${r.tree} log -p ${r.baseSha.slice(0, 12)}..${r.branch}`);
  io.out(`  read the cover letter:  ${rel(r.coverLetter)}`);
  io.out(`  send it:                git send-email --to=<list> ${rel(r.outDir)}/*.patch`);
  return buildFailed || booted === false ? EXIT.findings : EXIT.ok;
}

/** A path as the user would type it: relative to here when inside, else as it is. */
function rel(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith("..") ? r : p;
}

/** -v and --base, checked before anything runs: the version, or what is wrong with them. */
function versionAndBase(opts: Record<string, unknown>): { version?: number } | string {
  let version: number | undefined;
  if (opts.rerollCount !== undefined) {
    version = Number(opts.rerollCount);
    if (!Number.isInteger(version) || version < 1 || version > MAX_SERIES_VERSION) {
      return `-v ${String(opts.rerollCount)}: the series version must be a whole number from 1 to ${MAX_SERIES_VERSION}`;
    }
  }
  // --base reaches git as an argument: a revision, never an option.
  if (opts.base !== undefined) {
    const problem = typeof opts.base === "string" ? textProblem(opts.base, "git-rev") : "it is not a string";
    if (problem) return `--base ${JSON.stringify(opts.base)}: ${problem}`;
  }
  return version !== undefined ? { version } : {};
}

type Built = Extract<Awaited<ReturnType<typeof buildSeries>>, { ok: true }>["result"];

/** The human summary of a built series: commits, checkpatch, notes, the build. */
function printSeries(io: CliIO, name: string, r: Built, cp: ReturnType<typeof runCheckpatch>): void {
  io.out(`Series ${name} v${r.version}: ${r.commits.length} patches and a cover letter in ${rel(r.outDir)}/`);
  io.out(`  branch ${r.branch} in ${r.tree}, based on ${r.base} (${r.baseSha.slice(0, 12)}); ${r.tree} is still on its own branch`);
  for (const c of r.commits) io.out(`  ${c.sha.slice(0, 12)} ${c.subject}`);
  io.out(`  checkpatch --strict: ${checkpatchSummary(cp)}${cp.available ? ` (${cp.script})` : ""}`);
  if (cp.available) {
    const shown = cp.findings.filter((x) => x.type !== "FILE_PATH_CHANGES");
    for (const f of shown.slice(0, 15)) io.out(`    ${rel(f.file)}:${f.line}: ${f.level}:${f.type}: ${f.message}`);
    if (shown.length > 15) io.out(`    ... and ${shown.length - 15} more (scripts/checkpatch.sh ${rel(r.outDir)}/*.patch)`);
  }
  for (const n of r.notes) {
    if (n.startsWith("warning:")) io.err(`uffdkit series: ${n}`);
    else io.out(`  note: ${n}`);
  }
  if (r.build) {
    const b = r.build;
    if (b.unavailable) io.out(`  build: not run: ${b.unavailable}`);
    else io.out(`  build (W=1, after each patch): ${b.steps.length} builds in ${(b.ms / 1000).toFixed(0)} s, ${b.steps.filter((x) => !x.ok).length} failed${b.standIn ? " (with uffdkit's API header standing in for the prerequisite)" : ""}`);
    for (const line of describeFailures(b)) io.out(`    ${line}`);
  }
}

/** --boot (src/series/boot.ts): undefined when not asked or not possible, else whether the guest run was clean. */
async function bootIfAsked(io: CliIO, opts: Record<string, unknown>, r: { tree: string; build?: { ok: boolean } }, typeFile: string, suite: Suite): Promise<boolean | undefined> {
  if (!opts.boot) return undefined;
  if (!r.build) {
    io.out("  boot: not run: --boot needs --build");
    return undefined;
  }
  if (!r.build.ok) {
    io.out("  boot: not run: the series does not build");
    return undefined;
  }
  const { bootSeries } = await import("../../series/boot.js");
  const b = await bootSeries({ tree: r.tree, ...(typeof opts.buildDir === "string" ? { buildDir: resolve(opts.buildDir) } : {}), typeFile, suite, debug: opts.debugKernel === true, say: (l) => io.err(`uffdkit series: ${l}`) });
  for (const l of b.lines) io.out(`  ${l}`);
  return b.ok;
}
