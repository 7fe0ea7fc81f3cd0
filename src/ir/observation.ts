/**
 * The canonical text of what one step did. The simulator produces it directly;
 * the generated selftest prints it as a TAP diagnostic line
 *
 *     # uffdkit: step <n> <op>: <text>
 *
 * and the kernel runner parses those lines back. Comparing the two runs is then a
 * string comparison per step, and a disagreement names the step and both texts.
 *
 * Grammar: a status word, then space-separated key=value fields in a fixed order.
 *   api, unregister, wake, writeprotect, file_write,
 *   punch_hole, madvise, close, kvm_*      ok | errno=<NAME>
 *   madvise / punch_hole from a thread     ok | errno=<NAME> | blocked (a later wait: done)
 *   register                               ok ioctls=<a,b,...> | errno=<NAME>
 *   copy / zeropage / continue / poison / move
 *                                          ok|errno=<NAME> <field>=<int>
 *   touch / wait                           blocked | done [value=0xNN|value=mixed] | sigbus
 *   event                                  none | pagefault page=<n> flags=<a,b|0> [thread=<name>]
 *                                          | remove page=<n> pages=<n>
 *   kvm_vcpu_access                        exit-userfault | done value=0xNN
 *
 * Conventions both runners keep (fixed by the selftest emitter):
 *   - touch/wait `done` carries value= only for a read access (first byte, or
 *     `mixed` when the page is not uniform); a write access prints plain `done`.
 *   - event `thread=<name>` is printed only when the context negotiated
 *     UFFD_FEATURE_THREAD_ID (otherwise the kernel reports no tid).
 *   - result fields start at 0 before the ioctl, so a field the kernel leaves
 *     untouched prints as 0 (e.g. `errno=EINVAL copy=0`).
 *   - flags= lists fault flag names in alphabetical order (minor, wp, write).
 */
import { ERRNO, RANGE_IOCTLS, type ErrnoName } from "../kernel/uapi.js";
import type { Step, TouchExpect } from "./scenario.js";

export const OBSERVATION_PREFIX = "# uffdkit: step ";

export interface Observed {
  /** The status word: ok, errno=EEXIST, blocked, done, sigbus, none, pagefault, remove, exit-userfault. */
  readonly status: string;
  readonly fields: Readonly<Record<string, string>>;
}

export function formatObservation(o: Observed): string {
  const parts = [o.status];
  for (const [k, v] of Object.entries(o.fields)) parts.push(`${k}=${v}`);
  return parts.join(" ");
}

export function parseObservation(text: string): Observed {
  const [status = "", ...rest] = text.trim().split(/\s+/);
  const fields: Record<string, string> = {};
  for (const tok of rest) {
    const eq = tok.indexOf("=");
    if (eq > 0) fields[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  return { status, fields };
}

/** The status word for a syscall result. */
export function retStatus(errno: ErrnoName | "ok"): string {
  return errno === "ok" ? "ok" : `errno=${errno}`;
}

export function hexByte(v: number): string {
  return `0x${(v & 0xff).toString(16).padStart(2, "0")}`;
}

/** The result field each range ioctl writes back. */
export const RESULT_FIELD: Partial<Record<Step["op"], string>> = {
  copy: "copy",
  zeropage: "zeropage",
  continue: "mapped",
  poison: "updated",
  move: "move",
};

/** Order ioctl names as the mask's bits are ordered, for a canonical register line. */
export function canonicalIoctls(names: readonly string[]): string {
  return RANGE_IOCTLS.filter((i) => names.includes(i)).join(",");
}

function touchExpected(e: TouchExpect): Observed {
  if (e.outcome === "done")
    return { status: "done", fields: e.value !== undefined ? { value: hexByte(e.value) } : {} };
  return { status: e.outcome, fields: {} };
}

/**
 * What a step's `expect` asks for, as a partial observation: the status and only
 * the fields the scenario pins down. Undefined when the step expects nothing in
 * particular (then any observation passes).
 */
export function expectedObservation(step: Step): Observed | undefined {
  switch (step.op) {
    case "touch":
    case "wait":
      return touchExpected(step.expect);
    case "event": {
      const e = step.expect;
      if (e.event === "none") return { status: "none", fields: {} };
      if (e.event === "remove") return { status: "remove", fields: { page: String(e.page), pages: String(e.pages) } };
      const fields: Record<string, string> = { page: String(e.page), flags: e.flags.length ? [...e.flags].sort().join(",") : "0" };
      if (e.thread) fields.thread = e.thread;
      return { status: "pagefault", fields };
    }
    case "kvm_vcpu_access": {
      const e = step.expect;
      if (e.outcome === "any") return undefined;
      if (e.outcome === "exit-userfault") return { status: "exit-userfault", fields: {} };
      return { status: "done", fields: e.value !== undefined ? { value: hexByte(e.value) } : {} };
    }
    case "kvm_bitmap":
    case "close":
      return { status: "ok", fields: {} };
    case "madvise":
    case "punch_hole":
      // A side call made from a worker may be expected to stay blocked (EVENT_REMOVE pending).
      if (step.expect?.outcome === "blocked") return { status: "blocked", fields: {} };
      return { status: retStatus(step.expect?.result ?? "ok"), fields: {} };
    default: {
      const expect = (step as { expect?: { result?: ErrnoName | "ok"; ioctls?: string[] } & Record<string, unknown> }).expect;
      const fields: Record<string, string> = {};
      if (step.op === "register" && expect?.ioctls) fields.ioctls = canonicalIoctls(expect.ioctls) || "0";
      const rf = RESULT_FIELD[step.op];
      if (rf && expect && typeof expect[rf] === "number") fields[rf] = String(expect[rf]);
      return { status: retStatus(expect?.result ?? "ok"), fields };
    }
  }
}

/** Does an observation satisfy a step's expectation? Returns the reason when not. */
export function checkObservation(step: Step, observed: Observed): { ok: true } | { ok: false; expected: string } {
  const want = expectedObservation(step);
  if (!want) return { ok: true };
  if (want.status !== observed.status) return { ok: false, expected: formatObservation(want) };
  for (const [k, v] of Object.entries(want.fields)) {
    if (observed.fields[k] !== v) return { ok: false, expected: formatObservation(want) };
  }
  return { ok: true };
}

/** A negative errno as the kernel writes it into a result field. */
export function negErrno(name: ErrnoName): number {
  return -ERRNO[name];
}
