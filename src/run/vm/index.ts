/**
 * Run scenario suites inside a QEMU guest on a chosen kernel: compile each
 * suite's selftests statically, pack them with busybox (and the kernel's KVM
 * modules) into an initramfs, boot, and classify each scenario from what the
 * guest reports, with the guest's own facts (release, /dev/kvm, huge pages)
 * standing where the host runner probes the host.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_TIMING, hasKvmUserfault, runKind, selftestLayout } from "../../emit/selftest/index.js";
import type { Scenario, Suite } from "../../ir/scenario.js";
import { kernelVersion, type KernelVersionId } from "../../kernel/versions.js";
import type { ScenarioResult, SuiteResult } from "../../ir/result.js";
import { classify } from "../kernel/index.js";
import { parseTestOutput } from "../kernel/parse.js";
import { blockingNeed, type Probe } from "../kernel/probe.js";
import { consoleFindings, type ConsoleFinding } from "./console.js";
import { writeCpio } from "./cpio.js";
import { initramfsEntries, type GuestModules, type GuestTest } from "./guest.js";
import { vmCache, type Say, type VmKernel } from "./kernels.js";
import { GUEST_BUSYBOX, VM_PACKAGES, vmToolFacts, type VmToolFacts } from "../machine.js";
import { kvmModules } from "./modules.js";
import { chooseAccel, progressReporter, runQemu, type Accel } from "./qemu.js";
import { parseGuestResults, testKey, type GuestFacts, type GuestResults } from "./results.js";
import { binaryNames, buildStatic, type Timing } from "./suites.js";

export { resolveKernel, type VmKernel } from "./kernels.js";

/**
 * What the host lacks to run a guest at all (QEMU, a static busybox), each with
 * the package to install; empty when nothing. Asked before any kernel is
 * fetched or built, so a missing tool costs no download.
 */
export function vmMissing(facts: VmToolFacts = vmToolFacts()): string[] {
  const how = (k: keyof VmToolFacts) => Object.entries(VM_PACKAGES[k]).map(([d, c]) => `${d}: ${c}`).join("; ");
  return (["qemu", "busybox"] as const).filter((k) => facts[k].ok !== true).map((k) => `${k === "qemu" ? "QEMU" : "a static busybox"} is needed to boot the guests: ${facts[k].detail}; install it (${how(k)})`);
}

/** The guest's busybox, read once the host was checked; a clear error if it went away since. */
function readBusybox(): Buffer {
  try {
    return readFileSync(GUEST_BUSYBOX);
  } catch (e) {
    throw new Error(`cannot read ${GUEST_BUSYBOX} for the guest's initramfs (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ${vmMissing().join("; ") || "check it is a readable static busybox"}`);
  }
}

export interface VmRunOptions {
  readonly say?: Say;
  readonly accel?: Accel;
  /** Tests run at once in the guest (default: 2 × the guest's CPUs). */
  readonly shards?: number;
  readonly cpus?: number;
  readonly memMiB?: number;
  /** Selftest timing windows; default scaled for TCG. */
  readonly timing?: Timing;
  /** Where the run's initramfs and logs go (default under the VM cache). */
  readonly runDir?: string;
}

export interface VmRun {
  readonly kernel: VmKernel;
  readonly accel: Accel;
  readonly accelWhy: string;
  /** One per suite, in the order given. */
  readonly results: readonly SuiteResult[];
  readonly facts: GuestFacts;
  readonly findings: readonly ConsoleFinding[];
  readonly ms: number;
  readonly bootMs: number;
  /** The guest did not finish its run: why (results are then errors). */
  readonly problem?: string;
  readonly runDir: string;
}

/**
 * Timing windows under TCG, where a guest runs several times slower than the
 * host. At 600 ms one touch of 1188 (a 2 MiB hugetlb fault after its COPY)
 * overran the window on a host at load 20: 1 s.
 */
export const TCG_TIMING: Timing = { blockMs: 1000, waitMs: 8000, eventMs: 400 };

function hugetlbPagesNeeded(sc: Scenario): number {
  return sc.setup.pages * (sc.setup.map === "private" ? 2 : 1) + 1;
}

/** What the guest offers a scenario, in the shape the host runner's probe has. */
export function guestProbe(facts: GuestFacts, kernel: VmKernel): Probe {
  const rel = facts.release ?? kernel.release;
  const free = facts.hugePagesFree ?? 0;
  const kvmWhy = facts.virt === "none" ? "the guest CPU offers neither svm nor vmx" : facts.insmodFailed.length ? `insmod failed: ${facts.insmodFailed.join("; ")}` : "no /dev/kvm after loading KVM";
  return {
    "hugetlb-pages": free > 0 ? { present: true, evidence: `${free} free huge pages in the guest` } : { present: false, evidence: "no free huge pages in the guest (HugePages_Free 0)" },
    kvm: facts.kvm ? { present: true, evidence: `/dev/kvm in the ${rel} guest (${facts.virt})` } : { present: false, evidence: `no /dev/kvm in the ${rel} guest: ${kvmWhy}` },
    "gmem-uffd": { present: false, evidence: `userfaultfd on guest_memfd is a pending series, not in ${rel}` },
    // Only KVM_CREATE_VM can tell (a build option, not a version): each test tries it and skips with the errno.
    "kvm-sw-protected-vm": { present: true, evidence: "not probed here: each test tries KVM_CREATE_VM(KVM_X86_SW_PROTECTED_VM) and skips with the errno it gets" },
    "kvm-userfault": { present: false, evidence: `KVM_MEM_USERFAULT is not merged (guest runs ${rel})` },
    "declared-type": { present: false, evidence: `the declared type's userfaultfd support is the series', not in ${rel}; each test makes the type's own object and skips where ${rel} lacks it` },
  };
}

interface Prepared {
  names: string[];
  binaries: Map<string, Uint8Array>;
  tests: GuestTest[];
  buildErrors: Map<number, string>;
}

async function prepareSuites(suites: readonly Suite[], timing: Timing, say: Say): Promise<Prepared> {
  const names = binaryNames(suites);
  const binaries = new Map<string, Uint8Array>();
  const tests: GuestTest[] = [];
  const buildErrors = new Map<number, string>();
  for (const [i, suite] of suites.entries()) {
    const name = names[i]!;
    say(`vm: compiling ${suite.name} (${suite.scenarios.length} scenarios, static)`);
    const b = await buildStatic(suite, name, timing);
    if (!b.ok) {
      buildErrors.set(i, b.log.trim().split("\n").slice(0, 6).join(" | "));
      continue;
    }
    const file = `${name}_uffd_test`;
    binaries.set(file, readFileSync(b.binary));
    const runs = selftestLayout(suite, name).runs;
    for (const sc of suite.scenarios) {
      const run = runs.get(sc.name);
      if (!run || sc.simulatorOnly || hasKvmUserfault(sc)) continue;
      // Scenarios that share a test (the same FIXTURE.VARIANT.TEST) share its one run.
      if (tests.some((t) => t.binary === file && t.tapName === run.tapName)) continue;
      tests.push({ binary: file, tapName: run.tapName, hugetlb: runKind(sc.setup) === "hugetlb" });
    }
  }
  return { names, binaries, tests, buildErrors };
}

function classifySuite(suite: Suite, name: string, guest: GuestResults, probe: Probe, version: KernelVersionId, problem: string | undefined, buildError: string | undefined): SuiteResult {
  const runs = selftestLayout(suite, name).runs;
  const file = `${name}_uffd_test`;
  const results = suite.scenarios.map((sc): ScenarioResult => {
    const run = runs.get(sc.name);
    const r = classifyOne(sc, run?.tapName, file, guest, probe, version, problem, buildError);
    return run?.ranOn ? { ...r, ranOn: run.ranOn } : r;
  });
  return { suite: suite.name, runner: "kernel", results };
}

function classifyOne(sc: Scenario, tapName: string | undefined, file: string, guest: GuestResults, probe: Probe, version: KernelVersionId, problem?: string, buildError?: string): ScenarioResult {
  const name = sc.name;
  if (sc.simulatorOnly || !tapName) return { scenario: name, verdict: "lacks", steps: [], reason: `simulator-only: ${sc.simulatorOnly ?? "not in the emitted C"}` };
  if (hasKvmUserfault(sc)) return { scenario: name, verdict: "lacks", steps: [], reason: `needs kvm-userfault: ${probe["kvm-userfault"].evidence}` };
  if (buildError) return { scenario: name, verdict: "error", steps: [], reason: `selftest build failed: ${buildError}` };
  const blocked = blockingNeed(sc, probe);
  if (blocked) return { scenario: name, verdict: "lacks", steps: [], reason: `needs ${blocked.need}: ${blocked.evidence}` };
  const out = guest.tests.get(testKey(file, tapName));
  if (!out) return { scenario: name, verdict: "error", steps: [], reason: `the guest reported nothing for this test${problem ? ` (${problem})` : ""}` };
  const proc = { stdout: out.output, stderr: "", code: out.rc, signal: null, timedOut: out.rc === 137, ms: 0 };
  return lacksByVersion(sc, classify(sc, parseTestOutput(out.output, tapName), proc, probe), version);
}

/** A setup the kernel refuses because it predates what the setup uses (a version fact) is a lack, with that evidence. */
export function lacksByVersion(sc: Scenario, r: ScenarioResult, version: KernelVersionId): ScenarioResult {
  const v = kernelVersion(version);
  if (r.verdict === "error" && sc.setup.next?.droppable && !v.mapDroppable && /errno=EINVAL \(mmap next\)/.test(r.reason ?? "")) {
    return { scenario: r.scenario, verdict: "lacks", steps: [], reason: `needs MAP_DROPPABLE (Linux 6.11+): ${v.id} answers ${r.reason?.replace(/^setup failed: /, "")}` };
  }
  return r;
}

function guestPlanSize(suites: readonly Suite[], shards: number): number {
  const huge = suites.flatMap((s) => s.scenarios).filter((sc) => runKind(sc.setup) === "hugetlb");
  return huge.length ? Math.max(...huge.map(hugetlbPagesNeeded)) * Math.min(4, shards) + 4 : 0;
}

/** UFFDKIT_VM_REPLAY="debian-6.1=DIR,..." : a kernel's earlier run directory to re-read instead of booting (development). */
function replayDir(spec: string): string | undefined {
  for (const pair of (process.env.UFFDKIT_VM_REPLAY ?? "").split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq) === spec) return pair.slice(eq + 1);
  }
  return undefined;
}

export async function runSuitesInVm(suites: readonly Suite[], kernel: VmKernel, opts: VmRunOptions = {}): Promise<VmRun> {
  const t0 = Date.now();
  const say = opts.say ?? (() => {});
  const chosen = opts.accel ? { accel: opts.accel, why: "asked for" } : chooseAccel();
  const cpus = opts.cpus ?? 2;
  const shards = opts.shards ?? 2 * cpus;
  const timing = opts.timing ?? (chosen.accel === "tcg" ? TCG_TIMING : { ...DEFAULT_TIMING });
  const prepared = await prepareSuites(suites, timing, say);
  const modules: GuestModules | undefined = kernel.modulesDir ? kvmModules(kernel.modulesDir) : undefined;
  const runDir = opts.runDir ?? join(vmCache(), "runs", `${kernel.spec.replace(/[^\w.-]/g, "_")}-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  const initrd = join(runDir, "initramfs.cpio");
  writeFileSync(
    initrd,
    writeCpio(
      initramfsEntries({
        busybox: readBusybox(),
        binaries: prepared.binaries,
        tests: prepared.tests,
        ...(modules ? { modules } : {}),
        hugePages: guestPlanSize(suites, shards),
        shards,
        testTimeoutS: 120,
      }),
    ),
  );
  const consoleLog = join(runDir, "console.log");
  const resultsLog = join(runDir, "results.log");
  const replay = replayDir(kernel.spec);
  let q: { code: number | null; timedOut: boolean; ms: number; stderr: string };
  if (replay) {
    // Re-read a finished run's logs (simulator work without a new boot).
    say(`vm: ${kernel.label}: reading the guest logs of ${replay} (UFFDKIT_VM_REPLAY), not booting`);
    writeFileSync(consoleLog, readFileSync(join(replay, "console.log")));
    writeFileSync(resultsLog, readFileSync(join(replay, "results.log")));
    q = { code: 0, timedOut: false, ms: 0, stderr: "" };
  } else {
    writeFileSync(consoleLog, "");
    writeFileSync(resultsLog, "");
    say(`vm: booting ${kernel.label} under ${chosen.accel.toUpperCase()} (${chosen.why}); ${prepared.tests.length} tests`);
    q = await runQemu(
      { image: kernel.image, initrd, accel: chosen.accel, cpus, memMiB: opts.memMiB ?? 2048, consoleLog, resultsLog },
      { timeoutMs: Math.max(20 * 60_000, prepared.tests.length * 5_000), progress: progressReporter(kernel.label, prepared.tests.length, say) },
    );
  }
  const guest = parseGuestResults(readFileSync(resultsLog, "latin1"));
  const consoleText = readFileSync(consoleLog, "latin1");
  const problem = guest.done
    ? undefined
    : q.timedOut
      ? `the guest did not finish within ${Math.round(q.ms / 1000)} s and was killed; console: ${consoleLog}`
      : `the guest stopped before finishing (qemu exit ${q.code}${q.stderr.trim() ? `: ${q.stderr.trim().split("\n").slice(-2).join(" ")}` : ""}); console tail: ${consoleText.trim().split("\n").slice(-3).join(" | ")}`;
  const probe = guestProbe(guest.facts, kernel);
  const results = suites.map((s, i) => classifySuite(s, prepared.names[i]!, guest, probe, kernel.version, problem, prepared.buildErrors.get(i)));
  say(`vm: ${kernel.label}: guest ${guest.done ? "finished" : "did NOT finish"} in ${(q.ms / 1000).toFixed(1)} s`);
  return { kernel, accel: chosen.accel, accelWhy: chosen.why, results, facts: guest.facts, findings: consoleFindings(consoleText), ms: Date.now() - t0, bootMs: q.ms, runDir, ...(problem ? { problem } : {}) };
}
