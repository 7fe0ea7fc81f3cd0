/**
 * The compile check: the generated translation unit built as a single kbuild
 * object in Debian's linux-source-6.12 (defconfig + USERFAULTFD + KVM), with
 * -Wall -Werror on top of the tree's own -Werror and -Wmissing-prototypes.
 * The tree comes from scripts/kernel-src.sh and is prepared once by
 * scripts/kernel-build.sh (stamp file). Measured on a 2-core machine when this was written.
 */
import { execFile } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ApiGenerationId } from "../../kernel/generations.js";
import type { Model } from "../../model/model.js";
import type { Lowered } from "../../lower/index.js";
import { apiSlug } from "./index.js";
import { compileUnit } from "./shim.js";
import { packageRoot } from "./templates.js";

const run = promisify(execFile);

export interface CompileResult {
  readonly ok: boolean;
  /** Compiler and make output (empty on a clean build). */
  readonly log: string;
  /** The command that was run, for people to repeat it. */
  readonly command: string;
  /** The object built, relative to the tree (mm/uffdkit_<name>_<api>.o). */
  readonly object: string;
  readonly ms: number;
  /** Set when no check could run (no kernel tree): the reason, never a silent pass. */
  readonly skipped?: string;
}

export interface CompileUnitInput {
  /** File stem under mm/, a C identifier-like name. */
  readonly stem: string;
  readonly contents: string;
}

function scripts(): { src: string; build: string } {
  const root = packageRoot();
  return { src: join(root, "scripts/kernel-src.sh"), build: join(root, "scripts/kernel-build.sh") };
}

export interface TreeStatus {
  readonly tree?: string;
  readonly reason?: string;
  readonly ms: number;
}

let prepared: Promise<TreeStatus> | undefined;

/** Extract (if needed) and prepare the tree once per process. */
export function prepareKernelTree(): Promise<TreeStatus> {
  prepared ??= (async () => {
    const t0 = Date.now();
    try {
      const { stdout } = await run(scripts().build, ["prepare"], { maxBuffer: 64 << 20 });
      const tree = stdout.trim().split("\n").pop() ?? "";
      return { tree, ms: Date.now() - t0 };
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      const why = (err.stderr ?? "").trim().split("\n").slice(-3).join(" ") || err.message;
      return { reason: `kernel tree unavailable: ${why}`, ms: Date.now() - t0 };
    }
  })();
  return prepared;
}

/** Is the linux-source tarball or an extracted tree present? (cheap, synchronous; for test skips) */
export function kernelSourceAvailable(): { ok: boolean; reason: string } {
  const extracted = join(process.env.UFFDKIT_KSRC ?? join(packageRoot(), ".cache/linux-source-6.12"), "Makefile");
  if (existsSync(extracted)) return { ok: true, reason: "" };
  if (existsSync("/usr/src/linux-source-6.12.tar.xz")) return { ok: true, reason: "" };
  return { ok: false, reason: "linux-source-6.12 is not installed (scripts/kernel-src.sh install)" };
}

/** Build several translation units in one make run; each gets its own verdict. */
export async function compileUnits(units: readonly CompileUnitInput[]): Promise<CompileResult[]> {
  const status = await prepareKernelTree();
  const objects = units.map((u) => `mm/${u.stem}.o`);
  const command = `scripts/kernel-build.sh object ${objects.join(" ")}`;
  if (!status.tree) {
    return units.map((_, i) => ({ ok: false, log: "", command, object: objects[i]!, ms: 0, skipped: status.reason ?? "no tree" }));
  }
  const tree = status.tree;
  const paths = units.map((u) => join(tree, "mm", `${u.stem}.c`));
  const cleanup = () => {
    for (const u of units) {
      for (const f of [`${u.stem}.c`, `${u.stem}.o`, `.${u.stem}.o.cmd`, `.${u.stem}.o.d`]) rmSync(join(tree, "mm", f), { force: true });
    }
  };
  const t0 = Date.now();
  try {
    cleanup();
    units.forEach((u, i) => writeFileSync(paths[i]!, u.contents));
    let log = "";
    try {
      const r = await run(scripts().build, ["object", ...objects], { maxBuffer: 64 << 20 });
      log = `${r.stdout}${r.stderr}`;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      log = `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message;
    }
    const ms = Date.now() - t0;
    return units.map((u, i) => {
      const ok = existsSync(join(tree, "mm", `${u.stem}.o`));
      // With several units in one run, give each the lines that mention it (all of them if none do).
      const mine = log
        .split("\n")
        .filter((l) => l.includes(`${u.stem}.`) && !/not remade because of errors/.test(l))
        .join("\n");
      return { ok, log: ok ? mine : mine || log, command, object: objects[i]!, ms };
    });
  } finally {
    cleanup();
  }
}

/** The file stem for a spec and generation: uffdkit_<name>_<api>. */
export function unitStem(model: Model, api: ApiGenerationId): string {
  return `uffdkit_${model.name}_${apiSlug(api)}`.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** Compile the generated code of one spec for one API generation. */
export async function compileCheck(lowered: Lowered): Promise<CompileResult> {
  const [r] = await compileUnits([{ stem: unitStem(lowered.model, lowered.api), contents: compileUnit(lowered) }]);
  return r!;
}

/** Compile several lowerings (one spec's generations) in one make run. */
export async function compileCheckAll(lowereds: readonly Lowered[]): Promise<CompileResult[]> {
  return compileUnits(lowereds.map((l) => ({ stem: unitStem(l.model, l.api), contents: compileUnit(l) })));
}
