/**
 * `uffdkit checklist SPEC [--json]`: the review checklist for the spec, with
 * the items uffdkit's rules and the simulator verified. Exit 0, 1 when an item
 * failed verification, 2 usage or load error.
 */
import { relative, resolve } from "node:path";
import { formatDiagnostics } from "../../diagnostics/format.js";
import { open } from "../../session/index.js";
import { EXIT, type CliIO } from "../io.js";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const file = args[0];
  if (!file) {
    if (io.json) io.emitJson({ ok: false, error: "missing SPEC" });
    io.err("uffdkit checklist: missing SPEC (a <type>.uffd.ts file)");
    return EXIT.usage;
  }
  const specPath = relative(process.cwd(), resolve(file)) || file;
  const session = await open(specPath, { allowExec: opts.allowExec === true });
  if (session.loadFailed) {
    if (io.json) io.emitJson({ ok: false, error: "cannot load the spec", diagnostics: session.loadFindings });
    else io.err(formatDiagnostics(session.loadFindings, { color: io.color }));
    io.err(`uffdkit checklist: cannot load ${specPath}; fix the findings above`);
    return EXIT.usage;
  }
  const g = session.generation();
  const checklist = g.checklist;
  if (g.simulationNote) io.err(`uffdkit checklist: simulator not used: ${g.simulationNote}`);
  if (io.json) {
    const { markdown: _md, ...data } = checklist;
    io.emitJson({ ok: true, file: specPath, ...data });
  } else {
    io.out(checklist.markdown);
  }
  return checklist.counts.fail > 0 ? EXIT.findings : EXIT.ok;
}
