/**
 * Argument parsing only. Each command lives in commands/<name>.ts and is imported
 * when it runs, so `uffdkit explain` does not pay for ts-morph and `gen` does not
 * pay for the kernel runner.
 */
import { Command, CommanderError } from "commander";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { EXIT, makeIO, type CliIO } from "./io.js";

type Handler = (io: CliIO, args: string[], opts: Record<string, unknown>) => Promise<number>;

async function load(name: string): Promise<Handler> {
  const mod = (await import(`./commands/${name}.js`)) as { run: Handler };
  return mod.run;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command();
  program
    .name("uffdkit")
    .description("Declare a memory type's userfaultfd support; check it, generate kernel C, selftests and a patch series, and run them.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  const command = (name: string, module = name) => {
    const c = program.command(name).option("--json", "machine-readable output on stdout");
    // Commands that load a spec read it without running it; running it is opt-in.
    if (["check", "gen", "test", "series", "checklist", "explore", "sim", "verify"].includes(name)) {
      c.option("--allow-exec", "run a spec that is not a literal, in a separate process limited to 10 s and 256 MiB (it is your code: only for specs you trust)");
    }
    c.action(async (...params: unknown[]) => {
      const cmd = params[params.length - 1] as Command;
      const opts = cmd.opts();
      const args = cmd.args;
      const io = makeIO(Boolean(opts.json));
      exitCode = await (await load(module))(io, args, opts);
    });
    return c;
  };

  command("check").argument("<spec>", "the memory type spec (.uffd.ts)").description("validate a spec against the userfaultfd rules")
    .option("--api <id>", "check against this API generation instead of the spec's")
    .option("--type-check", "also run the full TypeScript type-check of the spec (slower: > 1 s)");
  command("gen").argument("<spec>").description("validate, then write kernel C, selftests, checklist and simulator results")
    .option("-o, --out <dir>", "output directory (default: out/<name> next to the current directory)")
    .option("--api <id>", "generate for this API generation; a comma-separated list or \"all\" writes each generation apart (kernel/<api>/, selftests/<api>/, sim.<api>.tap, ...)")
    .option("--check", "write nothing; exit 1 when the output directory is stale, or (as gen would) when the spec has an error finding or a simulator scenario fails")
    .option("--force", "overwrite files in the output directory that were edited by hand");
  command("explain").argument("<rule>", "a rule id such as R12").description("print a rule's catalogue entry");
  command("init").argument("<name>", "the memory type's C prefix, e.g. my_mem").description("write a commented starter spec <name>.uffd.ts, shaped like its kind")
    .option("--kind <kind>", "chardev | syscall | filesystem | guest_memfd (asked when stdin is a terminal; default chardev)")
    .option("--force", "overwrite an existing file");
  command("test").argument("<spec>").description("run the spec's selftests on the simulator and/or the real kernel (TAP)")
    .option("--sim", "run on the reference simulator")
    .option("--kernel", "run on this machine's kernel");
  command("sim").argument("<scenario>", "a scenario JSON file").description("run one scenario file on the simulator")
    .option("--kernel-version <v>", "kernel version the simulator models", "6.18");
  command("explore").argument("[spec...]", "the memory type spec (.uffd.ts); or --kind for a kernel's own kind; with --merge, the shard reports")
    .description("enumerate the interleavings of small concurrent programs over the type; print the shortest schedule that breaks a property")
    .option("--kind <kind>", "explore a kernel's own kind instead of a spec: anon, shmem or hugetlb")
    .option("--program <file>", "explore the programs of this JSON file instead of the spec's (docs/explore.md)")
    .option("--api <id>", "explore this API generation's C instead of the spec's")
    .option("-o, --out <dir>", "where replay files go (default out/<name>/explore)")
    .option("--workers <n>", "worker threads (default: one per core)")
    .option("--no-reduction", "explore every schedule (no sleep sets, no state cache): for measuring the reduction")
    .option("--max-schedules <n>", "stop a program after this many schedules (the report then says bounded)")
    .option("--max-seconds <s>", "stop a program after this many seconds (the report then says bounded)")
    .option("--threads <n>", "grow every program to at least n threads (copies of its first worker); default: each program's own, 2-3")
    .option("--ops <n>", "grow every worker thread to at least n operations (its own, repeated on the next pages); default: its own, 1-2")
    .option("--pages <n>", "map and register n pages (default: each program's own, 2)")
    .option("--shard <i/n>", "explore only shard i (0 <= i < n) of every program's schedules, split by schedule prefix; print it with --json for --merge")
    .option("--merge", "combine shard reports (the arguments, from --shard i/n --json) into what one run says")
    .option("--force", "overwrite replay files edited by hand");
  command("conform").description("run the reference suites and the examples' selftests on the simulator and the kernel; print agreement")
    .option("--kernel <v>", "kernel version the simulator models", "6.18")
    .option("--sim-only", "do not run on the real kernel")
    .option("--kind <kind>", "only this memory kind's reference suite")
    .option("--no-examples", "leave out the examples' planned suites")
    .option("--vm <kernels...>", "also run inside a QEMU guest per kernel (debian-6.1, debian-6.12, linux-image-..., built-6.12[-debug], or an image path), each against the simulator at its version")
    .option("--no-host", "with --vm: leave out this machine's kernel");
  command("series").argument("<spec>").description("build the patch series in a kernel git tree")
    .requiredOption("--tree <dir>", "the kernel git tree")
    .option("-v, --reroll-count <n>", "series version")
    .option("--rfc", "mark the series RFC")
    .option("--base <rev>", "base revision (default: the tree's HEAD)")
    .option("--upstream <rev>", "the upstream commit below the prerequisite series in the base: listed as prerequisite-patch-id")
    .option("-o, --out <dir>", "where to write the patches (default out/<name>/series)")
    .option("--build", "build after every patch with W=1: built in, as a module with modpost, and with USERFAULTFD=n")
    .option("--build-dir <dir>", "where --build keeps its worktree and O= directories (default <tree>/.git/uffdkit-build)")
    .option("--boot", "with --build: build a bootable kernel of the series and run its selftests in a QEMU guest")
    .option("--debug-kernel", "with --boot: add DEBUG_VM and PROVE_LOCKING (a lockdep or VM_BUG report is a finding)");
  command("checklist").argument("<spec>").description("print the review checklist for the spec");
  command("verify").argument("<spec>").description("run the full verification on the C as you have it (hand edits, a kernel tree); compare it with what gen writes, function by function")
    .option("--c <file>", "the callbacks file (gen's kernel/<api>/<name>_uffd.c, as you edited it)")
    .option("--tree <dir>", "a kernel tree: the callbacks and the type's functions are read from the spec's `file` in it")
    .option("--api <id>", "verify against this API generation instead of the spec's")
    .option("-o, --out <dir>", "write checklist.md and sim.tap there (they name the C they rest on)")
    .option("--workers <n>", "worker threads for the exploration, 1 to 64 (default: one per core)")
    .addHelpText(
      "after",
      [
        "",
        "Verdict (the last line counts scenarios passed/failed/not applicable/not runnable, programs explored exhaustively/bounded, and stand-ins):",
        "  verified          everything ran and passed, every type function ran as C        exit 0",
        "  partly verified   nothing failed; type functions were stand-ins or scenarios/programs not applicable   exit 0",
        "  not verified      nothing failed, but something did not run (lacks, bounded search, no program)      exit 0",
        "  NOT verified      a finding, failing scenario, broken contract, property violation, C that did not compile   exit 1",
        "  usage error, a spec that does not load or stops at the gate                        exit 2",
      ].join("\n"),
    );
  command("doctor").description("what this machine offers each command, and how to get what is missing; exit 0 when gen with the simulator can run")
    .option("--tree <dir>", "the kernel tree series and checkpatch would use");

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    const missing = missingPackageFile(e);
    if (missing) {
      process.stderr.write(`uffdkit: the installed package is incomplete: ${missing} is missing; reinstall uffdkit (npm i uffdkit), or in a checkout run npm run build\n`);
      return EXIT.usage;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`uffdkit: internal error: ${msg}\n`);
    if (process.env.UFFDKIT_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return EXIT.usage;
  }
  return exitCode;
}

/** A file of uffdkit's own package that is not there (a broken install), as a path inside the package. */
function missingPackageFile(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (err?.code !== "ENOENT" && err?.code !== "ERR_MODULE_NOT_FOUND") return undefined;
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, "package.json")) && dirname(root) !== root) root = dirname(root);
  const path = err.path ?? /'([^']+)'/.exec(err.message)?.[1];
  if (!path) return undefined;
  const abs = path.startsWith("file:") ? fileURLToPath(path) : path;
  const rel = relative(root, abs);
  return rel && !rel.startsWith("..") && !rel.startsWith("/") && !rel.startsWith("node_modules") ? rel : undefined;
}
