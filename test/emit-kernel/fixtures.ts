/** Spec literals for the kernel emitter tests: a guest_memfd-like and a shmem-like type. */
import type { MemoryTypeSpec } from "../../src/spec/types.js";
import { normalize } from "../../src/model/normalize.js";
import type { Model } from "../../src/model/model.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";

export const GMEM_LIKE: MemoryTypeSpec = {
  ...GMEM_SPEC,
  run: undefined,
  copy: {
    alloc: { strategy: "mapping-gfp", eofCheck: true },
    prepare: "kvm_gmem_prepare_folio",
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
    export: "EXPORT_SYMBOL_FOR_KVM",
  },
};

export const SHMEM_LIKE: MemoryTypeSpec = {
  name: "shmem",
  subsystem: "mm/shmem",
  file: "mm/shmem.c",
  vmOps: "shmem_vm_ops",
  backing: "pagecache",
  api: "peterx-v1",
  features: ["missing", "minor", "wp"],
  ioctls: ["copy", "zeropage", "writeprotect", "continue", "poison"],
  getFolio: { strategy: "lookup", lookup: "filemap_get_entry", notUptodate: "missing" },
  copy: {
    alloc: { strategy: "shared-policy", eofCheck: true, chargeMemcg: true },
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
    unaccount: "shmem_uffd_unaccount",
    export: "none",
  },
  fault: { handler: "shmem_fault", raise: "handle_userfault" },
  wpMarkers: true,
};

export function model(spec: MemoryTypeSpec, patch: Partial<MemoryTypeSpec> = {}): Model {
  return normalize({ ...spec, ...patch });
}

/** The body of the C function `name` (from its opening line to the closing brace at column 0). */
export function functionBody(c: string, name: string): string {
  const lines = c.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^static .*\\b${name}\\(`).test(l));
  if (start < 0) throw new Error(`function ${name} not found`);
  const end = lines.findIndex((l, i) => i > start && l === "}");
  return lines.slice(start, end + 1).join("\n");
}

/**
 * The early-return paths of a C body after `after` first matched: for each
 * "return X;" that is not the final success return, the statements of its block.
 */
export function returnBlocks(body: string): { ret: string; block: string }[] {
  const lines = body.split("\n");
  const out: { ret: string; block: string }[] = [];
  lines.forEach((l, i) => {
    const m = /^\t+return (.*);$/.exec(l);
    if (!m) return;
    // Walk back over the statements of the same block (deeper indentation than the if).
    const depth = (l.match(/^\t*/)?.[0].length ?? 0);
    const block: string[] = [l];
    for (let j = i - 1; j >= 0; j--) {
      const lj = lines[j] ?? "";
      const dj = lj.match(/^\t*/)?.[0].length ?? 0;
      if (lj === "" || dj < depth) {
        block.unshift(lj);
        break;
      }
      block.unshift(lj);
    }
    out.push({ ret: m[1] ?? "", block: block.join("\n") });
  });
  return out;
}
