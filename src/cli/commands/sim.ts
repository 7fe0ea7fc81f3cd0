/**
 * `uffdkit sim SCENARIO.json [--kernel-version V] [--json]`: validate a scenario
 * file against schema/scenario.schema.json, run it on the simulator, print TAP
 * (or, with --json, the per-step results). Exit 0 pass, 1 fail, 2 bad file.
 */
import { readFileSync } from "node:fs";
import type { CliIO } from "../io.js";
import { EXIT } from "../io.js";
import { isKernelVersion, KERNEL_VERSIONS } from "../../kernel/versions.js";
import type { Scenario } from "../../plan/scenario.js";
import { formatTap } from "../../run/tap.js";
import type { SuiteResult } from "../../run/result.js";
import { simulateScenario } from "../../run/sim/index.js";
import { validateScenario } from "../../run/sim/validate.js";

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
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return bad(code === "ENOENT" ? `${file}: no such file` : `${file}: cannot read (${code ?? String(e)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return bad(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const errors = validateScenario(data);
  if (errors.length) return bad(`${file} does not match the scenario schema (schema/scenario.schema.json; see docs/scenario-format.md)`, errors);
  const scenario = data as Scenario;
  const result = simulateScenario(scenario, { kernel: version });
  const suite: SuiteResult = { suite: `${scenario.name} (simulated Linux ${version})`, runner: "sim", results: [result] };
  if (io.json) io.emitJson({ ok: result.verdict === "pass", file, kernelVersion: version, result });
  else io.out(formatTap(suite));
  if (result.verdict === "pass") return EXIT.ok;
  if (result.verdict === "error") {
    // The file is valid JSON of the right shape but describes a setup that cannot exist.
    io.err(`uffdkit sim: ${file}: ${result.reason ?? "simulator error"}`);
    return EXIT.usage;
  }
  return EXIT.findings;
}
