import { GENERATIONS } from "../kernel/generations.js";
import type { PositionMap } from "../diagnostics/diagnostic.js";
import type { GuardPoint, MemoryTypeSpec } from "../spec/types.js";
import type { CNames, GuardCheckPoint, GuardModel, Model } from "./model.js";

/**
 * Spec → Model. Assumes the spec passed shape validation (types and enums are
 * right); semantic problems are the rules' business, so normalize never refuses.
 */
export function normalize(spec: MemoryTypeSpec, opts: { file?: string; positions?: PositionMap } = {}): Model {
  return {
    spec,
    file: opts.file ?? "<inline>",
    positions: opts.positions ?? new Map(),
    name: spec.name,
    subsystem: spec.subsystem,
    targetFile: spec.file,
    ...(spec.vmOps !== undefined ? { vmOps: spec.vmOps } : {}),
    backing: spec.backing,
    ...(spec.modular !== undefined ? { modular: spec.modular } : {}),
    ...(spec.module !== undefined ? { module: spec.module } : {}),
    gen: GENERATIONS[spec.api],
    modes: new Set(spec.features),
    ioctls: new Set(spec.ioctls),
    ...(spec.getFolio ? { getFolio: spec.getFolio } : {}),
    ...(spec.copy ? { copy: spec.copy } : {}),
    ...(spec.guard ? { guard: normalizeGuard(spec.guard) } : {}),
    ...(spec.fault ? { fault: spec.fault } : {}),
    ...(spec.wpMarkers !== undefined ? { wpMarkers: spec.wpMarkers } : {}),
    ...(spec.populateByWrite !== undefined ? { populateByWrite: spec.populateByWrite } : {}),
    ...(spec.kvmUserfault ? { kvmUserfault: spec.kvmUserfault } : {}),
    cnames: deriveCNames(spec.name),
    run: {
      ...(spec.run?.kernelKind ? { kernelKind: spec.run.kernelKind } : {}),
      ...(spec.run?.gmemFlags ? { gmemFlags: spec.run.gmemFlags } : {}),
      ...(spec.run?.pages !== undefined ? { pages: spec.run.pages } : {}),
      ...(spec.run?.object ? { object: { ...spec.run.object } } : {}),
    },
    series: {
      ...(spec.series?.title !== undefined ? { title: spec.series.title } : {}),
      ...(spec.series?.blurb !== undefined ? { blurb: spec.series.blurb } : {}),
      ...(spec.series?.version !== undefined ? { version: spec.series.version } : {}),
      ...(spec.series?.rfc !== undefined ? { rfc: spec.series.rfc } : {}),
      ...(spec.series?.base !== undefined ? { base: spec.series.base } : {}),
      ...(spec.series?.coDevelopedBy !== undefined ? { coDevelopedBy: spec.series.coDevelopedBy } : {}),
      ...(spec.series?.changelog !== undefined ? { changelog: spec.series.changelog } : {}),
    },
  };
}

function normalizeGuard(g: NonNullable<MemoryTypeSpec["guard"]>): GuardModel {
  const points: GuardPoint[] = Array.isArray(g.at) ? g.at : [g.at];
  const at = new Set<GuardCheckPoint>();
  for (const p of points) {
    if (p === "fault") {
      at.add("fault-handler");
      at.add("alloc_folio");
      at.add("get_folio");
    } else {
      at.add(p);
    }
  }
  return { shared: g.shared, ...(g.granularity ? { granularity: g.granularity } : {}), at, ...(g.recheck ? { recheck: { ...g.recheck } } : {}) };
}

export function deriveCNames(name: string): CNames {
  return {
    ops: `${name}_uffd_ops`,
    canUserfault: `${name}_uffd_can_userfault`,
    getFolio: `${name}_uffd_get_folio`,
    allocFolio: `${name}_uffd_alloc_folio`,
    filemapAdd: `${name}_uffd_filemap_add`,
    filemapRemove: `${name}_uffd_filemap_remove`,
    copy: `${name}_uffd_copy`,
    faultGlue: `${name}_uffd_fault`,
  };
}
