import { describe, expect, it } from "vitest";
import { skipWith } from "../../src/emit/selftest/index.js";

/** checkpatch --strict's LONG_LINE_STRING: a string may pass 100 columns only on a line of its own. */
describe("a test body that only skips", () => {
  it("stays on one line when it fits in 100 columns (one tab in)", () => {
    expect(skipWith("short")).toEqual(['SKIP(return, "short");']);
  });

  it("puts a long message on its own line, aligned with the open parenthesis", () => {
    const why = "not applicable: needs fallocate(2), which xram does not support (run.ops does not list fallocate)";
    const lines = skipWith(why);
    expect(lines).toEqual(["SKIP(return,", `     ${JSON.stringify(why)});`]);
    expect(8 + lines[0]!.length).toBeLessThanOrEqual(100);
  });
});
