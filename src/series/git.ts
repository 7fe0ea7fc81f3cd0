/**
 * A small git runner. Every call is `git -C <tree> ...` with no shell, so paths
 * and revisions from the user are never interpreted by a shell, and failures come
 * back as values (status + stderr) for the caller to turn into a clear message.
 */
import { spawnSync } from "node:child_process";

export interface GitResult {
  readonly ok: boolean;
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GitOptions {
  readonly input?: string;
  readonly env?: Record<string, string>;
}

export function git(tree: string, args: readonly string[], opts: GitOptions = {}): GitResult {
  const r = spawnSync("git", ["-C", tree, ...args], {
    encoding: "utf8",
    input: opts.input,
    env: { ...process.env, ...opts.env, GIT_TERMINAL_PROMPT: "0" },
    maxBuffer: 256 * 1024 * 1024,
  });
  const status = r.status ?? (r.error ? 127 : 1);
  return {
    ok: status === 0,
    status,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? (r.error ? String(r.error.message) : ""),
  };
}

/** Run git and return trimmed stdout, or throw a GitError naming the command. */
export function gitOut(tree: string, args: readonly string[], opts: GitOptions = {}): string {
  const r = git(tree, args, opts);
  if (!r.ok) throw new GitError(args, r);
  return r.stdout.replace(/\n$/, "");
}

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: GitResult,
  ) {
    super(`git ${args.join(" ")} failed (exit ${result.status}): ${result.stderr.trim() || result.stdout.trim()}`);
    this.name = "GitError";
  }
}

/** The contents of <path> at <rev>, or undefined when the path is not in that tree. */
export function showFile(tree: string, rev: string, path: string): string | undefined {
  const r = git(tree, ["show", `${rev}:${path}`]);
  return r.ok ? r.stdout : undefined;
}

/** The git mode of <path> at <rev> (e.g. 100644), or undefined. */
export function fileMode(tree: string, rev: string, path: string): string | undefined {
  const r = git(tree, ["ls-tree", rev, "--", path]);
  if (!r.ok) return undefined;
  const m = /^(\d{6}) blob /.exec(r.stdout);
  return m?.[1];
}
