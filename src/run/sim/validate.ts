/**
 * Scenario files checked against the published schema itself
 * (schema/scenario.schema.json, JSON Schema draft 2020-12) by ajv: the file
 * users read is the file that decides. ajv reports what failed in its own
 * terms; this module turns that into the messages `uffdkit sim` has always
 * printed: a JSON path ($.steps[3].expect.result) and what was expected, with
 * a "did you mean" for near-miss names.
 *
 * Only the commands that validate scenario files import this module, so ajv
 * and the compiled validator cost nothing to `check` or `gen`; the validator
 * is compiled once per process, on first use.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";

export interface SchemaError {
  /** JSON path of the offending value, e.g. $.steps[3].expect.result */
  readonly path: string;
  readonly message: string;
}

/** A JSON Schema node, as far as the messages need to look into one. */
type SchemaNode = {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  oneOf?: SchemaNode[];
  const?: unknown;
  required?: string[];
  $defs?: Record<string, SchemaNode>;
  [k: string]: unknown;
};

let cachedSchema: SchemaNode | null = null;
let cachedValidator: ValidateFunction | null = null;

/** The published scenario schema (three levels above this module, in src/ and in dist/). */
export function scenarioSchema(): SchemaNode {
  if (!cachedSchema) {
    const file = fileURLToPath(new URL("../../../schema/scenario.schema.json", import.meta.url));
    cachedSchema = JSON.parse(readFileSync(file, "utf8")) as SchemaNode;
  }
  return cachedSchema;
}

/** The compiled validator: compiled on first use, then the same function for the life of the process. */
export function scenarioValidator(): ValidateFunction {
  if (!cachedValidator) {
    // allErrors: report every mistake of a file at once; verbose: errors carry the
    // offending value and schema node, which the messages quote; discriminator: a
    // step is checked only against the branch its `op` names. Strict, except that a
    // oneOf branch may require a property its parent declares (fill: byte | pattern).
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, discriminator: true });
    cachedValidator = ajv.compile(scenarioSchema());
  }
  return cachedValidator as ValidateFunction;
}

export function validateScenario(data: unknown): SchemaError[] {
  const validate = scenarioValidator();
  if (validate(data)) return [];
  return explain(validate.errors ?? [], data);
}

/** ajv's errors as users' messages, without the noise of the alternatives that were not meant. */
function explain(errors: readonly ErrorObject[], data: unknown): SchemaError[] {
  const hidden = alternativesNotMeant(errors);
  const out: SchemaError[] = [];
  for (const e of errors) {
    if (hidden.has(e)) continue;
    const msg = message(e, errors);
    if (!msg) continue;
    const path = jsonPath(e.instancePath, data) + (msg.child ? `.${msg.child}` : "");
    if (!out.some((o) => o.path === path && o.message === msg.text)) out.push({ path, message: msg.text });
  }
  return out;
}

/**
 * Errors raised inside the branches of a failed oneOf that has no
 * discriminator (a fill is `byte` or `pattern`): the oneOf's own message
 * says what was wanted, so the branch errors are not shown on their own.
 */
function alternativesNotMeant(errors: readonly ErrorObject[]): Set<ErrorObject> {
  const hidden = new Set<ErrorObject>();
  for (const one of errors.filter((e) => e.keyword === "oneOf")) {
    for (const e of branchErrors(one, errors)) hidden.add(e);
  }
  return hidden;
}

function branchErrors(one: ErrorObject, errors: readonly ErrorObject[]): ErrorObject[] {
  return errors.filter((e) => e !== one && e.schemaPath.startsWith(`${one.schemaPath}/`) && e.instancePath.startsWith(one.instancePath));
}

function message(e: ErrorObject, all: readonly ErrorObject[]): { text: string; child?: string } | undefined {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return { text: `missing required property "${String(p.missingProperty)}"` };
    case "additionalProperties": {
      const key = String(p.additionalProperty);
      const allowed = Object.keys((e.parentSchema as SchemaNode | undefined)?.properties ?? {});
      const hint = closest(key, allowed);
      return { child: key, text: `unknown property "${key}"${hint ? `; did you mean "${hint}"?` : `; allowed: ${allowed.join(", ")}`}` };
    }
    case "enum": {
      const values = p.allowedValues as unknown[];
      const hint = typeof e.data === "string" ? closest(e.data, values.filter((x): x is string => typeof x === "string")) : undefined;
      return { text: `must be one of ${values.map((x) => JSON.stringify(x)).join(", ")} (got ${show(e.data)})${hint ? `; did you mean "${hint}"?` : ""}` };
    }
    case "const":
      return { text: `must be ${JSON.stringify(p.allowedValue)} (got ${show(e.data)})` };
    case "type":
      return { text: `must be ${article(String(p.type))} (got ${show(e.data)})` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { text: `must be ${String(p.comparison)} ${String(p.limit)} (got ${show(e.data)})` };
    case "minLength":
      return { text: p.limit === 1 ? "must not be empty" : `must be at least ${String(p.limit)} characters long` };
    case "maxLength":
      return { text: `must be at most ${String(p.limit)} characters long` };
    case "maxItems":
      return { text: `must have at most ${String(p.limit)} items (got ${Array.isArray(e.data) ? e.data.length : "?"})` };
    case "minItems":
      return { text: `must have at least ${String(p.limit)} items` };
    case "pattern":
      return { text: `must match ${String(p.pattern)} (got ${show(e.data)})` };
    case "dependentRequired":
      return { text: `"${String(p.property)}" needs "${String(p.missingProperty)}"` };
    case "discriminator":
      return discriminatorMessage(e);
    case "oneOf":
      return oneOfMessage(e, all);
    default:
      return { text: e.message ?? `fails ${e.keyword}` };
  }
}

/** A step (or an expect) whose tag names no alternative: say which tags exist. */
function discriminatorMessage(e: ErrorObject): { text: string; child?: string } {
  const p = e.params as { error: string; tag: string; tagValue?: unknown };
  const allowed = tagValues(e.parentSchema as SchemaNode, p.tag);
  if (p.error === "mapping") {
    const hint = typeof p.tagValue === "string" ? closest(p.tagValue, allowed) : undefined;
    return { child: p.tag, text: `unknown ${p.tag} ${show(p.tagValue)}; expected one of ${allowed.join(", ")}${hint ? `; did you mean "${hint}"?` : ""}` };
  }
  const present = typeof e.data === "object" && e.data !== null && p.tag in e.data;
  return present
    ? { child: p.tag, text: `must be a string, one of ${allowed.join(", ")} (got ${show((e.data as Record<string, unknown>)[p.tag])})` }
    : { text: `missing "${p.tag}" (one of ${allowed.join(", ")})` };
}

function oneOfMessage(e: ErrorObject, all: readonly ErrorObject[]): { text: string } {
  const passing = (e.params as { passingSchemas: number[] | null }).passingSchemas;
  if (passing) return { text: "matches more than one alternative" };
  const branches = ((e.schema as SchemaNode[] | undefined) ?? []).map((b) => b.required);
  if (branches.length && branches.every((r) => r?.length === 1)) return { text: `needs exactly one of ${branches.map((r) => `"${r![0]}"`).join(", ")}` };
  const reasons = branchErrors(e, all).map((b) => message(b, all)?.text).filter((t): t is string => !!t);
  return { text: reasons.length ? `matches none of the alternatives: ${[...new Set(reasons)].join("; or ")}` : "matches none of the alternatives" };
}

/** The constant values of the tag property over a oneOf's branches (resolving $refs). */
function tagValues(node: SchemaNode, tag: string): string[] {
  const root = scenarioSchema();
  return (node.oneOf ?? []).map((b) => String(deref(b, root).properties?.[tag]?.const));
}

function deref(s: SchemaNode, root: SchemaNode): SchemaNode {
  return s.$ref ? deref(root.$defs![s.$ref.replace(/^#\/\$defs\//, "")]!, root) : s;
}

/** A JSON pointer (/steps/3/expect) as the path users read ($.steps[3].expect). */
function jsonPath(pointer: string, data: unknown): string {
  let path = "$";
  let at: unknown = data;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    path += Array.isArray(at) ? `[${key}]` : `.${key}`;
    at = at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined;
  }
  return path;
}

function article(t: string): string {
  return t === "integer" || t === "object" || t === "array" ? `an ${t}` : `a ${t}`;
}

function show(d: unknown): string {
  if (d === undefined) return "nothing";
  const s = JSON.stringify(d);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** The candidate within edit distance 2 (case-insensitive), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length]![b.length]!;
}
