/**
 * Explore programs on worker threads, one program at a time per worker, so
 * that both cores of the machine work. Reports come back
 * in the programs' order whatever order the workers finish in.
 */
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import type { ConcurrentProgram } from "../../ir/program.js";
import type { ExecutionOptions } from "./execution.js";
import type { SearchBounds, Shard } from "./search.js";
import { exploreProgram, type ProgramReport } from "./index.js";

export interface PoolJob {
  readonly id: number;
  readonly program: ConcurrentProgram;
  readonly opts: ExecutionOptions;
  readonly bounds: SearchBounds;
  readonly reduction: boolean;
  readonly shard?: Shard;
}

export interface PoolOptions {
  /** Worker threads (default: the machine's cores); 1 explores in this thread. */
  readonly workers?: number;
  readonly bounds?: SearchBounds;
  readonly reduction?: boolean;
  /** Explore only this shard's subtrees of every program (search.ts). */
  readonly shard?: Shard;
  /** Called as each program finishes (progress on a terminal). */
  readonly onDone?: (report: ProgramReport, done: number, total: number) => void;
}

export async function explorePrograms(programs: readonly ConcurrentProgram[], opts: ExecutionOptions, pool: PoolOptions = {}): Promise<ProgramReport[]> {
  const bounds = pool.bounds ?? {};
  const reduction = pool.reduction ?? true;
  const n = Math.max(1, Math.min(pool.workers ?? availableParallelism(), programs.length));
  const reports: ProgramReport[] = new Array(programs.length);
  let done = 0;
  if (n === 1) {
    programs.forEach((p, i) => {
      reports[i] = exploreProgram(p, opts, bounds, reduction, pool.shard);
      pool.onDone?.(reports[i]!, ++done, programs.length);
    });
    return reports;
  }
  let next = 0;
  const url = new URL("./worker.js", import.meta.url);
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolveWorker, rejectWorker) => {
        const w = new Worker(url);
        const feed = () => {
          if (next >= programs.length) {
            void w.terminate().then(() => resolveWorker());
            return;
          }
          const id = next++;
          w.postMessage({ id, program: programs[id]!, opts, bounds, reduction, ...(pool.shard ? { shard: pool.shard } : {}) } satisfies PoolJob);
        };
        w.on("message", (msg: { id: number; report?: ProgramReport; error?: string }) => {
          if (msg.error !== undefined) {
            void w.terminate();
            rejectWorker(new Error(`explore ${programs[msg.id]!.name}: ${msg.error}`));
            return;
          }
          reports[msg.id] = msg.report!;
          pool.onDone?.(msg.report!, ++done, programs.length);
          feed();
        });
        w.on("error", rejectWorker);
        feed();
      }),
    ),
  );
  return reports;
}
