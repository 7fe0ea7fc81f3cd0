/**
 * `uffdkit checklist SPEC [--json]`: the review checklist for the spec, with
 * the items uffdkit's rules and the simulator verified. Exit 0, 1 when an item
 * failed verification, 2 usage or load error.
 */
import { relative, resolve } from "node:path";
import { formatDiagnostics } from "../../diagnostics/format.js";
import { buildChecklist } from "../../emit/checklist/index.js";
import { loadModel } from "../../load/index.js";
import { planSuite } from "../../plan/planner/index.js";
import type { Suite } from "../../ir/scenario.js";
import { checkModel } from "../../rules/index.js";
import { simulate } from "../../series/evidence.js";
import { EXIT, type CliIO } from "../io.js";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const file = args[0];
  if (!file) {
    if (io.json) io.emitJson({ ok: false, error: "missing SPEC" });
    io.err("uffdkit checklist: missing SPEC (a <type>.uffd.ts file)");
    return EXIT.usage;
  }
  const specPath = relative(process.cwd(), resolve(file)) || file;
  const loaded = await loadModel(specPath, { allowExec: opts.allowExec === true });
  if (loaded.fatal || !loaded.model) {
    if (io.json) io.emitJson({ ok: false, error: "cannot load the spec", diagnostics: loaded.diagnostics });
    else io.err(formatDiagnostics(loaded.diagnostics, { color: io.color }));
    io.err(`uffdkit checklist: cannot load ${specPath}; fix the findings above`);
    return EXIT.usage;
  }
  const model = loaded.model;
  const diagnostics = [...loaded.diagnostics, ...checkModel(model)];
  let suite: Suite | undefined;
  let simNote: string | undefined;
  try {
    suite = planSuite(model);
  } catch (e) {
    simNote = `no tests planned: ${e instanceof Error ? e.message : String(e)}`;
  }
  const sim = suite ? await simulate(model, suite) : { note: simNote };
  const checklist = buildChecklist(model, {
    diagnostics,
    ...(suite ? { suite } : {}),
    ...(sim.result ? { simulation: sim.result } : {}),
    ...(sim.c ? { c: sim.c } : {}),
  });
  if (sim.note) io.err(`uffdkit checklist: simulator not used: ${sim.note}`);
  if (io.json) {
    const { markdown: _md, ...data } = checklist;
    io.emitJson({ ok: true, file: specPath, ...data });
  } else {
    io.out(checklist.markdown);
  }
  return checklist.counts.fail > 0 ? EXIT.findings : EXIT.ok;
}
