/**
 * Static evaluation of a spec module: read the default export's object literal
 * from the syntax tree without running any of the user's code, keeping the
 * file:line:col of every value.
 *
 * Static means: literals, `as const`, `satisfies T`, string concatenation with
 * `+`, spreads of literal objects and arrays, top-level `const`s of this file,
 * and constants imported from a sibling `.ts` file (read the same way).
 * Anything else (a call, a template with `${}`, `let`, arithmetic, a getter, a
 * computed key, a top-level statement that would run) throws NotStatic naming
 * the construct; the loader turns it into a finding (S07), and executes the
 * module only when the user passes --allow-exec.
 */
import { dirname, join, normalize, resolve } from "node:path";
import type { ts as TS } from "ts-morph";
import type { Diagnostic, SourceSpan } from "../diagnostics/diagnostic.js";
import { MAX_CONST_CHAIN, MAX_IMPORTED_FILES, MAX_SOURCE_NESTING, MAX_VALUE_DEPTH, nestingBeyond } from "./limits.js";
import { spanOfRange } from "./positions.js";
import { checkTopLevel, describeConstruct, truncate, type ModuleInfo } from "./constructs.js";
import { readSourceFile } from "./read.js";
import { ts } from "./typescript.js";

export interface StaticValue {
  readonly value: unknown;
  /** Span of each value by dotted path; "" is the whole spec object. */
  readonly positions: Map<string, SourceSpan>;
  /** Span of each property name by dotted path, for "unknown field" findings. */
  readonly keySpans: Map<string, SourceSpan>;
  /** Non-fatal findings met on the way (duplicate keys). */
  readonly findings: Diagnostic[];
}

/** Why the module cannot be read statically, and where. `id` is S07 (not static) or S09 (too large/deep). */
export class NotStatic extends Error {
  constructor(
    readonly reason: string,
    readonly span: SourceSpan,
    readonly id: "S07" | "S09" = "S07",
  ) {
    super(reason);
  }
}

export function parseSource(file: string, text: string): TS.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

export function spanOfNode(sf: TS.SourceFile, node: TS.Node, file: string): SourceSpan {
  return spanOfRange(sf, node.getStart(sf), node.getEnd(), file);
}

/** Syntax errors as (message, span) pairs; empty when the file parses. */
export function syntaxErrors(sf: TS.SourceFile, file: string): { message: string; span: SourceSpan }[] {
  const diags = (sf as unknown as { parseDiagnostics?: readonly TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return diags.map((d) => ({
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    span: spanOfRange(sf, d.start, d.start + d.length, file),
  }));
}

/** The expression a module exports as default, or undefined when there is none. */
export function findDefaultExport(sf: TS.SourceFile): TS.Expression | TS.Node | undefined {
  for (const stmt of sf.statements) {
    if (ts.isExportAssignment(stmt) && !stmt.isExportEquals) return stmt.expression;
    if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
      for (const el of stmt.exportClause.elements) {
        if (el.name.text !== "default") continue;
        // `export { x as default } from "./other"` re-exports a value we cannot see.
        return stmt.moduleSpecifier ? el : (el.propertyName ?? el.name);
      }
    }
    const mods = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined;
    const isDefault = mods?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) && mods.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (isDefault) return stmt;
  }
  return undefined;
}

/** Evaluate the default export statically; throws NotStatic when it is computed. */
export function evaluateStatically(sf: TS.SourceFile, exported: TS.Node, file: string): StaticValue {
  const positions = new Map<string, SourceSpan>();
  const keySpans = new Map<string, SourceSpan>();
  const findings: Diagnostic[] = [];
  const modules = new Map<TS.SourceFile, ModuleInfo>();
  const byPath = new Map<string, ModuleInfo>();
  const resolving = new Set<string>();

  const moduleOf = (n: TS.Node): ModuleInfo => modules.get(n.getSourceFile())!;
  const span = (n: TS.Node) => spanOfNode(n.getSourceFile(), n, moduleOf(n).file);
  const notStatic = (n: TS.Node, why: string, id: "S07" | "S09" = "S07"): never => {
    throw new NotStatic(why, span(n), id);
  };

  const register = (msf: TS.SourceFile, mfile: string): ModuleInfo => {
    const info: ModuleInfo = { sf: msf, file: mfile, bindings: new Map(), defineNames: new Set() };
    modules.set(msf, info);
    byPath.set(resolve(mfile), info);
    for (const stmt of msf.statements) checkTopLevel(stmt, info, notStatic);
    return info;
  };

  /** Read a sibling constants file the way the spec is read: parsed, never run. */
  const importModule = (from: string, site: TS.Node): ModuleInfo => {
    const importer = moduleOf(site);
    if (!from.startsWith("./") && !from.startsWith("../")) return notStatic(site, `a value imported from the package "${from}"`);
    const base = join(dirname(importer.file), from);
    const target = /\.ts$/.test(base) ? base : /\.(m?js)$/.test(base) ? base.replace(/\.(m?js)$/, ".ts") : `${base}.ts`;
    const key = resolve(target);
    const known = byPath.get(key);
    if (known) return known;
    if (byPath.size > MAX_IMPORTED_FILES) return notStatic(site, `more than ${MAX_IMPORTED_FILES} imported constants files`, "S09");
    const read = readSourceFile(target);
    if (!read.ok) return notStatic(site, `an import from "${from}", which cannot be read statically (${normalize(target)}: ${read.why})`);
    const deep = nestingBeyond(read.text, MAX_SOURCE_NESTING);
    if (deep !== undefined) return notStatic(site, `an import from "${from}", which nests brackets deeper than ${MAX_SOURCE_NESTING} levels`, "S09");
    const msf = parseSource(target, read.text);
    if (syntaxErrors(msf, target).length > 0) return notStatic(site, `an import from "${from}", which has syntax errors`);
    return register(msf, normalize(target));
  };

  /** The expression bound to an identifier, following imports to the sibling file's exported const. */
  const lookup = (id: TS.Identifier): TS.Expression => {
    let info = moduleOf(id);
    let name = id.text;
    let site: TS.Node = id;
    for (let hops = 0; hops <= MAX_IMPORTED_FILES; hops++) {
      const b = info.bindings.get(name);
      if (!b) return notStatic(site, `\`${name}\` is not a const declared ${hops === 0 ? "in this file" : `and exported in ${info.file}`} with a literal value`);
      if (b.kind === "const") return b.init;
      site = b.node;
      info = importModule(b.from, b.node);
      name = b.name;
    }
    return notStatic(id, "a chain of re-exports too long to follow", "S09");
  };

  /** Strip what only the type checker sees: parentheses, `as const`, `satisfies T`, `!`. */
  const unwrap = (n: TS.Node): TS.Node => {
    for (;;) {
      if (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isNonNullExpression(n) || ts.isTypeAssertionExpression(n)) {
        n = n.expression;
      } else return n;
    }
  };

  /** Follow identifiers to the literal they name; a cycle is a finding, not a stack overflow. */
  const withDeref = <T>(node: TS.Node, use: (literal: TS.Node) => T): T => {
    const n = unwrap(node);
    if (!ts.isIdentifier(n) || n.text === "undefined") return use(n);
    const key = `${moduleOf(n).file}\0${n.text}`;
    if (resolving.has(key)) return notStatic(n, `\`${n.text}\` refers to itself`);
    if (resolving.size >= MAX_CONST_CHAIN) return notStatic(n, `a chain of more than ${MAX_CONST_CHAIN} consts, each naming the next`, "S09");
    const init = lookup(n);
    resolving.add(key);
    try {
      return withDeref(init, use);
    } finally {
      resolving.delete(key);
    }
  };

  /** The spec object inside `defineMemoryType({...})`, or the expression itself. */
  const specRoot = (n: TS.Node): TS.Node =>
    withDeref(n, (u) => {
      if (!ts.isCallExpression(u)) return u;
      const callee = unwrap(u.expression);
      const info = moduleOf(u);
      // The import from "uffdkit" (aliases too); an unbound `defineMemoryType` is taken as that function.
      const isDefine = ts.isIdentifier(callee) && (info.defineNames.has(callee.text) || (callee.text === "defineMemoryType" && !info.bindings.has(callee.text)));
      if (isDefine && u.arguments.length === 1) return u.arguments[0]!;
      return notStatic(u, `the default export calls \`${truncate(u.expression.getText())}\``);
    });

  const evaluate = (node: TS.Node, path: string, depth: number): unknown =>
    withDeref(node, (n) => {
      if (depth > MAX_VALUE_DEPTH) notStatic(n, `the spec nests values deeper than ${MAX_VALUE_DEPTH} levels`, "S09");
      positions.set(path, span(n));
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
      if (ts.isNumericLiteral(n)) return Number(n.text);
      if (n.kind === ts.SyntaxKind.TrueKeyword) return true;
      if (n.kind === ts.SyntaxKind.FalseKeyword) return false;
      if (n.kind === ts.SyntaxKind.NullKeyword) return null;
      if (ts.isIdentifier(n)) return undefined; // `undefined`
      if (ts.isPrefixUnaryExpression(n) && ts.isNumericLiteral(n.operand)) {
        if (n.operator === ts.SyntaxKind.MinusToken) return -Number(n.operand.text);
        if (n.operator === ts.SyntaxKind.PlusToken) return Number(n.operand.text);
      }
      if (ts.isArrayLiteralExpression(n)) return evaluateArray(n, path, depth);
      if (ts.isObjectLiteralExpression(n)) return evaluateObject(n, path, depth);
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) return concatenate(n, path, depth);
      return notStatic(n, describeConstruct(n));
    });

  /** "a" + B + "c", flattened iteratively so a long chain cannot overflow the stack. */
  const concatenate = (n: TS.BinaryExpression, path: string, depth: number): string => {
    const operands: TS.Node[] = [];
    let left: TS.Node = n;
    while (ts.isBinaryExpression(left) && left.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      operands.push(left.right);
      left = unwrap(left.left);
    }
    operands.push(left);
    let out = "";
    for (const operand of operands.reverse()) {
      const v = evaluate(operand, path, depth + 1);
      if (typeof v !== "string") notStatic(operand, "`+` on a value that is not a string (arithmetic is not evaluated)");
      out += v as string;
    }
    positions.set(path, span(n));
    return out;
  };

  const evaluateArray = (n: TS.ArrayLiteralExpression, path: string, depth: number): unknown[] => {
    const out: unknown[] = [];
    const add = (elements: TS.NodeArray<TS.Expression>) => {
      for (const el of elements) {
        if (ts.isSpreadElement(el)) {
          withDeref(el.expression, (src) => {
            if (!ts.isArrayLiteralExpression(src)) notStatic(el.expression, `a spread of ${describeConstruct(src)}, not of a literal array`);
            add((src as TS.ArrayLiteralExpression).elements);
          });
        } else if (ts.isOmittedExpression(el)) {
          notStatic(el, "an array with a hole");
        } else {
          out.push(evaluate(el, join2(path, String(out.length)), depth + 1));
        }
      }
    };
    add(n.elements);
    return out;
  };

  const evaluateObject = (n: TS.ObjectLiteralExpression, path: string, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const set = (key: string, value: unknown) =>
      // defineProperty, not assignment: a key named `__proto__` stays a key (and is reported as unknown).
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    const add = (obj: TS.ObjectLiteralExpression) => {
      const written = new Map<string, TS.Node>();
      for (const prop of obj.properties) {
        if (ts.isSpreadAssignment(prop)) {
          withDeref(prop.expression, (src) => {
            if (!ts.isObjectLiteralExpression(src)) notStatic(prop.expression, `a spread of ${describeConstruct(src)}, not of a literal object`);
            add(src as TS.ObjectLiteralExpression);
          });
          continue;
        }
        let key: string;
        let valueNode: TS.Node;
        if (ts.isShorthandPropertyAssignment(prop)) {
          key = prop.name.text;
          valueNode = prop.name;
        } else if (ts.isPropertyAssignment(prop)) {
          const k = propertyKey(prop.name);
          if (k === undefined) return notStatic(prop.name, "a computed property name");
          key = k;
          valueNode = prop.initializer;
        } else {
          return notStatic(prop, ts.isGetAccessor(prop) || ts.isSetAccessor(prop) ? "a getter or setter in the spec object" : "a method in the spec object");
        }
        const sub = join2(path, key);
        const first = written.get(key);
        if (first) findings.push(duplicateKey(sub, span(first), span(prop.name)));
        written.set(key, prop.name);
        keySpans.set(sub, span(prop.name));
        set(key, evaluate(valueNode, sub, depth + 1));
      }
    };
    add(n);
    return out;
  };

  register(sf, file);
  const value = evaluate(specRoot(exported), "", 0);
  return { value, positions, keySpans, findings };
}

function duplicateKey(path: string, first: SourceSpan, again: SourceSpan): Diagnostic {
  return {
    id: "S08",
    severity: "error",
    path,
    message: `\`${path}\` is written twice in one object; the second silently replaces the first (${first.line}:${first.column})`,
    hint: "remove one of them",
    span: again,
  };
}

function join2(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function propertyKey(name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && (ts.isStringLiteral(name.expression) || ts.isNoSubstitutionTemplateLiteral(name.expression))) return name.expression.text;
  return undefined;
}
