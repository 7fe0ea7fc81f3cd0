/**
 * schema/scenario.schema.json against src/ir/scenario.ts: every step op and
 * every field of every step, of the setup and of a declared type agree (read
 * from the TypeScript types with ts-morph), the documented example validates
 * (helpers.run() validates every scenario the other tests build), and mistakes get errors with a JSON path.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Project, type Type } from "ts-morph";
import { validateScenario, scenarioSchema } from "../../src/run/sim/validate.js";
import { lowerOf } from "../fixtures/lower.js";

type Json = { properties?: Record<string, Json>; $ref?: string; oneOf?: Json[]; const?: unknown; required?: string[] };
const schema = scenarioSchema() as Json & { $defs: Record<string, Json> };
const def = (n: string) => schema.$defs[n]!;

const project = new Project({ skipAddingFilesFromTsConfig: true, compilerOptions: { strict: true } });
const file = project.addSourceFileAtPath(new URL("../../src/ir/scenario.ts", import.meta.url).pathname);

function props(t: Type): { all: string[]; required: string[] } {
  const all: string[] = [];
  const required: string[] = [];
  for (const p of t.getProperties()) {
    all.push(p.getName());
    const decl = p.getDeclarations()[0];
    if (decl && !p.isOptional()) required.push(p.getName());
  }
  return { all: all.sort(), required: required.sort() };
}

describe("schema agrees with the TypeScript types", () => {
  const stepType = file.getTypeAliasOrThrow("Step").getType();
  const members = stepType.getUnionTypes().flatMap((t) => (t.isUnion() ? t.getUnionTypes() : [t]));
  const byOp = new Map<string, Type>();
  for (const m of members) {
    const op = m.getPropertyOrThrow("op").getTypeAtLocation(file).getLiteralValue() as string;
    byOp.set(op, m);
  }
  it("has a step definition for every op and no other", () => {
    const schemaOps = (def("step").oneOf ?? []).map((r) => r.$ref!.replace("#/$defs/step_", "")).sort();
    expect(schemaOps).toEqual([...byOp.keys()].sort());
  });
  it("has exactly the fields of every step, with the same required ones", () => {
    for (const [op, t] of byOp) {
      const want = props(t);
      const s = def(`step_${op}`);
      expect(Object.keys(s.properties!).sort(), op).toEqual(want.all);
      expect([...(s.required ?? [])].sort(), op).toEqual(want.required);
    }
  });
  it("has exactly the fields of the setup, a declared type and the scenario", () => {
    for (const [name, d] of [["ScenarioSetup", def("setup")], ["DeclaredType", def("declared")], ["Scenario", schema]] as const) {
      const t = file.getInterfaceOrThrow(name).getType();
      const want = props(t);
      expect(Object.keys(d.properties!).sort(), name).toEqual(want.all);
      expect([...(d.required ?? [])].sort(), name).toEqual(want.required);
    }
  });
});

describe("validation", () => {
  // Every scenario the other simulator tests run is validated in helpers.run() before it runs.
  it("accepts the worked example of docs/scenario-format.md", () => {
    const doc = readFileSync(new URL("../../docs/scenario-format.md", import.meta.url), "utf8");
    const json = /```json\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(validateScenario(JSON.parse(json))).toEqual([]);
  });
  it("points at mistakes with a JSON path and a hint", () => {
    const bad = {
      name: "x",
      title: "t",
      setup: { kind: "anon", pages: 1, map: "private", colour: 1 },
      steps: [{ op: "regster", page: 0, modes: ["missing"] }, { op: "copy", page: 0, src: { byte: 300 } }, { op: "api", expect: { result: "EINVL" } }],
    };
    const errs = validateScenario(bad);
    expect(errs).toContainEqual({ path: "$.setup.colour", message: expect.stringMatching(/unknown property "colour"/) });
    expect(errs).toContainEqual({ path: "$.steps[0].op", message: expect.stringMatching(/did you mean "register"/) });
    expect(errs).toContainEqual({ path: "$.steps[1].src.byte", message: "must be <= 255 (got 300)" });
    expect(errs).toContainEqual({ path: "$.steps[2].expect.result", message: expect.stringMatching(/did you mean "EINVAL"/) });
    expect(validateScenario([])).toEqual([{ path: "$", message: "must be an object (got [])" }]);
  });
});

describe("the schema is the contract of everything we produce and accept", () => {
  const enumOf = (n: string) => ((def(n) as { enum?: unknown[] }).enum ?? []).slice().sort();
  it("lists every errno, feature, mode, ioctl, fault flag, guest_memfd flag and kind the simulator knows", async () => {
    const uapi = await import("../../src/kernel/uapi.js");
    const { MEM_KINDS } = await import("../../src/kernel/kinds.js");
    expect(enumOf("errno")).toEqual([...uapi.ERRNO_NAMES].sort());
    expect(enumOf("result")).toEqual(["ok", ...uapi.ERRNO_NAMES].sort());
    expect(enumOf("feature")).toEqual([...uapi.UFFD_FEATURE_NAMES].sort());
    expect(enumOf("registerMode")).toEqual([...uapi.REGISTER_MODES].sort());
    expect(enumOf("rangeIoctl")).toEqual([...uapi.RANGE_IOCTLS].sort());
    expect(enumOf("pagefaultFlag")).toEqual(Object.keys(uapi.UFFD_PAGEFAULT_FLAG).sort());
    expect(enumOf("gmemFlag")).toEqual(Object.keys(uapi.GUEST_MEMFD_FLAGS).sort());
    expect(((def("setup").properties!.kind as { enum: string[] }).enum).slice().sort()).toEqual([...MEM_KINDS].sort());
  });
  it("accepts every scenario of every reference suite", async () => {
    const { referenceSuites } = await import("../../src/plan/reference/index.js");
    const suites = referenceSuites();
    expect(suites.length).toBeGreaterThan(3);
    for (const suite of suites)
      for (const s of suite.scenarios) expect(validateScenario(JSON.parse(JSON.stringify(s))), `${suite.name}/${s.name}`).toEqual([]);
  });
  it("accepts every scenario the planner makes of the example specs", async () => {
    const { loadModel } = await import("../../src/load/index.js");
    const { planSuite } = await import("../../src/plan/planner/index.js");
    let count = 0;
    for (const f of ["gmem.uffd.ts", "shmem.uffd.ts", "hugetlbfs.uffd.ts", "gmem-missing-minor.uffd.ts"]) {
      const r = await loadModel(new URL(`../../examples/${f}`, import.meta.url).pathname);
      expect(r.model, f).toBeDefined();
      for (const s of planSuite(lowerOf(r.model!)).scenarios) {
        count++;
        expect(validateScenario(JSON.parse(JSON.stringify(s))), `${f}/${s.name}`).toEqual([]);
      }
    }
    expect(count).toBeGreaterThan(40);
  });
  it("refuses what no kernel test needs: too many pages or steps", () => {
    const base = { name: "x", title: "t", setup: { kind: "anon", pages: 4, map: "private" }, steps: [] as unknown[] };
    expect(validateScenario({ ...base, setup: { ...base.setup, pages: 100000 } })).toEqual([{ path: "$.setup.pages", message: "must be <= 1024 (got 100000)" }]);
    expect(validateScenario({ ...base, steps: new Array(300).fill({ op: "api" }) })).toEqual([{ path: "$.steps", message: "must have at most 256 items (got 300)" }]);
  });
  it("explains a fill that is neither a byte nor a pattern, and a missing op", () => {
    const s = { name: "x", title: "t", setup: { kind: "anon", pages: 1, map: "private" }, steps: [{ op: "copy", page: 0, src: {} }, { page: 0 }] };
    expect(validateScenario(s)).toEqual([
      { path: "$.steps[0].src", message: 'needs exactly one of "byte", "pattern", "page"' },
      { path: "$.steps[1]", message: expect.stringMatching(/^missing "op" \(one of api, register,/) },
    ]);
  });
});

describe("ajv is loaded only where scenario files are validated", () => {
  it("compiles the schema once per process", async () => {
    const { scenarioValidator } = await import("../../src/run/sim/validate.js");
    expect(scenarioValidator()).toBe(scenarioValidator());
  });
  it("is not reachable from gen or check, only from sim", () => {
    // Follow relative imports from each command's module; validate.ts (and with it ajv) must
    // be reached from sim alone, so gen's and check's start-up never pays for it.
    const reach = (entry: string): Set<string> => {
      const seen = new Set<string>();
      const todo = [new URL(entry, import.meta.url).pathname];
      while (todo.length) {
        const f = todo.pop()!;
        if (seen.has(f)) continue;
        seen.add(f);
        const src = readFileSync(f, "utf8");
        for (const m of src.matchAll(/^import\s(?!type\b)[^;]*?from\s+"(\.[^"]+)";/gms)) {
          const target = new URL(m[1]!.replace(/\.js$/, ".ts"), `file://${f}`).pathname;
          todo.push(target);
        }
      }
      return seen;
    };
    const isValidator = (files: Set<string>) => [...files].some((f) => f.endsWith("/run/sim/validate.ts"));
    expect(isValidator(reach("../../src/cli/commands/sim.ts"))).toBe(true);
    expect(isValidator(reach("../../src/cli/commands/gen.ts"))).toBe(false);
    expect(isValidator(reach("../../src/cli/commands/check.ts"))).toBe(false);
  });
});
