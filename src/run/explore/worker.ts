/**
 * A worker thread of the explore pool (pool.ts): explores the programs it is
 * sent, one message each, and posts each report back. The simulator is
 * deterministic, so a program explores the same in any worker.
 */
import { parentPort } from "node:worker_threads";
import { exploreProgram } from "./index.js";
import type { PoolJob } from "./pool.js";

parentPort?.on("message", (job: PoolJob) => {
  try {
    parentPort!.postMessage({ id: job.id, report: exploreProgram(job.program, job.opts, job.bounds, job.reduction, job.shard) });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
  }
});
