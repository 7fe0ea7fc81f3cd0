/**
 * The review checklist for a declared type (pure): the items of items.ts that
 * apply to what the spec declares, each marked verified — by a rule that ran
 * over the model, by planned scenarios that ran on the simulator or the kernel,
 * or by checkpatch — only when the caller passes that evidence, and otherwise
 * left for a person, with what to look at.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { SOURCES } from "../../kernel/sources.js";
import type { Model } from "../../model/model.js";
import type { Lowered } from "../../lower/index.js";
import type { Suite } from "../../ir/scenario.js";
import type { CRunEvidence, ExploreEvidence, SuiteResult } from "../../ir/result.js";
import { RULES } from "../../rules/index.js";
import { CHECKLIST_ITEMS, type ChecklistItem } from "./items.js";

export { CHECKLIST_ITEMS, type ChecklistItem } from "./items.js";

export interface ChecklistEvidence {
  /** The findings of checkModel(model) (load findings may be mixed in): their presence means the rules ran. */
  readonly diagnostics?: readonly Diagnostic[];
  /** The planned suite's results on the reference simulator. */
  readonly simulation?: SuiteResult;
  /** What executing the emitted C showed (absent: the C was not run). */
  readonly c?: CRunEvidence;
  /** The planned suite's results on the real kernel. */
  readonly kernel?: SuiteResult;
  /** The suite the results belong to (scenario sources name rule ids); without it, runs verify nothing. */
  readonly suite?: Suite;
  /** Interleaving exploration of the programs that bear on an item (C01: shared-ness races). */
  readonly explore?: ExploreEvidence;
  /** checkpatch over the series (MAINTAINERS notices for new files already left out). */
  readonly checkpatch?: { readonly errors: number; readonly warnings: number; readonly checks?: number };
}

export interface Verification {
  /**
   * rule: a check of the spec (never enough to call an item verified: the C is what is sent);
   * scenario: a scenario run (on the simulator it executes the emitted C); c: the emitted C's
   * execution as a whole (branches run, contracts kept); checkpatch.
   */
  readonly kind: "rule" | "scenario" | "checkpatch" | "c" | "explore";
  /** Rule id, "sim:<scenario>" / "kernel:<scenario>", or "checkpatch". */
  readonly by: string;
  /**
   * not-applicable: a scenario the type cannot run (it lacks the operation); shown, never counted as a pass.
   * warn: a warning-level rule fired: the item needs a person's look (never "verified"), but nothing is known broken.
   */
  readonly result: "pass" | "fail" | "not-applicable" | "warn";
  readonly detail?: string;
}

export type ItemStatus = "pass" | "fail" | "human";

export interface ChecklistEntry {
  readonly id: string;
  readonly group: ChecklistItem["group"];
  readonly title: string;
  readonly check: string;
  readonly sources: readonly string[];
  /** Rules that can verify the item (whether or not they ran). */
  readonly rules: readonly string[];
  readonly status: ItemStatus;
  readonly verifiedBy: readonly Verification[];
  /** What a person still has to look at (always present for "human"). */
  readonly human?: string;
  /**
   * The type's functions, run as stand-ins, that the item's simulator evidence
   * rests on: present when that evidence passed but does not verify the item.
   */
  readonly standIns?: readonly string[];
}

export interface Checklist {
  readonly name: string;
  readonly api: string;
  readonly items: readonly ChecklistEntry[];
  readonly notApplicable: readonly { readonly id: string; readonly title: string; readonly reason: string }[];
  readonly counts: Readonly<Record<ItemStatus, number>>;
  readonly markdown: string;
}

/** Rules that stand for an item: those that tag its §5 number, plus the item's own list. */
export function rulesFor(item: ChecklistItem): string[] {
  const tagged = item.section5 === undefined ? [] : RULES.filter((r) => r.checklist?.includes(item.section5!)).map((r) => r.id);
  return [...new Set([...tagged, ...(item.rules ?? [])])];
}

function ruleVerifications(model: Model, ids: readonly string[], diags: readonly Diagnostic[] | undefined): Verification[] {
  if (!diags) return [];
  const out: Verification[] = [];
  for (const id of ids) {
    const rule = RULES.find((r) => r.id === id);
    // Only a rule with a check that applies to this generation actually looked at the model.
    if (!rule?.check || !rule.applies.includes(model.gen.id)) continue;
    const hits = diags.filter((d) => d.id === id && d.severity !== "info");
    const errors = hits.filter((d) => d.severity === "error");
    out.push(
      hits.length
        ? { kind: "rule", by: id, result: errors.length ? "fail" : "warn", detail: hits.map((d) => d.message).join("; ") }
        : { kind: "rule", by: id, result: "pass" },
    );
  }
  return out;
}

function scenarioVerifications(ids: readonly string[], suite: Suite | undefined, runs: readonly SuiteResult[]): Verification[] {
  if (!suite || runs.length === 0 || ids.length === 0) return [];
  const want = new Set(ids);
  const relevant = new Set(suite.scenarios.filter((s) => (s.source ?? []).some((x) => want.has(x))).map((s) => s.name));
  const out: Verification[] = [];
  for (const run of runs) {
    for (const r of run.results) {
      const finding = (r.findings ?? []).find((f) => f.rule && want.has(f.rule));
      if (finding) {
        out.push({ kind: "scenario", by: `${run.runner}:${r.scenario}`, result: "fail", detail: finding.message });
        continue;
      }
      if (!relevant.has(r.scenario)) continue;
      // A run on a kind standing in for the type is not a test of the type.
      if (r.ranOn) continue;
      // lacks/error settle nothing: the scenario did not really run.
      if (r.verdict === "pass" || r.verdict === "fail" || r.verdict === "not-applicable") {
        out.push({ kind: "scenario", by: `${run.runner}:${r.scenario}`, result: r.verdict, ...(r.reason ? { detail: r.reason } : {}) });
      }
    }
  }
  return out;
}

/** The executed C as evidence: every branch ran and no helper or return contract was broken. */
function cVerification(c: CRunEvidence): Verification {
  if (!c.executed) return { kind: "c", by: c.file, result: "fail", detail: `the emitted C was not executed: ${c.error ?? "not compiled"}` };
  const broken = c.runFindings.filter((f) => f.rule === "R58" || f.rule === "R42" || f.rule === "R43" || f.rule === "R44");
  if (broken.length) return { kind: "c", by: c.file, result: "fail", detail: broken.map((f) => f.message).join("; ") };
  const b = c.branches!;
  if (b.executed < b.total) return { kind: "c", by: c.file, result: "fail", detail: `${b.executed}/${b.total} branches executed; not reached: ${c.missed.join("; ")}` };
  return { kind: "c", by: c.file, result: "pass", detail: `${b.executed}/${b.total} branches executed, no contract broken` };
}

/**
 * The type's functions that ran as stand-ins and that the item's concern runs
 * through (item.typeRoles); an item that does not say which it runs through
 * rests on every stand-in.
 */
function standInsFor(item: ChecklistItem, c: CRunEvidence | undefined): string[] {
  const roles = item.typeRoles as readonly string[] | undefined;
  return (c?.typeFunctions ?? []).filter((t) => t.ran === "stand-in" && (!roles || roles.includes(t.role))).map((t) => `${t.name}()`);
}

/** Evidence the simulator produced, through the type functions it was given or the stand-ins for them. */
function restsOnSimulator(v: Verification): boolean {
  return v.kind === "c" || v.kind === "explore" || (v.kind === "scenario" && v.by.startsWith("sim:"));
}

/** "verified by executing the emitted C and by exploration, with f() a stand-in: not verified." */
function standInNote(onStandIns: readonly Verification[], standIns: readonly string[]): string {
  const how: string[] = [];
  if (onStandIns.some((v) => v.kind === "c")) how.push("executing the emitted C");
  if (onStandIns.some((v) => v.kind === "scenario")) how.push("simulator scenarios");
  if (onStandIns.some((v) => v.kind === "explore")) how.push("exploration");
  const which = standIns.length === 1 ? `${standIns[0]} a stand-in` : `${standIns.join(", ")} stand-ins`;
  return `Verified by ${how.join(" and by ")}, with ${which} (the simulator answered for ${standIns.length === 1 ? "it" : "them"}; no C of ${standIns.length === 1 ? "it" : "theirs"} ran): not verified; give the type's C beside the spec (uffdkit verify) or check ${standIns.length === 1 ? "it" : "them"} by hand.`;
}

function citeOf(item: ChecklistItem): string[] {
  return [...item.sources.map((k) => SOURCES[k].cite), ...(item.cite ? [item.cite] : [])];
}

export function buildChecklist(lowered: Lowered, evidence: ChecklistEvidence = {}): Checklist {
  const model = lowered.model;
  const runs = [evidence.simulation, evidence.kernel].filter((r): r is SuiteResult => r !== undefined);
  // Scenario results count only with the suite they ran: the session passes both, or neither.
  const suite = evidence.suite;
  const items: ChecklistEntry[] = [];
  const notApplicable: { id: string; title: string; reason: string }[] = [];
  for (const item of CHECKLIST_ITEMS) {
    const applies = item.applies(model, lowered);
    if (applies !== true) {
      notApplicable.push({ id: item.id, title: item.title, reason: applies });
      continue;
    }
    const rules = rulesFor(item);
    const verifiedBy: Verification[] = [...ruleVerifications(model, rules, evidence.diagnostics), ...scenarioVerifications(rules, suite, runs)];
    if (item.id === "P01" && evidence.checkpatch) {
      const c = evidence.checkpatch;
      const bad = c.errors + c.warnings + (c.checks ?? 0);
      verifiedBy.push({ kind: "checkpatch", by: "checkpatch", result: bad === 0 ? "pass" : "fail", detail: `${c.errors} errors, ${c.warnings} warnings, ${c.checks ?? 0} checks` });
    }
    if (item.cPaths && evidence.c) verifiedBy.push(cVerification(evidence.c));
    verifiedBy.push(...exploreVerifications(concernIds(item), evidence.explore));
    // Simulator evidence that ran through a stand-in for one of the type's functions is not evidence about that C.
    const standIns = standInsFor(item, evidence.c);
    const onStandIns = verifiedBy.filter((v) => v.result === "pass" && restsOnSimulator(v) && standIns.length > 0);
    // "verified" needs evidence about the C (or the patch): a rule that passed on the spec alone is not that.
    const onTheC = verifiedBy.filter((v) => v.kind !== "rule" && v.result !== "not-applicable" && !onStandIns.includes(v));
    const warned = verifiedBy.some((v) => v.result === "warn");
    const status: ItemStatus = verifiedBy.some((v) => v.result === "fail") ? "fail" : !warned && onTheC.length > 0 && onTheC.every((v) => v.result === "pass") ? "pass" : "human";
    const rests = status === "human" && onStandIns.length > 0 ? standIns : [];
    items.push({
      id: item.id,
      group: item.group,
      title: item.title,
      check: item.check,
      sources: citeOf(item),
      rules,
      status,
      verifiedBy,
      ...(rests.length ? { standIns: rests } : {}),
      ...(status !== "pass" ? { human: rests.length ? `${standInNote(onStandIns, rests)} ${item.human}` : item.human } : {}),
    });
  }
  const counts: Record<ItemStatus, number> = { pass: 0, fail: 0, human: 0 };
  for (const i of items) counts[i.status]++;
  const base = { name: model.name, api: model.gen.id, items, notApplicable, counts };
  return { ...base, markdown: renderChecklist(base, evidence) };
}

const GROUP_TITLE: Record<ChecklistItem["group"], string> = {
  review: "Review findings (docs/rules.md)",
  seed: "Review remarks from the threads",
  process: "Submission",
};

/** Marks a warning's line apart from a failure's. */
function warningTag(v: Verification): string {
  return v.result === "warn" ? " (warning)" : "";
}

function summarizeBy(v: readonly Verification[]): string {
  const parts: string[] = [];
  const rules = v.filter((x) => x.kind === "rule");
  if (rules.length) parts.push(`rule ${rules.map((r) => `${r.by} ${r.result}`).join(", ")} (checked on the spec, not on the C)`);
  for (const c of v.filter((x) => x.kind === "c")) parts.push(`executed C ${c.result} (${c.detail})`);
  const na = v.filter((x) => x.kind === "scenario" && x.result === "not-applicable");
  if (na.length) parts.push(`${na.length} scenario${na.length > 1 ? "s" : ""} not applicable (${na[0]!.by}: ${na[0]!.detail ?? "the type lacks what it needs"})`);
  const sc = v.filter((x) => x.kind === "scenario" && x.result !== "not-applicable");
  if (sc.length) {
    const failed = sc.filter((s) => s.result === "fail");
    parts.push(
      failed.length
        ? `scenario ${failed.map((s) => `${s.by} fail`).join(", ")}`
        : `${sc.length} scenario run${sc.length > 1 ? "s" : ""} pass (${sc.slice(0, 3).map((s) => s.by).join(", ")}${sc.length > 3 ? ", ..." : ""})`,
    );
  }
  for (const c of v.filter((x) => x.kind === "checkpatch")) parts.push(`checkpatch ${c.result} (${c.detail})`);
  for (const e of v.filter((x) => x.kind === "explore")) parts.push(`interleaving exploration ${e.by.replace(/^explore:/, "")} ${e.result}${e.result === "pass" ? ` (${e.detail})` : ""}`);
  return parts.join("; ");
}

export function renderChecklist(c: Omit<Checklist, "markdown">, evidence: ChecklistEvidence = {}): string {
  const lines: string[] = [];
  lines.push(`# Review checklist: ${c.name} (${c.api})`, "");
  const ev: string[] = [];
  ev.push(evidence.diagnostics ? "rules: ran" : "rules: not run");
  const standIn = (r: SuiteResult | undefined) => {
    const on = [...new Set((r?.results ?? []).filter((x) => x.ranOn).map((x) => x.ranOn))];
    const n = (r?.results ?? []).filter((x) => x.ranOn).length;
    return n ? ` (${n} of them ran on ${on.join("; ")}: not counted as tests of ${c.name})` : "";
  };
  ev.push(evidence.simulation ? `simulator: ${evidence.simulation.results.length} scenarios${standIn(evidence.simulation)}` : "simulator: not run");
  ev.push(
    evidence.c
      ? evidence.c.executed
        ? `emitted C: executed (${evidence.c.branches!.executed}/${evidence.c.branches!.total} branches, ${evidence.c.contractFindings.length} contract violations)`
        : `emitted C: not executed (${(evidence.c.error ?? "").split("\n")[0]})`
      : "emitted C: not executed",
  );
  const standIns = (evidence.c?.typeFunctions ?? []).filter((t) => t.ran === "stand-in").map((t) => `${t.name}()`);
  if (standIns.length) ev.push(`type functions not verified (stand-ins answered by the simulator, no C given): ${standIns.join(", ")}`);
  const ranC = (evidence.c?.typeFunctions ?? []).filter((t) => t.ran === "c").map((t) => `${t.name}()`);
  if (ranC.length) ev.push(`type functions run as C: ${ranC.join(", ")}`);
  ev.push(evidence.kernel ? `kernel: ${evidence.kernel.results.length} scenarios${standIn(evidence.kernel)}` : "kernel: not run");
  ev.push(evidence.checkpatch ? "checkpatch: ran" : "checkpatch: not run");
  lines.push(
    `${c.items.length} items apply: ${c.counts.pass} verified by uffdkit, ${c.counts.fail} failed, ${c.counts.human} for a person to check.`,
    `Evidence used: ${ev.join("; ")}.`,
    ...(evidence.c?.sources?.length ? [`C it rests on: ${evidence.c.sources.map((x) => `${x.path} (sha256 ${x.sha256})`).join(", ")}.`] : []),
    "",
  );
  for (const group of ["review", "seed", "process"] as const) {
    const items = c.items.filter((i) => i.group === group);
    if (!items.length) continue;
    lines.push(`## ${GROUP_TITLE[group]}`, "");
    for (const i of items) {
      const box = i.status === "pass" ? "[x]" : "[ ]";
      const tag = i.status === "pass" ? "verified" : i.status === "fail" ? "**FAILED**" : i.standIns?.length ? `not verified (rests on stand-ins: ${i.standIns.join(", ")})` : "check by hand";
      lines.push(`- ${box} **${i.id}** ${i.title} — ${tag}`);
      lines.push(`  ${i.check}`);
      if (i.verifiedBy.length) lines.push(`  Verified by: ${summarizeBy(i.verifiedBy)}.`);
      for (const v of i.verifiedBy.filter((x) => (x.result === "fail" || x.result === "warn") && x.detail)) lines.push(`  - ${v.by}${warningTag(v)}: ${v.detail}`);
      if (i.human) lines.push(`  To check: ${i.human}`);
      if (i.standIns?.length) {
        // The "To check" line above says what the evidence rested on.
      } else if (i.status === "human" && i.verifiedBy.some((v) => v.kind === "rule" && v.result === "pass")) {
        lines.push("  Checked on the spec, not on the C: no scenario or execution of the emitted C settled it.");
      } else if (i.status === "human" && i.rules.length) lines.push(`  Related rules: ${i.rules.join(", ")} (no check or scenario of theirs settled it).`);
      lines.push(`  Source: ${i.sources.join("; ")}`);
    }
    lines.push("");
  }
  if (c.notApplicable.length) {
    lines.push("## Not applicable to this type", "");
    for (const n of c.notApplicable) lines.push(`- ${n.id} ${n.title}: ${n.reason}`);
    lines.push("");
  }
  return lines.join("\n");
}

/** The item and every item sharing its concern: one verdict per concern (items.ts, `concern`). */
function concernIds(item: ChecklistItem): string[] {
  if (!item.concern) return [item.id];
  return CHECKLIST_ITEMS.filter((i) => i.concern === item.concern).map((i) => i.id);
}

/**
 * A program explored for this item (or an item of its concern): pass when its search was exhaustive and
 * found no violation; fail with the shortest schedule when it found one. A
 * bounded search with no violation proves nothing and is not evidence.
 */
function exploreVerifications(ids: readonly string[], explore: ExploreEvidence | undefined): Verification[] {
  const out: Verification[] = [];
  for (const p of explore?.programs ?? []) {
    if (!p.checklist.some((id) => ids.includes(id))) continue;
    const v = p.violations[0];
    if (v) out.push({ kind: "explore", by: `explore:${p.name}`, result: "fail", detail: `${v.property}: ${v.message} (schedule: ${v.schedule.join(" → ")})` });
    else if (p.verdict === "exhaustive") out.push({ kind: "explore", by: `explore:${p.name}`, result: "pass", detail: `no violation in ${p.schedules} schedules, exhaustive` });
  }
  return out;
}
