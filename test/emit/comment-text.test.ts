import { describe, expect, it } from "vitest";
import { cCommentText, UnsafeCommentTextError } from "../../src/emit/template-store.js";

describe("cCommentText: text inside a C block comment", () => {
  it("cannot close or open a comment", () => {
    expect(cCommentText('x.c */ #include "evil.h" /* y', "file")).toBe('x.c * / #include "evil.h" / * y');
    expect(cCommentText("mm/shmem.c", "file")).toBe("mm/shmem.c");
  });

  it("refuses line breaks and control characters instead of guessing", () => {
    for (const bad of ["a\nb", "a\rb", "a\u2028b", "a\u001b[2Jb", "a\u0000b"]) {
      expect(() => cCommentText(bad, "file")).toThrow(UnsafeCommentTextError);
    }
  });
});
