import { describe, expect, it } from "vitest";
import { cProvenanceOf, typeFunctionLines } from "../../src/run/c/provenance.js";

const fns = [{ name: "my_guard", role: "guard-page" }];
const callbacks = { path: "my_uffd.c", text: "int x;\n" };
const typeC = { path: "my.uffd.c", text: "int my_guard(\n" };

/** A type C that was given but did not compile must never read as "not given". */
describe("type function lines", () => {
  it("say the given type C did not compile when it did not, and still not verified", () => {
    const e = cProvenanceOf(fns, { error: "my.uffd.c:1:14: error: expected parameter" }, callbacks, typeC);
    expect(e.typeFunctions).toEqual([{ name: "my_guard", role: "guard-page", ran: "stand-in", file: "my.uffd.c" }]);
    const [line] = typeFunctionLines(e);
    expect(line).toContain("the type C (my.uffd.c) did not compile");
    expect(line).toContain("not verified");
    expect(line).not.toContain("not given");
  });

  it("say the C was not given when no type C was", () => {
    const e = cProvenanceOf(fns, { error: "x" }, callbacks, undefined);
    expect(typeFunctionLines(e)).toEqual(["type function my_guard() (guard-page): a stand-in answered from the scenario; its C was not given, so it is not verified"]);
  });
});
