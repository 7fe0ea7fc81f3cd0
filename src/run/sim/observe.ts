/**
 * Small helpers shared by the simulator's step implementations: a return
 * value or result field as its canonical observation (src/ir/observation.ts),
 * the mode bits of a range ioctl, and the bytes a COPY's Fill writes.
 */
import { errnoName } from "../../kernel/uapi.js";
import type { Observed } from "../../ir/observation.js";
import type { Fill, SourceAddress } from "../../ir/scenario.js";
import type { IoctlResult } from "./fs_userfaultfd.js";

export function ret(r: number): Observed {
  return r === 0 ? { status: "ok", fields: {} } : errno(errnoName(-r));
}

export function errno(name: string): Observed {
  return { status: `errno=${name}`, fields: {} };
}

export function field(r: IoctlResult, name: string): Observed {
  const o = ret(r.ret);
  // A member the kernel left untouched still holds the caller's sentinel.
  return { status: o.status, fields: { [name]: r.field === undefined ? "untouched" : String(r.field) } };
}

/** A range ioctl's mode: the named bits and the raw ones. */
export function modeBits<K extends string>(table: Readonly<Record<K, number>>, named: readonly K[] | undefined, raw: number | undefined): number {
  let bits = raw ?? 0;
  for (const n of named ?? []) bits |= table[n];
  return bits;
}

/** Are there mode bits the ioctl does not define? */
export function unknownBits(table: Readonly<Record<string, number>>, mode: number): boolean {
  let known = 0;
  for (const v of Object.values(table)) known |= v;
  return (mode & ~known) !== 0;
}

/** One byte per destination page: the Fill's byte, or (seed + page) & 0xff. */
export function fillFn(f: Fill | SourceAddress, _firstPage: number): (page: number) => number {
  if ("page" in f) return () => 0;
  if ("byte" in f) return () => f.byte & 0xff;
  const seed = f.seed ?? 0;
  return (page) => (seed + page) & 0xff;
}

