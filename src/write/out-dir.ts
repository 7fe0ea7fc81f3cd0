import { basename } from "node:path";

/** A folder name uffdkit creates under out/: plain characters, never `.` or `..`. */
const SAFE_STEM = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

function stemOf(specFile: string): string {
  return basename(specFile).replace(/\.uffd\.(ts|mts|js|mjs)$/, "").replace(/\.(ts|mts|js|mjs)$/, "");
}

/**
 * Why the spec's file name cannot name its default output folder, or undefined.
 * `...uffd.ts` would give `out/..` (the current directory); a stem with a space,
 * a leading dot or a control character gives a folder nobody meant.
 */
export function defaultOutDirProblem(specFile: string): string | undefined {
  const stem = stemOf(specFile);
  if (stem === "") return `the spec file name ${JSON.stringify(basename(specFile))} has no stem to name out/<stem>`;
  if (!SAFE_STEM.test(stem) || stem.includes("..")) return `the spec file name's stem ${JSON.stringify(stem)} is not a plain folder name (letters, digits, \`_\`, \`-\`, \`+\`, inner \`.\`)`;
  return undefined;
}

/**
 * The default output folder of a spec: out/<spec file stem>/ ("gmem.uffd.ts" →
 * "out/gmem"). The stem rather than the type's C name, because several specs
 * may declare the same type (the seed examples are five takes on kvm_gmem) and
 * must not overwrite each other's artifacts. Always a real subfolder of out/:
 * a stem that is not a plain name (see defaultOutDirProblem, which gen reports)
 * becomes "spec" here, so no caller can be handed `out/..`.
 */
export function defaultOutDir(specFile: string): string {
  return `out/${defaultOutDirProblem(specFile) ? "spec" : stemOf(specFile)}`;
}
