/**
 * `uffdkit explain RULE [--json]`: print a rule's catalogue entry. Exit 2 for an
 * unknown id, with the closest known one.
 */
import { SOURCES, type SourceRef } from "../../kernel/sources.js";
import { citations, findRule, RULES, suggestRule, type Rule } from "../../rules/index.js";
import { EXIT, type CliIO } from "../io.js";

export async function run(io: CliIO, args: string[]): Promise<number> {
  const id = args[0] ?? "";
  const rule = findRule(id);
  if (!rule) {
    const guess = suggestRule(id);
    const msg = `uffdkit explain: unknown rule ${JSON.stringify(id)}${guess ? `; did you mean ${guess}?` : ""} (known: ${ranges()})`;
    if (io.json) io.emitJson({ error: msg, ...(guess ? { suggestion: guess } : {}) });
    io.err(msg);
    return EXIT.usage;
  }
  if (io.json) {
    io.emitJson(ruleAsJson(rule));
    return EXIT.ok;
  }
  io.out(renderRule(rule));
  return EXIT.ok;
}

/** "R01–R57, S01–S04": the id ranges of the catalogue. */
function ranges(): string {
  const groups = new Map<string, string[]>();
  for (const r of RULES) groups.set(r.id[0]!, [...(groups.get(r.id[0]!) ?? []), r.id]);
  return [...groups.values()].map((ids) => `${ids[0]}–${ids[ids.length - 1]}`).join(", ");
}

/** The entry without its check function, with citations resolved. */
export function ruleAsJson(rule: Rule): Record<string, unknown> {
  const { check: _check, ...data } = rule;
  void _check;
  return { ...data, sources: rule.sources.map((k) => ({ key: k, ...SOURCES[k] })) };
}

export function renderRule(rule: Rule): string {
  const kind = { kernel: "kernel rule", review: "review finding", spec: "spec finding" }[rule.kind];
  const lines = [
    `${rule.id}  ${rule.title}`,
    "",
    `severity:   ${rule.severity} (${kind})`,
    `applies to: ${rule.applies.join(", ")}${rule.appliesNote ? ` — ${rule.appliesNote}` : ""}`,
    `condition:  ${rule.condition}`,
    `kernel:     ${rule.predicts}`,
    `check:      ${rule.check ? "judged from the declaration by `uffdkit check`" : rule.kind === "spec" ? "judged by the spec loader" : "not judgeable from a declaration: the simulator and the selftests predict it"}`,
  ];
  if (rule.checklist?.length) lines.push(`review:     checklist ${rule.checklist.map((n) => `C${String(n).padStart(2, "0")}`).join(", ")}`);
  lines.push(`fix:        ${rule.fix}`);
  const cites = citations(rule);
  if (cites.length) {
    lines.push("source:");
    rule.sources.forEach((k, i) => {
      const src: SourceRef = SOURCES[k];
      lines.push(`  - ${cites[i]} [${src.confidence}]`);
      if (src.readAt) lines.push(`    read at: ${src.readAt}`);
    });
  }
  return lines.join("\n");
}
