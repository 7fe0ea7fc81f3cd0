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
 *   unregister, wake, writeprotect, file_write, open,
 *   punch_hole, fallocate, truncate, madvise, close, kvm_*   ok | errno=<NAME>
 *   api                                    ok | errno=<NAME>, then features=0x<hex> ioctls=0x<hex>
 *                                          when the step's expect names either mask
 *   madvise / punch_hole from a thread     ok | errno=<NAME> | blocked (a later wait: done)
 *   register                               ok ioctls=<a,b,...> | errno=<NAME>
 *   copy / zeropage / continue / poison / move
 *                                          ok|errno=<NAME> <field>=<int>|untouched
 *   touch / wait                           blocked | done [value=0xNN|value=mixed] | sigbus | sigsegv
 *   syscall (and wait on its thread)       blocked | done result=ok|<NAME>
 *   copy with a thread (and wait on it)    blocked | done result=ok|<NAME> copy=<int>|untouched
 *   event                                  none | errno=<NAME>
 *                                          | pagefault page=<n> [offset=<n>] flags=<a,b|0> [thread=<name>]
 *                                          | remove page=<n> pages=<n> | unmap page=<n> pages=<n>
 *                                          | remap pages=<n> | fork
 *   child_wait                             blocked | done [value=0xNN|mixed] | sigbus
 *   munmap, mremap, fork (from a thread)   ok | errno=<NAME> | blocked
 *   poll                                   ok revents=<err,in|0>
 *   fstat                                  ok size=<bytes> | errno=<NAME>
 *   file_read                              ok value=0xNN|mixed | errno=<NAME>
 *   kvm_cap                                ok value=<n> | errno=<NAME>
 *   kvm_memslot                            ok | errno=<NAME>
 *   kvm_vcpu_access                        exit-userfault | done value=0xNN
 *
 * Conventions both runners keep (fixed by the selftest emitter):
 *   - touch/wait `done` carries value= only for a read access (first byte, or
 *     `mixed` when the page is not uniform); a write access prints plain `done`.
 *   - event `thread=<name>` is printed only when the context negotiated
 *     UFFD_FEATURE_THREAD_ID (otherwise the kernel reports no tid).
 *   - result fields are preset to a sentinel before the ioctl (as the
 *     kselftests do), so a field the kernel leaves untouched prints as
 *     `untouched` and a written 0 as 0 (e.g. `errno=EINVAL copy=untouched`).
 *   - event `offset=` is printed only when the fault address is not page
 *     aligned, which only UFFD_FEATURE_EXACT_ADDRESS makes possible.
 *   - masks are lower-case hex with 0x; revents names are alphabetical.
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
  if (e.outcome === "done") {
    const fields: Record<string, string> = {};
    if (e.value !== undefined) fields.value = hexByte(e.value);
    if (e.result !== undefined) fields.result = e.result;
    if (e.copy !== undefined) fields.copy = String(e.copy);
    return { status: "done", fields };
  }
  return { status: e.outcome, fields: {} };
}

/** A 64-bit mask in the canonical form: lower-case hex with 0x (accepts any case and leading zeros). */
export function hexMask(v: bigint | string): string {
  return `0x${BigInt(v).toString(16)}`;
}

/** Does an api step ask to see the masks UFFDIO_API writes back? */
export function apiReportsMasks(step: Step): boolean {
  return step.op === "api" && (step.expect?.features !== undefined || step.expect?.ioctls !== undefined);
}

/** poll() revents names in canonical (alphabetical) order, 0 when none. */
export function reventsText(names: readonly string[]): string {
  return names.length ? [...names].sort().join(",") : "0";
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
    case "syscall":
    case "child_wait":
      return touchExpected(step.expect);
    case "copy":
      if (step.thread) {
        // A COPY made from a worker is observed as the worker: blocked, or done with its result.
        if (step.expect?.outcome === "blocked") return { status: "blocked", fields: {} };
        const fields: Record<string, string> = { result: step.expect?.result ?? "ok" };
        if (step.expect?.copy !== undefined) fields.copy = String(step.expect.copy);
        return { status: "done", fields };
      }
      return defaultExpected(step);
    case "poll":
      return { status: "ok", fields: { revents: reventsText(step.expect.revents) } };
    case "open":
    case "fallocate":
    case "truncate":
    case "kvm_memslot":
      return { status: retStatus(step.expect?.result ?? "ok"), fields: {} };
    case "fstat":
      return { status: retStatus(step.expect?.result ?? "ok"), fields: step.expect?.size !== undefined ? { size: String(step.expect.size) } : {} };
    case "file_read":
      return { status: retStatus(step.expect?.result ?? "ok"), fields: step.expect?.value !== undefined ? { value: hexByte(step.expect.value) } : {} };
    case "kvm_cap":
      return { status: "ok", fields: step.expect?.value !== undefined ? { value: String(step.expect.value) } : {} };
    case "api": {
      const fields: Record<string, string> = {};
      if (step.expect?.features !== undefined) fields.features = hexMask(step.expect.features);
      if (step.expect?.ioctls !== undefined) fields.ioctls = hexMask(step.expect.ioctls);
      return { status: retStatus(step.expect?.result ?? "ok"), fields };
    }
    case "event": {
      const e = step.expect;
      if (e.event === "none") return { status: "none", fields: {} };
      if (e.event === "error") return { status: retStatus(e.result), fields: {} };
      if (e.event === "fork") return { status: "fork", fields: {} };
      if (e.event === "remap") return { status: "remap", fields: { pages: String(e.pages) } };
      if (e.event === "remove" || e.event === "unmap") return { status: e.event, fields: { page: String(e.page), pages: String(e.pages) } };
      const fields: Record<string, string> = { page: String(e.page) };
      if (e.offset) fields.offset = String(e.offset);
      fields.flags = e.flags.length ? [...e.flags].sort().join(",") : "0";
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
    case "munmap":
    case "mremap":
    case "fork":
      // A side call made from a worker may be expected to stay blocked (EVENT_REMOVE pending).
      if (step.expect?.outcome === "blocked") return { status: "blocked", fields: {} };
      return { status: retStatus(step.expect?.result ?? "ok"), fields: {} };
    default:
      return defaultExpected(step);
  }
}

/** An ioctl's status and the result fields its expect names. */
function defaultExpected(step: Step): Observed {
  const expect = (step as { expect?: { result?: ErrnoName | "ok"; ioctls?: string[] } & Record<string, unknown> }).expect;
  const fields: Record<string, string> = {};
  if (step.op === "register" && expect?.ioctls) fields.ioctls = canonicalIoctls(expect.ioctls) || "0";
  const rf = RESULT_FIELD[step.op];
  if (rf && expect && (typeof expect[rf] === "number" || expect[rf] === "untouched")) fields[rf] = String(expect[rf]);
  return { status: retStatus(expect?.result ?? "ok"), fields };
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
