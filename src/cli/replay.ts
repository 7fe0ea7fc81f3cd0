/**
 * `uffdkit sim REPLAY.json`: run the schedule an `explore` counterexample
 * recorded, step by step, and say whether it still shows the violation it
 * was written for. The schedule is run twice and the two traces compared, so
 * a pass also shows the replay is deterministic. Exit 0 reproduced, 1 not
 * reproduced, 2 bad file.
 */
import { dirname, relative, resolve } from "node:path";
import type { ConcurrentProgram } from "../ir/program.js";
import { isApiGeneration } from "../kernel/generations.js";
import { isKernelVersion, KERNEL_VERSIONS, type KernelVersionId } from "../kernel/versions.js";
import { open } from "../session/index.js";
import { ProgramError, replaySchedule, type TraceEntry } from "../run/explore/index.js";
import { validateProgram } from "../run/explore/validate.js";
import { replayWeak } from "../run/explore/weak.js";
import { validateScenario } from "../run/sim/validate.js";
import type { Scenario } from "../ir/scenario.js";
import type { SimOptions } from "../run/sim/simulation.js";
import { EXIT, type CliIO } from "./io.js";

type Bad = (message: string, details?: { path: string; message: string }[]) => number;

interface Replay {
  readonly kernel: KernelVersionId;
  readonly schedule: readonly string[];
  readonly expect: { readonly property: string; readonly message: string };
  readonly spec?: string;
  readonly api?: string;
}

export async function runReplay(io: CliIO, file: string, data: { replay: unknown; program?: unknown; scenario?: unknown }, bad: Bad): Promise<number> {
  if (data.scenario !== undefined) return runWeakReplay(io, file, data, bad);
  const shape = replayErrors(data.replay);
  const errors = [...shape, ...validateProgram(data.program, "$.program")];
  if (errors.length) return bad(`${file} is not a replay file (docs/explore.md)`, errors);
  const replay = data.replay as Replay;
  const program = data.program as ConcurrentProgram;
  const opts = await optionsFor(io, file, replay, program);
  if (typeof opts === "string") return bad(opts);
  let traces: TraceEntry[][];
  let found: { property: string; message: string }[];
  try {
    const runs = [0, 1].map(() => replaySchedule(program, { ...opts, describeChanges: true }, replay.schedule));
    traces = runs.map((r) => r.trace);
    found = runs[0]!.violations;
  } catch (e) {
    if (e instanceof ProgramError) return bad(`${file}: ${e.message}`);
    throw e;
  }
  const deterministic = JSON.stringify(traces[0]) === JSON.stringify(traces[1]);
  const reproduced = found.some((v) => v.property === replay.expect.property && v.message === replay.expect.message);
  if (io.json) {
    io.emitJson({ ok: reproduced && deterministic, file, reproduced, deterministic, expect: replay.expect, violations: found, trace: traces[0] });
  } else {
    const lines = [`uffdkit sim: replay of ${program.name} (${replay.schedule.length} transitions, simulated Linux ${opts.kernel})`];
    traces[0]!.forEach((t, k) => {
      lines.push(`  ${String(k + 1).padStart(2)}. ${t.thread.padEnd(12)} ${t.op} → ${t.stop}${t.holds ? ` [holds ${t.holds}]` : ""}`);
      if (t.change) lines.push(`      ${t.change}`);
    });
    for (const v of found) lines.push(`  violation ${v.property}: ${v.message}`);
    lines.push(
      reproduced
        ? `reproduced: ${replay.expect.property}: ${replay.expect.message}${deterministic ? " (two runs, identical traces)" : ""}`
        : `NOT reproduced: expected ${replay.expect.property}: ${replay.expect.message}`,
    );
    if (!deterministic) lines.push("NOT deterministic: two runs of the same schedule gave different traces");
    io.out(`${lines.join("\n")}\n`);
  }
  return reproduced && deterministic ? EXIT.ok : EXIT.findings;
}

function replayErrors(r: unknown): { path: string; message: string }[] {
  if (typeof r !== "object" || r === null) return [{ path: "$.replay", message: "an object { kernel, schedule, expect }" }];
  const o = r as Record<string, unknown>;
  const out: { path: string; message: string }[] = [];
  if (typeof o.kernel !== "string" || !isKernelVersion(o.kernel)) out.push({ path: "$.replay.kernel", message: `one of ${KERNEL_VERSIONS.join(", ")}` });
  if (!Array.isArray(o.schedule) || o.schedule.length > 10_000 || !o.schedule.every((t) => typeof t === "string")) out.push({ path: "$.replay.schedule", message: "an array of thread names" });
  const e = o.expect as Record<string, unknown> | undefined;
  if (!e || typeof e.property !== "string" || typeof e.message !== "string") out.push({ path: "$.replay.expect", message: "{ property, message }" });
  if (o.spec !== undefined && typeof o.spec !== "string") out.push({ path: "$.replay.spec", message: "the spec's path, relative to the replay file" });
  if (o.api !== undefined && (typeof o.api !== "string" || !isApiGeneration(o.api))) out.push({ path: "$.replay.api", message: "an API generation" });
  return out;
}

/** A declared type's C is rebuilt from the spec the replay names (relative to the replay file). */
async function optionsFor(io: CliIO, file: string, replay: Replay, program: { setup: { kind: string } }): Promise<SimOptions | string> {
  if (program.setup.kind !== "declared") return { kernel: replay.kernel };
  if (!replay.spec) return `${file}: a program of kind "declared" needs replay.spec, the spec whose C it runs`;
  const specPath = relative(process.cwd(), resolve(dirname(file), replay.spec)) || replay.spec;
  const api = replay.api && isApiGeneration(replay.api) ? replay.api : undefined;
  const session = await open(specPath, api ? { api } : {});
  if (session.loadFailed) return `${file}: replay.spec ${specPath} cannot be loaded (run uffdkit check on it)`;
  const g = session.generation();
  if (g.stops("compiled").length) return `${file}: replay.spec ${specPath} has shape errors (run uffdkit check on it)`;
  const compiled = g.compiled;
  if ("error" in compiled) return `${file}: the C of ${specPath} does not compile: ${compiled.error.split("\n")[0]}`;
  void io;
  return { ...g.simOptions, kernel: replay.kernel };
}

/**
 * A KVM Userfault replay: the scenario, with the vCPU access at
 * replay.weakMemory.step taking the visibility order replay.weakMemory.schedule.
 */
async function runWeakReplay(io: CliIO, file: string, data: { replay: unknown; scenario?: unknown }, bad: Bad): Promise<number> {
  const errors = [...replayErrors(data.replay).filter((e) => e.path !== "$.replay.schedule"), ...validateScenario(data.scenario).map((e) => ({ ...e, path: e.path.replace(/^\$/, "$.scenario") }))];
  const w = (data.replay as { weakMemory?: { step?: unknown; schedule?: unknown } } | null)?.weakMemory;
  if (!w || !Number.isInteger(w.step) || typeof w.schedule !== "string") errors.push({ path: "$.replay.weakMemory", message: "{ step, schedule }: the vCPU access and its visibility order" });
  if (errors.length) return bad(`${file} is not a replay file (docs/explore.md)`, errors);
  const replay = data.replay as Replay;
  const scenario = data.scenario as Scenario;
  const opts = await optionsFor(io, file, replay, scenario);
  if (typeof opts === "string") return bad(opts);
  const runs = [0, 1].map(() => replayWeak(scenario, opts, w!.step as number, w!.schedule as string));
  const deterministic = JSON.stringify(runs[0]) === JSON.stringify(runs[1]);
  const o = runs[0]!.outcome;
  const reproduced = runs[0]!.stale && replay.expect.property === "stale";
  if (io.json) {
    io.emitJson({ ok: reproduced && deterministic, file, reproduced, deterministic, expect: replay.expect, outcome: o });
  } else {
    const lines = [`uffdkit sim: replay of ${scenario.name} (KVM Userfault, simulated Linux ${opts.kernel})`];
    lines.push(o ? `  step ${w!.step as number}: ${o.schedule} → ${o.exit ? "exit to userspace" : `read 0x${o.value.toString(16)}${o.stale ? " (stale)" : ""}`}` : `  step ${w!.step as number}: no visibility order "${w!.schedule as string}" exists there`);
    lines.push(reproduced ? `reproduced: ${replay.expect.property}: ${replay.expect.message}${deterministic ? " (two runs, identical outcomes)" : ""}` : `NOT reproduced: expected ${replay.expect.property}: ${replay.expect.message}`);
    io.out(`${lines.join("\n")}\n`);
  }
  return reproduced && deterministic ? EXIT.ok : EXIT.findings;
}
