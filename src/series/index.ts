/**
 * `uffdkit series`: the patch series, built in the developer's kernel git tree.
 *
 * Every check runs before anything is written, so a bad tree is left exactly as
 * it was. The commits are then made with git plumbing on a private index
 * (hash-object, update-index, write-tree, commit-tree, update-ref): the user's
 * working tree, index and checked-out branch are never touched, so the original
 * branch is still checked out at the end and a failure half-way leaves nothing
 * behind but unreferenced objects. `git format-patch` then writes the series and
 * the cover letter is filled in.
 */
import { defaultOutDir } from "../write/out-dir.js";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { EmittedFile, KernelArtifacts } from "../emit/kernel/artifacts.js";
import type { Model } from "../model/model.js";
import type { Person } from "../spec/types.js";
import { planCommits, type PlannedCommit } from "./commits.js";
import { fillCoverLetter, type TestingEvidence } from "./cover.js";
import { git, gitOut, fileMode, showFile } from "./git.js";
import { getMaintainers } from "./maintainers.js";
import { formatCommitMessage } from "./message.js";
import { MMAP_PREREQUISITES } from "../kernel/helpers.js";
import { SOURCES } from "../kernel/sources.js";
import { buildSeriesPatches, type BuildReport } from "./build/index.js";
import { baseHasApi } from "./build/standin.js";
import type { Lowered } from "../lower/index.js";
import { faultMember, firstDeclarations, loadCParser, type CParser } from "./c-syntax.js";
import { findFunction, findVmOps } from "./splice.js";

export interface SeriesOptions {
  /** The kernel git tree (its top level). */
  readonly tree: string;
  /** Series version; default the spec's series.version (1). */
  readonly version?: number;
  readonly rfc?: boolean;
  /** Base revision; default the spec's series.base, else the tree's HEAD. */
  readonly base?: string;
  /**
   * The upstream revision the prerequisite series are applied on, when they are
   * in the tree below the base: the cover letter then carries base-commit: for
   * it and a prerequisite-patch-id: for each prerequisite commit (git format-patch --base).
   */
  readonly upstream?: string;
  /** Where the patches go; default out/<name>/series under cwd. */
  readonly out?: string;
  readonly cwd?: string;
  /** The kernel C to splice (from emitKernel(model)). */
  readonly kernel: KernelArtifacts;
  /** The selftests (from emitSelftests(planSuite(model), { name })). */
  readonly selftests: readonly EmittedFile[];
  /** One line per planned scenario, for the selftest commit. */
  readonly scenarioTitles?: readonly string[];
  /** What was tested, for the cover letter. */
  readonly testing?: TestingEvidence;
  /** Run scripts/get_maintainer.pl from the tree when it has one. Default true. */
  readonly getMaintainer?: boolean;
  /** Build the series after every patch (./build): built-in, as a module, without USERFAULTFD. */
  readonly build?: boolean;
  /** Where the build keeps its worktree and O= directories (default under the tree's git directory). */
  readonly buildDir?: string;
  /** Progress lines for people (the CLI prints them on stderr when it is a TTY). */
  readonly onProgress?: (line: string) => void;
}

export interface SeriesError {
  readonly code:
    | "not-a-directory"
    | "not-git"
    | "not-top-level"
    | "dirty"
    | "no-base"
    | "file-not-found"
    | "not-found"
    | "base-lacks-prerequisite"
    | "ambiguous"
    | "unplaceable"
    | "already-present"
    | "already-applied"
    | "selftests"
    | "branch-exists"
    | "no-identity"
    | "out-not-empty"
    | "git-failed";
  readonly message: string;
  readonly hint: string;
}

export interface SeriesCommit {
  readonly sha: string;
  readonly subject: string;
  readonly role: PlannedCommit["role"];
  readonly files: readonly string[];
}

export interface SeriesResult {
  readonly tree: string;
  readonly branch: string;
  readonly base: string;
  readonly baseSha: string;
  readonly version: number;
  readonly commits: readonly SeriesCommit[];
  readonly outDir: string;
  /** Absolute paths, cover letter first. */
  readonly patches: readonly string[];
  readonly coverLetter: string;
  readonly cc: readonly string[];
  readonly notes: readonly string[];
  /** The per-patch build, when asked for. */
  readonly build?: BuildReport;
  /** The base lacks the API generation the series needs (the cover letter names the prerequisite). */
  readonly baseLacksApi: boolean;
}

export type SeriesOutcome = { ok: true; result: SeriesResult } | { ok: false; error: SeriesError };

const MARKER = ".uffdkit-series";

function fail(code: SeriesError["code"], message: string, hint: string): { ok: false; error: SeriesError } {
  return { ok: false, error: { code, message, hint } };
}

/**
 * The type's own functions the spec names (guard, prepare, unaccount, helpers)
 * that its file neither declares nor defines at the base: unless a header
 * declares them, the build will fail on them, so say so before it does.
 */
function undeclaredTypeFunctions(lowered: Lowered, parser: CParser, text: string): string[] {
  const model = lowered.model;
  const declared = firstDeclarations(parser.parse(text).rootNode);
  return lowered.typeFunctions
    .filter((t) => !declared.has(t.name))
    .map((t) => `warning: the spec names ${t.name}(), which ${model.targetFile} neither declares nor defines at the base; unless a header it includes does, add it before the series (or the build fails)`);
}

/** Does the tree's top-level .gitignore ignore every top-level entry (Debian's linux-source packaging stanza)? */
function debianIgnoresAll(tree: string): boolean {
  const gitignore = join(tree, ".gitignore");
  return existsSync(gitignore) && /^\/\*$/m.test(readFileSync(gitignore, "utf8"));
}

export function branchName(model: Model, version: number): string {
  return `uffdkit/${model.name}-v${version}`;
}

/**
 * The developer's identity as git itself resolves it for the author of a commit
 * (GIT_AUTHOR_NAME/EMAIL in the environment first, then the config), so the
 * Signed-off-by: always matches the From: that format-patch writes.
 */
export function gitIdentity(tree: string, env: Record<string, string> = {}): Person | undefined {
  const r = git(tree, ["var", "GIT_AUTHOR_IDENT"], { env });
  const m = /^(.*?) <([^>]*)> \d+ [+-]\d{4}$/.exec(r.stdout.trim());
  return r.ok && m && m[1] && m[2] ? { name: m[1], email: m[2] } : undefined;
}

/** What the checks found out about the tree, for the steps after them. */
interface TreeContext {
  readonly tree: string;
  readonly version: number;
  readonly rfc: boolean;
  readonly baseName: string;
  readonly baseSha: string;
  readonly readBase: (path: string) => string | undefined;
  readonly parser: CParser;
  readonly branch: string;
  readonly me: Person;
  readonly outDir: string;
}

/**
 * The checks, cheap and in order (tree, base, file, vm_operations_struct, fault
 * handler, branch, identity, output): `series` runs them before spending time on
 * tests, and buildSeries again before writing anything.
 */
export async function checkTree(lowered: Lowered, opts: SeriesOptions): Promise<{ ok: true; ctx: TreeContext } | { ok: false; error: SeriesError }> {
  const model = lowered.model;
  const tree = resolve(opts.cwd ?? process.cwd(), opts.tree);
  const version = opts.version ?? lowered.series.version;
  const rfc = opts.rfc ?? lowered.series.rfc;

  // --- checks: nothing is written until all of them pass ---
  if (!existsSync(tree) || !statSync(tree).isDirectory()) {
    return fail("not-a-directory", `--tree ${opts.tree}: no such directory`, "pass the top directory of a kernel git checkout");
  }
  const top = git(tree, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) {
    return fail(
      "not-git",
      `${tree} is not a git repository`,
      "pass a git checkout of the kernel; for Debian's linux-source tree run scripts/kernel-git-tree.sh DIR (a plain `git init && git add -A` there adds nothing: its .gitignore ends with /*)",
    );
  }
  if (resolve(top.stdout.trim()) !== tree) {
    return fail("not-top-level", `${tree} is inside the git repository ${top.stdout.trim()}, not its top`, `pass --tree ${top.stdout.trim()}`);
  }
  if (!git(tree, ["rev-parse", "--verify", "--quiet", "HEAD"]).ok) {
    if (debianIgnoresAll(tree)) {
      return fail(
        "no-base",
        `${tree} has no commits: its top-level .gitignore ends with Debian's "/*", so \`git add -A\` added nothing`,
        "make the git tree with scripts/kernel-git-tree.sh DIR, or cut Debian's packaging stanza from .gitignore, then git add -A and commit",
      );
    }
    return fail("no-base", `${tree} has no commits yet`, "commit the kernel sources first; the series needs a base commit");
  }
  const dirty = git(tree, ["status", "--porcelain", "--untracked-files=no"]);
  if (!dirty.ok || dirty.stdout.trim() !== "") {
    const files = dirty.stdout.trim().split("\n").slice(0, 5).join("; ");
    return fail("dirty", `${tree} has uncommitted changes (${files})`, "commit or stash them first: the series is built from committed state, and uncommitted edits would silently be left out of it");
  }
  const baseName = opts.base ?? lowered.series.base ?? "HEAD";
  const baseRes = git(tree, ["rev-parse", "--verify", "--quiet", `${baseName}^{commit}`]);
  if (!baseRes.ok) return fail("no-base", `no such base revision '${baseName}' in ${tree}`, "pass --base with a branch, tag or commit of the tree (git log --oneline shows them)");
  const baseSha = baseRes.stdout.trim();
  const readBase = (path: string) => showFile(tree, baseSha, path);

  const typeText = readBase(model.targetFile);
  if (typeText === undefined) {
    // A Debian source tree committed with its own .gitignore tracks (almost) nothing.
    if (readBase("Makefile") === undefined && debianIgnoresAll(tree)) {
      return fail(
        "file-not-found",
        `${baseName} of ${tree} tracks no kernel sources: the top-level .gitignore ends with Debian's "/*", so \`git add -A\` added nothing`,
        "make the git tree with scripts/kernel-git-tree.sh DIR, or remove Debian's packaging stanza from .gitignore, then git add -A and commit",
      );
    }
    return fail("file-not-found", `${model.targetFile} (the spec's file) is not in ${baseName} of ${tree}`, "set file in the spec to the source file, relative to the kernel tree, that defines the vm_operations_struct");
  }
  if (!model.vmOps) {
    return fail("not-found", `${model.name} is anonymous memory: core mm owns its vm_uffd_ops (anon_uffd_ops in mm/userfaultfd.c), so there is nothing to splice into ${model.targetFile}`, "a series is for a type with its own vm_operations_struct");
  }
  // The tree checks (file, vm_operations_struct, fault handler) come before anything slow.
  const parser = await loadCParser();
  const vm = findVmOps(parser, model.targetFile, typeText, model.vmOps);
  if (!vm.ok) {
    const code = vm.error.kind === "no-vm-ops" ? "base-lacks-prerequisite" : vm.error.kind === "not-found" ? "not-found" : vm.error.kind === "ambiguous" ? "ambiguous" : "unplaceable";
    const known = MMAP_PREREQUISITES.find((p) => p.file === model.targetFile && p.vmOps === model.vmOps);
    const hint = code === "base-lacks-prerequisite" && known ? `${vm.error.hint}: ${known.what} (${SOURCES[known.source].cite})` : vm.error.hint;
    return fail(code, `${vm.error.message} (at ${baseName})`, hint);
  }
  const glue = opts.kernel.fragments.faultGlue;
  if (glue && glue.code.trim() !== "") {
    // The glue belongs in the vm_operations_struct's own ->fault, not in another function of that name pattern.
    const fault = faultMember(vm.def.initializer);
    if (fault && fault !== glue.handler) {
      return fail(
        "not-found",
        `${glue.handler}() is not the ->fault of ${model.vmOps} in ${model.targetFile} at ${baseName}; its ->fault is ${fault}()`,
        `set fault.handler in the spec to "${fault}"`,
      );
    }
    const h = findFunction(parser, model.targetFile, typeText, glue.handler, "the fault handler", "set fault.handler in the spec to the ->fault function of the vm_operations_struct");
    if (!h.ok) return fail(h.error.kind === "ambiguous" ? "ambiguous" : h.error.kind === "unplaceable" ? "unplaceable" : "not-found", `${h.error.message} (at ${baseName})`, h.error.hint);
  }
  const branch = branchName(model, version);
  if (git(tree, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]).ok) {
    return fail("branch-exists", `branch ${branch} already exists in ${tree}`, `delete it (git branch -D ${branch}) or build another version with -v ${version + 1}`);
  }
  const me = gitIdentity(tree);
  if (!me) return fail("no-identity", "git has no author identity for this tree (git var GIT_AUTHOR_IDENT failed)", 'set it: git config --global user.name "Your Name"; git config --global user.email you@example.org');
  const outDir = resolve(opts.cwd ?? process.cwd(), opts.out ?? join(defaultOutDir(model.file), "series"));
  if (existsSync(outDir)) {
    const entries = readdirSync(outDir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      return fail("out-not-empty", `${outDir} exists and holds files uffdkit did not write`, "pass -o with an empty or new directory");
    }
  }

  return { ok: true, ctx: { tree, version, rfc, baseName, baseSha, readBase, parser, branch, me, outDir } };
}

export async function buildSeries(lowered: Lowered, opts: SeriesOptions): Promise<SeriesOutcome> {
  const model = lowered.model;
  const checked = await checkTree(lowered, opts);
  if (!checked.ok) return checked;
  const { tree, version, rfc, baseName, baseSha, readBase, parser, branch, me, outDir } = checked.ctx;
  const notes: string[] = [];
  let upstreamSha: string | undefined;
  if (opts.upstream !== undefined) {
    const up = git(tree, ["rev-parse", "--verify", "--quiet", `${opts.upstream}^{commit}`]);
    if (!up.ok) return fail("no-base", `no such upstream revision '${opts.upstream}' in ${tree}`, "pass --upstream with the commit the prerequisite series are applied on");
    upstreamSha = up.stdout.trim();
    if (!git(tree, ["merge-base", "--is-ancestor", upstreamSha, baseSha]).ok) {
      return fail("no-base", `--upstream ${opts.upstream} is not an ancestor of the base ${baseName}`, "pass the upstream commit below the prerequisite series the base contains");
    }
  }
  // The base lacks the generation's API: the series needs the prerequisite series; say so now and in the cover letter.
  const baseLacksApi = !baseHasApi(parser, model.gen.id, readBase);
  if (baseLacksApi) {
    notes.push(`warning: ${baseName} lacks the ${model.gen.id} API (no ->${model.gen.hookMember} in struct vm_operations_struct): the series needs the prerequisite series "${model.gen.title}" applied first; the cover letter says so${opts.build ? ", and the build uses uffdkit's API header in its place" : ""}`);
  }

  notes.push(...undeclaredTypeFunctions(lowered, parser, readBase(model.targetFile) ?? ""));

  const plan = planCommits({
    lowered,
    kernel: opts.kernel,
    selftests: opts.selftests,
    readBase,
    parser,
    ...(opts.scenarioTitles ? { scenarioTitles: opts.scenarioTitles } : {}),
  });
  if (!plan.ok) return fail(plan.error.code as SeriesError["code"], plan.error.message, plan.error.hint);
  notes.push(...plan.notes);

  // --- commits on a private index; the user's index and work tree stay as they are ---
  const work = mkdtempSync(join(tmpdir(), "uffdkit-series-"));
  try {
    const made = commitOnPrivateIndex(tree, baseSha, join(work, "index"), plan.commits, (c) => formatCommitMessage(c, me, lowered.series.coDevelopedBy));
    const parent = made.length ? made[made.length - 1]!.sha : baseSha;
    // Create the branch only if it still does not exist (the empty old value).
    gitOut(tree, ["update-ref", "-m", "uffdkit series", `refs/heads/${branch}`, parent, ""]);

    // --- the build after every patch, when asked for (before the cover letter, which reports it) ---
    let build: BuildReport | undefined;
    if (opts.build) {
      build = await buildSeriesPatches({
        tree,
        baseSha,
        patches: made.map((c) => ({ sha: c.sha, subject: c.subject })),
        typeFile: model.targetFile,
        api: model.gen.id,
        modular: lowered.modular,
        parser,
        ...(opts.buildDir ? { workDir: opts.buildDir } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
    }

    // --- format-patch, Cc from get_maintainer.pl, cover letter ---
    const fp = (dir: string, cc: readonly string[]) => {
      const args = ["format-patch", "--cover-letter", `--base=${upstreamSha ?? baseSha}`, "-o", dir];
      if (version > 1) args.push("-v", String(version));
      if (rfc) args.push("--rfc");
      for (const c of cc) args.push(`--cc=${c}`);
      args.push(`${baseSha}..${branch}`);
      return gitOut(tree, args).split("\n").filter(Boolean);
    };
    const draft = join(work, "draft");
    const draftFiles = fp(draft, []);
    let cc: string[] = [];
    if (opts.getMaintainer !== false) {
      const m = getMaintainers(tree, draftFiles.filter((f) => !/cover-letter/.test(f)));
      if (m.ok) cc = m.recipients;
      notes.push(m.note);
    }
    const final = join(work, "final");
    const files = cc.length ? fp(final, cc) : draftFiles;
    const coverPath = files.find((f) => /cover-letter\.patch$/.test(f));
    if (!coverPath) throw new Error("git format-patch wrote no cover letter");
    const filled = fillCoverLetter(readFileSync(coverPath, "utf8"), {
      model,
      series: lowered.series,
      version,
      baseSha,
      baseName,
      testing: { ...opts.testing, ...(build ? { build: buildSummary(build) } : {}) },
      commitSubjects: made.map((c) => c.subject),
      baseLacksApi,
      ...(lowered.window ? { window: lowered.window } : {}),
      ...(lowered.allocFolioRefuses ? { allocFolioRefuses: true } : {}),
    });
    if (!filled.ok) throw new Error(filled.message);
    writeFileSync(coverPath, filled.text);

    // --- move into the output directory (only our own earlier output is replaced) ---
    const patches = moveIntoOutDir(outDir, files, `${branch} ${parent}\n`);
    return {
      ok: true,
      result: {
        tree,
        branch,
        base: baseName,
        baseSha,
        version,
        commits: made,
        outDir,
        patches,
        coverLetter: patches.find((p) => /cover-letter\.patch$/.test(p)) ?? patches[0]!,
        cc,
        notes: [...notes, ...(build?.notes ?? [])],
        ...(build ? { build } : {}),
        baseLacksApi,
      },
    };
  } catch (e) {
    // Undo the branch if we got that far; objects without a ref are harmless.
    const cur = git(tree, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]);
    if (cur.ok) git(tree, ["update-ref", "-d", `refs/heads/${branch}`, cur.stdout.trim()]);
    const msg = e instanceof Error ? e.message : String(e);
    return fail("git-failed", msg, "the tree was left as it was; rerun with UFFDKIT_DEBUG=1 for details, or report the git version");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The planned commits on a private index (the user's index and work tree stay as they are), oldest first. */
function commitOnPrivateIndex(tree: string, baseSha: string, indexFile: string, commits: readonly PlannedCommit[], messageOf: (c: PlannedCommit) => string): SeriesCommit[] {
  const env = { GIT_INDEX_FILE: indexFile };
  gitOut(tree, ["read-tree", baseSha], { env });
  let parent = baseSha;
  const made: SeriesCommit[] = [];
  for (const c of commits) {
    for (const [path, contents] of c.files) {
      const blob = gitOut(tree, ["hash-object", "-w", "--stdin"], { input: contents });
      const mode = fileMode(tree, parent, path) ?? "100644";
      gitOut(tree, ["update-index", "--add", "--cacheinfo", `${mode},${blob},${path}`], { env });
    }
    const treeSha = gitOut(tree, ["write-tree"], { env });
    parent = gitOut(tree, ["commit-tree", treeSha, "-p", parent, "-F", "-"], { input: messageOf(c) });
    made.push({ sha: parent, subject: c.subject, role: c.role, files: [...c.files.keys()] });
  }
  return made;
}

/** The patches into the output directory: only our own earlier output (*.patch, the marker) is replaced. */
function moveIntoOutDir(outDir: string, files: readonly string[], marker: string): string[] {
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (f.endsWith(".patch")) rmSync(join(outDir, f));
  writeFileSync(join(outDir, MARKER), marker);
  return files.map((f) => {
    const dest = join(outDir, f.slice(f.lastIndexOf("/") + 1));
    try {
      renameSync(f, dest);
    } catch {
      writeFileSync(dest, readFileSync(f));
    }
    return dest;
  });
}

/** One line for the cover letter: what was built, and whether it passed. */
export function buildSummary(b: BuildReport): string {
  if (b.unavailable) return `not built: ${b.unavailable}`;
  const configs = [...new Set(b.steps.map((s) => s.config))];
  const names: Record<string, string> = { builtin: "built in", module: "as a module with modpost", nouffd: "with CONFIG_USERFAULTFD=n" };
  const failed = b.steps.filter((s) => !s.ok).length;
  return (
    `built after each patch with W=1 (${configs.map((c) => names[c]).join(", ")})` +
    `${b.standIn ? " on the base plus uffdkit's API header standing in for the prerequisite" : ""}: ` +
    (failed ? `${failed} of ${b.steps.length} builds failed` : `${b.steps.length} builds, 0 errors, 0 warnings`)
  );
}
