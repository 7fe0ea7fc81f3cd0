/**
 * Read a selftest's output back: the `# uffdkit:` observation lines and the
 * harness's TAP result line for one test.
 */
import { OBSERVATION_PREFIX } from "../../ir/observation.js";

export interface ParsedTest {
  /** The setup line's text ("ok" or "errno=ENODEV (mmap)"), if printed. */
  readonly setup?: string;
  /** Observation text by step index (0-based). */
  readonly steps: ReadonlyMap<number, { op: string; text: string }>;
  /** The harness verdict line for the test, if printed. */
  readonly tap?: { ok: boolean; skip?: string };
}

const STEP_RE = /^(\d+) ([a-z_]+): (.*)$/;
const SETUP_PREFIX = "# uffdkit: setup: ";

/** `testName`: the harness's FIXTURE.VARIANT.TEST name, or a plain TEST's name (global.<name>). */
export function parseTestOutput(stdout: string, testName: string): ParsedTest {
  const full = testName.includes(".") ? testName : `global.${testName}`;
  let setup: string | undefined;
  const steps = new Map<number, { op: string; text: string }>();
  let tap: ParsedTest["tap"];
  const tapRe = new RegExp(`^(not )?ok \\d+ ${full.replace(/\./g, "\\.")}(?: # SKIP (.*))?$`);
  for (const raw of stdout.split("\n")) {
    const line = raw.trimEnd();
    if (line.startsWith(SETUP_PREFIX)) setup = line.slice(SETUP_PREFIX.length);
    else if (line.startsWith(OBSERVATION_PREFIX)) {
      const m = STEP_RE.exec(line.slice(OBSERVATION_PREFIX.length));
      if (m) steps.set(Number(m[1]), { op: m[2]!, text: m[3]! });
    } else {
      const m = tapRe.exec(line);
      if (m) tap = { ok: !m[1], ...(m[2] !== undefined ? { skip: m[2] } : {}) };
    }
  }
  return { ...(setup !== undefined ? { setup } : {}), steps, ...(tap ? { tap } : {}) };
}
