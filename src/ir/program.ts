/**
 * Concurrent programs: the input of `uffdkit explore` (src/run/explore).
 *
 * A program is a setup and a prologue, as a scenario has (src/ir/scenario.ts),
 * then two or three threads that run at once, a few operations each. The
 * explorer enumerates their interleavings at the simulated kernel's
 * preemption points (src/run/sim/preempt.ts). The planner writes programs from
 * what a spec declares (src/plan/explore); a user can write one by hand as a
 * JSON file (docs/explore.md).
 */
import type { ScenarioSetup, Step } from "./scenario.js";

export interface ConcurrentProgram {
  /** A short identifier, unique in its list. */
  readonly name: string;
  /** What race the program looks for, in one sentence. */
  readonly title: string;
  readonly setup: ScenarioSetup;
  /** Steps run in order before the threads start (UFFDIO_API, REGISTER, populating). */
  readonly prologue: readonly Step[];
  readonly threads: readonly ProgramThread[];
  /** Review checklist items (C01 ...) whose evidence this program's exploration is. */
  readonly checklist?: readonly string[];
}

export interface ProgramThread {
  /** A name without spaces; also the worker's name in the simulator. */
  readonly name: string;
  readonly ops: readonly ProgramOp[];
}

/**
 * An operation of a thread.
 * - access: a user access (or a system call's kernel-mode copy) that may fault;
 * - serve: the monitor's loop: read each event and resolve it as the ABI says,
 *   until every other thread is finished;
 * - convert: guest_memfd in-place conversion of one page;
 * - step: any other scenario step (an ioctl of the monitor, a madvise, a
 *   fallocate, UNREGISTER, close ...), run as the simulator runs it.
 */
export type ProgramOp = AccessOp | ServeOp | ConvertOp | StepOp;

export interface AccessOp {
  readonly op: "access";
  readonly page: number;
  readonly access: "read" | "write";
  /** Byte a write stores. */
  readonly value?: number;
  /** kernel: the access is a system call's copy (read(2) into the page), a fault taken in kernel mode. */
  readonly mode?: "user" | "kernel";
}

/** How the monitor resolves each kind of page fault it reads. */
export interface ServeOp {
  readonly op: "serve";
  /** move: UFFDIO_MOVE of the same page of setup.srcPages, filled first (anonymous memory only). */
  readonly missing?: "copy" | "zeropage" | "move";
  readonly minor?: "continue";
  /** A write-protect fault is resolved by UFFDIO_WRITEPROTECT without WP. */
  readonly wp?: "unprotect";
  /** Resolve MISSING with UFFDIO_COPY_MODE_WP (the page stays write-protected). */
  readonly copyWp?: boolean;
  /** Resolve a MISSING fault of page p by copying pages p..p+span-1 (default 1): a multi-page fill. */
  readonly span?: number;
}

export interface ConvertOp {
  readonly op: "convert";
  readonly page: number;
  readonly to: "private" | "shared";
}

export interface StepOp {
  readonly op: "step";
  readonly step: Step;
}

/** The byte the monitor copies into page p: distinct per page, never 0 (so a zero-fill shows). */
export function monitorByte(page: number): number {
  return 0x40 + (page & 0x3f);
}
