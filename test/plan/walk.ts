/** Helpers that walk planned scenarios, so tests assert on what the steps do. */
import type { RegisterMode } from "../../src/kernel/uapi.js";
import type { Scenario, Step } from "../../src/ir/scenario.js";
import type { Ioctl } from "../../src/spec/types.js";

export const IOCTL_OPS: readonly Ioctl[] = ["copy", "zeropage", "continue", "writeprotect", "poison", "move"];

export function resultOf(step: Step): string {
  const e = (step as { expect?: { result?: string } }).expect;
  return e?.result ?? "ok";
}

export function registerSteps(s: Scenario): Extract<Step, { op: "register" }>[] {
  return s.steps.filter((x): x is Extract<Step, { op: "register" }> => x.op === "register");
}

export function apiFeatures(s: Scenario, ctx = 0): string[] {
  const a = s.steps.find((x) => x.op === "api" && (x.ctx ?? 0) === ctx);
  return a && a.op === "api" ? (a.features ?? []) : [];
}

/** Scenarios where `mode` registers successfully. */
export function registersOk(scenarios: readonly Scenario[], mode: RegisterMode): Scenario[] {
  return scenarios.filter((s) => registerSteps(s).some((r) => r.modes.includes(mode) && resultOf(r) === "ok"));
}

/** Scenarios where an ioctl step succeeds. */
export function ioctlOk(scenarios: readonly Scenario[], ioctl: Ioctl): Scenario[] {
  return scenarios.filter((s) => s.steps.some((x) => x.op === ioctl && resultOf(x) === "ok"));
}

/**
 * Structural checks the IR's comments promise: pages inside the mapping, a wait
 * only for a thread that was started, ctx below the number of contexts, no step
 * touching memory when the mapping is expected to fail.
 */
export function structuralProblems(s: Scenario): string[] {
  const problems: string[] = [];
  const pages = s.setup.pages;
  const contexts = s.setup.contexts ?? 1;
  const started = new Set<string>();
  s.steps.forEach((st, i) => {
    const where = `${s.name} step ${i} ${st.op}`;
    if ((st.ctx ?? 0) >= contexts) problems.push(`${where}: ctx ${st.ctx} >= contexts ${contexts}`);
    const page = "page" in st && typeof st.page === "number" ? st.page : undefined;
    const n = "pages" in st && typeof st.pages === "number" ? st.pages : 1;
    if (page !== undefined && st.op !== "event" && (page < 0 || page + n > pages)) problems.push(`${where}: page ${page}+${n} outside ${pages}`);
    if (st.op === "touch") {
      if (st.via === "alias" && !s.setup.alias) problems.push(`${where}: alias touch without setup.alias`);
      started.add(st.thread);
    }
    if (st.op === "wait" && !started.has(st.thread)) problems.push(`${where}: wait for ${st.thread}, never started`);
    if (st.op === "file_write" && st.via === "alias" && !s.setup.alias) problems.push(`${where}: alias write without setup.alias`);
    if (st.op === "move" && !s.setup.srcPages) problems.push(`${where}: move without setup.srcPages`);
    if (s.setup.mmapExpect && ["touch", "file_write", "copy", "continue", "zeropage"].includes(st.op)) problems.push(`${where}: memory step after a failing mmap`);
  });
  if (s.setup.kind === "declared" && !s.setup.declared) problems.push(`${s.name}: kind declared without setup.declared`);
  if (s.setup.kind === "declared" && !s.setup.needs?.includes("declared-type")) problems.push(`${s.name}: declared kind without needs declared-type`);
  if (s.setup.kind === "guest_memfd" && !s.setup.needs?.includes("kvm")) problems.push(`${s.name}: guest_memfd without needs kvm`);
  if (s.setup.kind === "guest_memfd" && s.setup.map !== "shared" && !s.setup.mmapExpect) problems.push(`${s.name}: guest_memfd must be MAP_SHARED`);
  return problems;
}
