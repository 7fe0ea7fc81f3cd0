/**
 * What the compile check needs around the generated code: a per-generation shim
 * header (Linux 6.12 predates struct vm_uffd_ops), prototypes of the type's own
 * functions, and one translation unit that type-checks every fragment,
 * including the hook initializer and the fault glue.
 */
import { GENERATIONS, type ApiGenerationId } from "../../kernel/generations.js";
import type { Model } from "../../model/model.js";
import { declaration, parsePrototype, pointerMember, tidyC } from "./format.js";
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
    }),
  );
}

/** Prototypes of the functions the spec names (helpers, guard, prepare, unaccount). */
export function typeStubs(model: Model, api: ApiGenerationId = model.gen.id): string {
  const v = buildView(model, api);
  const decls = v.typeFunctions.map((t) => declaration(parsePrototype(t.proto), t.name));
  return tidyC(render("shim/stubs.h", { decls }));
}

/** The whole translation unit for `make mm/<file>.o`. */
export function compileUnit(model: Model, api: ApiGenerationId = model.gen.id): string {
  const v = buildView(model, api);
  const art = emitKernel(model, api);
  const f = art.fragments;
  return tidyC(
    render("shim/tu.c", {
      name: v.name,
      api,
      handler: f.faultGlue?.handler ?? `${v.name}_fault`,
      vmOps: v.vmOps,
      shim: shimHeader(api).trimEnd(),
      stubs: typeStubs(model, api).trimEnd(),
      includes: f.includes,
      ops: f.ops.trimEnd(),
      glueCode: f.faultGlue?.code ?? "",
      hook: f.hook,
      exports: f.exports,
    }),
  );
}
