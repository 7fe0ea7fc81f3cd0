/**
 * `uffdkit check SPEC [--api ID] [--type-check] [--json]`: load, validate the
 * shape, run the rules, and with --type-check also the full TypeScript check. Exit 0 (warnings allowed), 1 on error findings, 2 on usage/load errors.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { formatDiagnostics, summarize } from "../../diagnostics/format.js";
import { API_GENERATIONS, isApiGeneration } from "../../kernel/generations.js";
import { open } from "../../session/index.js";
import { didYouMean } from "../../load/suggest.js";
import { EXIT, type CliIO } from "../io.js";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const file = args[0];
  if (!file) {
    io.err("uffdkit check: missing SPEC (a <type>.uffd.ts file)");
    return EXIT.usage;
  }
  const api = opts.api;
  if (api !== undefined && (typeof api !== "string" || !isApiGeneration(api))) {
    const guess = typeof api === "string" ? didYouMean(api, API_GENERATIONS) : undefined;
    const msg = `uffdkit check: unknown API generation ${JSON.stringify(api)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} (valid: ${API_GENERATIONS.join(", ")})`;
    if (io.json) io.emitJson({ file, api, error: msg, diagnostics: [] });
    io.err(msg);
    return EXIT.usage;
  }

  const session = await open(file, { ...(api ? { api } : {}), allowExec: opts.allowExec === true });
  const model = session.loadFailed ? undefined : session.generation().model;
  const diagnostics: Diagnostic[] = [...(model ? session.generation().findings : session.loadFindings)];
  if (opts.typeCheck && !session.loadFatal) {
    // Costs over a second (a ts-morph Project), so only when asked.
    const { typeCheckSpec } = await import("../../load/type-check.js");
    diagnostics.push(...typeCheckSpec(file));
  }
  const code = session.loadFatal ? EXIT.usage : diagnostics.some((d) => d.severity === "error") ? EXIT.findings : EXIT.ok;

  if (io.json) {
    io.emitJson({ file, api: model?.gen.id ?? api ?? null, diagnostics });
    return code;
  }
  if (diagnostics.length > 0) io.out(formatDiagnostics(diagnostics, { color: io.color }) + "\n");
  if (session.loadFatal) {
    io.err(`${file}: cannot load the spec; fix the error above (${summarize(diagnostics)})`);
    return code;
  }
  const ruleNote = model ? `checked against ${model.gen.id}` : "rules not run until the spec findings above are fixed";
  io.out(`${file}: ${summarize(diagnostics)} (${ruleNote})`);
  return code;
}
