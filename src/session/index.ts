/**
 * The session: the one entry every command goes through.
 *
 *   const s = await open("examples/gmem.uffd.ts", { api, allowExec });
 *   if (s.loadFailed) ...                       // exit 2, s.loadFindings say why
 *   const g = s.generation();                   // the spec's API generation (or options.api)
 *   if (g.stops("simulation").length) ...       // the gate (gate.ts), stated once
 *   g.simulation.result                         // computed on first use, then cached
 *
 * Stages are lazy and cached per API generation: asking for `simulation` runs
 * lower → emit → compile → plan → simulate once, and every later stage reuses
 * what was computed (nothing lowers twice; test/session counts it). A command
 * picks the stages it needs and prints them; it never composes stages itself.
 *
 * The C the session runs is an input (options.cSource): the C uffdkit emits
 * (the default), or the developer's own file, which then replaces the emitted
 * C in `compiled`, `simulation`, `exploration` and the checklist's evidence.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ApiGenerationId } from "../kernel/generations.js";
import { loadSpec } from "../load/index.js";
import type { Model } from "../model/model.js";
import { normalize } from "../model/normalize.js";
import type { MemoryTypeSpec } from "../spec/types.js";
import { Generation } from "./generation.js";
import { typeCBeside } from "../load/type-c.js";
import type { OpenOptions } from "./options.js";

export { GATE, GateClosed, isShapeError, stoppersAt, type GateLevel, type StageName } from "./gate.js";
export type { CSource, OpenOptions } from "./options.js";
export { Generation, type CSourceText, type SimulationRun, type ExplorePlan, type SeriesTesting } from "./generation.js";

export interface Session {
  /** The spec file ("<inline>" for a spec given as a value). */
  readonly file: string;
  /** No model could be made of the spec: every stage is closed; loadFindings say why. */
  readonly loadFailed: boolean;
  /**
   * The file itself could not be read (unreadable, syntax, not static): a usage
   * error (exit 2). A spec that was read but whose shape the loader refused is
   * loadFailed without loadFatal: its findings are the user's to fix (check exits 1).
   */
  readonly loadFatal: boolean;
  /** The loader's findings (notes, S-rule shape findings, or the load error). */
  readonly loadFindings: readonly Diagnostic[];
  readonly options: OpenOptions;
  /** The stages of one API generation (default: options.api, else the spec's). Throws when loadFailed. */
  generation(api?: ApiGenerationId): Generation;
}

/**
 * Open a session on a spec: a file (read statically, or run with allowExec), a
 * spec value, or a Model built in code. Only the file is read here; every
 * stage waits until asked for.
 */
export async function open(spec: string | MemoryTypeSpec | Model, options: OpenOptions = {}): Promise<Session> {
  if (typeof spec !== "string") return openValue(spec, options);
  const loaded = await loadSpec(spec, options.allowExec ? { allowExec: true } : {});
  if (loaded.fatal || !loaded.spec) return failed(spec, loaded.diagnostics, loaded.fatal, options);
  const value = loaded.spec;
  const beside = options.typeC === undefined ? typeCBeside(spec) : undefined;
  // Something at <spec>.c that cannot be read as C is a usage error, like an unreadable spec.
  if (beside && "finding" in beside) return failed(spec, [...loaded.diagnostics, beside.finding], true, options);
  if (beside) options = { ...options, typeC: beside.source };
  return sessionOf(spec, value.api, loaded.diagnostics, options, (api) => normalize({ ...value, api }, { file: spec, positions: loaded.positions }));
}

/** The same session for a spec or Model built in code (no file, no load findings). */
export function openValue(spec: MemoryTypeSpec | Model, options: OpenOptions = {}): Session {
  if ("cnames" in spec) {
    const model = spec;
    return sessionOf(model.file, model.gen.id, [], options, (api) => (api === model.gen.id ? model : normalize({ ...model.spec, api }, { file: model.file, positions: model.positions })));
  }
  return sessionOf("<inline>", spec.api, [], options, (api) => normalize({ ...spec, api }));
}

function failed(file: string, loadFindings: readonly Diagnostic[], fatal: boolean, options: OpenOptions): Session {
  return {
    file,
    loadFailed: true,
    loadFatal: fatal,
    loadFindings,
    options,
    generation: () => {
      throw new Error(`session: ${file} could not be loaded; check loadFailed first`);
    },
  };
}

function sessionOf(file: string, specApi: ApiGenerationId, loadFindings: readonly Diagnostic[], options: OpenOptions, modelFor: (api: ApiGenerationId) => Model): Session {
  const generations = new Map<ApiGenerationId, Generation>();
  const session: Session = {
    file,
    loadFailed: false,
    loadFatal: false,
    loadFindings,
    options,
    generation(api?: ApiGenerationId): Generation {
      const id = api ?? options.api ?? specApi;
      let g = generations.get(id);
      if (!g) {
        g = new Generation(id, modelFor(id), loadFindings, options);
        generations.set(id, g);
      }
      return g;
    },
  };
  return session;
}
