/**
 * Findings about the spec file itself. The loader judges these (src/load/shape.ts);
 * they are in the catalogue so `explain S01` works and ids stay unique.
 */
import { ALL_GENS, type Rule } from "../types.js";

export const SPEC_RULES: readonly Rule[] = [
  {
    id: "S01",
    title: "unknown field",
    severity: "error",
    kind: "spec",
    condition: "the spec object has a field MemoryTypeSpec does not know (usually a typo)",
    predicts: "nothing in the kernel: the field would be silently ignored",
    applies: ALL_GENS,
    sources: [],
    judgeable: true,
    fix: "rename it to the field suggested, or remove it",
  },
  {
    id: "S02",
    title: "unknown value",
    severity: "error",
    kind: "spec",
    condition: "an enumerated field (features, ioctls, api, backing, strategies...) has a value outside its list",
    predicts: "nothing in the kernel: uffdkit cannot say which C the value would become",
    applies: ALL_GENS,
    sources: [],
    judgeable: true,
    fix: "use the value suggested, or one from the list in the message",
  },
  {
    id: "S03",
    title: "not a C identifier",
    severity: "error",
    kind: "spec",
    condition: "a field that becomes a C name (name, vmOps, guard.shared, fault.handler, helpers, prepare, unaccount) is not a C identifier",
    predicts: "the generated kernel C would not compile, or would contain text the spec smuggled in",
    applies: ALL_GENS,
    sources: [],
    judgeable: true,
    fix: "use letters, digits and `_`, not starting with a digit and not a C keyword",
  },
  {
    id: "S04",
    title: "wrong type or missing field",
    severity: "error",
    kind: "spec",
    condition: "a field has the wrong type (e.g. `features: \"missing\"`), or a required field is absent",
    predicts: "nothing in the kernel: the spec cannot be read (load error, exit 2)",
    applies: ALL_GENS,
    sources: [],
    judgeable: true,
    fix: "write the value in the shape the message gives",
  },
];
