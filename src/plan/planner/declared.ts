import type { Model } from "../../model/model.js";
import type { DeclaredType } from "../../ir/scenario.js";

/**
 * The run-relevant part of a Model as plain data, for `setup.declared`: what the
 * simulator needs to run the type's callbacks as their declared strategies.
 * Normalized values (defaults filled in) are used where the Model has them, so a
 * scenario file read on its own means the same as the spec it came from.
 */
export function declaredTypeOf(model: Model): DeclaredType {
  const spec = model.spec;
  return {
    name: model.name,
    api: model.gen.id,
    backing: model.backing,
    modes: [...spec.features],
    ioctls: [...spec.ioctls],
    ...(model.getFolio ? { getFolio: { ...model.getFolio } } : {}),
    ...(model.copy ? { copy: { ...model.copy, alloc: { ...model.copy.alloc } } } : {}),
    ...(spec.guard
      ? {
          guard: {
            shared: spec.guard.shared,
            granularity: spec.guard.granularity ?? "page",
            at: Array.isArray(spec.guard.at) ? [...spec.guard.at] : spec.guard.at,
          },
        }
      : {}),
    ...(spec.fault ? { fault: { ...spec.fault } } : {}),
    wpMarkers: model.wpMarkers,
    ...(model.run.kernelKind ? { kernelKind: model.run.kernelKind } : {}),
  };
}
