/**
 * Whether a type's selftests run on the type itself or on another kind standing
 * in for it (a char driver's tests on a memfd): then nothing may present those
 * runs as tests of the type.
 */
import { KIND_FILES } from "../kernel/kinds.js";
import type { Model } from "../model/model.js";

/** The kind the selftests really run on when it is not the declared type, or undefined. */
export function standInKind(model: Model): string | undefined {
  const kind = model.run.kernelKind;
  if (!kind || kind === "anon") return kind;
  return KIND_FILES[kind] === model.targetFile ? undefined : kind;
}
