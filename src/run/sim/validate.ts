/**
 * A small JSON Schema validator for the subset schema/scenario.schema.json
 * uses (draft 2020-12: $ref into $defs, type, enum, const, properties,
 * required, additionalProperties: false, items, oneOf, minimum, maximum,
 * minLength, pattern). No dependency; errors carry a JSON path and say what
 * was expected, so `uffdkit sim` can point at the mistake.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface SchemaError {
  /** JSON path of the offending value, e.g. $.steps[3].expect.result */
  readonly path: string;
  readonly message: string;
}

type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  $defs?: Record<string, Schema>;
  description?: string;
};

let cached: Schema | null = null;

/** The published scenario schema (schema/scenario.schema.json, three levels above this module in src/ and dist/). */
export function scenarioSchema(): Schema {
  if (!cached) {
    const file = fileURLToPath(new URL("../../../schema/scenario.schema.json", import.meta.url));
    cached = JSON.parse(readFileSync(file, "utf8")) as Schema;
  }
  return cached;
}

export function validateScenario(data: unknown): SchemaError[] {
  const root = scenarioSchema();
  return validate(root, data, "$", root);
}

export function validate(schema: Schema, data: unknown, path: string, root: Schema): SchemaError[] {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/\$defs\//, "");
    const target = root.$defs?.[name];
    if (!target) return [{ path, message: `schema error: unresolved $ref ${schema.$ref}` }];
    return validate(target, data, path, root);
  }
  if (schema.oneOf) return validateOneOf(schema.oneOf, data, path, root);
  const errs: SchemaError[] = [];
  if ("const" in schema && data !== schema.const) return [{ path, message: `must be ${JSON.stringify(schema.const)} (got ${show(data)})` }];
  if (schema.enum && !schema.enum.includes(data as never)) {
    const hint = typeof data === "string" ? closest(data, schema.enum.filter((x): x is string => typeof x === "string")) : undefined;
    return [{ path, message: `must be one of ${schema.enum.map((x) => JSON.stringify(x)).join(", ")} (got ${show(data)})${hint ? `; did you mean "${hint}"?` : ""}` }];
  }
  if (schema.type && !hasType(data, schema.type)) return [{ path, message: `must be ${article(schema.type)} (got ${show(data)})` }];
  if (typeof data === "number") {
    if (schema.minimum !== undefined && data < schema.minimum) errs.push({ path, message: `must be >= ${schema.minimum} (got ${data})` });
    if (schema.maximum !== undefined && data > schema.maximum) errs.push({ path, message: `must be <= ${schema.maximum} (got ${data})` });
  }
  if (typeof data === "string") {
    if (schema.minLength !== undefined && data.length < schema.minLength) errs.push({ path, message: `must not be empty` });
    if (schema.pattern && !new RegExp(schema.pattern).test(data)) errs.push({ path, message: `must match ${schema.pattern} (got ${show(data)})` });
  }
  if (Array.isArray(data) && schema.items) {
    data.forEach((x, i) => errs.push(...validate(schema.items!, x, `${path}[${i}]`, root)));
  }
  if (isObject(data) && (schema.properties || schema.required)) {
    const props = schema.properties ?? {};
    for (const r of schema.required ?? []) if (!(r in data)) errs.push({ path, message: `missing required property "${r}"` });
    for (const [k, v] of Object.entries(data)) {
      const sub = props[k];
      if (sub) errs.push(...validate(sub, v, `${path}.${k}`, root));
      else if (schema.additionalProperties === false) {
        const hint = closest(k, Object.keys(props));
        errs.push({ path: `${path}.${k}`, message: `unknown property "${k}"${hint ? `; did you mean "${hint}"?` : `; allowed: ${Object.keys(props).join(", ")}`}` });
      }
    }
  }
  return errs;
}

/**
 * oneOf: exactly one branch must match. When the branches are told apart by a
 * constant property (op, outcome, event...), report the matching branch's
 * errors rather than every branch's.
 */
function validateOneOf(branches: Schema[], data: unknown, path: string, root: Schema): SchemaError[] {
  const results = branches.map((b) => validate(b, data, path, root));
  const ok = results.filter((r) => r.length === 0).length;
  if (ok === 1) return [];
  if (ok > 1) return [{ path, message: "matches more than one alternative" }];
  const resolved = branches.map((b) => deref(b, root));
  const key = discriminator(resolved);
  if (key && isObject(data)) {
    const k = resolved.findIndex((b) => b.properties?.[key]?.const === data[key]);
    if (k >= 0) return results[k]!;
    const allowed = resolved.map((b) => b.properties![key]!.const as string);
    const hint = typeof data[key] === "string" ? closest(data[key] as string, allowed) : undefined;
    return [
      {
        path: key in data ? `${path}.${key}` : path,
        message: key in data
          ? `unknown ${key} ${show(data[key])}; expected one of ${allowed.join(", ")}${hint ? `; did you mean "${hint}"?` : ""}`
          : `missing "${key}" (one of ${allowed.join(", ")})`,
      },
    ];
  }
  const best = results.reduce((a, b) => (b.length < a.length ? b : a));
  return best.length ? best : [{ path, message: "matches none of the alternatives" }];
}

function deref(s: Schema, root: Schema): Schema {
  return s.$ref ? deref(root.$defs![s.$ref.replace(/^#\/\$defs\//, "")]!, root) : s;
}

function discriminator(branches: Schema[]): string | undefined {
  const first = branches[0]?.properties;
  if (!first) return undefined;
  return Object.keys(first).find((k) => branches.every((b) => b.properties?.[k] && "const" in b.properties[k]!));
}

function hasType(d: unknown, t: string): boolean {
  switch (t) {
    case "object":
      return isObject(d);
    case "array":
      return Array.isArray(d);
    case "integer":
      return typeof d === "number" && Number.isInteger(d);
    case "number":
      return typeof d === "number" && Number.isFinite(d);
    case "string":
      return typeof d === "string";
    case "boolean":
      return typeof d === "boolean";
    default:
      return true;
  }
}

function isObject(d: unknown): d is Record<string, unknown> {
  return typeof d === "object" && d !== null && !Array.isArray(d);
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
function closest(word: string, candidates: string[]): string | undefined {
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
