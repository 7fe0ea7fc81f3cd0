import type { SuiteResult } from "../ir/result.js";

/**
 * TAP 13 for a suite result, in the shape the kselftest harness prints, so the
 * simulator's report and the kernel's read the same way.
 */
export function formatTap(suite: SuiteResult): string {
  const lines: string[] = ["TAP version 13", `1..${suite.results.length}`, `# ${suite.suite} on ${suite.runner}`];
  let n = 0;
  for (const r of suite.results) {
    n++;
    for (const s of r.steps) {
      lines.push(`# step ${s.index} ${s.op}: ${s.observed}${s.ok ? "" : ` (expected ${s.expected ?? "?"})`}`);
    }
    for (const f of r.findings ?? []) lines.push(`# finding at step ${f.step}${f.rule ? ` [${f.rule}]` : ""}: ${f.message}`);
    switch (r.verdict) {
      case "pass":
        lines.push(`ok ${n} ${r.scenario}`);
        break;
      case "lacks":
        lines.push(`ok ${n} ${r.scenario} # SKIP kernel lacks this: ${r.reason ?? "unknown"}`);
        break;
      case "fail":
        lines.push(`not ok ${n} ${r.scenario}${r.reason ? ` # ${r.reason}` : ""}`);
        break;
      case "error":
        lines.push(`not ok ${n} ${r.scenario} # ERROR ${r.reason ?? ""}`);
        break;
    }
  }
  const count = (v: string) => suite.results.filter((r) => r.verdict === v).length;
  lines.push(`# Totals: pass:${count("pass")} fail:${count("fail")} skip:${count("lacks")} error:${count("error")}`);
  return lines.join("\n") + "\n";
}
