import type { ApiGenerationId } from "../kernel/generations.js";
import type { KernelVersionId } from "../kernel/versions.js";

/**
 * Which kernel the simulator models for a spec's API generation. Peter Xu's
 * series were never merged; their core behaviour for a declared type is the 7.1
 * core with the declared callbacks, which is what the simulator runs.
 */
export function simKernelFor(api: ApiGenerationId): KernelVersionId {
  return api === "linux-7.1+gmem" ? "7.1+gmem" : "7.1";
}
