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
    }
  });
});

describe("the helper facts against linux-source-6.12", () => {
  const ksrc = spawnSync("bash", [join(ROOT, "scripts/kernel-src.sh"), "path"], { encoding: "utf8" });
  it.each(CHANGED_HELPERS.map((h) => [h.name, h] as const))("%s: 6.12 declares the prototype the facts say it does, and it differs from the changed one", (_, h) => {
    if (ksrc.status !== 0) throw new Error("linux-source-6.12 is not extracted: run scripts/setup.sh");
    const headers = ["include/linux/gfp.h", "include/linux/pagemap.h"].map((p) => readFileSync(join(ksrc.stdout.trim(), p), "utf8")).join("\n");
    expect(protoParams(h.base612).length).toBeGreaterThan(1);
    expect(declaredParams(headers, h.symbol)).toEqual(protoParams(h.base612));
    expect(protoParams(h.changed)).not.toEqual(protoParams(h.base612));
  });
});
