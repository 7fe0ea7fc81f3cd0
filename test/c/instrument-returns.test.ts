/**
 * Every `return` of the C is instrumented so a finding about what a callback
 * left behind can name the return it left by: `return X;` becomes
 * `{ __auto_type uk_ret_v = (X); UK_RET(id); return uk_ret_v; }`, one
 * statement still, with every line number the file's own
 * (src/run/c/instrument.ts).
 */
import { describe, expect, it } from "vitest";
import { instrumentBranches } from "../../src/run/c/instrument.js";

const SRC = [
  "static int f(int a, int b)", // 1
  "{", // 2
  "\tif (a)", // 3
  "\t\treturn g(a,", // 4
  "\t\t\t b);", // 5
  "\telse", // 6
  "\t\treturn -1; /* ; in a comment */", // 7
  "\tswitch (b) {", // 8
  "\tcase 1: return h(\";\");", // 9
  "\t}", // 10
  "\tif (b > 2)", // 11
  "\t\treturn 0;", // 12
  "out:", // 13
  "\treturn a;", // 14
  "}", // 15
  "static void v(void)", // 16
  "{", // 17
  "\tif (x)", // 18
  "\t\treturn;", // 19
  "}", // 20
].join("\n");

describe("return instrumentation", () => {
  const out = instrumentBranches(SRC, "f.c", 0, undefined, 7);

  it("records each return with its line and function, ids from the first given", () => {
    expect(out.returns.map((r) => [r.id, r.line, r.fn])).toEqual([
      [7, 4, "f"],
      [8, 7, "f"],
      [9, 9, "f"],
      [10, 12, "f"],
      [11, 14, "f"],
      [12, 19, "v"],
    ]);
  });

  it("wraps each return in braces, so `if (c) return X; else` keeps its meaning, and a return across lines stays whole", () => {
    // The value is taken before the mark, so a helper the expression calls cannot leave its own return as the last.
    expect(out.text).toContain("{ __auto_type uk_ret_v = ( g(a,\n\t\t\t b)); UK_RET(7); return uk_ret_v; }");
    expect(out.text).toContain("{ __auto_type uk_ret_v = ( -1); UK_RET(8); return uk_ret_v; }");
    expect(out.text).toContain('case 1: { __auto_type uk_ret_v = ( h(";")); UK_RET(9); return uk_ret_v; }');
    expect(out.text).toContain("{ UK_RET(12); return; }");
  });

  it("keeps every line number: the branch after a two-line return is still at its own line", () => {
    const ifAt = out.sites.filter((s) => s.keyword === "if").map((s) => s.line);
    expect(ifAt).toEqual([3, 11, 18]);
    // Same number of lines as the source, after the #line directive.
    expect(out.text.split("\n").length).toBe(SRC.split("\n").length + 1);
  });
});
