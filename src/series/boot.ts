/**
 * `series --build --boot`: after the per-patch build, build a bootable kernel
 * of the series' tree (its last patch, as `--build` left it checked out, with
 * the prerequisite stand-in where the base lacks the API), with scripts/vm's
 * base configuration plus the options the selftests name and the type's own
 * Kconfig symbol, then boot it and run the generated selftests inside.
 *
 * Where the base's core does not call the type (6.12 has no vm_uffd_ops
 * core; the stand-in only declares the API), each test finds that out itself
 * and SKIPs with the reason; the report gives the reasons as the guest said them.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configOptions } from "../emit/selftest/index.js";
import type { Suite } from "../ir/scenario.js";
import { gitOut } from "./git.js";
import { objectInfo } from "./build/kbuild.js";
import { buildKernelImage, DEBUG_FRAGMENT, vmScript, type KernelBuild } from "../run/vm/build.js";
import { versionFor, type Say, type VmKernel } from "../run/vm/kernels.js";
import { isKernelVersion, KERNEL_VERSION_TABLE, type KernelVersionId } from "../kernel/versions.js";
import { SOURCES } from "../kernel/sources.js";
import { runSuitesInVm, type VmRun } from "../run/vm/index.js";

export interface SeriesBootInput {
  readonly tree: string;
  /** series --build-dir, if given. */
  readonly buildDir?: string;
  /** The type's C file in the tree. */
  readonly typeFile: string;
  readonly suite: Suite;
  readonly debug: boolean;
  readonly say: Say;
}

export interface SeriesBoot {
  readonly ok: boolean;
  readonly build?: KernelBuild;
  readonly run?: VmRun;
  /** Lines for the report. */
  readonly lines: readonly string[];
}

/** The options the guest kernel gets beyond base.config: the selftests' config file and the type's symbol. */
export function seriesFragment(suite: Suite, typeSymbol: string | undefined): string {
  const lines = ["# uffdkit series --boot: the selftests' options and the type's own", ...configOptions(suite)];
  if (typeSymbol) lines.push(`CONFIG_${typeSymbol}=y`);
  return lines.join("\n") + "\n";
}

/**
 * A selftest of the type skipped because its registration was refused: on a
 * kernel whose vma_can_userfault() is the hard-coded anon/shmem/hugetlb list
 * (no vm_uffd_ops core), that refusal is the core not calling the type. The
 * guest's observation stays first; the version fact, with its source, says why.
 */
export function explainRefusal(reason: string, version: KernelVersionId, typeName: string): string {
  const m = /^UFFDIO_REGISTER on (.*) returned EINVAL$/.exec(reason);
  if (!m || !m[1]!.startsWith(`${typeName} `) || KERNEL_VERSION_TABLE[version].canUserfault !== "shmem-hugetlb") return reason;
  return `${reason}: ${version}'s core has no vm_uffd_ops (its vma_can_userfault() takes anon, shmem and hugetlb VMAs only; vm_uffd_ops: ${SOURCES.rppt0707.cite}), so the series' ${typeName} hooks are not called`;
}

/** The run with each refused registration of the type explained (explainRefusal). */
function explained(run: VmRun, typeName: string): VmRun {
  const version = run.kernel.version;
  return {
    ...run,
    results: run.results.map((s) => ({
      ...s,
      results: s.results.map((r) => (r.verdict === "lacks" && r.reason ? { ...r, reason: explainRefusal(r.reason, version, typeName) } : r)),
    })),
  };
}

/**
 * Verdict counts and each distinct SKIP reason, for the report: the type's
 * own tests apart from those on a stand-in (another kind standing in for the
 * type: their passes are not tests of the type), and neither counting the
 * scenarios the selftests leave out (fault injection).
 */
export function describeBootRun(run: VmRun, standIns: ReadonlyMap<string, string> = new Map()): string[] {
  const all = run.results.flatMap((r) => r.results);
  const results = all.filter((r) => !(r.verdict === "lacks" && r.reason?.startsWith("simulator-only:")));
  const tally = (rs: typeof results) => {
    const count = (v: string) => rs.filter((r) => r.verdict === v).length;
    return `${rs.length} selftests: ${count("pass")} pass, ${count("fail")} fail, ${count("lacks")} skipped, ${count("error")} errors`;
  };
  const own = results.filter((r) => !standIns.has(r.scenario));
  const lines = [`boot: ${run.kernel.label} under ${run.accel.toUpperCase()}, guest ${(run.bootMs / 1000).toFixed(1)} s`, `  on the type itself: ${tally(own)}`];
  for (const what of new Set(standIns.values())) {
    const on = results.filter((r) => standIns.get(r.scenario) === what);
    if (on.length) lines.push(`  on ${what} (not a test of the type): ${tally(on)}`);
  }
  if (all.length > results.length) lines.push(`  not in the selftests (simulator only): ${all.length - results.length} scenarios`);
  if (run.problem) lines.push(`boot: ${run.problem}`);
  const reasons = new Map<string, number>();
  for (const r of results) if (r.verdict === "lacks") reasons.set(r.reason ?? "?", (reasons.get(r.reason ?? "?") ?? 0) + 1);
  for (const [why, n] of reasons) lines.push(`  skipped (${n}): ${why}`);
  for (const r of results.filter((x) => x.verdict === "fail" || x.verdict === "error")) lines.push(`  ${r.verdict}: ${r.scenario}: ${r.reason ?? ""}`);
  for (const f of run.findings) lines.push(`  kernel finding (${f.kind}): ${f.line}`);
  return lines;
}

/** Scenario name → "<kind>, standing in for <type>", for the scenarios run on a stand-in. */
export function standInsOf(suite: Suite): Map<string, string> {
  return new Map(suite.scenarios.filter((s) => s.standIn).map((s) => [s.name, `${s.standIn!.kind}, standing in for ${s.standIn!.type}`]));
}

export async function bootSeries(input: SeriesBootInput): Promise<SeriesBoot> {
  const common = resolve(input.tree, gitOut(input.tree, ["rev-parse", "--git-common-dir"]));
  const dir = input.buildDir ?? join(common, "uffdkit-build");
  const src = join(dir, "src");
  if (!existsSync(join(src, "Makefile"))) return { ok: false, lines: [`boot: not run: ${src} has no tree (series --build did not run or failed before checking out)`] };
  const typeDir = input.typeFile.slice(0, input.typeFile.lastIndexOf("/"));
  const mk = join(src, typeDir, "Makefile");
  const symbol = objectInfo(input.typeFile, existsSync(mk) ? readFileSync(mk, "utf8") : undefined).symbol;
  const fragment = join(dir, "uffdkit-vm.config");
  writeFileSync(fragment, seriesFragment(input.suite, symbol));
  const out = join(dir, input.debug ? "o-vm-debug" : "o-vm");
  const build = await buildKernelImage(src, out, input.debug ? [fragment, vmScript(DEBUG_FRAGMENT)] : [fragment], input.say);
  if (!build.ok) return { ok: false, build, lines: [`boot: the kernel build failed (${(build.ms / 1000).toFixed(0)} s):`, ...build.log.split("\n").map((l) => `    ${l}`)] };
  const version = versionFor(build.release);
  if (!isKernelVersion(version)) return { ok: false, build, lines: [`boot: built ${build.release} in ${(build.ms / 1000).toFixed(0)} s, but ${version}`] };
  const kernel: VmKernel = { spec: "series", label: `${version} (series tree ${build.release}${input.debug ? ", DEBUG_VM+PROVE_LOCKING" : ""})`, version, release: build.release, image: build.image, built: { debug: input.debug, buildDir: out } };
  const run = explained(await runSuitesInVm([input.suite], kernel, { say: input.say }), input.suite.name);
  const failed = run.problem !== undefined || run.findings.length > 0 || run.results.some((r) => r.results.some((x) => x.verdict === "fail" || x.verdict === "error"));
  return { ok: !failed, build, run, lines: [`boot: kernel built in ${(build.ms / 1000).toFixed(0)} s (${out})`, ...describeBootRun(run, standInsOf(input.suite))] };
}
