/**
 * Small builders for reference scenarios, so each scenario reads as its steps.
 * Nothing here knows kernel behaviour: the expectations are written in the
 * suite files and checked against the real kernel (test/kernel, uffdkit conform).
 */
import { API_RANGE_IOCTLS, API_RANGE_IOCTLS_BASIC, type ErrnoName, type PagefaultFlag, type RangeIoctl, type RegisterMode, type UffdFeature } from "../../kernel/uapi.js";
import type { MemKind } from "../../kernel/kinds.js";
import type {
  ApiStep,
  ContinueStep,
  CopyStep,
  EventStep,
  Fill,
  MadviseStep,
  MoveStep,
  PageRange,
  PoisonStep,
  ResultField,
  RegisterStep,
  Scenario,
  ScenarioSetup,
  Step,
  TouchStep,
  WaitStep,
  WakeStep,
  WriteprotectStep,
  ZeropageStep,
} from "../../ir/scenario.js";

export type Result = "ok" | ErrnoName;

export function scenario(name: string, title: string, source: string[], setup: ScenarioSetup, steps: Step[]): Scenario {
  return { name, title, source, setup, steps };
}

export const api = (features: UffdFeature[] = [], result: Result = "ok", extra: Partial<ApiStep> = {}): ApiStep => ({ op: "api", features, ...extra, expect: { result } });

export function register(range: PageRange, modes: RegisterMode[], expect: { result?: Result; ioctls?: RangeIoctl[] } = {}, ctx?: number): RegisterStep {
  return { op: "register", ...range, modes, expect, ...(ctx !== undefined ? { ctx } : {}) };
}

/**
 * The `ioctls` mask 6.18 returns for a registration: the kind's full or BASIC
 * set, without CONTINUE unless MINOR and without WRITEPROTECT unless WP.
 */
export function registerMask(kind: Exclude<MemKind, "declared">, modes: readonly RegisterMode[]): RangeIoctl[] {
  const base = kind === "hugetlb" ? API_RANGE_IOCTLS_BASIC : API_RANGE_IOCTLS;
  return base.filter((i) => (i !== "continue" || modes.includes("minor")) && (i !== "writeprotect" || modes.includes("wp")));
}

export const touch = (thread: string, page: number, access: "read" | "write", expect: TouchStep["expect"], extra: Partial<TouchStep> = {}): TouchStep => ({ op: "touch", thread, page, access, ...extra, expect });
export const read = (thread: string, page: number, expect: TouchStep["expect"], via?: "alias"): TouchStep => touch(thread, page, "read", expect, via ? { via } : {});
export const write = (thread: string, page: number, value: number, expect: TouchStep["expect"], via?: "alias"): TouchStep => touch(thread, page, "write", expect, { value, ...(via ? { via } : {}) });

export const blocked = { outcome: "blocked" } as const;
export const sigbus = { outcome: "sigbus" } as const;
export const done = (value?: number): { outcome: "done"; value?: number } => (value === undefined ? { outcome: "done" } : { outcome: "done", value });

export const wait = (thread: string, expect: WaitStep["expect"]): WaitStep => ({ op: "wait", thread, expect });
export const noEvent = (ctx?: number): EventStep => ({ op: "event", expect: { event: "none" }, ...(ctx !== undefined ? { ctx } : {}) });
export const fault = (page: number, flags: PagefaultFlag[], thread?: string): EventStep => ({ op: "event", expect: { event: "pagefault", page, flags, ...(thread ? { thread } : {}) } });
export const removeEvent = (page: number, pages: number): EventStep => ({ op: "event", expect: { event: "remove", page, pages } });

export function copy(range: PageRange, src: Fill | number, expect: { result?: Result; copy?: ResultField } = {}, mode?: CopyStep["mode"]): CopyStep {
  return { op: "copy", ...range, src: typeof src === "number" ? { byte: src } : src, expect, ...(mode ? { mode } : {}) };
}
export function zeropage(range: PageRange, expect: { result?: Result; zeropage?: ResultField } = {}): ZeropageStep {
  return { op: "zeropage", ...range, expect };
}
export function cont(range: PageRange, expect: { result?: Result; mapped?: ResultField } = {}, mode?: ContinueStep["mode"]): ContinueStep {
  return { op: "continue", ...range, expect, ...(mode ? { mode } : {}) };
}
export function poison(range: PageRange, expect: { result?: Result; updated?: ResultField } = {}): PoisonStep {
  return { op: "poison", ...range, expect };
}
export function wp(range: PageRange, on: boolean, result: Result = "ok", dontwake?: boolean): WriteprotectStep {
  return { op: "writeprotect", ...range, wp: on, ...(dontwake ? { dontwake } : {}), expect: { result } };
}
export function move(srcPage: number, dstPage: number, expect: { result?: Result; move?: ResultField } = {}, extra: Partial<MoveStep> = {}): MoveStep {
  return { op: "move", srcPage, dstPage, ...extra, expect };
}
export const wake = (range: PageRange, result: Result = "ok"): WakeStep => ({ op: "wake", ...range, expect: { result } });
export const unregister = (range: PageRange, result: Result = "ok", ctx?: number): Step => ({ op: "unregister", ...range, expect: { result }, ...(ctx !== undefined ? { ctx } : {}) });
export const madvise = (advice: "dontneed" | "remove", page: number, extra: Partial<MadviseStep> = {}): MadviseStep => ({ op: "madvise", advice, page, ...extra });
export const p = (page: number, pages?: number): PageRange => (pages === undefined ? { page } : { page, pages });
export const neg = (e: number) => -e;
