/**
 * The export table modpost checks a module against, made from the tree's own
 * sources at the commit being built (a full vmlinux build, the usual source of
 * Module.symvers, would take far longer than the check itself on two cores).
 *
 * Every EXPORT_SYMBOL*() in the tree's .c, .S and .h files is an export; the
 * table does not know which of them the configuration compiles out, so it errs
 * towards "exported". Exports restricted to named modules
 * (EXPORT_SYMBOL_FOR_MODULES, EXPORT_SYMBOL_FOR_KVM, newer than 6.12) are
 * checked the way later modpost does: the symbol is importable only by a
 * module named in the list; for any other module it is left in a namespace the
 * module does not import, so modpost reports it.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, gitOut, showFile } from "../git.js";

export interface ExportEntry {
  readonly symbol: string;
  readonly license: "EXPORT_SYMBOL" | "EXPORT_SYMBOL_GPL";
  readonly namespace: string;
  /** Only these modules may use it (EXPORT_SYMBOL_FOR_MODULES and friends). */
  readonly modules?: readonly string[];
}

/** Modules EXPORT_SYMBOL_FOR_KVM() names: KVM and its vendor modules (<linux/kvm_types.h>). */
const KVM_MODULES = ["kvm", "kvm-amd", "kvm-intel", "kvm_amd", "kvm_intel"];

// One line at a time: an export split over two lines (the namespace on the next) keeps its symbol and loses the namespace.
const EXPORT_RE = /\bEXPORT_SYMBOL(_GPL)?(_NS|_NS_GPL|_FOR_MODULES|_GPL_FOR_MODULES|_FOR_KVM)?\(\s*(\w+)\s*(?:,\s*("?)([^")\n]*)\4\s*)?(?:\)|,?$)/gm;

export function parseExports(text: string): ExportEntry[] {
  const out: ExportEntry[] = [];
  for (const m of text.matchAll(EXPORT_RE)) {
    const [, gpl, kind, symbol, , arg] = m;
    if (!symbol || symbol === "sym" || symbol === "symbol") continue; // the macros' own definitions
    const license = gpl || (kind && kind !== "_NS") ? "EXPORT_SYMBOL_GPL" : "EXPORT_SYMBOL";
    if (kind === "_FOR_MODULES" || kind === "_GPL_FOR_MODULES") {
      out.push({ symbol, license, namespace: "", modules: (arg ?? "").split(",").map((s) => s.trim()).filter(Boolean) });
    } else if (kind === "_FOR_KVM") {
      out.push({ symbol, license, namespace: "", modules: KVM_MODULES });
    } else {
      out.push({ symbol, license, namespace: kind?.startsWith("_NS") ? (arg ?? "").trim() : "" });
    }
  }
  return out;
}

/** The exports of every file at `rev`, by path (git grep on the commit: no checkout needed; ~20 s on 2 cores). */
function exportsByFile(tree: string, rev: string): Record<string, ExportEntry[]> {
  const r = git(tree, ["grep", "-E", "EXPORT_SYMBOL\\w*\\(", rev, "--", "*.c", "*.S", "*.h"]);
  const lines = new Map<string, string[]>();
  for (const l of r.stdout.split("\n")) {
    const rest = l.slice(rev.length + 1);
    const colon = rest.indexOf(":");
    if (colon < 0) continue;
    const path = rest.slice(0, colon);
    lines.set(path, [...(lines.get(path) ?? []), rest.slice(colon + 1)]);
  }
  return Object.fromEntries([...lines].map(([path, ls]) => [path, parseExports(ls.join("\n"))]));
}

/**
 * Every export in the tree at `rev`: the base's table (computed once per base
 * tree and cached in `cacheDir`), with the files changed since the base read
 * again at `rev`.
 */
export function treeExports(tree: string, baseSha: string, rev: string, cacheDir: string): ExportEntry[] {
  const baseTree = gitOut(tree, ["rev-parse", `${baseSha}^{tree}`]);
  const cache = join(cacheDir, `exports-${baseTree}.json`);
  let byFile: Record<string, ExportEntry[]>;
  if (existsSync(cache)) byFile = JSON.parse(readFileSync(cache, "utf8")) as Record<string, ExportEntry[]>;
  else {
    byFile = exportsByFile(tree, baseSha);
    writeFileSync(cache, JSON.stringify(byFile));
  }
  const changed = gitOut(tree, ["diff", "--name-only", baseSha, rev]).split("\n").filter((f) => /\.(c|S|h)$/.test(f));
  for (const f of changed) byFile[f] = parseExports(showFile(tree, rev, f) ?? "");
  return Object.values(byFile).flat();
}

/**
 * Module.symvers text for checking `module`: restricted exports it is not
 * named in go into a namespace of their own, which it does not import.
 */
export function symversFor(exports: readonly ExportEntry[], module: string): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const e of exports) {
    if (seen.has(e.symbol)) continue;
    seen.add(e.symbol);
    const ns = e.modules ? (e.modules.includes(module) ? "" : `module:${e.modules.join(",")}`) : e.namespace;
    lines.push(`0x00000000\t${e.symbol}\tvmlinux\t${e.license}\t${ns}`);
  }
  return lines.join("\n") + "\n";
}
