/**
 * `uffdkit conform --vm KERNEL...`: the reference suites (and the examples'
 * planned suites) on this machine's kernel and inside a QEMU guest per named
 * kernel, each compared with the simulator held to that kernel's version.
 * One agreement column per kernel, the host's first.
 */
import type { Suite } from "../../ir/scenario.js";
import type { SuiteResult } from "../../ir/result.js";
import { isKernelVersion, KERNEL_VERSIONS, type KernelVersionId } from "../../kernel/versions.js";
import { compareSuites, percent, type ScenarioComparison, type SuiteComparison } from "../../run/compare.js";
import type { CompiledType } from "../../run/c/compile.js";
import type { VmKernel, VmRun } from "../../run/vm/index.js";
import { versionFor } from "../../run/vm/kernels.js";
import { EXIT, type CliIO } from "../io.js";

export interface VmTarget {
  readonly label: string;
  readonly suite: Suite;
  readonly declared?: { declaredC: CompiledType } | { declaredCError: string };
}

export type SimulateSuite = (suite: Suite, opts: { kernel: KernelVersionId; declaredC?: CompiledType; declaredCError?: string }) => SuiteResult;

/** One kernel's column: what ran, and its comparison per target. */
export interface KernelColumn {
  readonly label: string;
  readonly version: KernelVersionId;
  /** Per target, in the targets' order. */
  readonly comparisons: readonly SuiteComparison[];
  readonly ms: number;
  readonly note?: string;
  /** Console findings (lockdep, BUG, WARNING) from a guest. */
  readonly findings?: readonly string[];
}

function cell(c: ScenarioComparison | undefined): string {
  if (!c) return "";
  switch (c.status) {
    case "agree":
      return "yes";
    case "disagree":
      return c.step !== undefined ? `NO (step ${c.step} ${c.op})` : "NO";
    case "lacks":
      return "- (lacks)";
    case "error":
      return "ERROR";
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

export interface Totals {
  agree: number;
  compared: number;
  lacks: number;
  errors: number;
}

export function totals(col: KernelColumn): Totals {
  const t = { agree: 0, compared: 0, lacks: 0, errors: 0 };
  for (const c of col.comparisons) {
    t.agree += c.agree;
    t.compared += c.compared;
    t.lacks += c.lacks;
    t.errors += c.errors;
  }
  return t;
}

export function summaryLine(col: KernelColumn): string {
  const t = totals(col);
  return `${col.label}: agreement ${t.agree}/${t.compared} (${percent(t.agree, t.compared)}), kernel lacks ${t.lacks}, errors ${t.errors}; ${(col.ms / 1000).toFixed(1)} s${col.note ? `; ${col.note}` : ""}`;
}

/**
 * Why a kernel lacks what it lacks: each reason's head (before the first
 * colon, numbers folded) with its count, most frequent first.
 */
export function lacksReasons(col: KernelColumn, top = 6): string[] {
  const counts = new Map<string, number>();
  for (const cmp of col.comparisons) {
    for (const s of cmp.scenarios) {
      if (s.status !== "lacks") continue;
      const head = (s.reason ?? "?").split(":")[0]!.replace(/\d+(\.\d+)*/g, "N").trim();
      counts.set(head, (counts.get(head) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, top).map(([why, n]) => `  lacks ${n}: ${why}`);
}

/** The human report: per target a table with a column per kernel, then one line per kernel. */
export function renderColumns(targets: readonly { label: string }[], columns: readonly KernelColumn[]): string {
  const out: string[] = [];
  targets.forEach((t, i) => {
    const names = [...new Set(columns.flatMap((c) => c.comparisons[i]?.scenarios.map((s) => s.scenario) ?? []))];
    const rows = [["scenario", ...columns.map((c) => c.label)], ...names.map((n) => [n, ...columns.map((c) => cell(c.comparisons[i]?.scenarios.find((s) => s.scenario === n)))])];
    out.push(`== ${t.label}`, table(rows));
    for (const c of columns) {
      const cmp = c.comparisons[i];
      if (cmp) out.push(`${t.label} on ${c.label}: agreement ${cmp.agree}/${cmp.compared} (${percent(cmp.agree, cmp.compared)})${cmp.lacks ? `, kernel lacks ${cmp.lacks}` : ""}${cmp.errors ? `, errors ${cmp.errors}` : ""}`);
    }
    out.push("");
  });
  for (const c of columns) out.push(summaryLine(c), ...lacksReasons(c));
  return out.join("\n");
}

/** Disagreements and errors, one line each, naming the kernel. */
export function problemsOf(targets: readonly { label: string }[], columns: readonly KernelColumn[]): string[] {
  const out: string[] = [];
  for (const c of columns) {
    c.comparisons.forEach((cmp, i) => {
      for (const s of cmp.scenarios) {
        if (s.status === "disagree") out.push(`disagreement: ${c.label}: ${targets[i]!.label}/${s.scenario}: ${s.reason}`);
        if (s.status === "error") out.push(`error: ${c.label}: ${targets[i]!.label}/${s.scenario}: ${s.reason}`);
      }
    });
    for (const f of c.findings ?? []) out.push(`kernel finding: ${c.label}: ${f}`);
  }
  return out;
}

function simulateAll(simulate: SimulateSuite, targets: readonly VmTarget[], version: KernelVersionId): SuiteResult[] {
  return targets.map((t) => simulate(t.suite, { kernel: version, ...(t.declared ?? {}) }));
}

/**
 * The host's column is held to its own release's model, through the same
 * versionFor as each guest's; a release with no model is said, not simulated
 * as some other kernel.
 */
export function hostVersion(release: string): { version: KernelVersionId; label: string } | { notCompared: string } {
  const v = versionFor(release);
  if (isKernelVersion(v)) return { version: v, label: `${v} (host ${release})` };
  return { notCompared: `host ${release}: not compared: ${v}; the simulator models ${KERNEL_VERSIONS.join(", ")} (compare it in a guest of one of those with --vm)` };
}

async function hostColumn(io: CliIO, simulate: SimulateSuite, targets: readonly VmTarget[]): Promise<KernelColumn | { notCompared: string }> {
  const { runSuiteOnKernel } = await import("../../run/kernel/index.js");
  const { kernelRelease } = await import("../../run/kernel/probe.js");
  const host = hostVersion(kernelRelease());
  if ("notCompared" in host) return host;
  const t0 = Date.now();
  const sims = simulateAll(simulate, targets, host.version);
  const comparisons: SuiteComparison[] = [];
  for (const [i, t] of targets.entries()) {
    io.err(`conform: host: ${t.label}: running ${t.suite.scenarios.length} scenarios ...`);
    comparisons.push(compareSuites(sims[i]!, await runSuiteOnKernel(t.suite, {})));
  }
  return { label: host.label, version: host.version, comparisons, ms: Date.now() - t0 };
}

function vmColumn(run: VmRun, sims: readonly SuiteResult[]): KernelColumn {
  const comparisons = run.results.map((r, i) => compareSuites(sims[i]!, r));
  const f = run.facts;
  const note = `${run.accel.toUpperCase()} guest ${(run.bootMs / 1000).toFixed(1)} s, /dev/kvm ${f.kvm ? "yes" : "no"}, huge pages ${f.hugePagesFree ?? 0}${run.problem ? `; ${run.problem}` : ""}`;
  return { label: run.kernel.label, version: run.kernel.version, comparisons, ms: run.ms, note, findings: run.findings.map((x) => `${x.kind}: ${x.line}`) };
}

export interface VmConformOptions {
  readonly kernels: readonly string[];
  /** Also run on this machine's kernel (default true). */
  readonly host: boolean;
}

/** Resolve every kernel first (a typo should not cost a boot), then run each. */
export async function runConformVm(io: CliIO, simulate: SimulateSuite, targets: readonly VmTarget[], opts: VmConformOptions): Promise<number> {
  const t0 = Date.now();
  const { resolveKernel, runSuitesInVm, vmMissing } = await import("../../run/vm/index.js");
  const { buildVmKernel } = await import("../../run/vm/build.js");
  const say = (line: string) => io.err(line);
  // The host's tools first: a missing QEMU or busybox should not cost a kernel download.
  const missing = vmMissing();
  if (missing.length) {
    for (const m of missing) io.err(`uffdkit conform --vm: ${m}`);
    if (io.json) io.emitJson({ error: missing.join("; ") });
    return EXIT.usage;
  }
  const kernels: VmKernel[] = [];
  for (const spec of opts.kernels) {
    const k = await resolveKernel(spec, { say, build: buildVmKernel });
    if (typeof k === "string") {
      io.err(`uffdkit conform --vm: ${k}`);
      if (io.json) io.emitJson({ error: k });
      return EXIT.usage;
    }
    kernels.push(k);
  }
  const columns: KernelColumn[] = [];
  const notCompared: string[] = [];
  if (opts.host) {
    const host = await hostColumn(io, simulate, targets);
    if ("notCompared" in host) notCompared.push(host.notCompared);
    else columns.push(host);
  }
  for (const k of kernels) {
    const sims = simulateAll(simulate, targets, k.version);
    const run = await runSuitesInVm(
      targets.map((t) => t.suite),
      k,
      { say },
    );
    columns.push(vmColumn(run, sims));
  }
  const problems = problemsOf(targets, columns);
  const ms = Date.now() - t0;
  if (io.json) {
    io.emitJson({
      kernels: columns.map((c) => ({ label: c.label, version: c.version, ms: c.ms, note: c.note, ...totals(c), findings: c.findings ?? [], targets: c.comparisons.map((cmp, i) => ({ target: targets[i]!.label, ...cmp })) })),
      problems,
      notCompared,
      ms,
    });
  } else {
    io.out(renderColumns(targets, columns));
    for (const n of notCompared) io.out(n);
    io.out(`overall: ${columns.length} kernel(s), ${problems.length} problem(s); ${(ms / 1000).toFixed(1)} s`);
  }
  for (const p of problems) io.err(p);
  return problems.length ? EXIT.findings : EXIT.ok;
}
