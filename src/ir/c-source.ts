/**
 * Which C runs: the one input every command that executes C takes. By default
 * the callbacks are what `gen` emits and the type's own functions (guards,
 * helpers, prepare and its undo, free hooks) are stand-ins the simulator
 * answers from the scenario. A developer's C replaces either.
 */

/** A C file as the developer has it: its path as findings name it, and its text. */
export interface CSource {
  readonly path: string;
  readonly text: string;
}

export interface CInput {
  /** The callbacks as the developer has them (`verify --c`, `--tree`); absent: what gen emits. */
  readonly callbacks?: CSource;
  /** The type's own C: `<spec>.c` beside the spec (`x.uffd.ts` → `x.uffd.c`), or the type's file in a tree. */
  readonly typeC?: CSource;
}
