/**
 * What a spec module's top level may hold when it is read without running it,
 * and readable names for the constructs the static reader refuses (the S07
 * message names the construct, so the user knows what to rewrite).
 */
import type { ts as TS } from "ts-morph";
import { ts } from "./typescript.js";

/** A name bound at the top level of a module: a const's initializer, or an import. */
export type Binding =
  | { readonly kind: "const"; readonly init: TS.Expression }
  | { readonly kind: "import"; readonly from: string; readonly name: string; readonly node: TS.Node };

export interface ModuleInfo {
  readonly sf: TS.SourceFile;
  /** The file as the user named it (relative paths stay relative), for spans. */
  readonly file: string;
  readonly bindings: Map<string, Binding>;
  /** Local names bound to uffdkit's defineMemoryType (aliases included). */
  readonly defineNames: Set<string>;
}

/** Record a module's top-level names; refuse a statement that would run code when the module is imported. */
export function checkTopLevel(stmt: TS.Statement, info: ModuleInfo, notStatic: (n: TS.Node, why: string) => never): void {
  if (ts.isImportDeclaration(stmt)) {
    const clause = stmt.importClause;
    const from = ts.isStringLiteral(stmt.moduleSpecifier) ? stmt.moduleSpecifier.text : "";
    if (!clause || clause.isTypeOnly) return;
    if (clause.name) info.bindings.set(clause.name.text, { kind: "import", from, name: "default", node: clause.name });
    const named = clause.namedBindings;
    if (named && ts.isNamedImports(named)) {
      for (const el of named.elements) {
        if (el.isTypeOnly) continue;
        const imported = (el.propertyName ?? el.name).text;
        if (from === "uffdkit" && imported === "defineMemoryType") info.defineNames.add(el.name.text);
        else info.bindings.set(el.name.text, { kind: "import", from, name: imported, node: el });
      }
    }
    // `import * as ns`: ns.X is a property access, refused where it is used.
    return;
  }
  if (ts.isVariableStatement(stmt)) {
    if (!(stmt.declarationList.flags & ts.NodeFlags.Const)) {
      if (isAmbient(stmt)) return;
      return notStatic(stmt, "a `let` or `var` declaration (it may be reassigned; use `const`)");
    }
    for (const d of stmt.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer) info.bindings.set(d.name.text, { kind: "const", init: d.initializer });
    }
    return;
  }
  if (ts.isExportDeclaration(stmt)) {
    // `export { A, B as C }` and `export { A } from "./consts"`: bindings under their exported names.
    if (stmt.isTypeOnly || !stmt.exportClause || !ts.isNamedExports(stmt.exportClause)) return;
    const from = stmt.moduleSpecifier && ts.isStringLiteral(stmt.moduleSpecifier) ? stmt.moduleSpecifier.text : undefined;
    for (const el of stmt.exportClause.elements) {
      const local = (el.propertyName ?? el.name).text;
      if (from !== undefined) info.bindings.set(el.name.text, { kind: "import", from, name: local, node: el });
      else if (local !== el.name.text) {
        const b = info.bindings.get(local);
        if (b) info.bindings.set(el.name.text, b);
      }
    }
    return;
  }
  if (ts.isExportAssignment(stmt) || ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) || ts.isEmptyStatement(stmt)) return;
  // A function declaration runs nothing until called, and nothing static calls it.
  if (ts.isFunctionDeclaration(stmt) || isAmbient(stmt)) return;
  return notStatic(stmt, `a top-level ${describeStatement(stmt)}, which would run when the module is loaded`);
}

function isAmbient(stmt: TS.Statement): boolean {
  const mods = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined;
  return Boolean(mods?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword));
}

function describeStatement(stmt: TS.Statement): string {
  if (ts.isExpressionStatement(stmt)) {
    const e = stmt.expression;
    if (ts.isCallExpression(e)) return `call to \`${truncate(e.expression.getText())}\``;
    return "expression statement";
  }
  if (ts.isClassDeclaration(stmt)) return "class (its static initialisers run on load)";
  if (ts.isEnumDeclaration(stmt)) return "enum (its members are computed on load)";
  if (ts.isModuleDeclaration(stmt)) return "namespace";
  if (ts.isImportEqualsDeclaration(stmt)) return "`import = require(...)`";
  return words(ts.SyntaxKind[stmt.kind]);
}

/** A readable name for a construct the static reader does not evaluate. */
export function describeConstruct(n: TS.Node): string {
  if (ts.isObjectLiteralExpression(n)) return "an object";
  if (ts.isArrayLiteralExpression(n)) return "an array";
  if (ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return "a literal";
  if (ts.isTemplateExpression(n)) return "a template literal with substitutions (`${...}`)";
  if (ts.isCallExpression(n)) return `a call to \`${truncate(n.expression.getText())}\``;
  if (ts.isNewExpression(n)) return `a \`new ${truncate(n.expression.getText())}\` expression`;
  if (ts.isTaggedTemplateExpression(n)) return "a tagged template";
  if (ts.isBinaryExpression(n)) return `the operator \`${ts.tokenToString(n.operatorToken.kind) ?? "?"}\` (only \`+\` on strings is evaluated)`;
  if (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) return `the operator \`${ts.tokenToString(n.operator) ?? "?"}\``;
  if (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) return `a property access \`${truncate(n.getText())}\``;
  if (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) return "a function";
  if (ts.isConditionalExpression(n)) return "a conditional (`? :`) expression";
  if (ts.isAwaitExpression(n)) return "an `await` expression";
  if (ts.isBigIntLiteral(n)) return "a BigInt literal";
  if (ts.isClassExpression(n)) return "a class expression";
  if (ts.isRegularExpressionLiteral(n)) return "a regular expression";
  return `a ${words(ts.SyntaxKind[n.kind])}`;
}

/** "PropertyAccessExpression" → "property access expression". */
function words(kind: string | undefined): string {
  return (kind ?? "construct").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

export function truncate(s: string, max = 40): string {
  const one = s.replace(/\s+/g, " ");
  return one.length > max ? `${one.slice(0, max)}…` : one;
}
