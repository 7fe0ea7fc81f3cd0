/**
 * The KVM modules of a distribution kernel, in load order. A package unpacked
 * with dpkg -x has no modules.dep (depmod runs at install), so dependencies
 * come from each module's own `depends=` in its .modinfo section.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { GuestModules } from "./guest.js";

/** The module name of a file: kvm-amd.ko.xz → kvm_amd. */
export function moduleName(file: string): string {
  return file.replace(/\.ko(\.xz|\.zst|\.gz)?$/, "").replace(/-/g, "_");
}

/** The `depends=` list in a module's bytes (.modinfo strings are NUL-separated key=value). */
export function moduleDepends(ko: Uint8Array): string[] {
  const text = Buffer.from(ko).toString("latin1");
  const m = /\0depends=([^\0]*)\0/.exec(text);
  return m ? m[1]!.split(",").filter(Boolean).map((d) => d.replace(/-/g, "_")) : [];
}

/** Modules in load order (dependencies first) for the given roots. */
export function loadOrder(roots: readonly string[], depsOf: (name: string) => readonly string[]): string[] {
  const out: string[] = [];
  const visiting = new Set<string>();
  const visit = (n: string) => {
    if (out.includes(n) || visiting.has(n)) return;
    visiting.add(n);
    for (const d of depsOf(n)) visit(d);
    out.push(n);
  };
  roots.forEach(visit);
  return out;
}

function walk(dir: string, found: Map<string, string>): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, found);
    else if (/\.ko(\.xz|\.zst|\.gz)?$/.test(e)) found.set(moduleName(e), p);
  }
}

function readModule(path: string): Buffer {
  if (path.endsWith(".xz")) return execFileSync("xz", ["-dc", path], { maxBuffer: 256 << 20 });
  if (path.endsWith(".zst")) return execFileSync("zstd", ["-dcq", path], { maxBuffer: 256 << 20 });
  if (path.endsWith(".gz")) return execFileSync("gzip", ["-dc", path], { maxBuffer: 256 << 20 });
  return readFileSync(path);
}

/**
 * kvm plus kvm_amd and kvm_intel with their dependencies, read from
 * `<modulesDir>/kernel`; undefined when the tree has no kvm module (built in).
 */
export function kvmModules(modulesDir: string): GuestModules | undefined {
  const kernelDir = join(modulesDir, "kernel");
  if (!existsSync(kernelDir)) return undefined;
  const paths = new Map<string, string>();
  walk(kernelDir, paths);
  if (!paths.has("kvm")) return undefined;
  const files = new Map<string, Uint8Array>();
  const depsOf = (n: string): string[] => {
    const p = paths.get(n);
    if (!p) return [];
    if (!files.has(n)) files.set(n, readModule(p));
    return moduleDepends(files.get(n)!);
  };
  const amd = loadOrder(["kvm_amd"].filter((n) => paths.has(n)), depsOf);
  const intel = loadOrder(["kvm_intel"].filter((n) => paths.has(n)), depsOf);
  const used = new Set([...amd, ...intel]);
  return { amd, intel, files: new Map([...files].filter(([n]) => used.has(n))) };
}
