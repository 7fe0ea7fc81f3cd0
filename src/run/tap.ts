import type { SuiteResult } from "../ir/result.js";
import type { Suite } from "../ir/scenario.js";

/**
 * TAP 13 for a suite result, in the shape the kselftest harness prints, so the
 * simulator's report and the kernel's read the same way.
 */
export function formatTap(suite: SuiteResult, scenarios?: Suite): string {
  const simOnly = new Map((scenarios?.scenarios ?? []).filter((s) => s.simulatorOnly).map((s) => [s.name, s.simulatorOnly!]));
  const lines: string[] = ["TAP version 13", `1..${suite.results.length}`, `# ${suite.suite} on ${suite.runner}`];
  let n = 0;
  for (const r of suite.results) {
    n++;
    for (const s of r.steps) {
      lines.push(`# step ${s.index} ${s.op}: ${s.observed}${s.ok ? "" : ` (expected ${s.expected ?? "?"})`}`);
    }
    for (const f of r.findings ?? []) lines.push(`# finding at step ${f.step}${f.rule ? ` [${f.rule}]` : ""}: ${f.message}`);
    if (suite.runner === "sim" && simOnly.has(r.scenario)) lines.push(`# ${r.scenario}: simulator-only, not in the selftest C: ${simOnly.get(r.scenario)}`);
    // A run on a kind standing in for the type says so on its own line: never a test of the type.
    if (r.ranOn) lines.push(`# ${r.scenario}: ran on ${r.ranOn}`);
    switch (r.verdict) {
      case "pass":
        lines.push(`ok ${n} ${r.scenario}${r.ranOn ? ` # ran on ${r.ranOn}` : ""}`);
        break;
      case "lacks":
        // The reason names what the run observed (a call and its errno, a missing node): no blanket "kernel lacks".
        lines.push(`ok ${n} ${r.scenario} # SKIP ${r.reason ?? "skipped, no reason given"}`);
        break;
      case "not-applicable":
        lines.push(`ok ${n} ${r.scenario} # SKIP not applicable: ${r.reason ?? "the type lacks what it needs"}`);
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
  lines.push(`# Totals: pass:${count("pass")} fail:${count("fail")} skip:${count("lacks")} error:${count("error")} not-applicable:${count("not-applicable")}`);
  const standIn = suite.results.filter((r) => r.ranOn && r.verdict === "pass");
  if (standIn.length) lines.push(`# ${standIn.length} of the passes ran on ${[...new Set(standIn.map((r) => r.ranOn))].join("; ")}: not tests of the type`);
  return lines.join("\n") + "\n";
}
