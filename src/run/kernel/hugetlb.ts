/**
 * Reserve huge pages for a run and give them back whatever happens: restore()
 * takes back the pages this run added to vm.nr_hugepages (so overlapping runs
 * do not clobber each other), and process exit and signal handlers call it
 * should the run be cut short.
 */
import { readFileSync, writeFileSync } from "node:fs";

export const NR_HUGEPAGES = "/proc/sys/vm/nr_hugepages";

export interface HugePageReservation {
  /** The value before the run. */
  readonly previous: number;
  /** The value the kernel accepted (it may give fewer pages than asked). */
  readonly reserved: number;
  /** How many pages the run has beyond what was there before. */
  readonly available: number;
  /** Take back the pages this run added (idempotent). */
  restore(): void;
}

function readCount(path: string): number {
  const n = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
  if (!Number.isFinite(n)) throw new Error(`${path}: not a number`);
  return n;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Ask for `extra` more huge pages than are configured now. Throws (with the path
 * and the reason) only when the sysctl cannot be read or written at all.
 */
export function reserveHugePages(extra: number, opts: { path?: string } = {}): HugePageReservation {
  const path = opts.path ?? NR_HUGEPAGES;
  const previous = readCount(path);
  let added = 0;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      // Give back what this run added rather than writing the old value: another
      // run that reserved in the meantime keeps its own pages.
      const now = readCount(path);
      writeFileSync(path, `${Math.max(0, now - added)}\n`);
    } finally {
      process.off("exit", restore);
      for (const s of SIGNALS) process.off(s, onSignal);
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, sig);
  };
  process.on("exit", restore);
  for (const s of SIGNALS) process.once(s, onSignal);
  try {
    writeFileSync(path, `${previous + extra}\n`);
  } catch (e) {
    restore();
    throw e;
  }
  const reserved = readCount(path);
  added = Math.max(0, reserved - previous);
  return { previous, reserved, available: Math.max(0, reserved - previous), restore };
}

/** Run `fn` with `extra` huge pages reserved, restoring the sysctl afterwards. */
export async function withHugePages<T>(extra: number, fn: (r: HugePageReservation) => Promise<T>, opts: { path?: string } = {}): Promise<T> {
  const r = reserveHugePages(extra, opts);
  try {
    return await fn(r);
  } finally {
    r.restore();
  }
}
