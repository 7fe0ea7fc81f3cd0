/**
 * A rule of the catalogue. Rules are data first: explain prints them, the
 * planner and the simulator cite them by id, docs/rules.md is rendered from
 * them. A rule that can be judged from a declaration also carries a check.
 */
import type { Severity } from "../diagnostics/diagnostic.js";
import { API_GENERATIONS, type ApiGenerationId } from "../kernel/generations.js";
import type { SourceKey } from "../kernel/sources.js";
import type { Model } from "../model/model.js";
import type { Lowered } from "../lower/index.js";

export type RuleKind = "kernel" | "review" | "spec";

/** One thing a check found, about one spec path. */
export interface Finding {
  /** Dotted spec path ("features.1", "getFolio.lookup"); its span is where the diagnostic points. */
  readonly path: string;
  readonly message: string;
  /** Overrides the rule's severity for this finding (e.g. a milder variant). */
  readonly severity?: Severity;
  /** Overrides the rule's fix for this finding. */
  readonly hint?: string;
}

export interface Rule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly kind: RuleKind;
  /** The condition on the declaration (or at run time), in words. */
  readonly condition: string;
  /** What the kernel does: errno, signal, crash, link failure. */
  readonly predicts: string;
  /** API generations the rule applies to. */
  readonly applies: readonly ApiGenerationId[];
  /** How the applicability is tagged ("7.1", "all", "P", ...). */
  readonly appliesNote?: string;
  readonly sources: readonly SourceKey[];
  /** Items of the review checklist (C01–C22, src/report/checklist/items.ts) the rule stands for, by number. */
  readonly checklist?: readonly number[];
  /** Can it be judged from a declaration? Non-judgeable rules are predicted by the simulator and tests. */
  readonly judgeable: boolean;
  /** Judges the declaration; defaults are read from `lowered` (src/lower decides them), never restated. */
  readonly check?: (model: Model, lowered: Lowered) => Finding[];
  readonly fix: string;
}

export const ALL_GENS: readonly ApiGenerationId[] = API_GENERATIONS;
export const GENS_71: readonly ApiGenerationId[] = ["linux-7.1", "linux-7.1+gmem"];
export const GENS_PENDING: readonly ApiGenerationId[] = ["linux-7.1+gmem"];

/** Path of a value in a spec list, e.g. `features.1` for "minor"; the list itself when absent. */
export function listPath(model: Model, list: "features" | "ioctls", value: string): string {
  const i = (model.spec[list] as readonly string[]).indexOf(value);
  return i >= 0 ? `${list}.${i}` : list;
}

/** The member name a generation gives a callback role, for messages. */
export function memberName(model: Model, role: string, fallback: string): string {
  return model.gen.callbacks.find((c) => c.role === role)?.member ?? fallback;
}
