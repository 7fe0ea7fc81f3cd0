/**
 * A C file as the developer has it. The session (src/session) takes the
 * callbacks (`cSource`) and the type's own functions (`typeC`) as inputs; by
 * default the callbacks are what `gen` emits and the type's functions are
 * stand-ins the simulator answers from the scenario.
 */

/** A C file as the developer has it: its path as findings name it, and its text. */
export interface CSource {
  readonly path: string;
  readonly text: string;
}
