/**
 * C identifiers. Every name interpolated into generated C passes through here
 * first: a spec name such as `a;b` or one that closes a comment is a finding (rule S03), never text
 * in a kernel file.
 */

const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** C keywords and the kernel's common macros that must not be redefined by a generated name. */
const RESERVED = new Set([
  "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
  "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
  "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
  "_Bool", "_Static_assert", "bool", "true", "false", "NULL",
]);

export function isCIdentifier(s: unknown): s is string {
  return typeof s === "string" && C_IDENT.test(s) && !RESERVED.has(s) && s.length <= 64;
}

/** Thrown when an unvalidated name reaches a template: a bug in uffdkit, not in the spec. */
export class UnsafeIdentifierError extends Error {
  constructor(readonly value: string, readonly where: string) {
    super(`refusing to emit ${JSON.stringify(value)} as a C identifier (${where})`);
  }
}

/** Return the name if it is a C identifier; throw otherwise. For use at template boundaries. */
export function cIdent(value: string, where: string): string {
  if (!isCIdentifier(value)) throw new UnsafeIdentifierError(value, where);
  return value;
}
