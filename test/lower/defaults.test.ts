/**
 * Every default is decided once, in src/lower. The spec fields that have a
 * default are read raw only by the loader, the model and lower; every later
 * stage reads Lowered. This test scans the later stages' sources for a raw read
 * of such a field (through a model or spec) and for a restated default. It reads
 * text, so a read through a local alias (`const g = m.getFolio; g.lookup`) slips
 * past it; the Model's types (optional where the user may leave a field out)
 * are the other half of the guard.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lower, DEFAULT_GET_FOLIO } from "../../src/lower/index.js";
import { normalize } from "../../src/model/normalize.js";
import { checkModel } from "../../src/rules/index.js";
import { declaredTypeOf } from "../../src/plan/planner/declared.js";
import { ROOT, rankOf, sourceFiles } from "../architecture/graph.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";
import { lowerOf } from "../fixtures/lower.js";

/** Spec fields with a default, as a read through a model/spec would spell them. */
const DEFAULTED =
  /\b(?:model|m|spec)\??\.(?:fault\??\.(?:raise|eofFirst)|getFolio\??\.(?:lookup|locked|referenced|absent|putOnEarlyReturn|notUptodate)|copy\??\.(?:export|filemapAdd|filemapRemove|alloc\??\.(?:eofCheck|chargeMemcg))|guard\??\.granularity|run\??\.(?:gmemFlags|object|pages)|kvmUserfault\??\.userspaceStore|modular|module|wpMarkers|populateByWrite|series\??\.(?:version|rfc|coDevelopedBy|changelog))\b/;
/** Lowering's default tables, and the default values, restated with `??`. */
const RESTATED = /\bDEFAULT_(?:GET_FOLIO|COPY)\b|\?\?\s*"(?:page|release|core|zero-fill|missing|EXPORT_SYMBOL_FOR_[A-Z]+)"|eofFirst\s*\?\?/;

/** The stages after lower: everything that must read Lowered instead. */
const lowerRank = rankOf("lower/index.ts");
const consumers = sourceFiles().filter((f) => rankOf(f) > lowerRank);

/**
 * Reads of the written value that are meant, each with its reason: a rule about
 * what the user asked for, and the reference page that prints lower's own tables.
 */
const AS_WRITTEN: readonly { readonly file: string; readonly line: RegExp; readonly why: string }[] = [
  { file: "report/spec-reference.ts", line: /DEFAULT_(?:GET_FOLIO|COPY)/, why: "documents lower's default tables by reading them (restating them would be the bug)" },
  { file: "rules/catalogue/honour.ts", line: /m\.fault\?\.raise !== "handle_userfault"/, why: "R61 judges the request as written; lowering turns it into core for anon and hugetlb" },
  { file: "rules/catalogue/honour.ts", line: /const o = m\.run\.object;/, why: "S12 judges the object the spec wrote (syscall/file without what makes it)" },
];

function rawReads(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) =>
    (DEFAULTED.test(line) || RESTATED.test(line)) && !AS_WRITTEN.some((a) => a.file === file && a.line.test(line)) ? [`src/${file}:${i + 1}: ${line.trim()}`] : [],
  );
}

describe("spec defaults are decided in src/lower only", () => {
  it("scans the stages after lower", () => {
    expect(consumers).toContain("rules/catalogue/faults.ts");
    expect(consumers).toContain("run/sim/memory.ts");
    expect(consumers).toContain("series/commits.ts");
    expect(consumers).toContain("emit/kernel/view.ts");
    expect(consumers).not.toContain("lower/index.ts");
  });

  it("every as-written exception still names a line that exists (no stale allowance)", () => {
    for (const a of AS_WRITTEN) expect(readFileSync(join(ROOT, "src", a.file), "utf8").split("\n").some((l) => a.line.test(l)), `${a.file}: ${a.why}`).toBe(true);
  });

  it("no stage after lower reads a defaulted spec field raw or restates a default", () => {
    expect(consumers.flatMap((f) => rawReads(f, readFileSync(join(ROOT, "src", f), "utf8")))).toEqual([]);
  });

  it("the scan can fail: the reads this issue removed are found", () => {
    for (const line of [
      'const asked = d.fault?.raise ?? "core";',
      "eofFirst: model.fault?.eofFirst ?? true,",
      'const exp = cp?.export ?? model.copy?.export ?? "none";',
      "if (m.fault && m.fault.raise !== \"none\") {",
      'granularity: spec.guard.granularity ?? "page",',
      "const given = model.copy ?? DEFAULT_COPY;",
      "if (!m.run.gmemFlags.includes(\"mmap\"))",
      "if (m.getFolio?.notUptodate === \"missing\")",
      "lowered.raise === \"handle_userfault\" && m.fault && m.modular && !m.gen.handleUserfaultExported",
      "const module = cIdent(model.module, \"module\");",
      "m.modes.has(\"wp\") && m.backing !== \"anon\" && !m.wpMarkers",
      "if (t.model.populateByWrite && t.modes.includes(\"missing\")) {",
      "const n = t.model.run.pages;",
      "const version = opts.version ?? model.series.version;",
      "const rfc = opts.rfc ?? model.series.rfc;",
      "formatCommitMessage(c, me, model.series.coDevelopedBy)",
      "const history = [...info.model.series.changelog];",
    ]) {
      expect(rawReads("x.ts", line), line).toHaveLength(1);
    }
    expect(rawReads("x.ts", "const g = lowered.getFolio; low.eofFirst; lowered.declared.copy?.export")).toEqual([]);
    expect(rawReads("x.ts", "t.lowered.pages; low.modular; lowered.module; l.series.version; input.modular; model.series.title")).toEqual([]);
  });
});

/** A call of lower() (not a method, not a declaration): only src/lower and the session may lower. */
const LOWER_CALL = /(?<![\w.])lower\(/;
const MAY_LOWER = (f: string) => f.startsWith("lower/") || f.startsWith("session/");

function lowerCalls(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => (LOWER_CALL.test(line) && !/^\s*(?:\/\/|\*)/.test(line) ? [`src/${file}:${i + 1}: ${line.trim()}`] : []));
}

describe("nothing lowers but the session", () => {
  it("no src file outside src/lower and src/session calls lower()", () => {
    const others = sourceFiles().filter((f) => !MAY_LOWER(f));
    expect(others).toContain("emit/kernel/view.ts");
    expect(others.flatMap((f) => lowerCalls(f, readFileSync(join(ROOT, "src", f), "utf8")))).toEqual([]);
  });

  it("the scan can fail: a defaulted Lowered parameter is found", () => {
    expect(lowerCalls("x.ts", "export function planSuite(model: Model, lowered: Lowered = lower(model)): Suite {")).toHaveLength(1);
    expect(lowerCalls("x.ts", "const v = buildView(lowered); session.lower(x); lowerOf(m);")).toEqual([]);
  });
});

describe("the decisions themselves", () => {
  it("notUptodate defaults to zero-fill, which R40 accepts with MISSING and MINOR alike", () => {
    expect(DEFAULT_GET_FOLIO.notUptodate).toBe("zero-fill");
    const { getFolio: _g, ...noGetFolio } = GMEM_SPEC;
    const model = normalize({ ...noGetFolio, features: ["missing", "minor"] });
    const l = lower(model);
    expect(l.getFolio).toMatchObject({ notUptodate: "zero-fill", defaulted: true });
    expect(checkModel(l).filter((d) => d.id === "R40")).toEqual([]);
  });

  it("R40 judges the lowered get_folio: a declared 'missing' with MISSING is flagged", () => {
    const model = normalize({ ...GMEM_SPEC, getFolio: { strategy: "lookup", notUptodate: "missing" } });
    expect(checkModel(lowerOf(model)).filter((d) => d.id === "R40").map((d) => d.path)).toEqual(["getFolio.notUptodate"]);
  });

  it("the Model keeps what the user wrote; Lowered holds the defaults", () => {
    const spec = { ...GMEM_SPEC, guard: { shared: "kvm_gmem_is_shared_mem", at: "fault" as const }, copy: { alloc: { strategy: "mapping-gfp" as const } }, run: { kernelKind: "guest_memfd" as const } };
    const model = normalize(spec);
    expect(model.copy).toEqual({ alloc: { strategy: "mapping-gfp" } });
    expect(model.guard?.granularity).toBeUndefined();
    expect(model.run.gmemFlags).toBeUndefined();
    const l = lower(model);
    expect(l.guard?.granularity).toBe("page");
    expect(l.copy).toMatchObject({ export: "none", filemapAdd: "filemap_add_folio", filemapRemove: "filemap_remove_folio", alloc: { eofCheck: true, chargeMemcg: false } });
    expect(l.gmemFlags).toEqual(["mmap", "init_shared"]);
    expect(l.eofFirst).toBe(true);
    // The scenario file carries the decided values, so it means the same on its own.
    expect(declaredTypeOf(model, l).guard?.granularity).toBe("page");
  });

  it("modular, module, wpMarkers, populateByWrite, run.pages and series: the Model as written, Lowered decided", () => {
    const { series: _s, run: _r, modular: _m, ...bare } = GMEM_SPEC;
    const model = normalize(bare);
    for (const k of ["modular", "module", "wpMarkers", "populateByWrite"] as const) expect(model[k], k).toBeUndefined();
    expect(model.run.pages).toBeUndefined();
    expect(model.series).toEqual({});
    const l = lowerOf(model);
    expect(l).toMatchObject({ modular: false, module: "kvm", wpMarkers: false, populateByWrite: false, pages: 8 });
    expect(l.series).toEqual({ version: 1, rfc: false, coDevelopedBy: [], changelog: [] });
    // A type outside KVM is built into a module of its own name.
    expect(lowerOf(normalize({ ...bare, subsystem: "mm/xram", name: "xram" })).module).toBe("xram");
    const written = normalize({ ...bare, modular: true, module: "kvm_amd", wpMarkers: true, populateByWrite: true, run: { pages: 4 }, series: { version: 3, rfc: true } });
    expect(lowerOf(written)).toMatchObject({ modular: true, module: "kvm_amd", wpMarkers: true, populateByWrite: true, pages: 4, series: { version: 3, rfc: true, changelog: [] } });
  });

  it("why no event is raised is decided once: R55 and R56 read it, as the simulator does", () => {
    const core = normalize({ ...GMEM_SPEC, api: "linux-7.1", fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" } });
    expect(lower(core)).toMatchObject({ raise: "none", silent: "core-without-do-userfault" });
    expect(checkModel(lowerOf(core)).map((d) => d.id)).toContain("R55");
    const { fault: _f, ...noFault } = GMEM_SPEC;
    const none = normalize({ ...noFault, api: "linux-7.1" });
    expect(lower(none)).toMatchObject({ raise: "none", silent: "no-fault-block" });
    expect(checkModel(lowerOf(none)).map((d) => d.id)).toContain("R56");
    expect(checkModel(lowerOf(none)).map((d) => d.id)).not.toContain("R55");
  });
});
