/**
 * `series --build`: build the series after every patch with the tree's own
 * kbuild and W=1, so the series is bisectable and every symbol a module uses
 * is really exported.
 *
 * Lean on purpose (two cores): one git worktree of the user's tree, checked
 * out at each patch in turn (only changed files are rewritten, so make only
 * rebuilds what changed), and one O= output directory per configuration,
 * prepared once and kept under the tree's git directory:
 *
 *   builtin  USERFAULTFD=y, the type built in     every touched object
 *   module   USERFAULTFD=y, the type as a module  the type's object + modpost
 *   nouffd   USERFAULTFD=n                        every touched object
 *
 * Where the base lacks the series' API generation, each patch is built on top
 * of the stand-in for the prerequisite (./standin.ts); the user's branches are
 * never touched, the build commits are unreferenced.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { packageRoot } from "../../emit/kernel/templates.js";
import type { ApiGenerationId } from "../../kernel/generations.js";
import type { CParser } from "../c-syntax.js";
import { git, gitOut, showFile } from "../git.js";
import { isKernelSource, objectInfo, objectOf, type ObjectInfo } from "./kbuild.js";
import { standInFiles } from "./standin.js";
import { symversFor, treeExports } from "./symvers.js";

const run = promisify(execFile);

export type BuildConfig = "builtin" | "module" | "nouffd";

export interface BuildPatch {
  readonly sha: string;
  readonly subject: string;
}

export interface BuildInput {
  /** The user's kernel git tree. */
  readonly tree: string;
  readonly baseSha: string;
  /** The series' commits in order. */
  readonly patches: readonly BuildPatch[];
  /** The memory type's file and API generation. */
  readonly typeFile: string;
  readonly api: ApiGenerationId;
  /** The spec says the type is built as a module (then kbuild must agree). */
  readonly modular: boolean;
  readonly parser: CParser;
  /** Where the worktree and O= directories live; default <git-common-dir>/uffdkit-build. */
  readonly workDir?: string;
  /** Progress lines for people (stderr on a TTY). */
  readonly onProgress?: (line: string) => void;
}

/** One compiler or modpost diagnostic, where it points. */
export interface BuildProblem {
  readonly level: "error" | "warning";
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  /** The line as the compiler (or modpost) printed it. */
  readonly raw: string;
}

export interface BuildStep {
  /** 1-based patch number. */
  readonly patch: number;
  readonly subject: string;
  readonly config: BuildConfig;
  readonly targets: readonly string[];
  readonly ok: boolean;
  readonly problems: readonly BuildProblem[];
  readonly ms: number;
  /** The full make output when the step failed without a diagnostic we could parse. */
  readonly log?: string;
}

export interface BuildReport {
  readonly ok: boolean;
  readonly steps: readonly BuildStep[];
  /** Whether the prerequisite stand-in was used (the base lacks the API). */
  readonly standIn: boolean;
  readonly notes: readonly string[];
  readonly ms: number;
  /** Set when no build could run at all (e.g. no compiler): the reason. */
  readonly unavailable?: string;
}

function script(): string {
  return join(packageRoot(), "scripts/kernel-series-build.sh");
}

async function sh(args: readonly string[], cwd?: string): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await run("bash", [script(), ...args], { maxBuffer: 256 << 20, ...(cwd ? { cwd } : {}) });
    return { ok: true, out: `${r.stdout}${r.stderr}` };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message };
  }
}

const DIAG = /^(?:(\S+?):(\d+):(?:(\d+):)? )?(error|warning|ERROR|WARNING): (?:modpost: )?(.*)$/;
const EXPANSION = /^(\S+?\.c):(\d+):(\d+): note: in expansion of macro ‘?'?([^’']+)/;

/**
 * Compiler and modpost diagnostics in make output, with paths made relative to
 * the tree. An error reported inside a header's macro is pointed at the .c
 * line that expanded the macro (gcc's "in expansion of macro" note), which is
 * where the series' code is; repeats of the same diagnostic are dropped.
 */
export function parseProblems(log: string, srcDir: string): BuildProblem[] {
  const out: BuildProblem[] = [];
  const lines = log.split("\n").map((l) => l.trim());
  for (const [i, raw] of lines.entries()) {
    const m = DIAG.exec(raw);
    if (!m) continue;
    let file = m[1] ? relativeTo(m[1], srcDir) : undefined;
    let line = m[2] ? Number(m[2]) : undefined;
    let column = m[3] ? Number(m[3]) : undefined;
    let message = m[5]!;
    if (file?.endsWith(".h")) {
      const site = lines.slice(i + 1).find((l, k, rest) => EXPANSION.test(l) || (DIAG.test(l) && k < rest.length));
      const x = site ? EXPANSION.exec(site) : null;
      if (x) {
        message = `${message} (in ${x[4]}(), ${file}:${line})`;
        file = relativeTo(x[1]!, srcDir);
        line = Number(x[2]);
        column = Number(x[3]);
      }
    }
    const p: BuildProblem = { level: m[4]!.toLowerCase() as "error" | "warning", ...(file ? { file } : {}), ...(line ? { line } : {}), ...(column ? { column } : {}), message, raw };
    if (!out.some((q) => q.file === p.file && q.line === p.line && q.column === p.column && q.message === p.message)) out.push(p);
  }
  return out;
}

function relativeTo(path: string, srcDir: string): string {
  const abs = resolve(srcDir, path);
  return abs.startsWith(srcDir + "/") ? abs.slice(srcDir.length + 1) : path;
}

/** The workspace: a detached worktree of the user's tree and the O= directories. */
function workspace(input: BuildInput): { dir: string; src: string; out: (c: BuildConfig) => string } {
  const common = resolve(input.tree, gitOut(input.tree, ["rev-parse", "--git-common-dir"]));
  const dir = input.workDir ?? join(common, "uffdkit-build");
  return { dir, src: join(dir, "src"), out: (c) => join(dir, `o-${c}`) };
}

/** A commit that is `sha` plus the stand-in files (unreferenced; only the build checks it out). */
function withStandIn(tree: string, sha: string, files: ReadonlyMap<string, string>, indexFile: string): string {
  const env = { GIT_INDEX_FILE: indexFile };
  gitOut(tree, ["read-tree", sha], { env });
  for (const [path, contents] of files) {
    const blob = gitOut(tree, ["hash-object", "-w", "--stdin"], { input: contents });
    gitOut(tree, ["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], { env });
  }
  const treeSha = gitOut(tree, ["write-tree"], { env });
  const ident = { GIT_AUTHOR_NAME: "uffdkit", GIT_AUTHOR_EMAIL: "uffdkit@localhost", GIT_COMMITTER_NAME: "uffdkit", GIT_COMMITTER_EMAIL: "uffdkit@localhost" };
  return gitOut(tree, ["commit-tree", treeSha, "-p", sha, "-m", "uffdkit build: stand-in for the prerequisite series"], { env: ident });
}

/** Is a process with this pid alive? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One build at a time per workspace: two `series --build` runs (or two test
 * files) would check out different commits in the same worktree. A lock
 * directory holding the owner's pid; a dead owner's lock is taken over.
 */
async function withWorkspaceLock<T>(dir: string, say: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, "lock");
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lock, "pid"), "utf8"));
      } catch {
        // The owner has not written its pid yet.
      }
      if (Number.isInteger(owner) && !alive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!told) say(`build: waiting for another build in ${dir} (pid ${Number.isNaN(owner) ? "?" : owner})`);
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function buildSeriesPatches(input: BuildInput): Promise<BuildReport> {
  const say = input.onProgress ?? (() => {});
  const ws = workspace(input);
  mkdirSync(ws.dir, { recursive: true });
  return withWorkspaceLock(ws.dir, say, () => buildLocked(input, ws, say));
}

type Workspace = ReturnType<typeof workspace>;

/** Which configurations to build, from the spec and the type's Makefile line. */
function planConfigs(input: BuildInput): { typeInfo: ObjectInfo; asModule: boolean; configs: BuildConfig[]; notes: string[] } {
  const last = input.patches.at(-1)?.sha ?? input.baseSha;
  const typeDir = input.typeFile.slice(0, input.typeFile.lastIndexOf("/"));
  const typeInfo = objectInfo(input.typeFile, showFile(input.tree, last, `${typeDir}/Makefile`));
  const asModule = input.modular && typeInfo.module !== undefined;
  const notes: string[] = [];
  if (input.modular && !typeInfo.module) notes.push(`the spec says ${input.typeFile} is modular, but ${typeDir}/Makefile builds it with no obj-$(CONFIG_...) line of its own: no module build`);
  if (!input.modular) notes.push(`${input.typeFile} is built in (the spec does not say modular), so there is no module build`);
  return { typeInfo, asModule, configs: asModule ? ["builtin", "module", "nouffd"] : ["builtin", "nouffd"], notes };
}

/** The commit to check out for a patch: itself, or itself plus the prerequisite stand-in. */
function buildCommit(input: BuildInput, ws: Workspace, sha: string): { ok: true; sha: string; standIn: boolean } | { ok: false; message: string } {
  const s = standInFiles(input.parser, input.api, input.typeFile, (p) => showFile(input.tree, sha, p));
  if (!s.ok) return { ok: false, message: s.message };
  if (!s.needed) return { ok: true, sha, standIn: false };
  return { ok: true, sha: withStandIn(input.tree, sha, s.files, join(ws.dir, "index")), standIn: true };
}

/** Check out a commit in the build worktree, creating the worktree the first time. */
function checkout(input: BuildInput, ws: Workspace, sha: string, say: (line: string) => void): void {
  if (existsSync(join(ws.src, ".git"))) {
    gitOut(ws.src, ["checkout", "-q", "--detach", sha]);
    return;
  }
  say(`build: creating the worktree ${ws.src} (once)`);
  // A worktree cut short earlier: start again.
  rmSync(ws.src, { recursive: true, force: true });
  git(input.tree, ["worktree", "prune"]);
  gitOut(input.tree, ["worktree", "add", "-q", "--detach", ws.src, sha]);
}

/** Prepare every configuration's O= directory (a no-op when done before); the reason when one cannot be. */
async function prepareConfigs(ws: Workspace, configs: readonly BuildConfig[], symbol: string | undefined, say: (line: string) => void): Promise<string | undefined> {
  for (const c of configs) {
    say(`build: preparing the ${c} configuration in ${ws.out(c)} (once per tree; about a minute)`);
    const p = await sh(["prepare", ws.src, ws.out(c), c, ...(symbol ? [symbol] : [])]);
    if (!p.ok) return `cannot prepare the ${c} configuration: ${p.out.trim().split("\n").slice(-5).join(" / ")}`;
  }
  return undefined;
}

interface StepInput {
  readonly input: BuildInput;
  readonly ws: Workspace;
  readonly patch: BuildPatch;
  readonly n: number;
  readonly config: BuildConfig;
  readonly targets: readonly string[];
  /** For the module configuration: the module to run modpost on. */
  readonly module?: ObjectInfo;
}

/** Build one configuration's targets for one patch (and modpost the module), with its problems. */
async function buildStep({ input, ws, patch, n, config, targets, module }: StepInput): Promise<BuildStep> {
  const s0 = Date.now();
  const made = await sh(["objects", ws.src, ws.out(config), ...targets]);
  let problems = parseProblems(made.out, ws.src);
  let ok = made.ok && problems.length === 0;
  let log = made.out;
  if (made.ok && module?.module) {
    const symvers = join(ws.out(config), "uffdkit-exports.symvers");
    writeFileSync(symvers, symversFor(treeExports(input.tree, input.baseSha, patch.sha, ws.dir), module.module));
    const mp = await sh(["modpost", ws.out(config), symvers, module.object]);
    const mpProblems = parseProblems(mp.out, ws.src);
    problems = [...problems, ...mpProblems];
    ok &&= mp.ok && mpProblems.length === 0;
    log += mp.out;
  }
  return { patch: n, subject: patch.subject, config, targets, ok, problems, ms: Date.now() - s0, ...(ok ? {} : { log }) };
}

async function buildLocked(input: BuildInput, ws: Workspace, say: (line: string) => void): Promise<BuildReport> {
  const t0 = Date.now();
  const { typeInfo, asModule, configs, notes } = planConfigs(input);
  const steps: BuildStep[] = [];
  const stop = (why: string): BuildReport => ({ ok: false, steps, standIn, notes, ms: Date.now() - t0, unavailable: why });
  let standIn = false;
  let prepared = false;
  let prev = input.baseSha;
  for (const [i, patch] of input.patches.entries()) {
    const n = i + 1;
    const bc = buildCommit(input, ws, patch.sha);
    if (!bc.ok) return stop(`cannot set up the build for patch ${n}: ${bc.message}`);
    standIn ||= bc.standIn;
    checkout(input, ws, bc.sha, say);
    if (!prepared) {
      // The type's own symbol is set only for a modular type (y, m, y); a built-in type's file follows defconfig.
      const why = await prepareConfigs(ws, configs, asModule ? typeInfo.symbol : undefined, say);
      if (why) return stop(why);
      prepared = true;
    }
    const touched = gitOut(input.tree, ["diff-tree", "--no-commit-id", "--name-only", "-r", prev, patch.sha]).split("\n").filter(isKernelSource);
    prev = patch.sha;
    if (touched.length === 0) {
      say(`build: patch ${n}/${input.patches.length} touches no kernel object`);
      continue;
    }
    const objects = touched.map((f) => objectOf(f));
    // The type's module is linked (modpost) after every such patch once it exists: an export
    // added or removed elsewhere changes whether it links even when its own source did not change.
    const typeHere = showFile(input.tree, patch.sha, input.typeFile) !== undefined;
    for (const config of configs) {
      if (config === "module" && !typeHere) continue;
      const targets = config === "module" ? [typeInfo.object, typeInfo.object.replace(/\.o$/, ".mod")] : objects;
      say(`build: patch ${n}/${input.patches.length} [${config}] ${targets.join(" ")}`);
      steps.push(await buildStep({ input, ws, patch, n, config, targets, ...(config === "module" ? { module: typeInfo } : {}) }));
    }
  }
  return { ok: steps.every((s) => s.ok), steps, standIn, notes, ms: Date.now() - t0 };
}

/** One line per failure: the patch, the file and the compiler's line. */
export function describeFailures(report: BuildReport): string[] {
  const lines: string[] = [];
  for (const s of report.steps.filter((x) => !x.ok)) {
    const head = `patch ${s.patch} "${s.subject}" [${s.config}, W=1]`;
    if (s.problems.length === 0) lines.push(`${head}: ${s.targets.join(" ")} failed:\n    ${(s.log ?? "").trim().split("\n").slice(-8).join("\n    ")}`);
    for (const p of s.problems) lines.push(`${head}: ${p.file ? `${p.file}:${p.line ?? "?"}${p.column ? `:${p.column}` : ""}: ` : ""}${p.level}: ${p.message}`);
  }
  return lines;
}
