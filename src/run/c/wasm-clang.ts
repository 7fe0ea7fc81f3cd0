/**
 * Child process for the WebAssembly toolchain (./toolchain.ts): runs
 * @yowasp/clang's clang and wasm-ld on a job read from stdin,
 *
 *   { module, workDir, readDirs, steps: [{ tool, args }] }
 *
 * @yowasp/clang runs each tool over an in-memory file tree, not the real file
 * system: the work directory and the read-only directories are copied in at
 * /uffdkit/w and /uffdkit/r<i>, the arguments' real paths are rewritten to those,
 * the steps run in order on the same tree, and the work directory's files are
 * written back. A failing step exits 1 with "uffdkit-wasm-clang: <tool> failed"
 * and the tool's output (paths written back as real paths) on stderr.
 *
 * A child process because the compile is synchronous for its callers and the
 * package's API is asynchronous; it also keeps the 75 MB module out of the
 * simulator's heap.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

type Tree = { [name: string]: Tree | string | Uint8Array };
type Command = (args: string[], files: Tree, options: Record<string, unknown>) => Promise<Tree> | Tree | undefined;

interface Job {
  readonly module: string;
  readonly workDir: string;
  readonly readDirs: readonly string[];
  readonly steps: readonly { tool: "clang" | "wasm-ld"; args: readonly string[] }[];
}

function readTree(dir: string): Tree {
  const t: Tree = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    t[name] = statSync(p).isDirectory() ? readTree(p) : new Uint8Array(readFileSync(p));
  }
  return t;
}

function writeTree(dir: string, t: Tree): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(t)) {
    if (v instanceof Uint8Array || typeof v === "string") writeFileSync(join(dir, name), v);
    else writeTree(join(dir, name), v);
  }
}

async function main(): Promise<number> {
  const job = JSON.parse(readFileSync(0, "utf8")) as Job;
  const { commands, runLLVM } = (await import(pathToFileURL(job.module).href)) as { commands: Record<string, Command>; runLLVM: (args: null, files: Tree, options: Record<string, unknown>) => Promise<unknown> };
  // Load the toolchain's modules first, quietly (the package otherwise prints its fetch progress on stdout).
  await runLLVM(null, {}, { fetchProgress: () => {} });
  const mounts: [string, string][] = [[job.workDir, "/uffdkit/w"], ...job.readDirs.map((d, i): [string, string] => [d, `/uffdkit/r${i}`])];
  // Longest real path first, so a directory inside another is rewritten as itself.
  const byLength = [...mounts].sort((a, b) => b[0].length - a[0].length);
  const toVirtual = (a: string) => byLength.reduce((s, [real, virt]) => s.split(real).join(virt), a);
  const toReal = (a: string) => byLength.reduce((s, [real, virt]) => s.split(virt).join(real), a);
  const uffdkit: Tree = { w: readTree(job.workDir) };
  job.readDirs.forEach((d, i) => (uffdkit[`r${i}`] = readTree(d)));
  let files: Tree = { uffdkit };
  for (const step of job.steps) {
    const out: Uint8Array[] = [];
    const capture = (bytes: Uint8Array | null) => {
      if (bytes) out.push(new Uint8Array(bytes));
    };
    try {
      files = (await commands[step.tool]!(step.args.map(toVirtual), files, { stdout: capture, stderr: capture, decodeASCII: false, fetchProgress: () => {} }))!;
    } catch (e) {
      const text = Buffer.concat(out).toString("utf8") || (e instanceof Error ? e.message : String(e));
      process.stderr.write(`uffdkit-wasm-clang: ${step.tool} failed\n${toReal(text)}`);
      return 1;
    }
  }
  writeTree(job.workDir, ((files.uffdkit as Tree | undefined)?.w as Tree | undefined) ?? {});
  return 0;
}

process.exitCode = await main();
