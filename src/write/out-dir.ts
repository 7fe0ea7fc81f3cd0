import { basename } from "node:path";

/**
 * The default output folder of a spec: out/<spec file stem>/ ("gmem.uffd.ts" →
 * "out/gmem"). The stem rather than the type's C name, because several specs
 * may declare the same type (the seed examples are five takes on kvm_gmem) and
 * must not overwrite each other's artifacts.
 */
export function defaultOutDir(specFile: string): string {
  const stem = basename(specFile).replace(/\.uffd\.(ts|mts|js|mjs)$/, "").replace(/\.(ts|mts|js|mjs)$/, "");
  return `out/${stem || "spec"}`;
}
