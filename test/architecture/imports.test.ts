/**
 * Imports follow the flow (test/architecture/graph.ts STAGES): no file imports
 * a later stage, and the only import cycles are the simulator's deliberate
 * mirror of the kernel's mutual calls, listed here with why.
 */
import { describe, expect, it } from "vitest";
import { cycles, importGraph, importsOf, rankOf, STAGES } from "./graph.js";

/**
 * Allowed cycles, each a set of files. The simulator reads like mm/ and fs/:
 * fs/userfaultfd.c, mm/userfaultfd.c and mm/memory.c call each other
 * (handle_userfault from the fault path, the fault path from mfill), and the
 * emitted C runs under the simulator's machine while the machine calls the C
 * through the ops struct (run/c ↔ run/sim). Anything else is a design error.
 */
const ALLOWED_CYCLES: readonly { readonly files: readonly string[]; readonly why: string }[] = [
  {
    files: ["run/sim/fs_userfaultfd.ts", "run/sim/memory.ts", "run/sim/userfaultfd.ts"],
    why: "fs/userfaultfd.c, mm/userfaultfd.c and the fault path call each other in the kernel",
  },
  {
    files: ["run/sim/copysrc.ts", "run/sim/fork.ts", "run/sim/mremap.ts", "run/sim/munmap.ts", "run/sim/simulation.ts"],
    why: "the scenario ops (fork, mremap, munmap, the copy source) are steps of the simulation and call back into it",
  },
  {
    files: ["run/c/contracts.ts", "run/c/imports.ts", "run/c/instance.ts", "run/sim/declared.ts", "run/sim/machine.ts", "run/sim/uffd_ops.ts"],
    why: "the emitted C calls the mm helpers the machine models, and the machine calls the C through its ops struct",
  },
];

/** A cycle is allowed when all its files belong to one allowed set (the set may split as code moves). */
function allowed(cycle: readonly string[]): boolean {
  return ALLOWED_CYCLES.some((a) => cycle.every((f) => a.files.includes(f)));
}

function backImports(graph: Map<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) for (const t of imports) if (rankOf(t) > rankOf(file)) out.push(`src/${file} imports src/${t} (${STAGES[rankOf(file)]!.join("/")} may not import ${STAGES[rankOf(t)]!.join("/")})`);
  return out;
}

describe("imports follow load → lower → rules → plan/emit → run → report → session → cli", () => {
  const graph = importGraph();

  it("every folder of src/ has a stage", () => {
    for (const file of graph.keys()) expect(() => rankOf(file)).not.toThrow();
  });

  it("no file imports a later stage", () => {
    expect(backImports(graph)).toEqual([]);
  });

  it("no import cycle but the simulator's listed mirrors of the kernel", () => {
    expect(cycles(graph).filter((c) => !allowed(c))).toEqual([]);
  });

  it("the checks can fail: a planted back-import and a planted cycle are found", () => {
    const planted = new Map(graph);
    // load → emit (what load/shape.ts → emit/cident.ts was).
    planted.set("load/shape.ts", [...(graph.get("load/shape.ts") ?? []), ...importsOf("load/shape.ts", 'import { cIdent } from "../emit/cident.js";')]);
    expect(backImports(planted)).toEqual([expect.stringMatching(/^src\/load\/shape\.ts imports src\/emit\/cident\.ts/)]);
    // lower ↔ rules.
    planted.set("lower/index.ts", [...(graph.get("lower/index.ts") ?? []), "rules/index.ts"]);
    expect(cycles(planted).filter((c) => !allowed(c)).some((c) => c.includes("lower/index.ts") && c.includes("rules/index.ts"))).toBe(true);
  });

  it("reads every import form the code uses", () => {
    expect(importsOf("cli/commands/x.ts", 'import type { A } from "../../ir/scenario.js";\nexport { b } from "./b.js";\nconst m = await import("../../run/sim/index.js");')).toEqual(["ir/scenario.ts", "cli/commands/b.ts", "run/sim/index.ts"]);
  });
});
