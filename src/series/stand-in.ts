/**
 * Whether a type's selftests run on the type itself or on another kind standing
 * in for it (a char driver's tests on a memfd): then nothing may present those
 * runs as tests of the type. Lowering decides it (Lowered.standIn).
 */
import { lower } from "../lower/index.js";
import type { Model } from "../model/model.js";

/** The kind the kernel runs really use when it is not the declared type, or undefined. */
export function standInKind(model: Model): string | undefined {
  return lower(model).standIn?.kind;
}
