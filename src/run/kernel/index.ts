/**
 * Run a scenario suite on this machine's kernel: emit the selftest C, compile
 * it (cached by content hash), run each TEST in its own bounded process, and
 * read the observation lines back into ScenarioResults.
 *
 * Verdicts: pass / fail by the observations (checkObservation, the same check
 * the simulator uses); lacks when the machine lacks what the scenario needs,
 * with the evidence (a probe, or the errno the kernel answered); error when the
 * harness broke (compile error, crash, timeout).
 */
import { KIND_SUPPORT } from "../../kernel/kinds.js";
import { hasKvmUserfault, runKind, selftestLayout, type SelftestRun } from "../../emit/selftest/index.js";
import type { RegisterStep, Scenario, Suite } from "../../ir/scenario.js";
import { checkObservation, parseObservation } from "../../ir/observation.js";
import type { ScenarioResult, StepResult, SuiteResult } from "../../ir/result.js";
import { buildSuite, suiteFileName, type BuiltSuite } from "./build.js";
import { reserveHugePages, type HugePageReservation } from "./hugetlb.js";
import { parseTestOutput, type ParsedTest } from "./parse.js";
import { blockingNeed, probeKernel, softMissingNeeds, type Probe } from "./probe.js";
import { runBounded, type ProcessResult } from "./process.js";

export interface KernelRunOptions {
  /** Where emitted C and binaries are cached (default <repo>/.cache/selftest). */
  workdir?: string;
  /** Bound per scenario process (default 20 s). */
  timeoutMs?: number;
  /** Scenario processes run at once (default 8; hugetlb ones at most 4, each with its own huge pages). */
  concurrency?: number;
  /** Reserve huge pages for hugetlb scenarios by writing vm.nr_hugepages (default true). */
  reserveHugePages?: boolean;
  /** The sysctl to write (tests point it at a temporary file). */
  hugePagesPath?: string;
  /** Touch block window / wait bound / event poll, in ms (defaults in the emitter). */
  blockMs?: number;
  waitMs?: number;
  eventMs?: number;
  /** Called after each scenario (progress for the CLI). */
  onResult?: (r: ScenarioResult) => void;
}

export { buildSuite } from "./build.js";
export { probeKernel } from "./probe.js";

const DEFAULT_TIMEOUT = 20_000;
/** Scenarios mostly sleep in bounded windows, so more processes than cores pay off. */
const DEFAULT_CONCURRENCY = 8;

/** hugetlb scenarios share the reserved pool: run fewer at once, each with its own share. */
function hugetlbConcurrency(opts: KernelRunOptions): number {
  return Math.max(1, Math.min(4, opts.concurrency ?? DEFAULT_CONCURRENCY));
}

function hugetlbPagesNeeded(sc: Scenario): number {
  // The primary mapping, a private COW copy of it, and the alias share one file.
  return sc.setup.pages * (sc.setup.map === "private" ? 2 : 1) + 1;
}

export async function runSuiteOnKernel(suite: Suite, opts: KernelRunOptions = {}): Promise<SuiteResult> {
  const results: ScenarioResult[] = [];
  const built = await buildSuite(suite, opts);
  const runs = selftestLayout(suite, suiteFileName(suite)).runs;
  if (!built.ok) {
    for (const sc of suite.scenarios) {
      const r: ScenarioResult = { scenario: sc.name, verdict: "error", steps: [], reason: `selftest build failed: ${firstLines(built.log, 6)}` };
      results.push(r);
      opts.onResult?.(r);
    }
    return { suite: suite.name, runner: "kernel", results };
  }
  const hugetlb = suite.scenarios.filter((s) => runKind(s.setup) === "hugetlb");
  let reservation: HugePageReservation | undefined;
  let reserveNote = "";
  if (hugetlb.length && opts.reserveHugePages !== false) {
    const want = Math.max(...hugetlb.map(hugetlbPagesNeeded)) * hugetlbConcurrency(opts);
    try {
      reservation = reserveHugePages(want, opts.hugePagesPath ? { path: opts.hugePagesPath } : {});
    } catch (e) {
      reserveNote = ` (reserving ${want} huge pages failed: ${(e as Error).message})`;
    }
  }
  try {
    const probe = probeKernel();
    if (reserveNote) probe["hugetlb-pages"] = { ...probe["hugetlb-pages"], evidence: probe["hugetlb-pages"].evidence + reserveNote };
    const byName = new Map<string, ScenarioResult>();
    const parallel = suite.scenarios.filter((s) => runKind(s.setup) !== "hugetlb");
    await pool(parallel, opts.concurrency ?? DEFAULT_CONCURRENCY, async (sc) => {
      const r = await runScenario(sc, built, probe, opts, runs.get(sc.name));
      byName.set(sc.name, r);
      opts.onResult?.(r);
    });
    await pool(hugetlb, hugetlbConcurrency(opts), async (sc) => {
      const r = await runScenario(sc, built, probe, opts, runs.get(sc.name));
      byName.set(sc.name, r);
      opts.onResult?.(r);
    });
    for (const sc of suite.scenarios) results.push(byName.get(sc.name)!);
  } finally {
    reservation?.restore();
  }
  return { suite: suite.name, runner: "kernel", results };
}

async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

function firstLines(s: string, n: number): string {
  return s.trim().split("\n").slice(0, n).join(" | ");
}

/**
 * Run one scenario's test and classify it. Never throws for the scenario's
 * sake. `run` says which FIXTURE.VARIANT.TEST it is (selftestLayout); a
 * scenario the C leaves out (simulator only) is not run.
 */
export async function runScenario(sc: Scenario, built: BuiltSuite, probe: Probe, opts: KernelRunOptions = {}, run?: SelftestRun): Promise<ScenarioResult> {
  const r = await runScenarioOnce(sc, built, probe, opts, run);
  return run?.ranOn ? { ...r, ranOn: run.ranOn } : r;
}

async function runScenarioOnce(sc: Scenario, built: BuiltSuite, probe: Probe, opts: KernelRunOptions, run: SelftestRun | undefined): Promise<ScenarioResult> {
  if (sc.notApplicable) return { scenario: sc.name, verdict: "not-applicable", steps: [], reason: sc.notApplicable };
  if (sc.simulatorOnly || !run) return { scenario: sc.name, verdict: "lacks", steps: [], reason: `simulator-only: ${sc.simulatorOnly ?? "not in the emitted C"}` };
  if (hasKvmUserfault(sc)) return { scenario: sc.name, verdict: "lacks", steps: [], reason: `needs kvm-userfault: ${probe["kvm-userfault"].evidence}` };
  const blocked = blockingNeed(sc, probe);
  if (blocked) return { scenario: sc.name, verdict: "lacks", steps: [], reason: `needs ${blocked.need}: ${blocked.evidence}` };
  let proc: ProcessResult;
  try {
    proc = await runBounded(built.binary, ["-r", run.tapName], opts.timeoutMs ?? DEFAULT_TIMEOUT, built.dir);
  } catch (e) {
    return { scenario: sc.name, verdict: "error", steps: [], reason: `could not start the selftest: ${(e as Error).message}` };
  }
  return classify(sc, parseTestOutput(proc.stdout, run.tapName), proc, probe);
}

function stepResults(sc: Scenario, parsed: ParsedTest): { steps: StepResult[]; missing?: number } {
  const steps: StepResult[] = [];
  for (let i = 0; i < sc.steps.length; i++) {
    const step = sc.steps[i]!;
    const got = parsed.steps.get(i);
    if (!got) return { steps, missing: i };
    const check = checkObservation(step, parseObservation(got.text));
    steps.push({ index: i, op: step.op, observed: got.text, ok: check.ok, ...(check.ok ? {} : { expected: check.expected }) });
  }
  return { steps };
}

function procSummary(p: ProcessResult): string {
  const how = p.timedOut ? `timed out after ${p.ms} ms and was killed` : p.signal ? `killed by ${p.signal}` : `exit ${p.code}`;
  const err = p.stderr.trim() ? `; stderr: ${firstLines(p.stderr.split("\n").slice(-4).join("\n"), 4)}` : "";
  return how + err;
}

/** When a register step the kind's support table says is unsupported is refused, that errno is the evidence. */
function refusedByKind(sc: Scenario, step: StepResult): string | undefined {
  const s = sc.steps[step.index];
  if (!s || s.op !== "register" || !step.observed.startsWith("errno=")) return undefined;
  const kind = runKind(sc.setup);
  const lacking = (s as RegisterStep).modes.filter((m) => !KIND_SUPPORT[kind].modes.includes(m));
  if (!lacking.length) return undefined;
  return `step ${step.index} register ${lacking.join("|").toUpperCase()} on ${kind}: ${step.observed} (the running kernel's ${kind} lacks ${lacking.join(", ")} registration)`;
}

export function classify(sc: Scenario, parsed: ParsedTest, proc: ProcessResult, probe: Probe): ScenarioResult {
  const name = sc.name;
  if (parsed.tap?.skip !== undefined) return { scenario: name, verdict: "lacks", steps: [], reason: parsed.tap.skip || "skipped by the selftest" };
  if (parsed.setup === undefined) return { scenario: name, verdict: "error", steps: [], reason: `no setup line: the selftest ${procSummary(proc)}` };
  const soft = softMissingNeeds(sc, probe);
  const setupOk = parsed.setup === "ok";
  if (sc.setup.createExpect || sc.setup.mmapExpect) {
    const want = sc.setup.createExpect ? `errno=${sc.setup.createExpect} (KVM_CREATE_GUEST_MEMFD)` : `errno=${sc.setup.mmapExpect} (mmap)`;
    if (parsed.setup !== want) {
      // No KVM on this machine: the creation could not even be tried.
      const noKvm = /\((open \/dev\/kvm|KVM_CREATE_VM)\)$/.test(parsed.setup);
      if (noKvm && sc.setup.needs?.includes("kvm")) return { scenario: name, verdict: "lacks", steps: [], reason: `needs kvm: setup ${parsed.setup}` };
      return { scenario: name, verdict: "fail", steps: [], reason: `setup: expected ${want}, observed ${parsed.setup}` };
    }
  } else if (!setupOk) {
    const needs = sc.setup.needs ?? [];
    const kindNeed = needs.find((n) => n === "kvm" || n === "hugetlb-pages");
    if (kindNeed) return { scenario: name, verdict: "lacks", steps: [], reason: `needs ${kindNeed}: setup ${parsed.setup}` };
    return { scenario: name, verdict: "error", steps: [], reason: `setup failed: ${parsed.setup}` };
  }
  const { steps, missing } = stepResults(sc, parsed);
  const bad = steps.find((s) => !s.ok);
  if (bad) {
    const evidence = refusedByKind(sc, bad);
    if (evidence && (soft.length || sc.setup.kind === "declared")) return { scenario: name, verdict: "lacks", steps, reason: evidence };
    if (soft.length) {
      return { scenario: name, verdict: "lacks", steps, reason: `needs ${soft.join(", ")}: step ${bad.index} ${bad.op} observed ${bad.observed}, expected ${bad.expected}` };
    }
    return { scenario: name, verdict: "fail", steps, reason: `step ${bad.index} ${bad.op}: observed ${bad.observed}, expected ${bad.expected}` };
  }
  if (missing !== undefined) {
    return { scenario: name, verdict: "error", steps, reason: `no observation for step ${missing} (${sc.steps[missing]!.op}): the selftest ${procSummary(proc)}` };
  }
  if (proc.timedOut) return { scenario: name, verdict: "error", steps, reason: `every step observed, but the selftest ${procSummary(proc)}` };
  if (parsed.tap && !parsed.tap.ok) {
    return { scenario: name, verdict: "fail", steps, reason: `observations match but the harness failed the test: ${procSummary(proc)}` };
  }
  if (!parsed.tap) return { scenario: name, verdict: "error", steps, reason: `no TAP result line: the selftest ${procSummary(proc)}` };
  return { scenario: name, verdict: "pass", steps };
}
