/**
 * The pieces `uffdkit series` and `uffdkit checklist` gather from the rest of
 * the pipeline: the emitted kernel C and selftests, and what the planned suite
 * did on the simulator and, where this machine's kernel can run it, the kernel.
 * Missing stages become notes, never a silent "tested".
 */
import { release } from "node:os";
import type { EmittedFile, KernelArtifacts } from "../emit/kernel/artifacts.js";
import { emitKernel } from "../emit/kernel/index.js";
import { emitSelftests } from "../emit/selftest/index.js";
import type { CInput } from "../ir/c-source.js";
import type { Model } from "../model/model.js";
import { planSuite } from "../plan/planner/index.js";
import type { KernelNeed, Suite } from "../ir/scenario.js";
import type { CRunEvidence, SuiteResult } from "../ir/result.js";
import { standInKind } from "./stand-in.js";
import type { TestingEvidence } from "./cover.js";

export { standInKind };

export interface Emitted {
  readonly kernel: KernelArtifacts;
  readonly suite: Suite;
  readonly selftests: readonly EmittedFile[];
}

export type EmitOutcome = { ok: true; emitted: Emitted } | { ok: false; message: string };

export function emitForSeries(model: Model): EmitOutcome {
  try {
    const kernel = emitKernel(model);
    const suite = planSuite(model);
    const selftests = emitSelftests(suite, { name: model.name });
    return { ok: true, emitted: { kernel, suite, selftests } };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The planned suite on the simulator, through the pipeline: the type's emitted C is
 * compiled and executed (src/pipeline.ts runType), and what that showed comes back
 * as evidence for the checklist and the cover letter.
 */
export async function simulate(model: Model, _suite?: Suite, c?: CInput): Promise<{ result?: SuiteResult; note?: string; c?: CRunEvidence }> {
  try {
    const { check, runType, cEvidenceOf } = await import("../pipeline.js");
    const checked = { ...check(model, []), ...(c ? { c } : {}) };
    if (!checked.emittable) return { note: "the spec stops at the emission gate (an S-rule error)" };
    const run = runType(checked);
    return { result: run.simulation, c: cEvidenceOf(run) };
  } catch (e) {
    return { note: `the simulator failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Needs no released kernel meets: the type itself, guest_memfd uffd, KVM Userfault. */
const UNRELEASED: readonly KernelNeed[] = ["declared-type", "gmem-uffd", "kvm-userfault"];

/**
 * Run on this machine's kernel the scenarios it can run (those about a real
 * kind); the ones that need the patched kernel are named in the note.
 */
export async function runOnThisKernel(suite: Suite): Promise<{ result?: SuiteResult; note: string }> {
  return runRunnable(suite);
}

async function runRunnable(suite: Suite): Promise<{ result?: SuiteResult; note: string }> {
  const runnable = suite.scenarios.filter((s) => !(s.setup.needs ?? []).some((n) => UNRELEASED.includes(n)));
  const waiting = suite.scenarios.length - runnable.length;
  const needPatched = `${waiting} of ${suite.scenarios.length} tests need a kernel with this series applied (this machine runs Linux ${release()})`;
  if (runnable.length === 0) return { note: needPatched };
  try {
    const { runSuiteOnKernel } = await import("../run/kernel/index.js");
    const result = await runSuiteOnKernel({ ...suite, scenarios: runnable });
    return { result, note: waiting ? `only the ${runnable.length} tests of the real kinds ran; ${needPatched}` : "" };
  } catch (e) {
    return { note: `the kernel run failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function testingEvidence(sim: { result?: SuiteResult; note?: string; c?: CRunEvidence }, kernel: { result?: SuiteResult; note: string }, model?: Model): TestingEvidence {
  const standIn = model ? standInKind(model) : undefined;
  return {
    ...(sim.c ? { c: sim.c } : {}),
    ...(standIn && model ? { kernelStandIn: { kind: standIn, type: model.name } } : {}),
    ...(sim.result ? { sim: sim.result } : {}),
    ...(sim.note ? { simNote: sim.note } : {}),
    ...(kernel.result ? { kernel: kernel.result } : {}),
    ...(kernel.note ? { kernelNote: kernel.note } : {}),
  };
}
