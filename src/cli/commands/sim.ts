/**
 * `uffdkit sim FILE.json [--kernel-version V] [--json]`: validate a scenario
 * file against schema/scenario.schema.json, run it on the simulator, print TAP
 * (or, with --json, the per-step results). Exit 0 pass, 1 fail, 2 bad file.
 *
 * FILE is one scenario, or a suite `{ name, title, scenarios: [...] }` such as
 * the scenarios.json that `gen` writes, or a replay file that `explore` wrote
 * (replay.ts runs those); every scenario of a suite is validated
 * (errors name `$.scenarios[i]...`) before any runs.
 */
import type { CliIO } from "../io.js";
import { EXIT } from "../io.js";
import { isKernelVersion, KERNEL_VERSIONS } from "../../kernel/versions.js";
import { standInText, type Scenario } from "../../ir/scenario.js";
import { formatTap } from "../../run/tap.js";
import type { SuiteResult } from "../../ir/result.js";
import { simulateScenario } from "../../run/sim/index.js";
import { compileTypeC, type CompiledType } from "../../run/c/compile.js";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { validateScenario } from "../../run/sim/validate.js";
import { readJsonFile } from "./json-file.js";

/** A replay file that `uffdkit explore` wrote: { replay, program }. */
function isReplay(data: unknown): data is { replay: unknown; program?: unknown; scenario?: unknown } {
  return typeof data === "object" && data !== null && "replay" in data && ("program" in data || "scenario" in data);
}

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const file = args[0];
  const bad = (message: string, details: { path: string; message: string }[] = []): number => {
    if (io.json) io.emitJson({ ok: false, file, error: message, details });
    io.err(`uffdkit sim: ${message}`);
    for (const d of details) io.err(`  ${file}: ${d.path}: ${d.message}`);
    return EXIT.usage;
  };
  if (!file) return bad("no scenario file given (usage: uffdkit sim SCENARIO.json)");
  const version = String(opts.kernelVersion ?? "6.18");
  if (!isKernelVersion(version)) return bad(`unknown --kernel-version "${version}"; expected one of ${KERNEL_VERSIONS.join(", ")}`);
  const read = readJsonFile(file);
  if (!read.ok) return bad(read.error);
  const data = read.data;
  if (isReplay(data)) {
    const { runReplay } = await import("../replay.js");
    return runReplay(io, file, data, bad);
  }
  const isSuite = typeof data === "object" && data !== null && Array.isArray((data as { scenarios?: unknown }).scenarios);
  const scenarios: unknown[] = isSuite ? (data as { scenarios: unknown[] }).scenarios : [data];
  const errors = scenarios.flatMap((sc, i) =>
    validateScenario(sc).map((e) => (isSuite ? { ...e, path: e.path.replace(/^\$/, `$.scenarios[${i}]`) } : e)),
  );
  if (errors.length) return bad(`${file} does not match the scenario schema (schema/scenario.schema.json; see docs/scenario-format.md)`, errors);
  if (scenarios.length === 0) return bad(`${file}: the suite has no scenarios`);

  const results = (scenarios as Scenario[]).map((sc) => {
    const r = simulateScenario(sc, { kernel: version, ...declaredCFor(sc, file) });
    return sc.standIn ? { ...r, ranOn: standInText(sc.standIn, true) } : r;
  });
  const title = isSuite ? String((data as { name?: unknown }).name ?? file) : (scenarios[0] as Scenario).name;
  const standIns = typeFunctionStandIns(scenarios as Scenario[]);
  const suite: SuiteResult = { suite: `${title} (simulated Linux ${version})`, runner: "sim", results };
  // Not applicable (the type lacks the operation) is not a failure, and the TAP says it was not run.
  const ok = results.every((r) => r.verdict === "pass" || r.verdict === "lacks" || r.verdict === "not-applicable");
  if (io.json) io.emitJson(isSuite ? { ok, file, kernelVersion: version, results, standIns } : { ok, file, kernelVersion: version, result: results[0], standIns });
  else io.out(formatTap(suite, { name: title, title, scenarios: scenarios as Scenario[] }));
  if (standIns.length > 0) {
    io.err(
      `uffdkit sim: the type's own functions were stand-ins answered from the scenario, not C: ${standIns.join(", ")}. ` +
        "A scenario file carries the callbacks' C only; `uffdkit verify SPEC` runs the type's C as well.",
    );
  }
  const broken = results.filter((r) => r.verdict === "error");
  if (broken.length > 0) {
    // Valid JSON of the right shape, but a setup that cannot exist.
    for (const r of broken) io.err(`uffdkit sim: ${file}: ${r.scenario}: ${r.reason ?? "simulator error"}`);
    return EXIT.usage;
  }
  return ok ? EXIT.ok : EXIT.findings;
}
/**
 * A declared scenario runs its type's emitted C: the file setup.declared.c
 * names, relative to the scenario file (gen writes both into out/<name>/).
 */
function declaredCFor(sc: Scenario, scenarioFile: string): { declaredC?: CompiledType; declaredCError?: string } {
  const d = sc.setup.kind === "declared" ? sc.setup.declared : undefined;
  if (!d?.c) return {};
  const path = resolve(dirname(scenarioFile), d.c.file);
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch {
    return { declaredCError: `${d.c.file} (next to the scenario file) cannot be read` };
  }
  const compiled = compileTypeC(source, d.c.file, d.api, d.c, ": ");
  return "wasm" in compiled ? { declaredC: compiled } : { declaredCError: compiled.error };
}

/**
 * The type functions a declared scenario's C calls: a scenario file names the
 * callbacks' C and nothing else, so here every one of them is a stand-in.
 */
function typeFunctionStandIns(scenarios: readonly Scenario[]): string[] {
  const names = scenarios.flatMap((sc) => (sc.setup.kind === "declared" ? (sc.setup.declared?.c?.typeFunctions ?? []).map((t) => `${t.name}()`) : []));
  return [...new Set(names)];
}
