/**
 * The series' testing evidence (the session's `seriesTesting` stage): what the
 * planned suite did on the simulator and, where this machine's kernel can run
 * it, the kernel. Missing runs become notes, never a silent "tested".
 */
import { release } from "node:os";
import type { Lowered } from "../lower/index.js";
import type { KernelNeed, Suite } from "../ir/scenario.js";
import type { SuiteResult } from "../ir/result.js";
import type { TestingEvidence } from "./cover.js";

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

export function testingEvidence(sim: { result?: SuiteResult; note?: string }, kernel: { result?: SuiteResult; note: string }, lowered?: Lowered): TestingEvidence {
  const standIn = lowered?.standIn;
  return {
    ...(standIn ? { kernelStandIn: { kind: standIn.kind, type: standIn.type } } : {}),
    ...(sim.result ? { sim: sim.result } : {}),
    ...(sim.note ? { simNote: sim.note } : {}),
    ...(kernel.result ? { kernel: kernel.result } : {}),
    ...(kernel.note ? { kernelNote: kernel.note } : {}),
  };
}
