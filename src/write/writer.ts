/**
 * Write generated files into an output directory, and nowhere else.
 *
 * - Never through a symbolic link uffdkit did not create: every folder on the
 *   way to a file and the file itself are lstat'ed; a link is refused by name.
 *   The output folder and its manifest are often committed, so a checkout can
 *   plant links; following one would write or delete outside the folder.
 * - Atomically: each file goes to a temp file with an unpredictable name,
 *   created with O_EXCL in the target folder, then renamed over the target.
 * - As a whole: the new manifest is first written as a journal, then the files,
 *   then the manifest is committed and the journal removed. A run that was
 *   interrupted leaves a journal; the next run takes the journal's files as
 *   uffdkit's (not hand edits), completes the write, and removes stray temp files.
 * - Alone: a lock file (O_EXCL) keeps two gens out of one folder.
 * - Never over a hand edit unless forced, and not at all in --check mode.
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { formatManifest, LOCK_NAME, MANIFEST_NAME, PENDING_NAME, parseManifest, sha256 } from "./manifest.js";
import { isSafeRelativePath, planWrites, type GeneratedFile, type WriteAction } from "./plan-writes.js";

export interface WriteReport {
  readonly outDir: string;
  readonly actions: readonly WriteAction[];
  /** Files that would change (check mode) or did change. */
  readonly stale: readonly string[];
  /** Hand-edited files left alone; non-empty means the write did not complete. */
  readonly refused: readonly { path: string; why: string }[];
}

/** A write uffdkit refuses, with a message for the user (not a bug: gen prints it and exits 2). */
export class WriteRefused extends Error {}

const TEMP_MARK = ".uffdkit-tmp-";
/** How deep the stray-temp-file sweep descends; generated trees are three levels deep. */
const SWEEP_DEPTH = 8;

/** "blocked": a part of the path above it is a file (ENOTDIR). */
type Entry = "absent" | "file" | "dir" | "link" | "other" | "blocked";

function entryAt(abs: string): Entry {
  try {
    const st = lstatSync(abs);
    return st.isSymbolicLink() ? "link" : st.isDirectory() ? "dir" : st.isFile() ? "file" : "other";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "absent";
    if (code === "ENOTDIR") return "blocked";
    throw e;
  }
}

export interface WriteOptions {
  readonly check: boolean;
  readonly force: boolean;
  /**
   * A folder the output folder lies inside (the current directory for the
   * default out/<stem>): no folder between it and the output folder may be a
   * link either, so a committed `out -> /elsewhere` is refused too.
   */
  readonly base?: string;
}

export function writeOutput(outDir: string, files: readonly GeneratedFile[], opts: WriteOptions): WriteReport {
  const root = resolve(outDir);
  if (opts.base !== undefined) refuseLinksBetween(resolve(opts.base), root);
  const shown = (rel: string) => (rel ? join(outDir, rel) : outDir);
  for (const f of files) if (!isSafeRelativePath(f.path)) throw new WriteRefused(`refusing to write outside the output directory: ${JSON.stringify(f.path)}`);

  const rootKind = entryAt(root);
  if (rootKind === "link") throw new WriteRefused(`${outDir} is a symbolic link; uffdkit does not write through links it did not create (pass -o with the real folder)`);
  if (rootKind === "blocked") throw new WriteRefused(`cannot create ${outDir}: a file is in the way (a part of the path is a file, not a folder)`);
  if (rootKind === "file" || rootKind === "other") throw new WriteRefused(`${outDir} exists and is not a folder; pass -o with a folder (new or one uffdkit wrote)`);

  /** The absolute path of `rel` after checking that no folder on the way, nor the file, is a link. */
  const checked = (rel: string): { abs: string; kind: Entry } | { link: string } => {
    const parts = rel.split(/[\\/]/);
    let abs = root;
    for (let i = 0; i < parts.length; i++) {
      abs = join(abs, parts[i]!);
      const kind = entryAt(abs);
      if (kind === "link") return { link: parts.slice(0, i + 1).join("/") };
      if (i === parts.length - 1) return { abs, kind };
      if (kind === "absent") return { abs: join(root, ...parts), kind: "absent" };
      if (kind !== "dir") return { abs: join(root, ...parts), kind: "other" };
    }
    return { abs, kind: "absent" };
  };
  const readChecked = (rel: string): string | undefined => {
    const c = checked(rel);
    if ("link" in c) throw new WriteRefused(`${shown(c.link)} is a symbolic link; uffdkit does not write through links it did not create (remove it, then run gen again)`);
    if (c.kind === "absent") return undefined;
    if (c.kind !== "file") throw new WriteRefused(`${shown(rel)} exists and is not a regular file; remove it, then run gen again`);
    return readFileSync(c.abs, "utf8");
  };
  const readForRemoval = (rel: string): string | undefined => {
    const c = checked(rel);
    return "link" in c || c.kind !== "file" ? undefined : readFileSync(c.abs, "utf8");
  };

  if (opts.check) {
    const recorded = rootKind === "dir" ? [parseManifest(readChecked(MANIFEST_NAME)), parseManifest(readChecked(PENDING_NAME))] : [];
    return report(root, planWrites(files, { read: readChecked, readForRemoval }, recorded, opts.force));
  }

  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") throw new WriteRefused(`cannot create ${outDir}: a file is in the way (a part of the path is a file, not a folder)`);
    throw new WriteRefused(`cannot create ${outDir}: ${code ?? String(e)}`);
  }
  const unlock = acquireLock(root, outDir);
  try {
    sweepTempFiles(root, SWEEP_DEPTH);
    const recorded = [parseManifest(readChecked(MANIFEST_NAME)), parseManifest(readChecked(PENDING_NAME))];
    const actions = planWrites(files, { read: readChecked, readForRemoval }, recorded, opts.force);
    const result = report(root, actions);
    if (result.refused.length > 0) return result;

    const hashes: Record<string, string> = {};
    for (const f of files) hashes[f.path] = sha256(f.contents);
    const manifestText = formatManifest(hashes);
    const write = (rel: string, contents: string) => {
      readChecked(rel); // refuses a link at the target or on the way
      ensureFolders(root, rel, shown);
      atomicWrite(join(root, rel), contents);
    };
    // Journal first: if the run stops half-way, the next one knows these files are uffdkit's.
    write(PENDING_NAME, manifestText);
    for (const a of actions) {
      if (a.kind !== "create" && a.kind !== "update") continue;
      write(a.path, files.find((f) => f.path === a.path)!.contents);
    }
    for (const a of actions) {
      if (a.kind === "remove" && readForRemoval(a.path) !== undefined) unlinkSync(join(root, a.path));
    }
    write(MANIFEST_NAME, manifestText);
    rmSync(join(root, PENDING_NAME), { force: true });
    return result;
  } finally {
    unlock();
  }
}

function refuseLinksBetween(base: string, root: string): void {
  const rel = relative(base, root);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return;
  let abs = base;
  for (const part of rel.split(sep).slice(0, -1)) {
    abs = join(abs, part);
    if (entryAt(abs) === "link") throw new WriteRefused(`${relative(process.cwd(), abs) || abs} is a symbolic link; uffdkit does not write through links it did not create (pass -o with the real folder)`);
  }
}

function report(root: string, actions: WriteAction[]): WriteReport {
  const stale = actions.filter((a) => a.kind === "create" || a.kind === "update" || a.kind === "remove").map((a) => a.path);
  const refused = actions.flatMap((a) => (a.kind === "edited" ? [{ path: a.path, why: a.why }] : []));
  return { outDir: root, actions, stale, refused };
}

/** Create the folders of `rel` one by one, refusing any that turns out to be a link. */
function ensureFolders(root: string, rel: string, shown: (rel: string) => string): void {
  const parts = rel.split("/").slice(0, -1);
  let abs = root;
  for (let i = 0; i < parts.length; i++) {
    abs = join(abs, parts[i]!);
    try {
      mkdirSync(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const kind = entryAt(abs);
    if (kind === "link") throw new WriteRefused(`${shown(parts.slice(0, i + 1).join("/"))} is a symbolic link; uffdkit does not write through links it did not create`);
    if (kind !== "dir") throw new WriteRefused(`${shown(parts.slice(0, i + 1).join("/"))} is in the way: a file where a folder should be`);
  }
}

/** Write via a fresh temp file in the same folder: O_CREAT|O_EXCL (never an existing path, never a link), then rename. */
function atomicWrite(path: string, contents: string): void {
  const tmp = join(dirname(path), `.${path.slice(dirname(path).length + 1)}${TEMP_MARK}${randomBytes(8).toString("hex")}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
  try {
    writeSync(fd, contents);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Remove temp files an interrupted run left behind (ours by name; unlink removes a link, never its target). */
function sweepTempFiles(dir: string, depth: number): void {
  if (depth < 0) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, e.name);
    if (e.name.includes(TEMP_MARK) && !e.isDirectory()) unlinkSync(abs);
    else if (e.isDirectory() && !e.isSymbolicLink()) sweepTempFiles(abs, depth - 1);
  }
}

/**
 * Take the folder's lock, or say who holds it. A lock whose process is gone
 * (a gen that was killed) is stale and taken over.
 */
function acquireLock(root: string, outDir: string): () => void {
  const path = join(root, LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = lockHolder(path);
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
      throw new WriteRefused(`another uffdkit gen (pid ${holder}) is writing ${outDir}; wait for it to finish (or remove ${join(outDir, LOCK_NAME)} if that process is not uffdkit)`);
    }
    unlinkSync(path); // stale: its writer is gone
  }
  throw new WriteRefused(`cannot take the lock ${join(outDir, LOCK_NAME)}; another gen keeps taking it`);
}

function lockHolder(path: string): number | undefined {
  try {
    if (lstatSync(path).isSymbolicLink()) return undefined;
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
