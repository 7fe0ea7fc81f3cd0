/**
 * The rule catalogue and the checker. `checkModel` runs every judgeable rule that
 * applies to the model's API generation and points each finding at the spec
 * value it is about.
 */
import { spanOf, type Diagnostic } from "../diagnostics/diagnostic.js";
import { SOURCES } from "../kernel/sources.js";
import { didYouMean } from "../load/suggest.js";
import type { Lowered } from "../lower/index.js";
import { CONTRACT_RULES } from "./catalogue/contract.js";
import { FAULT_RULES } from "./catalogue/faults.js";
import { IOCTL_RULES } from "./catalogue/ioctls.js";
import { REGISTRATION_RULES } from "./catalogue/registration.js";
import { REVIEW_RULES } from "./catalogue/review.js";
import { SPEC_RULES } from "./catalogue/spec.js";
import { LOWERED_RULES } from "./catalogue/lowered.js";
import { HONOUR_RULES } from "./catalogue/honour.js";
import type { Rule } from "./types.js";

export type { Finding, Rule, RuleKind } from "./types.js";
export { modesDeducedFromIoctls } from "./catalogue/contract.js";

export const RULES: readonly Rule[] = [
  ...REGISTRATION_RULES,
  ...IOCTL_RULES,
  ...FAULT_RULES,
  ...REVIEW_RULES,
  ...CONTRACT_RULES,
  ...SPEC_RULES,
  ...LOWERED_RULES,
  ...HONOUR_RULES,
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

/** A rule by id, case-insensitive ("r12" finds R12). */
export function findRule(id: string): Rule | undefined {
  return BY_ID.get(id.trim().toUpperCase());
}

/** The closest rule id to a mistyped one ("R012" → R12). */
export function suggestRule(id: string): string | undefined {
  const normalized = id.trim().toUpperCase().replace(/^([RS])0+(\d)/, "$1$2");
  if (BY_ID.has(normalized)) return normalized;
  return didYouMean(id.trim().toUpperCase(), [...BY_ID.keys()]);
}

/** The citation lines of a rule's sources. */
export function citations(rule: Rule): string[] {
  return rule.sources.map((k) => SOURCES[k].cite);
}

/**
 * Run every rule that applies to the model's generation. The rules judge the
 * lowered form (every default decided) and the model it was lowered from: the
 * session passes the one lowering it keeps.
 */
export function checkModel(lowered: Lowered): Diagnostic[] {
  const model = lowered.model;
  const out: Diagnostic[] = [];
  for (const rule of RULES) {
    if (!rule.check || !rule.applies.includes(model.gen.id)) continue;
    for (const f of rule.check(model, lowered)) {
      const span = spanOf(model.positions, f.path);
      const source = citations(rule).join("; ");
      out.push({
        id: rule.id,
        severity: f.severity ?? rule.severity,
        message: f.message,
        path: f.path,
        ...(span ? { span } : {}),
        hint: f.hint ?? rule.fix,
        predicts: rule.predicts,
        ...(source ? { source } : {}),
      });
    }
  }
  return out.sort(byPosition);
}

/** Source order, so findings read top to bottom like the file. */
function byPosition(a: Diagnostic, b: Diagnostic): number {
  const la = a.span?.line ?? 0;
  const lb = b.span?.line ?? 0;
  return la - lb || (a.span?.column ?? 0) - (b.span?.column ?? 0) || a.id.localeCompare(b.id);
}
