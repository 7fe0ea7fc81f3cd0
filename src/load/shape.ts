/**
 * Shape validation: does the evaluated value fit MemoryTypeSpec? Walks SPEC_SCHEMA.
 *
 * Two kinds of problems, kept apart on purpose:
 * - a value of the wrong type, or a required field missing (S04): fatal, because
 *   nothing below load can reason about a spec whose `features` is a string;
 * - an unknown field (S01), an unknown enum value (S02), a string that is not a C
 *   identifier (S03): findings (exit 1). Unknown fields are dropped and the rules
 *   still run; an unknown enum value withholds the model, because rules judging
 *   a list with a value missing would report consequences of the typo.
 */
import type { Diagnostic, SourceSpan } from "../diagnostics/diagnostic.js";
import { cIdentifierProblem, MAX_C_IDENTIFIER_LENGTH } from "../kernel/cident.js";
import { deriveCNames } from "../model/normalize.js";
import type { MemoryTypeSpec } from "../spec/types.js";
import { MAX_LIST_LENGTH, SPEC_SCHEMA, type Schema } from "./schema.js";
import { didYouMean } from "./suggest.js";
import { textProblem } from "./text.js";

export interface ShapeResult {
  /** The cleaned spec, absent when a fatal problem or an unknown enum value leaves nothing to model. */
  readonly spec?: MemoryTypeSpec;
  readonly diagnostics: Diagnostic[];
  readonly fatal: boolean;
}

export interface ShapeInput {
  readonly value: unknown;
  readonly file: string;
  /** Span lookup for a value's path (already falls back to ancestors). */
  readonly spanAt: (path: string) => SourceSpan | undefined;
  /** Span of a property name, when known. */
  readonly keySpanAt: (path: string) => SourceSpan | undefined;
}

const IDENT_HINT = `a C identifier: letters, digits and \`_\`, not starting with a digit, not a C keyword (C89 to C23, GNU) or a kernel macro, at most ${MAX_C_IDENTIFIER_LENGTH} characters`;

/** The longest suffix uffdkit appends to \`name\` (src/model/normalize.ts deriveCNames), measured, not restated. */
const LONGEST_DERIVED_SUFFIX = Math.max(...Object.values(deriveCNames("")).map((s) => s.length));
/** Longest \`name\` whose derived identifiers all fit MAX_C_IDENTIFIER_LENGTH. */
export const MAX_NAME_LENGTH = MAX_C_IDENTIFIER_LENGTH - LONGEST_DERIVED_SUFFIX;

export function validateShape(input: ShapeInput): ShapeResult {
  const diagnostics: Diagnostic[] = [];
  let fatal = false;
  let blocked = false;

  const report = (d: Omit<Diagnostic, "span">, span: SourceSpan | undefined) => diagnostics.push(span ? { ...d, span } : d);

  const walk = (value: unknown, schema: Schema, path: string): unknown => {
    switch (schema.kind) {
      case "string": {
        if (typeof value !== "string") return typeError(value, schema, path);
        if (schema.values && !schema.values.includes(value)) {
          const guess = didYouMean(value, schema.values);
          report(
            {
              id: "S02",
              severity: "error",
              path,
              message: `unknown value ${JSON.stringify(value)} for \`${path}\`; valid values: ${schema.values.join(", ")}`,
              hint: guess ? `did you mean ${JSON.stringify(guess)}?` : `use one of: ${schema.values.join(", ")}`,
            },
            input.spanAt(path),
          );
          return INVALID;
        }
        if (schema.cident) checkIdentifier(value, path);
        if (schema.text) {
          const problem = textProblem(value, schema.text);
          if (problem) {
            const isPath = schema.text === "c-file";
            report(
              {
                id: isPath ? "S06" : "S05",
                severity: "error",
                path,
                message: `\`${path}\` is ${quote(value)}: ${problem}`,
                hint: isPath ? 'write the kernel source file the ops go into, relative to the tree root, e.g. "mm/shmem.c"' : "write it on one line, without control characters",
              },
              input.spanAt(path),
            );
            return INVALID;
          }
        }
        return value;
      }
      case "number":
        if (typeof value !== "number" || !Number.isFinite(value)) return typeError(value, schema, path);
        if ((schema.integer && !Number.isInteger(value)) || (schema.min !== undefined && value < schema.min)) return typeError(value, schema, path);
        if ((schema.integer && !Number.isSafeInteger(value)) || (schema.max !== undefined && value > schema.max)) {
          report(
            {
              id: "S09",
              severity: "error",
              path,
              message: `\`${path}\` is ${value}, more than the largest value uffdkit accepts (${schema.max ?? Number.MAX_SAFE_INTEGER})`,
              hint: `use a value from ${schema.min ?? 0} to ${schema.max ?? Number.MAX_SAFE_INTEGER}`,
            },
            input.spanAt(path),
          );
          return INVALID;
        }
        return value;
      case "boolean":
        return typeof value === "boolean" ? value : typeError(value, schema, path);
      case "one-or-many":
        if (Array.isArray(value)) return walk(value, { kind: "array", of: schema.of }, path);
        {
          const v = walk(value, schema.of, path);
          if (v === INVALID) blocked = true;
          return v;
        }
      case "array": {
        if (!Array.isArray(value)) return typeError(value, schema, path);
        if (value.length > MAX_LIST_LENGTH) {
          report(
            { id: "S09", severity: "error", path, message: `\`${path}\` has ${value.length} entries, more than the ${MAX_LIST_LENGTH} a spec needs`, hint: "shorten the list" },
            input.spanAt(path),
          );
          return INVALID;
        }
        const out: unknown[] = [];
        value.forEach((el, i) => {
          const v = walk(el, schema.of, `${path}.${i}`);
          if (v === INVALID) blocked = true;
          else if (v !== FATAL) out.push(v);
        });
        return out;
      }
      case "object": {
        if (typeof value !== "object" || value === null || Array.isArray(value)) return typeError(value, schema, path);
        const out: Record<string, unknown> = {};
        const rec = value as Record<string, unknown>;
        const known = Object.keys(schema.fields);
        for (const [key, v] of Object.entries(rec)) {
          const sub = path === "" ? key : `${path}.${key}`;
          // Own fields only: a key named `constructor` or `toString` is unknown, not Object.prototype's.
          const field = Object.hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
          if (!field) {
            const guess = didYouMean(key, known);
            report(
              {
                id: "S01",
                severity: "error",
                path: sub,
                message: `unknown field \`${key}\`${path === "" ? " in the spec" : ` in \`${path}\``}`,
                hint: guess ? `did you mean \`${guess}\`?` : `known fields: ${known.join(", ")}`,
              },
              input.keySpanAt(sub) ?? input.spanAt(sub),
            );
            continue;
          }
          if (v === undefined) continue;
          const cleaned = walk(v, field.schema, sub);
          if (cleaned === INVALID) {
            blocked = true;
            continue;
          }
          if (cleaned !== FATAL) out[key] = cleaned;
        }
        for (const [key, field] of Object.entries(schema.fields)) {
          if (!field.required || (Object.hasOwn(rec, key) && rec[key] !== undefined)) continue;
          const sub = path === "" ? key : `${path}.${key}`;
          fatal = true;
          report(
            {
              id: "S04",
              severity: "error",
              path: sub,
              message: `missing required field \`${sub}\`${field.doc ? ` (${field.doc})` : ""}`,
              hint: `add \`${key}: ${describe(field.schema)}\``,
            },
            input.spanAt(path),
          );
        }
        return out;
      }
    }
  };

  const checkIdentifier = (value: string, path: string) => {
    const problem = cIdentifierProblem(value);
    const derived = path === "name" && !problem && value.length > MAX_NAME_LENGTH;
    if (!problem && !derived) return;
    report(
      {
        id: "S03",
        severity: "error",
        path,
        message: derived
          ? `\`name\` is ${value.length} characters; uffdkit derives identifiers such as \`${value}_uffd_can_userfault\` from it, which would pass the ${MAX_C_IDENTIFIER_LENGTH}-character limit`
          : `\`${path}\` is ${quote(value)}, which is not a C identifier (${problem}); it would be pasted into generated kernel C`,
        hint: derived ? `shorten \`name\` to at most ${MAX_NAME_LENGTH} characters` : `write ${IDENT_HINT}`,
      },
      input.spanAt(path),
    );
  };

  const typeError = (value: unknown, schema: Schema, path: string): typeof FATAL => {
    fatal = true;
    report(
      {
        id: "S04",
        severity: "error",
        path,
        message: `\`${path || "the default export"}\` must be ${describe(schema)}, not ${describeValue(value)}`,
        hint: example(schema, path),
      },
      input.spanAt(path),
    );
    return FATAL;
  };

  const cleaned = walk(input.value, SPEC_SCHEMA, "");
  if (fatal || cleaned === FATAL) return { diagnostics, fatal: true };
  if (blocked) return { diagnostics, fatal: false };
  return { spec: cleaned as MemoryTypeSpec, diagnostics, fatal: false };
}

const INVALID = Symbol("invalid enum value");
const FATAL = Symbol("wrong type");

export function describe(schema: Schema): string {
  switch (schema.kind) {
    case "string":
      if (schema.values) return `one of ${schema.values.map((v) => JSON.stringify(v)).join(", ")}`;
      return schema.cident ? "a C identifier string" : "a string";
    case "number":
      return schema.integer ? `an integer${schema.min !== undefined ? ` ≥ ${schema.min}` : ""}` : "a number";
    case "boolean":
      return "true or false";
    case "array":
      return `an array of ${plural(schema.of)}`;
    case "one-or-many":
      return `${describe(schema.of)}, or an array of them`;
    case "object":
      return `an object with fields ${Object.keys(schema.fields).join(", ")}`;
  }
}

function plural(s: Schema): string {
  if (s.kind === "string" && s.values) return `values among ${s.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (s.kind === "object") return "objects";
  return describe(s).replace(/^an? /, "") + "s";
}

/** A value for a message: JSON-quoted (so control characters show as escapes) and cut to a window. */
function quote(v: string): string {
  return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)})`;
  if (typeof v === "number") return `the number ${v}`;
  if (typeof v === "function") return "a function";
  if (typeof v === "object") return "an object";
  return `${typeof v === "boolean" ? "the boolean" : "a value of type"} ${typeof v === "boolean" ? String(v) : typeof v}`;
}

function example(schema: Schema, path: string): string {
  const key = path.split(".").pop() || "spec";
  if (schema.kind === "array" && schema.of.kind === "string" && schema.of.values) return `write ${key}: [${JSON.stringify(schema.of.values[0])}]`;
  if (schema.kind === "string" && schema.values) return `write ${key}: ${JSON.stringify(schema.values[0])}`;
  if (schema.kind === "object" && path === "") return 'export default defineMemoryType({ name: "...", ... }) from the spec module';
  return `write ${key} as ${describe(schema)}`;
}
