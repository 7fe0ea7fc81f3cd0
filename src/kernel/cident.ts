/**
 * C identifiers. Every name interpolated into generated C passes through here
 * first: a spec name such as `a;b`, one that closes a comment, a keyword of any
 * C standard or a name the kernel's headers already define is a finding (rule
 * S03), never text in a kernel file. The loader checks with the same predicate
 * and the same length limit at `check` time, so `gen` never meets a name here
 * that `check` passed.
 */

const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The longest identifier uffdkit emits, the spec's names and every name derived
 * from them (`<name>_uffd_can_userfault`, ...). C99 5.2.4.1 guarantees 63
 * significant initial characters for internal identifiers and 31 for external
 * ones; checkpatch and the kernel have no shorter limit, and 64 keeps generated
 * names readable. One constant: the loader's check and the emitter's refusal.
 */
export const MAX_C_IDENTIFIER_LENGTH = 64;

/** Keywords of C89/C90 (ISO/IEC 9899:1990 6.1.1). */
const C89 = [
  "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
  "float", "for", "goto", "if", "int", "long", "register", "return", "short", "signed", "sizeof", "static",
  "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
];
/** Added by C99 (6.4.1), C11 (6.4.1) and C23 (6.4.1, N3096), spellings with and without the underscore. */
const C99_TO_C23 = [
  "inline", "restrict", "_Bool", "_Complex", "_Imaginary",
  "_Alignas", "_Alignof", "_Atomic", "_Generic", "_Noreturn", "_Static_assert", "_Thread_local",
  "alignas", "alignof", "bool", "constexpr", "false", "nullptr", "static_assert", "thread_local", "true",
  "typeof", "typeof_unqual", "_BitInt", "_Decimal32", "_Decimal64", "_Decimal128",
];
/** GNU C keywords the kernel is compiled with (gcc -std=gnu11: `asm`, `typeof`, `__attribute__`...). */
const GNU = ["asm", "__asm__", "__asm", "__attribute__", "__typeof__", "__typeof", "__inline__", "__inline", "__restrict", "__volatile__", "__extension__", "__label__", "__auto_type", "__thread"];
/**
 * Names the kernel's headers define as macros or types that every file sees, so
 * a generated function or variable of that name would be rewritten or clash:
 * include/linux/compiler.h (likely, unlikely), compiler_attributes.h
 * (fallthrough, noinline), compiler_types.h (notrace, asm_inline),
 * arch/x86/include/asm/current.h (current), include/linux/minmax.h (min, max,
 * clamp, swap), container_of.h, stddef.h (offsetof, sizeof_field, NULL),
 * asm-generic/rwonce.h (READ_ONCE, WRITE_ONCE), include/linux/types.h (bool,
 * loff_t, gfp_t, pgoff_t, size_t, the u8..s64 family). Linux 6.12.
 */
const KERNEL = [
  "NULL", "current", "likely", "unlikely", "fallthrough", "noinline", "notrace", "asm_inline", "barrier",
  "min", "max", "min_t", "max_t", "clamp", "swap", "container_of", "offsetof", "sizeof_field", "READ_ONCE", "WRITE_ONCE",
  "ARRAY_SIZE", "BUG", "BUG_ON", "WARN_ON", "BUILD_BUG_ON", "EXPORT_SYMBOL", "EXPORT_SYMBOL_GPL", "MODULE_LICENSE",
  "size_t", "ssize_t", "loff_t", "gfp_t", "pgoff_t", "vm_fault_t",
  "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
];

const RESERVED = new Set([...C89, ...C99_TO_C23, ...GNU, ...KERNEL]);

/** Why a string is not an identifier uffdkit will emit, or undefined when it is one. */
export function cIdentifierProblem(s: unknown): string | undefined {
  if (typeof s !== "string") return "not a string";
  if (s.length > MAX_C_IDENTIFIER_LENGTH) return `longer than ${MAX_C_IDENTIFIER_LENGTH} characters`;
  if (!C_IDENT.test(s)) return "not letters, digits and `_` starting with a letter or `_`";
  if (RESERVED.has(s)) return "a C keyword or a name the kernel headers already define";
  // C11 7.1.3: identifiers starting with `__` or `_` and a capital are reserved for the implementation.
  if (/^_[A-Z_]/.test(s)) return "reserved for the compiler (it starts with `__` or `_` and a capital letter)";
  return undefined;
}

export function isCIdentifier(s: unknown): s is string {
  return cIdentifierProblem(s) === undefined;
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
