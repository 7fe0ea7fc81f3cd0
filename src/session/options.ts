/** How a session is opened (src/session/index.ts open()). */
import type { ApiGenerationId } from "../kernel/generations.js";
import type { LoadOptions } from "../load/index.js";

/** The C a session compiles and runs: uffdkit's emitted C, or the developer's own. */
export type CSource = { readonly kind: "emitted" } | { readonly kind: "file"; readonly path: string; readonly text: string };

export interface OpenOptions extends LoadOptions {
  /** The API generation `generation()` returns without an argument (default: the spec's `api`). */
  readonly api?: ApiGenerationId;
  /** The C to compile and run (default: emitted). */
  readonly cSource?: CSource;
  /** Progress lines for long stages (kernel runs), for a terminal; never required. */
  readonly onProgress?: (line: string) => void;
}

