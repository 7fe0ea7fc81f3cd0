import { describe, expect, it } from "vitest";
import { validateShape } from "../../src/load/shape.js";
import { didYouMean, levenshtein } from "../../src/load/suggest.js";

const base = {
  name: "t",
  subsystem: "mm/t",
  file: "mm/t.c",
  vmOps: "t_vm_ops",
  backing: "pagecache",
  api: "linux-7.1+gmem",
  features: ["missing"],
  ioctls: ["copy"],
};
const shape = (value: unknown) => validateShape({ value, file: "t.uffd.ts", spanAt: () => undefined, keySpanAt: () => undefined });

describe("validateShape", () => {
  it("accepts a minimal spec unchanged", () => {
    const r = shape(base);
    expect(r).toMatchObject({ fatal: false, diagnostics: [] });
    expect(r.spec).toEqual(base);
  });

  it("requires the required fields (fatal S04)", () => {
    const { file: _drop, ...rest } = base;
    void _drop;
    const r = shape(rest);
    expect(r.fatal).toBe(true);
    expect(r.diagnostics[0]).toMatchObject({ id: "S04", path: "file" });
  });

  it("rejects a default export that is not an object", () => {
    expect(shape(() => 1).diagnostics[0]!.message).toMatch(/must be an object .* not a function/);
  });

  it("checks nested objects, one-or-many and integer fields", () => {
    expect(shape({ ...base, guard: { shared: "g", at: ["fault", "register"] } }).spec?.guard?.at).toEqual(["fault", "register"]);
    expect(shape({ ...base, guard: { shared: "g", at: "later" } }).diagnostics[0]).toMatchObject({ id: "S02", path: "guard.at" });
    expect(shape({ ...base, run: { pages: 1.5 } }).fatal).toBe(true);
    expect(shape({ ...base, copy: { alloc: { strategy: "mapping-gfp", helpr: "x" } } }).diagnostics[0]).toMatchObject({ id: "S01", path: "copy.alloc.helpr", hint: "did you mean `helper`?" });
  });

  it("flags every C-name field that is not a C identifier (S03)", () => {
    const r = shape({ ...base, fault: { handler: "f(x)", raise: "core" }, guard: { shared: "int", at: "fault" }, copy: { alloc: { strategy: "helper", helper: "1st" }, prepare: "a b", unaccount: "ok_fn" } });
    expect(r.diagnostics.filter((d) => d.id === "S03").map((d) => d.path).sort()).toEqual(["copy.alloc.helper", "copy.prepare", "fault.handler", "guard.shared"]);
    expect(r.spec).toBeDefined();
  });
});

describe("did-you-mean", () => {
  it("measures edit distance", () => {
    expect(levenshtein("cotinue", "continue")).toBe(1);
    expect(levenshtein("", "abc")).toBe(3);
  });
  it("suggests only close candidates", () => {
    expect(didYouMean("mising", ["missing", "minor", "wp"])).toBe("missing");
    expect(didYouMean("linux-7.2", ["peterx-v1", "peterx-v4", "linux-7.1", "linux-7.1+gmem"])).toBe("linux-7.1");
    expect(didYouMean("zzzzzz", ["missing", "minor"])).toBeUndefined();
  });
});
