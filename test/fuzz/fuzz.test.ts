/**
 * The spec fuzzer: seeded mutants of the seven examples through the
 * whole pipeline a `gen` runs (load, rules, findings printed, artifacts
 * generated and written), asserting for every mutant:
 *
 * - no uncaught exception (load, rules, formatter, generation, writer);
 * - every finding positioned in a file that exists (line and column in range);
 * - an invalid mutant gets at least one error finding (no silent accept);
 * - no generated file carries an attack string the mutant planted;
 * - nothing is written outside the output folder;
 * - no mutant takes longer than a few seconds;
 * - the process is still alive (a spec's `process.exit` never ran).
 *
 * CI runs 1,000 mutants (about 30 s). A longer run:
 *   UFFDKIT_FUZZ_SPECS=10000 UFFDKIT_FUZZ_SEED=7 npx vitest run test/fuzz
 * prints the same counts for 10,000.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "../cli-check/built-cli.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { formatDiagnostics } from "../../src/diagnostics/format.js";
import { openValue } from "../../src/session/index.js";
import { generateArtifacts } from "../../src/generate/index.js";
import { loadModel } from "../../src/load/index.js";
import { checkModel } from "../../src/rules/index.js";
import { writeOutput } from "../../src/write/writer.js";
import { mutant, type Mutant } from "./mutate.js";
import { lowerOf } from "../fixtures/lower.js";

const SPECS = Number(process.env.UFFDKIT_FUZZ_SPECS ?? 1000);
const SEED = Number(process.env.UFFDKIT_FUZZ_SEED ?? 12);
/**
 * A mutant slower than this (load + rules + generate + write) counts as a hang: a bound
 * for a loop that never ends, far above what a busy shared runner needs (ms, not speed).
 */
const MAX_MS = 120_000;
/** One mutant in CLI_EVERY also runs through the built CLI (`check --json`), to see exit codes and stdout. */
const CLI_EVERY = 100;

const root = join(import.meta.dirname, "../..");
const examplesDir = join(root, "examples");
// The examples and the upstream examples (which use the grown DSL: type adds, policies, anon).
const examples = [
  ...readdirSync(examplesDir).filter((f) => f.endsWith(".uffd.ts")),
  ...readdirSync(join(examplesDir, "upstream"))
    .filter((f) => f.endsWith(".uffd.ts"))
    .map((f) => join("upstream", f)),
]
  .sort()
  .map((f) => readFileSync(join(examplesDir, f), "utf8"));

beforeAll(() => ensureBuiltCli(root));

interface Problem {
  readonly index: number;
  readonly kinds: readonly string[];
  readonly what: string;
}

function positioned(d: Diagnostic, lineCounts: Map<string, number>): boolean {
  const s = d.span;
  if (!s || !s.file) return false;
  let lines = lineCounts.get(s.file);
  if (lines === undefined) {
    lines = existsSync(s.file) ? readFileSync(s.file, "utf8").split("\n").length : -1;
    lineCounts.set(s.file, lines);
  }
  // A file the loader refused to read (too large, not regular) still gets line 1.
  if (lines < 0) return false;
  return s.line >= 1 && s.column >= 1 && s.line <= Math.max(lines, 1) && s.endLine >= s.line;
}

describe("spec fuzzer", () => {
  it(`survives ${SPECS} seeded mutants of the examples (seed ${SEED})`, async () => {
    expect(examples.length).toBeGreaterThanOrEqual(13);
    const sandbox = mkdtempSync(join(tmpdir(), "uffdkit-fuzz-"));
    const specDir = join(sandbox, "specs");
    const outRoot = join(sandbox, "out");
    mkdirSync(specDir);
    mkdirSync(outRoot);
    writeFileSync(join(sandbox, "canary.txt"), "untouched\n");

    const crashes: Problem[] = [];
    const silent: Problem[] = [];
    const unpositioned: Problem[] = [];
    const leaks: Problem[] = [];
    const outside: Problem[] = [];
    const slow: Problem[] = [];
    const cli: Problem[] = [];
    let refused = 0;
    let generated = 0;
    let slowest = 0;
    const started = Date.now();

    for (let i = 0; i < SPECS; i++) {
      const m: Mutant = mutant(examples, SEED, i);
      const file = join(specDir, `m${i}.uffd.ts`);
      writeFileSync(file, m.text);
      const problem = (what: string): Problem => ({ index: i, kinds: m.kinds, what });
      const t0 = performance.now();
      try {
        const loaded = await loadModel(file);
        const diags = [...loaded.diagnostics, ...(loaded.model ? checkModel(lowerOf(loaded.model)) : [])];
        formatDiagnostics(diags, { color: false });
        const lineCounts = new Map<string, number>();
        for (const d of diags) if (!positioned(d, lineCounts)) unpositioned.push(problem(`${d.id}: ${d.message.slice(0, 120)}`));
        const errors = diags.filter((d) => d.severity === "error");
        if (errors.length > 0 || loaded.fatal) refused++;
        else if (m.mustRefuse) silent.push(problem("accepted without an error finding"));
        // gen emits only from a model without spec (S) errors: do what it would do.
        if (loaded.model && !loaded.fatal && !errors.some((d) => /^S\d+$/.test(d.id))) {
          const { files } = generateArtifacts(openValue(loaded.model).generation());
          generated++;
          for (const f of files) for (const a of m.attacks) if (f.contents.includes(a)) leaks.push(problem(`${f.path} carries ${JSON.stringify(a)}`));
          const out = join(outRoot, `m${i}`);
          writeOutput(out, files, { check: false, force: false });
          rmSync(out, { recursive: true, force: true });
        }
      } catch (e) {
        crashes.push(problem(e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : String(e)));
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      if (ms > MAX_MS) slow.push(problem(`${Math.round(ms)} ms`));
      const top = readdirSync(sandbox).sort();
      if (top.join(",") !== "canary.txt,out,specs" || readdirSync(outRoot).length > 0 || readFileSync(join(sandbox, "canary.txt"), "utf8") !== "untouched\n") {
        outside.push(problem(`sandbox now holds ${top.join(", ")}`));
      }
      if (i % CLI_EVERY === 0) {
        const r = spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), "check", file, "--json"], { encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
        let ok = r.status !== null && [0, 1, 2].includes(r.status);
        try {
          const json = JSON.parse(r.stdout) as { diagnostics?: unknown };
          ok &&= Array.isArray(json.diagnostics);
        } catch {
          ok = false;
        }
        if (!ok || /internal error|\n\s+at /.test(r.stderr)) cli.push(problem(`check --json: exit ${r.status}, stderr ${r.stderr.slice(0, 200)}`));
      }
      rmSync(file, { force: true });
    }

    const summary = {
      seed: SEED,
      specs: SPECS,
      refused,
      generated,
      crashes: crashes.length,
      silentAccepts: silent.length,
      unpositioned: unpositioned.length,
      leaks: leaks.length,
      outsideWrites: outside.length,
      hangs: slow.length,
      cliFailures: cli.length,
      slowestMs: Math.round(slowest),
      totalSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
    console.log(`uffdkit fuzz: ${JSON.stringify(summary)}`);
    rmSync(sandbox, { recursive: true, force: true });
    // The first few of each kind, with the seed and index that reproduce them.
    expect({ crashes: crashes.slice(0, 5), silent: silent.slice(0, 5), unpositioned: unpositioned.slice(0, 5), leaks: leaks.slice(0, 5), outside: outside.slice(0, 5), slow: slow.slice(0, 5), cli: cli.slice(0, 5) }).toEqual({
      crashes: [],
      silent: [],
      unpositioned: [],
      leaks: [],
      outside: [],
      slow: [],
      cli: [],
    });
    // The fuzzer must exercise both halves: refusals and full generations.
    expect(refused).toBeGreaterThan(SPECS / 4);
    expect(generated).toBeGreaterThan(SPECS / 50);
  });
});
