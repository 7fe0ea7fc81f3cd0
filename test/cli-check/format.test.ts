import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { codeFrame, formatDiagnostics, summarize } from "../../src/diagnostics/format.js";

const SRC = ["export default {", '  features: ["missing", "minor"],', "\tname: \"x\",", "};"].join("\n");
const diag: Diagnostic = {
  id: "R12",
  severity: "error",
  message: "MINOR on anonymous memory",
  span: { file: "a.uffd.ts", line: 2, column: 25, endLine: 2, endColumn: 32 },
  hint: 'drop "minor"',
  predicts: "UFFDIO_REGISTER fails with -EINVAL",
};

describe("formatDiagnostics", () => {
  it("prints file:line:col, a frame with the span underlined, hint and kernel lines", () => {
    const text = formatDiagnostics([diag], { color: false, readSource: () => SRC });
    expect(text.split("\n")).toEqual([
      "a.uffd.ts:2:25: error R12: MINOR on anonymous memory",
      '  2 |   features: ["missing", "minor"],',
      "    |                         ^^^^^^^",
      '  hint: drop "minor"',
      "  kernel: UFFDIO_REGISTER fails with -EINVAL",
    ]);
  });

  it("keeps tabs in the caret lead-in so carets line up under tab-indented code", () => {
    const frame = codeFrame(SRC.split("\n"), { line: 3, column: 8, endLine: 3, endColumn: 11 })!;
    expect(frame.split("\n")[1]).toBe("    | \t      ^^^");
  });

  it("uses colour only when asked", () => {
    expect(formatDiagnostics([diag], { color: false, readSource: () => SRC })).not.toMatch(/\x1b\[/);
    expect(formatDiagnostics([diag], { color: true, readSource: () => SRC })).toMatch(/\x1b\[1;31merror/);
  });

  it("prints diagnostics without a span or without a readable source without a frame", () => {
    const noSpan: Diagnostic = { id: "LOAD", severity: "error", message: "cannot read x: no such file" };
    expect(formatDiagnostics([noSpan], { color: false })).toBe("error LOAD: cannot read x: no such file");
    expect(formatDiagnostics([diag], { color: false, readSource: () => undefined }).split("\n")[1]).toBe('  hint: drop "minor"');
  });

  it("summarizes counts", () => {
    expect(summarize([])).toBe("no findings");
    expect(summarize([diag, diag, { ...diag, severity: "warning" }])).toBe("2 errors, 1 warning");
    expect(summarize([{ ...diag, severity: "info" }])).toBe("0 errors, 0 warnings, 1 note");
  });
});
