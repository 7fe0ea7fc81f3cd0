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
    modular: spec.modular ?? false,
    module: spec.module ?? (/^KVM\b/.test(spec.subsystem) ? "kvm" : spec.name),
    gen: GENERATIONS[spec.api],
    modes: new Set(spec.features),
    ioctls: new Set(spec.ioctls),
    ...(spec.getFolio ? { getFolio: spec.getFolio } : {}),
    ...(spec.copy ? { copy: spec.copy } : {}),
    ...(spec.guard ? { guard: normalizeGuard(spec.guard) } : {}),
    ...(spec.fault ? { fault: spec.fault } : {}),
    wpMarkers: spec.wpMarkers ?? false,
    populateByWrite: spec.populateByWrite ?? false,
    ...(spec.kvmUserfault ? { kvmUserfault: spec.kvmUserfault } : {}),
    cnames: deriveCNames(spec.name),
    run: {
      ...(spec.run?.kernelKind ? { kernelKind: spec.run.kernelKind } : {}),
      ...(spec.run?.gmemFlags ? { gmemFlags: spec.run.gmemFlags } : {}),
      pages: spec.run?.pages ?? 8,
      ...(spec.run?.object ? { object: { ...spec.run.object } } : {}),
    },
    series: {
      ...(spec.series?.title !== undefined ? { title: spec.series.title } : {}),
      ...(spec.series?.blurb !== undefined ? { blurb: spec.series.blurb } : {}),
      version: spec.series?.version ?? 1,
      rfc: spec.series?.rfc ?? false,
      ...(spec.series?.base !== undefined ? { base: spec.series.base } : {}),
      coDevelopedBy: spec.series?.coDevelopedBy ?? [],
      changelog: spec.series?.changelog ?? [],
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
