/**
 * Static evaluation of a spec module: read the default export's object literal
 * from the syntax tree without running any of the user's code, keeping the
 * file:line:col of every value. Anything that is not a literal (a call, an
 * import used as a value, a template with substitutions) makes the evaluation
 * give up with a reason; the loader then falls back to executing the module.
 */
import type { ts as TS } from "ts-morph";
import { ts } from "./typescript.js";
import type { SourceSpan } from "../diagnostics/diagnostic.js";

export interface StaticValue {
  readonly value: unknown;
  /** Span of each value by dotted path; "" is the whole spec object. */
  readonly positions: Map<string, SourceSpan>;
  /** Span of each property name by dotted path, for "unknown field" findings. */
  readonly keySpans: Map<string, SourceSpan>;
}

/** Why the module cannot be read statically, and where. */
export class NotStatic extends Error {
  constructor(readonly reason: string, readonly span: SourceSpan) {
    super(reason);
  }
}

export function parseSource(file: string, text: string): TS.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

export function spanOfNode(sf: TS.SourceFile, node: TS.Node, file: string): SourceSpan {
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  return { file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

/** Syntax errors as (message, span) pairs; empty when the file parses. */
export function syntaxErrors(sf: TS.SourceFile, file: string): { message: string; span: SourceSpan }[] {
  const diags = (sf as unknown as { parseDiagnostics?: readonly TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return diags.map((d) => {
    const start = sf.getLineAndCharacterOfPosition(d.start);
    const end = sf.getLineAndCharacterOfPosition(d.start + d.length);
    return {
      message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
      span: { file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 },
    };
  });
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
  const consts = collectConsts(sf);
  const positions = new Map<string, SourceSpan>();
  const keySpans = new Map<string, SourceSpan>();
  const resolving = new Set<string>();
  const span = (n: TS.Node) => spanOfNode(sf, n, file);
  const notStatic = (n: TS.Node, why: string): never => {
    throw new NotStatic(why, span(n));
  };

  /** Strip what only the type checker sees: parentheses, `as const`, `satisfies T`, `!`. */
  const unwrap = (n: TS.Node): TS.Node => {
    for (;;) {
      if (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isNonNullExpression(n) || ts.isTypeAssertionExpression(n)) {
        n = n.expression;
      } else return n;
    }
  };

  /** Follow a reference to a same-file `const` to its initializer. */
  const deref = (n: TS.Node): TS.Node => {
    n = unwrap(n);
    if (ts.isIdentifier(n) && n.text !== "undefined") {
      const init = consts.get(n.text);
      if (!init) notStatic(n, `\`${n.text}\` is not a const declared in this file with a literal value`);
      if (resolving.has(n.text)) notStatic(n, `\`${n.text}\` refers to itself`);
      return init!;
    }
    return n;
  };

  /** The spec object inside `defineMemoryType({...})`, or the expression itself. */
  const specRoot = (n: TS.Node): TS.Node => {
    const u = unwrap(n);
    if (ts.isCallExpression(u)) {
      const callee = unwrap(u.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
      if (name === "defineMemoryType" && u.arguments.length === 1) return u.arguments[0]!;
      notStatic(u, `the default export calls \`${u.expression.getText(sf)}\``);
    }
    if (ts.isIdentifier(u)) {
      const init = consts.get(u.text);
      if (init) return specRoot(init);
    }
    return u;
  };

  const evaluate = (node: TS.Node, path: string): unknown => {
    let n = unwrap(node);
    if (ts.isIdentifier(n) && n.text !== "undefined") {
      const name = n.text;
      const init = deref(n);
      resolving.add(name);
      try {
        return evaluate(init, path);
      } finally {
        resolving.delete(name);
      }
    }
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
    if (ts.isArrayLiteralExpression(n)) {
      const out: unknown[] = [];
      const add = (elements: TS.NodeArray<TS.Expression>) => {
        for (const el of elements) {
          if (ts.isSpreadElement(el)) {
            const src = deref(el.expression);
            if (!ts.isArrayLiteralExpression(src)) notStatic(el, "spread of a value that is not a literal array");
            add((src as TS.ArrayLiteralExpression).elements);
          } else if (ts.isOmittedExpression(el)) {
            notStatic(el, "an array with a hole");
          } else {
            out.push(evaluate(el, join(path, String(out.length))));
          }
        }
      };
      add(n.elements);
      return out;
    }
    if (ts.isObjectLiteralExpression(n)) {
      const out: Record<string, unknown> = {};
      const add = (obj: TS.ObjectLiteralExpression) => {
        for (const prop of obj.properties) {
          if (ts.isSpreadAssignment(prop)) {
            const src = deref(prop.expression);
            if (!ts.isObjectLiteralExpression(src)) notStatic(prop, "spread of a value that is not a literal object");
            add(src as TS.ObjectLiteralExpression);
            continue;
          }
          if (ts.isShorthandPropertyAssignment(prop)) {
            const key = prop.name.text;
            keySpans.set(join(path, key), span(prop.name));
            out[key] = evaluate(prop.name, join(path, key));
            continue;
          }
          if (!ts.isPropertyAssignment(prop)) notStatic(prop, "a method or accessor in the spec object");
          const p = prop as TS.PropertyAssignment;
          const key = propertyKey(p.name);
          if (key === undefined) notStatic(p.name, "a computed property name");
          keySpans.set(join(path, key!), span(p.name));
          out[key!] = evaluate(p.initializer, join(path, key!));
        }
      };
      add(n);
      return out;
    }
    // "a" + "b": long strings split over lines; only string literals, so nothing runs.
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const left = evaluate(n.left, path);
      const right = evaluate(n.right, path);
      positions.set(path, span(n));
      if (typeof left === "string" && typeof right === "string") return left + right;
      return notStatic(n, "`+` on values that are not strings");
    }
    if (ts.isTemplateExpression(n)) return notStatic(n, "a template literal with substitutions");
    if (ts.isCallExpression(n)) return notStatic(n, `a call to \`${n.expression.getText(sf)}\``);
    return notStatic(n, `a ${ts.SyntaxKind[n.kind]} expression`);
  };

  const root = specRoot(exported);
  const value = evaluate(root, "");
  return { value, positions, keySpans };
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function propertyKey(name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && (ts.isStringLiteral(name.expression) || ts.isNoSubstitutionTemplateLiteral(name.expression))) return name.expression.text;
  return undefined;
}

/** Top-level `const NAME = <initializer>` declarations; `let`/`var` may be reassigned, so they do not count. */
function collectConsts(sf: TS.SourceFile): Map<string, TS.Expression> {
  const out = new Map<string, TS.Expression>();
  for (const stmt of sf.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    if (!(stmt.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const d of stmt.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer) out.set(d.name.text, d.initializer);
    }
  }
  return out;
}
