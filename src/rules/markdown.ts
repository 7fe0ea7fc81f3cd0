/**
 * docs/rules.md, rendered from the catalogue so the two cannot drift apart
 * (test/rules/docs.test.ts compares them). Regenerate after a build with:
 *   node -e 'import("./dist/rules/markdown.js").then(m => process.stdout.write(m.renderRulesMarkdown()))' > docs/rules.md
 */
import { SOURCES, type SourceRef } from "../kernel/sources.js";
import { RULES } from "./index.js";
import type { Rule } from "./types.js";

const KIND_TITLE: Record<Rule["kind"], string> = {
  kernel: "Kernel rules",
  review: "Review findings (what reviewers asked of the vm_uffd_ops series)",
  spec: "Spec findings",
};

export function renderRulesMarkdown(): string {
  const out: string[] = [
    "# uffdkit rules",
    "",
    "<!-- Generated from src/rules/catalogue by src/rules/markdown.ts; do not edit by hand. -->",
    "",
    "`uffdkit check SPEC` judges every rule marked *judged by check* against the declaration;",
    "the others are predictions the simulator and the selftests exercise. `uffdkit explain ID`",
    "prints one entry.",
    "",
  ];
  for (const kind of ["kernel", "review", "spec"] as const) {
    const rules = RULES.filter((r) => r.kind === kind);
    out.push(`## ${KIND_TITLE[kind]}`, "", "| id | severity | title | applies | judged by check |", "|---|---|---|---|---|");
    for (const r of rules) out.push(`| [${r.id}](#${r.id.toLowerCase()}) | ${r.severity} | ${esc(r.title)} | ${esc(r.appliesNote ?? r.applies.join(", "))} | ${r.check ? "yes" : r.kind === "spec" ? "loader" : "no"} |`);
    out.push("");
    for (const r of rules) {
      out.push(`### ${r.id}`, "", `**${r.title}** (${r.severity})`, "");
      out.push(`- Condition: ${r.condition}`);
      out.push(`- Kernel: ${r.predicts}`);
      out.push(`- Applies to: ${r.applies.join(", ")}`);
      if (r.checklist?.length) out.push(`- Review checklist: ${r.checklist.map((n) => `C${String(n).padStart(2, "0")}`).join(", ")}`);
      out.push(`- Fix: ${r.fix}`);
      for (const k of r.sources) {
        const src: SourceRef = SOURCES[k];
        out.push(`- Source: ${src.cite} [${src.confidence}]${src.readAt ? `; read at: ${src.readAt}` : ""}`);
      }
      out.push("");
    }
  }
  return out.join("\n");
}

function esc(s: string): string {
  return s.replace(/\|/g, "\\|");
}
