/**
 * Small builders for scenario steps, so each planner module reads as the
 * sequence of syscalls a kselftest would make.
 */
import type { ErrnoName, RangeIoctl, RegisterMode, UffdFeature } from "../../kernel/uapi.js";
import { negErrno } from "../../ir/observation.js";
import type { ApiStep, Fill, PageRange, Step, TouchExpect } from "../../ir/scenario.js";

export function api(features: UffdFeature[] = [], ctx?: number): ApiStep {
  return { op: "api", ...(features.length ? { features } : {}), ...(ctx !== undefined ? { ctx } : {}) };
}

export function register(range: PageRange, modes: RegisterMode[], ioctls?: RangeIoctl[], ctx?: number): Step {
  return {
    op: "register",
    ...range,
    modes,
    expect: { result: "ok", ...(ioctls ? { ioctls } : {}) },
    ...(ctx !== undefined ? { ctx } : {}),
  };
}

export function registerFails(range: PageRange, modes: RegisterMode[], errno: ErrnoName, ctx?: number): Step {
  return { op: "register", ...range, modes, expect: { result: errno }, ...(ctx !== undefined ? { ctx } : {}) };
}

export function unregister(range: PageRange): Step {
  return { op: "unregister", ...range, expect: { result: "ok" } };
}

export function touch(thread: string, page: number, access: "read" | "write", expect: TouchExpect, extra: { value?: number; via?: "primary" | "alias" } = {}): Step {
  return { op: "touch", thread, page, access, ...extra, expect };
}

export const blocked: TouchExpect = { outcome: "blocked" };
export const sigbus: TouchExpect = { outcome: "sigbus" };
export function done(value?: number): TouchExpect {
  return value === undefined ? { outcome: "done" } : { outcome: "done", value };
}

export function wait(thread: string, expect: TouchExpect): Step {
  return { op: "wait", thread, expect };
}

export function pagefault(page: number, flags: ("write" | "wp" | "minor")[] = []): Step {
  return { op: "event", expect: { event: "pagefault", page, flags } };
}

export function noEvent(): Step {
  return { op: "event", expect: { event: "none" } };
}

/** UFFDIO_COPY of whole pages that must succeed: `copy` is the byte count. */
export function copyOk(page: number, pages: number, pageSize: number, src: Fill, mode?: ("dontwake" | "wp")[]): Step {
  return { op: "copy", page, pages, src, ...(mode ? { mode } : {}), expect: { result: "ok", copy: pages * pageSize } };
}

/**
 * A range ioctl that must fail. `writtenBack` says whether the kernel writes the
 * negative errno into the result field (6.18, fs/userfaultfd.c userfaultfd_copy(): argument validation
 * leaves it untouched, failures found after the vma lookup write it back).
 */
export function copyFails(range: PageRange, errno: ErrnoName, writtenBack: boolean): Step {
  return { op: "copy", ...range, src: { byte: 0x5a }, expect: { result: errno, ...(writtenBack ? { copy: negErrno(errno) } : {}) } };
}

export function zeropageOk(page: number, pages: number, pageSize: number): Step {
  return { op: "zeropage", page, pages, expect: { result: "ok", zeropage: pages * pageSize } };
}

export function zeropageFails(range: PageRange, errno: ErrnoName, writtenBack: boolean): Step {
  return { op: "zeropage", ...range, expect: { result: errno, ...(writtenBack ? { zeropage: negErrno(errno) } : {}) } };
}

export function continueOk(page: number, pages: number, pageSize: number): Step {
  return { op: "continue", page, pages, expect: { result: "ok", mapped: pages * pageSize } };
}

export function continueFails(range: PageRange, errno: ErrnoName, writtenBack: boolean): Step {
  return { op: "continue", ...range, expect: { result: errno, ...(writtenBack ? { mapped: negErrno(errno) } : {}) } };
}

export function writeprotect(range: PageRange, wp: boolean, result: "ok" | ErrnoName = "ok"): Step {
  return { op: "writeprotect", ...range, wp, expect: { result } };
}

export function poisonOk(page: number, pages: number, pageSize: number): Step {
  return { op: "poison", page, pages, expect: { result: "ok", updated: pages * pageSize } };
}

export function poisonFails(range: PageRange, errno: ErrnoName): Step {
  return { op: "poison", ...range, expect: { result: errno, updated: negErrno(errno) } };
}

export function moveFails(dstPage: number, errno: ErrnoName, writtenBack: boolean): Step {
  return { op: "move", srcPage: 0, srcFill: { byte: 0x3c }, dstPage, pages: 1, expect: { result: errno, ...(writtenBack ? { move: negErrno(errno) } : {}) } };
}

export function wake(range: PageRange): Step {
  return { op: "wake", ...range, expect: { result: "ok" } };
}

export function fileWrite(page: number, value: number, via: "pwrite" | "alias"): Step {
  return { op: "file_write", page, value, via, expect: { result: "ok" } };
}

export function punchHole(page: number, pages = 1): Step {
  return { op: "punch_hole", page, pages, expect: { result: "ok" } };
}

/** A distinct, non-zero byte per page, so a page left unfilled (zero) or filled from the wrong source shows. */
export function pageByte(page: number): number {
  return 1 + ((page * 37) % 255);
}
