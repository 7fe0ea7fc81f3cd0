/**
 * Reading kernel C as a syntax tree (web-tree-sitter with the tree-sitter-c
 * grammar, both WebAssembly: no native build). The parser is loaded on first
 * use, with a dynamic import, so only the commands that read kernel C (series)
 * pay for it; check and gen never load it.
 *
 * Kernel files are full of macros the grammar cannot expand, so the tree has
 * ERROR nodes here and there. The queries below only trust nodes whose own
 * shape is right (a function_definition with a body, an initializer_list that
 * ends in a real "}"), and callers refuse to edit inside an ERROR node.
 */
import { createRequire } from "node:module";
import type { Node, Parser, Tree } from "web-tree-sitter";

export type { Node, Tree };

/** A parser for C, ready to use synchronously once loaded. */
export interface CParser {
  parse(text: string): Tree;
}

let loading: Promise<CParser> | undefined;

/** Load web-tree-sitter and the C grammar once per process. */
export function loadCParser(): Promise<CParser> {
  loading ??= (async () => {
    const ts = await import("web-tree-sitter");
    await ts.Parser.init();
    const wasm = createRequire(import.meta.url).resolve("tree-sitter-c/tree-sitter-c.wasm");
    const language = await ts.Language.load(wasm);
    const parser: Parser = new ts.Parser();
    parser.setLanguage(language);
    return {
      parse(text: string): Tree {
        const tree = parser.parse(text);
        if (!tree) throw new Error("tree-sitter returned no tree");
        return tree;
      },
    };
  })();
  return loading;
}

/** Nodes whose children are declarations: the file itself and preprocessor conditionals. */
const DECLARATION_CONTAINERS = new Set(["translation_unit", "preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif", "preproc_elifdef"]);

export function isDeclarationContainer(n: Node): boolean {
  return DECLARATION_CONTAINERS.has(n.type);
}

/** The declaration containers around a node, innermost first. */
export function containersOf(n: Node): Node[] {
  const out: Node[] = [];
  for (let a = n.parent; a; a = a.parent) if (isDeclarationContainer(a)) out.push(a);
  return out;
}

/** The ancestor of `n` (or `n` itself) whose parent is `container`. */
export function childWithin(n: Node, container: Node): Node | undefined {
  for (let a: Node | null = n; a; a = a.parent) if (a.parent?.id === container.id) return a;
  return undefined;
}

/** Is the node inside an ERROR node (a region the grammar could not parse)? */
export function insideError(n: Node): boolean {
  for (let a = n.parent; a; a = a.parent) if (a.type === "ERROR") return true;
  return false;
}

/** Is the node inside a function body (so not a file-level declaration)? */
function insideFunctionBody(n: Node): boolean {
  for (let a = n.parent; a; a = a.parent) if (a.type === "compound_statement" || a.type === "function_definition") return true;
  return false;
}

/** The identifier a declarator declares: through pointers, parentheses, arrays, function declarators, initializers. */
export function declaredName(declarator: Node | null): string | undefined {
  let d = declarator;
  while (d) {
    if (d.type === "identifier" || d.type === "field_identifier" || d.type === "type_identifier") return d.text;
    const inner = d.childForFieldName("declarator");
    if (inner) d = inner;
    else if (d.type === "parenthesized_declarator") d = d.namedChildren.find((c) => c !== null && c.type !== "comment") ?? null;
    else return undefined;
  }
  return undefined;
}

/** function_definition nodes that define `name` (calls, prototypes and macros do not count). */
export function functionDefinitions(root: Node, name: string): Node[] {
  return root.descendantsOfType("function_definition").filter((f): f is Node => {
    if (!f || !f.childForFieldName("body")) return false;
    const decl = f.childForFieldName("declarator");
    return decl !== null && containsFunctionDeclarator(decl) && declaredName(decl) === name;
  });
}

function containsFunctionDeclarator(d: Node): boolean {
  for (let x: Node | null = d; x; x = x.childForFieldName("declarator")) if (x.type === "function_declarator") return true;
  return false;
}

/** `struct vm_operations_struct NAME = { ... }` definitions: the declaration and its initializer list. */
export interface VmOpsDefinition {
  readonly declaration: Node;
  readonly initializer: Node;
}

export function vmOpsDefinitions(root: Node, vmOps: string): VmOpsDefinition[] {
  const out: VmOpsDefinition[] = [];
  for (const decl of root.descendantsOfType("declaration")) {
    if (!decl || insideFunctionBody(decl)) continue;
    const type = decl.childForFieldName("type");
    if (type?.type !== "struct_specifier" || type.childForFieldName("name")?.text !== "vm_operations_struct") continue;
    for (const init of decl.childrenForFieldName("declarator")) {
      if (init?.type !== "init_declarator") continue;
      const value = init.childForFieldName("value");
      if (declaredName(init.childForFieldName("declarator")) === vmOps && value?.type === "initializer_list") {
        out.push({ declaration: decl, initializer: value });
      }
    }
  }
  return out;
}

/** Does the file define any vm_operations_struct at all? (A type without one has no mmap in this tree.) */
export function hasAnyVmOps(root: Node): boolean {
  return root.descendantsOfType("struct_specifier").some((s) => s?.childForFieldName("name")?.text === "vm_operations_struct" && s.parent?.type === "declaration");
}

/**
 * Where each file-level name is first declared or defined: functions (prototypes
 * and definitions), variables and macros. Local variables do not count.
 */
export function firstDeclarations(root: Node): Map<string, Node> {
  const first = new Map<string, Node>();
  const note = (name: string | undefined, n: Node) => {
    if (!name) return;
    const had = first.get(name);
    if (!had || n.startIndex < had.startIndex) first.set(name, n);
  };
  for (const n of root.descendantsOfType(["function_definition", "declaration", "preproc_def", "preproc_function_def"])) {
    if (!n || (n.type !== "preproc_def" && n.type !== "preproc_function_def" && insideFunctionBody(n))) continue;
    if (n.type === "preproc_def" || n.type === "preproc_function_def") note(n.childForFieldName("name")?.text, n);
    else for (const d of n.childrenForFieldName("declarator")) note(declaredName(d), n);
  }
  return first;
}

/** Identifiers used anywhere in the tree (not member names). */
export function usedIdentifiers(root: Node): Set<string> {
  return new Set(root.descendantsOfType("identifier").flatMap((n) => (n ? [n.text] : [])));
}

/** Names a fragment defines at file level: its functions and variables. */
export function definedNames(root: Node): Set<string> {
  return new Set(firstDeclarations(root).keys());
}

/** 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** The function a vm_operations_struct initializer sets as ->fault, if it names one. */
export function faultMember(initializer: Node): string | undefined {
  for (const pair of initializer.descendantsOfType("initializer_pair")) {
    const field = pair?.childForFieldName("designator")?.descendantsOfType("field_identifier")[0];
    const value = pair?.childForFieldName("value");
    if (field?.text === "fault" && value?.type === "identifier") return value.text;
  }
  return undefined;
}
