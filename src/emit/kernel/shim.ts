/**
 * What the compile check needs around the generated code: a per-generation shim
 * header (Linux 6.12 predates struct vm_uffd_ops), prototypes of the type's own
 * functions, and one translation unit that type-checks every fragment,
 * including the hook initializer and the fault glue.
 */
import { GENERATIONS, type ApiGenerationId } from "../../kernel/generations.js";
import { changedHelpers, EXPORT_MACROS_AFTER_612 } from "../../kernel/helpers.js";
import { SOURCES } from "../../kernel/sources.js";
import type { Lowered } from "../../lower/index.js";
import { declaration, parsePrototype, pointerMember, tidyC, wrapCall } from "./format.js";
import { emitKernel } from "./index.js";
import { render } from "./templates.js";
import { buildView } from "./view.js";

/** templates/shim/<api>.h rendered: the generation's struct, the hook mirror, 6.12 compat. */
export function shimHeader(api: ApiGenerationId): string {
  const gen = GENERATIONS[api];
  const callbackMembers = gen.callbacks.map((c) => pointerMember(parsePrototype(c.prototype), c.member)).join("\n");
  return tidyC(
    render(`shim/${api}.h`, {
      api,
      opsType: gen.opsType,
      hookMember: gen.hookMember,
      featuresMember: gen.featuresMember ?? "",
      ioctlsMember: gen.ioctlsMember ?? "",
      callbackMembers,
      // The generation's changed helper prototypes, so the compile check does not accept 6.12's.
      helpersHeader: apiHelpersHeader(api).trimEnd(),
    }),
  );
}

/** Prototypes of the functions the spec names (helpers, guard, prepare, unaccount). */
export function typeStubs(lowered: Lowered): string {
  const v = buildView(lowered);
  const decls = v.typeFunctions.map((t) => declaration(parsePrototype(t.proto), t.name));
  // The type's inode info (GMEM_I(inode)->policy): only the fields the generated code takes.
  const info = v.typeInfo ? v.typeInfo.fields.map((f) => `\tstruct shared_policy ${f};`).join("\n") : "";
  return tidyC(render("shim/stubs.h", { decls, info }));
}

/** The whole translation unit for `make mm/<file>.o`. */
export function compileUnit(lowered: Lowered): string {
  const api = lowered.api;
  const v = buildView(lowered);
  const art = emitKernel(lowered);
  const f = art.fragments;
  return tidyC(
    render("shim/tu.c", {
      name: v.name,
      api,
      handler: f.faultGlue?.handler ?? `${v.name}_fault`,
      vmOps: v.vmOps,
      shim: shimHeader(api).trimEnd(),
      stubs: typeStubs(lowered).trimEnd(),
      includes: f.includes,
      ops: f.ops.trimEnd(),
      glueCode: f.faultGlue?.code ?? "",
      hook: f.hook,
      exports: f.exports,
    }),
  );
}

/**
 * The API header the series build check adds to a base that lacks the
 * generation (include/linux/uffdkit_api.h): struct vm_uffd_ops as the
 * generation declares it, from the generation table, with its sources.
 */
export function apiHeader(api: ApiGenerationId): string {
  const gen = GENERATIONS[api];
  const callbackMembers = gen.callbacks.map((c) => pointerMember(parsePrototype(c.prototype), c.member)).join("\n");
  return tidyC(
    render("shim/api.h", {
      api,
      title: gen.title,
      source: gen.sources.map((k) => commentLines(SOURCES[k].cite)).join("\n"),
      featuresMember: gen.featuresMember ?? "",
      ioctlsMember: gen.ioctlsMember ?? "",
      callbackMembers,
      // peterx-v1 spells the type as a typedef (vm_uffd_ops), the others as struct vm_uffd_ops.
      typedefOps: !gen.opsType.startsWith("struct "),
    }),
  );
}

/**
 * The helper prototypes of the generation that differ from 6.12, for
 * -include in the type's own object (include/linux/uffdkit_api_helpers.h).
 */
export function apiHelpersHeader(api: ApiGenerationId): string {
  const helpers = changedHelpers(api).map((h) => {
    const local = `uffdkit_api_${h.symbol}`;
    const proto = parsePrototype(h.changed);
    return {
      name: h.name,
      source: commentLines(SOURCES[h.source].cite),
      declaration: `${declaration(proto, local, "").replace(/;$/, "")}\n\t__asm__("${h.symbol}");`,
      // Without NUMA the base's symbol is an inline or a macro: nothing to bind to, so wrap its call.
      inline: `static inline ${proto.ret.trimEnd()}\n${wrapCall(local, proto.params.map((p) => p.text), "")}\n{\n\treturn ${h.base612Call.replace("NAME", h.symbol)};\n}`,
      expansion: h.allocHooks ? `alloc_hooks(${local}(__VA_ARGS__))` : `${local}(__VA_ARGS__)`,
    };
  });
  return tidyC(render("shim/api-helpers.h", { api, helpers }));
}

/** Export macros of later kernels, mapped to EXPORT_SYMBOL_GPL, for the end of 6.12's <linux/export.h>. */
export function apiExportsCompat(): string {
  return render("shim/api-exports.h", {
    macros: EXPORT_MACROS_AFTER_612.map((m) => ({ macro: m.macro, params: m.params, source: commentLines(`${m.macro}: ${SOURCES[m.source].cite}`) })),
  });
}

/** Text as the lines of a block comment (" * ..."), wrapped within 80 columns. */
function commentLines(text: string): string {
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(/\s+/)) {
    if (cur && cur.length + 1 + word.length > 76) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines.map((l) => ` * ${l}`).join("\n");
}
