import { describe, expect, it } from "vitest";
import { codeFrame, FRAME_WIDTH, formatDiagnostics } from "../../src/diagnostics/format.js";

describe("formatting hostile findings", () => {
  it("shows control characters in messages as escapes: no forged lines, no terminal sequences", () => {
    const out = formatDiagnostics(
      [{ id: "S01", severity: "error", message: "unknown field `a\u001b[2Jb\nerror R99: forged`", hint: "x\ry" }],
      { color: false, readSource: () => undefined },
    );
    expect(out).not.toMatch(/\u001b|\r/);
    expect(out.split("\n")).toHaveLength(2);
    expect(out).toContain("a\\u001b[2Jb\\u000aerror R99: forged");
  });

  it("prints a window of a long line around the span, caret under the span", () => {
    const line = `${"x: 1, ".repeat(5000)}bad: 2, ${"y: 3, ".repeat(5000)}`;
    const col = line.indexOf("bad") + 1;
    const frame = codeFrame([line], { line: 1, column: col, endLine: 1, endColumn: col + 3 })!;
    const [text, carets] = frame.split("\n") as [string, string];
    expect(text.length).toBeLessThan(FRAME_WIDTH + 20);
    expect(text).toContain("bad: 2");
    // The caret sits under "bad" in the window.
    expect(carets.indexOf("^")).toBe(text.indexOf("bad"));
    expect(carets.replace(/[^^]/g, "")).toBe("^^^");
  });

  it("prints a short line whole", () => {
    const frame = codeFrame(['  features: ["mnior"],'], { line: 1, column: 14, endLine: 1, endColumn: 21 })!;
    expect(frame.split("\n")[0]).toBe('  1 |   features: ["mnior"],');
  });
});
