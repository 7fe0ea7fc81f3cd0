/**
 * The error a simulator module throws for a scenario it cannot run as written
 * (not a simulator bug): the step or setup becomes verdict "error" with the
 * message, never an exception that reaches the user.
 */
/** Thrown inside the simulator for a scenario that cannot be set up; becomes verdict "error". */
export class ScenarioSetupError extends Error {
  /** "usage": the scenario cannot be set up as written; "mismatch": setup ran, but not as the scenario expected. */
  constructor(
    message: string,
    readonly kind: "usage" | "mismatch" = "usage",
  ) {
    super(message);
  }
}
