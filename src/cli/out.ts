/**
 * Where a command writes and the write itself, said once for gen and explore:
 * the default out/<stem> (or -o DIR), and writeOutput's refusals and I/O
 * errors as one line each for the user, never a stack.
 */
import { defaultOutDir, defaultOutDirProblem } from "../write/out-dir.js";
import { writeOutput, WriteRefused, type WriteReport } from "../write/writer.js";
import type { GeneratedFile } from "../write/plan-writes.js";
import { EXIT, type CliIO } from "./io.js";

/** The output folder (joined with `sub` under the default), or the usage exit after saying why there is none. */
export function outDirFor(io: CliIO, command: string, specPath: string, opts: Record<string, unknown>, sub = ""): string | number {
  if (typeof opts.out === "string") return opts.out;
  const problem = defaultOutDirProblem(specPath);
  if (problem) {
    io.err(`uffdkit ${command}: ${problem}, so there is no default output folder out/<stem>; rename the spec (e.g. my_mem.uffd.ts) or pass -o DIR`);
    return EXIT.usage;
  }
  const dir = defaultOutDir(specPath);
  return sub ? `${dir}/${sub}` : dir;
}

/** writeOutput under the command's options; a refusal or an I/O error is one line on stderr and the usage exit. */
export function writeFiles(io: CliIO, command: string, outDir: string, files: readonly GeneratedFile[], opts: Record<string, unknown>): WriteReport | { error: string; exit: number } {
  try {
    const base = typeof opts.out === "string" ? {} : { base: process.cwd() };
    return writeOutput(outDir, files, { check: Boolean(opts.check), force: Boolean(opts.force), ...base });
  } catch (e) {
    // WriteRefused carries a message for the user; anything else is an I/O error, said in one line.
    const code = (e as NodeJS.ErrnoException).code;
    const error = e instanceof WriteRefused || !code ? (e as Error).message : `cannot write ${outDir}: ${code}`;
    io.err(`uffdkit ${command}: ${error}`);
    return { error, exit: EXIT.usage };
  }
}
