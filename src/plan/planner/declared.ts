import type { Model } from "../../model/model.js";
import type { DeclaredC, DeclaredType } from "../../ir/scenario.js";
import { kernelFilePath, type Lowered } from "../../lower/index.js";

/** What the simulator's harness needs to run the emitted C (names come from the lowered form). */
export function declaredCOf(l: Lowered): DeclaredC {
  const cn = l.model.cnames;
  return {
    file: kernelFilePath(l.model.name, l.api),
    ops: cn.ops,
    ...(l.glue !== "none" ? { faultGlue: cn.faultGlue } : {}),
    typeFunctions: l.typeFunctions.map((t) => ({ name: t.name, proto: t.proto, role: t.role })),
    ...(l.copy?.alloc.strategy === "shared-policy" && l.copy.alloc.policy ? { infoFields: [l.copy.alloc.policy.field] } : {}),
  };
}

/**
 * The run-relevant part of a Model as plain data, for `setup.declared`: what the
 * simulator needs to run the type's callbacks as their declared strategies.
 * Lowered values (defaults filled in) are used, so a scenario file read on its
 * own means the same as the spec it came from.
 */
export function declaredTypeOf(model: Model, lowered: Lowered): DeclaredType {
  const spec = model.spec;
  return {
    raise: lowered.raise,
    ...(lowered.silent ? { silent: lowered.silent } : {}),
    c: declaredCOf(lowered),
    name: model.name,
    api: model.gen.id,
    backing: model.backing,
    modes: [...spec.features],
    ioctls: [...spec.ioctls],
    ...(lowered.declared.getFolio ? { getFolio: { ...lowered.declared.getFolio } } : {}),
    ...(lowered.declared.copy ? { copy: { ...lowered.declared.copy, alloc: { ...lowered.declared.copy.alloc } } } : {}),
    ...(spec.guard && lowered.guard
      ? {
          guard: {
            shared: spec.guard.shared,
            granularity: lowered.guard.granularity,
            at: Array.isArray(spec.guard.at) ? [...spec.guard.at] : spec.guard.at,
            // The re-check as lowering decided it (absent when it has no place).
            ...(lowered.window ? { recheck: { at: lowered.window.at, lock: lowered.window.lock, order: lowered.window.order } } : {}),
          },
        }
      : {}),
    ...(spec.fault ? { fault: { ...spec.fault } } : {}),
    wpMarkers: lowered.wpMarkers,
    ...(model.run.kernelKind ? { kernelKind: model.run.kernelKind } : {}),
    object: lowered.testObject,
    ...(lowered.kconfig ? { kconfig: kconfigLines(lowered.kconfig, lowered.modular) } : {}),
  };
}

/** CONFIG_<symbol>=m for a modular type on a tristate option, else =y; then the options it needs with it. */
function kconfigLines(k: NonNullable<Lowered["kconfig"]>, modular: boolean): string[] {
  return [`CONFIG_${k.symbol}=${modular && k.type === "tristate" ? "m" : "y"}`, ...k.also.map((a) => `CONFIG_${a}=y`)];
}
