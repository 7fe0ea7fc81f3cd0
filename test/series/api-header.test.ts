/**
 * The API header the series build uses in place of a missing prerequisite,
 * held against the generation table and the helper facts, and the facts'
 * 6.12 prototypes held against linux-source-6.12's own headers.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { apiHeader, apiHelpersHeader } from "../../src/emit/kernel/shim.js";
import { API_GENERATIONS, GENERATIONS } from "../../src/kernel/generations.js";
import { CHANGED_HELPERS, changedHelpers } from "../../src/kernel/helpers.js";
import { SOURCES } from "../../src/kernel/sources.js";
import { loadCParser, type Node } from "../../src/series/c-syntax.js";
import { ROOT } from "./ktree.js";

const parser = await loadCParser();

/** A prototype's parameter types, whitespace-normalized, names dropped. */
function paramTypes(params: Node): string[] {
  return params.namedChildren.flatMap((p) => {
    if (!p || p.type !== "parameter_declaration") return [];
    const decl = p.childForFieldName("declarator");
    const stars = decl?.type === "pointer_declarator" ? "*" : "";
    return [`${p.childForFieldName("type")!.text}${stars}`.replace(/\s+/g, " ")];
  });
}

/** The parameter list of the first declaration of `name` in C text (prototype or function-pointer member). */
function declaredParams(text: string, name: string): string[] | undefined {
  const root = parser.parse(text).rootNode;
  const fd = root.descendantsOfType("function_declarator").find((d) => {
    const inner = d?.childForFieldName("declarator");
    const id = inner?.type === "parenthesized_declarator" ? inner.descendantsOfType(["identifier", "field_identifier"])[0] : inner;
    return id?.text === name;
  });
  return fd ? paramTypes(fd.childForFieldName("parameters")!) : undefined;
}

function protoParams(proto: string): string[] {
  return declaredParams(`${proto.replace("NAME", "f")};`, "f")!;
}

describe("the per-generation API header", () => {
  it.each([...API_GENERATIONS])("%s: struct vm_uffd_ops has exactly the generation's members, with its prototypes", (api) => {
    const gen = GENERATIONS[api];
    const header = apiHeader(api);
    const root = parser.parse(header).rootNode;
    const ops = root.descendantsOfType("struct_specifier").find((s) => s?.childForFieldName("name")?.text === "vm_uffd_ops" && s.childForFieldName("body"))!;
    const members = ops.childForFieldName("body")!.descendantsOfType("field_identifier").map((f) => f!.text);
    expect(members).toEqual([...(gen.featuresMember ? [gen.featuresMember] : []), ...(gen.ioctlsMember ? [gen.ioctlsMember] : []), ...gen.callbacks.map((c) => c.member)]);
    for (const c of gen.callbacks) expect(declaredParams(header, c.member), c.member).toEqual(protoParams(c.prototype));
    expect(header.includes("typedef struct vm_uffd_ops vm_uffd_ops;")).toBe(!gen.opsType.startsWith("struct "));
    // Every source of the generation is cited.
    const flat = header.replace(/\s*\n \*\s*/g, " ");
    for (const k of gen.sources) expect(flat).toContain(SOURCES[k].cite);
  });

  it.each([...API_GENERATIONS])("%s: the helpers header declares exactly the changed helpers, bound to the base's symbols", (api) => {
    const header = apiHelpersHeader(api);
    const want = changedHelpers(api);
    expect([...header.matchAll(/^#define (\w+)\(\.\.\.\)/gm)].map((m) => m[1])).toEqual(want.map((h) => h.name));
    for (const h of want) {
      expect(declaredParams(header, `uffdkit_api_${h.symbol}`), h.name).toEqual(protoParams(h.changed));
      expect(header).toContain(`__asm__("${h.symbol}")`);
      // Without NUMA 6.12 has no out-of-line symbol to bind to: an inline makes the 6.12 call.
      expect(header).toContain(`#else\nstatic inline ${parseRet(h.changed)}\nuffdkit_api_${h.symbol}(`);
      expect(header).toContain(`\treturn ${h.base612Call.replace("NAME", h.symbol)};\n}\n#endif\n#undef ${h.name}\n`);
    }
    if (want.length) expect(header.match(/^#ifdef CONFIG_NUMA$/gm)!.length).toBe(want.length);
  });
});

/** "struct folio *NAME(...)" → "struct folio *". */
function parseRet(proto: string): string {
  return proto.slice(0, proto.indexOf("NAME")).trimEnd();
}

describe("the helper facts against linux-source-6.12", () => {
  const ksrc = spawnSync("bash", [join(ROOT, "scripts/kernel-src.sh"), "path"], { encoding: "utf8" });
  it.each(CHANGED_HELPERS.map((h) => [h.name, h] as const))("%s: 6.12 declares the prototype the facts say it does, and it differs from the changed one", (_, h) => {
    if (ksrc.status !== 0) throw new Error("linux-source-6.12 is not extracted: run scripts/setup.sh");
    const headers = ["include/linux/gfp.h", "include/linux/pagemap.h"].map((p) => readFileSync(join(ksrc.stdout.trim(), p), "utf8")).join("\n");
    expect(protoParams(h.base612).length).toBeGreaterThan(1);
    // The !NUMA call passes 6.12's arguments: one per parameter of its prototype.
    expect(h.base612Call.slice(h.base612Call.indexOf("(") + 1, -1).split(",").length).toBe(protoParams(h.base612).length);
    expect(declaredParams(headers, h.symbol)).toEqual(protoParams(h.base612));
    expect(protoParams(h.changed)).not.toEqual(protoParams(h.base612));
  });
});
