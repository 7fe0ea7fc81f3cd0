/**
 * `uffdkit conform [--kernel 6.18] [--sim-only] [--kind K] [--json]`
 *
 * Run the reference suites on the simulator and on this machine's kernel and
 * print, per memory kind, whether they agree scenario by scenario. Exit 1 on
 * any disagreement (naming the scenario, the step and both observations), on a
 * kernel-run error, or (with --sim-only) on a simulator result that contradicts
 * the reference expectations; exit 2 on bad usage.
 */
import { isKernelVersion, KERNEL_VERSIONS, type KernelVersionId } from "../../kernel/versions.js";
import { REFERENCE_KINDS, referenceSuite, type ReferenceKind } from "../../plan/reference/index.js";
import type { Suite } from "../../ir/scenario.js";
import { compareSuites, percent, type ScenarioComparison, type SuiteComparison } from "../../run/compare.js";
import type { SuiteResult } from "../../ir/result.js";
import { EXIT, type CliIO } from "../io.js";
import type { CompiledType } from "../../run/c/compile.js";

type SimulateSuite = (suite: Suite, opts: { kernel: KernelVersionId; declaredC?: CompiledType; declaredCError?: string }) => SuiteResult;

async function loadSimulator(): Promise<SimulateSuite | string> {
  try {
    const mod = (await import("../../run/sim/index.js")) as { simulateSuite?: SimulateSuite };
    return mod.simulateSuite ?? "src/run/sim/index.ts does not export simulateSuite";
  } catch (e) {
    return `the simulator (src/run/sim) is not available: ${(e as Error).message}`;
  }
}

interface KindReport {
  /** A reference kind, or "example:<spec file>" for an example's planned suite. */
  kind: string;
  scenarios: number;
  simMs: number;
  kernelMs?: number;
  comparison?: SuiteComparison;
  suite: Suite;
  sim: SuiteResult;
  kernel?: SuiteResult;
}

interface Target {
  label: string;
  suite: Suite;
  /** An example's emitted C, which its declared scenarios run on the simulator. */
  declared?: { declaredC: CompiledType } | { declaredCError: string };
}

/**
 * Every examples/*.uffd.ts (and examples/upstream/) that loads and passes the emission
 * gate, through the session: its planned suite and its compiled C.
 */
async function exampleSuites(io: CliIO): Promise<Target[]> {
  const { existsSync, readdirSync } = await import("node:fs");
  if (!existsSync("examples")) return [];
  const { open } = await import("../../session/index.js");
  const files = [
    ...readdirSync("examples").filter((x) => x.endsWith(".uffd.ts")),
    ...(existsSync("examples/upstream") ? readdirSync("examples/upstream").filter((x) => x.endsWith(".uffd.ts")).map((x) => `upstream/${x}`) : []),
  ].sort();
  const out: Target[] = [];
  for (const f of files) {
    const session = await open(`examples/${f}`);
    const g = session.loadFailed ? undefined : session.generation();
    if (!g || g.stops("compiled").length) {
      io.err(`conform: examples/${f} does not load or stops at the emission gate; skipped`);
      continue;
    }
    const compiled = g.compiled;
    out.push({
      label: `example:${f}`,
      suite: g.suite,
      declared: "wasm" in compiled ? { declaredC: compiled } : { declaredCError: compiled.error },
    });
  }
  return out;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]!))).join("  ")).join("\n");
}

function agreeCell(c: ScenarioComparison): string {
  switch (c.status) {
    case "agree":
      return "yes";
    case "disagree":
      return c.step !== undefined ? `NO (step ${c.step} ${c.op})` : "NO";
    case "lacks":
      return "- (kernel lacks)";
    case "error":
      return "ERROR";
  }
}

export async function run(io: CliIO, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const t0 = Date.now();
  const version = String(opts.kernel ?? "6.18");
  if (!isKernelVersion(version)) {
    io.err(`uffdkit conform: unknown kernel version ${JSON.stringify(version)} (known: ${KERNEL_VERSIONS.join(", ")})`);
    if (io.json) io.emitJson({ error: `unknown kernel version ${version}` });
    return EXIT.usage;
  }
  let kinds: ReferenceKind[] = [...REFERENCE_KINDS];
  if (opts.kind !== undefined) {
    const k = String(opts.kind);
    if (!(REFERENCE_KINDS as readonly string[]).includes(k)) {
      io.err(`uffdkit conform: unknown kind ${JSON.stringify(k)} (known: ${REFERENCE_KINDS.join(", ")})`);
      if (io.json) io.emitJson({ error: `unknown kind ${k}` });
      return EXIT.usage;
    }
    kinds = [k as ReferenceKind];
  }
  const simOnly = Boolean(opts.simOnly);
  const simulate = await loadSimulator();
  if (typeof simulate === "string") {
    io.err(`uffdkit conform: ${simulate}`);
    if (io.json) io.emitJson({ error: simulate });
    return EXIT.usage;
  }
  const runKernel = simOnly ? undefined : (await import("../../run/kernel/index.js")).runSuiteOnKernel;
  if (!simOnly && version !== "6.18") io.err(`uffdkit conform: note: the reference suites describe 6.18; the simulator models ${version}`);

  const targets: Target[] = kinds.map((kind) => ({ label: kind, suite: referenceSuite(kind) }));
  // The examples' planned suites too: the simulator models the running kernel,
  // so the scenarios this kernel can run must agree with it as well.
  if (opts.kind === undefined && opts.examples !== false) targets.push(...(await exampleSuites(io)));
  // Schedules explore reached on anon and shmem that userspace can force: kselftests of them.
  targets.push(...(await forcedTargets(kinds, version)));

  if (Array.isArray(opts.vm) && opts.vm.length) {
    // Guests (src/run/vm): one column per kernel, each simulated at its own version.
    const { runConformVm } = await import("./conform-vm.js");
    return runConformVm(io, simulate, targets, { kernels: opts.vm.map(String), host: opts.host !== false });
  }

  const reports: KindReport[] = [];
  for (const { label: kind, suite, declared } of targets) {
    const s0 = Date.now();
    const sim = simulate(suite, { kernel: version, ...(declared ?? {}) });
    const simMs = Date.now() - s0;
    const report: KindReport = { kind, suite, scenarios: suite.scenarios.length, simMs, sim };
    if (runKernel) {
      io.err(`conform: ${kind}: running ${suite.scenarios.length} scenarios on the kernel ...`);
      const k0 = Date.now();
      report.kernel = await runKernel(suite, {});
      report.kernelMs = Date.now() - k0;
      report.comparison = compareSuites(sim, report.kernel);
    }
    reports.push(report);
  }
  const ms = Date.now() - t0;
  return simOnly ? finishSimOnly(io, reports, ms) : finish(io, reports, ms);
}

function finish(io: CliIO, reports: KindReport[], ms: number): number {
  let agree = 0;
  let compared = 0;
  let lacks = 0;
  let errors = 0;
  const problems: string[] = [];
  const human: string[] = [];
  for (const r of reports) {
    const c = r.comparison!;
    agree += c.agree;
    compared += c.compared;
    lacks += c.lacks;
    errors += c.errors;
    const rows = [["scenario", "simulator", "kernel", "agree"], ...c.scenarios.map((s) => [s.scenario, s.sim, s.kernel, agreeCell(s)])];
    human.push(`== ${r.kind}`, table(rows));
    human.push(`${r.kind}: agreement: ${c.agree}/${c.compared} (${percent(c.agree, c.compared)})${c.lacks ? `, kernel lacks ${c.lacks}` : ""}${c.errors ? `, errors ${c.errors}` : ""}; simulator ${r.simMs} ms, kernel ${r.kernelMs} ms`, "");
    for (const s of c.scenarios) {
      if (s.status === "disagree") problems.push(`disagreement: ${r.kind}/${s.scenario}: ${s.reason}`);
      if (s.status === "error") problems.push(`error: ${r.kind}/${s.scenario}: ${s.reason}`);
    }
  }
  const overall = `overall: agreement: ${agree}/${compared} (${percent(agree, compared)})${lacks ? `, kernel lacks ${lacks}` : ""}${errors ? `, errors ${errors}` : ""}; ${(ms / 1000).toFixed(1)} s`;
  if (io.json) {
    io.emitJson({
      kinds: reports.map((r) => ({ kind: r.kind, scenarios: r.scenarios, simMs: r.simMs, kernelMs: r.kernelMs, ...r.comparison })),
      overall: { agree, compared, lacks, errors, ms },
      problems,
    });
  } else {
    io.out(human.join("\n"));
    io.out(overall);
  }
  for (const p of problems) io.err(p);
  return problems.length ? EXIT.findings : EXIT.ok;
}

/** Needs no released kernel has: the reference expects the future behaviour, which a 6.18 model need not show. */
function futureNeeds(suite: Suite, name: string): string[] {
  const sc = suite.scenarios.find((x) => x.name === name);
  return (sc?.setup.needs ?? []).filter((n) => n === "gmem-uffd" || n === "kvm-userfault" || n === "declared-type");
}

function finishSimOnly(io: CliIO, reports: KindReport[], ms: number): number {
  const problems: string[] = [];
  const human: string[] = [];
  let pass = 0;
  let total = 0;
  for (const r of reports) {
    const rows = [["scenario", "simulator", "matches reference"]];
    let p = 0;
    const suite = r.suite;
    for (const s of r.sim.results) {
      const ok = s.verdict === "pass";
      const future = futureNeeds(suite, s.scenario);
      if (ok) p++;
      else if (future.length) {
        rows.push([s.scenario, s.verdict, `- (needs ${future.join(", ")})`]);
        continue;
      } else {
        const bad = s.steps.find((x) => !x.ok);
        problems.push(`simulator: ${r.kind}/${s.scenario}: ${bad ? `step ${bad.index} ${bad.op}: simulator ${bad.observed}, reference (kernel) ${bad.expected}` : `${s.verdict}: ${s.reason ?? ""}`}`);
      }
      rows.push([s.scenario, s.verdict, ok ? "yes" : "NO"]);
    }
    pass += p;
    total += r.sim.results.length;
    human.push(`== ${r.kind}`, table(rows), `${r.kind}: simulator matches the reference expectations: ${p}/${r.sim.results.length} (${percent(p, r.sim.results.length)}); ${r.simMs} ms`, "");
  }
  if (io.json) {
    io.emitJson({ simOnly: true, kinds: reports.map((r) => ({ kind: r.kind, scenarios: r.scenarios, simMs: r.simMs, results: r.sim.results })), overall: { pass, total, ms }, problems });
  } else {
    io.out(human.join("\n"));
    io.out(`overall (simulator only): ${pass}/${total} (${percent(pass, total)}); ${(ms / 1000).toFixed(1)} s`);
  }
  for (const p of problems) io.err(p);
  return problems.length ? EXIT.findings : EXIT.ok;
}

/**
 * The schedules `explore` reaches on the kernel's own anon and shmem that
 * userspace can force (src/run/explore/forced.ts), as suites: each is a
 * kselftest on this machine's kernel and a scenario on the simulator.
 */
async function forcedTargets(kinds: readonly ReferenceKind[], version: KernelVersionId): Promise<Target[]> {
  const { forcedSuite } = await import("../../run/explore/forced.js");
  const { programsForKind } = await import("../../plan/explore/programs.js");
  return (["anon", "shmem"] as const).filter((k) => kinds.includes(k)).map((k) => ({ label: `explore:${k}`, suite: forcedSuite(k, programsForKind(k), { kernel: version }) }));
}
