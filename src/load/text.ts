/**
 * Validation of the spec's free text where it enters. Every string a spec
 * carries ends up somewhere that gives characters meaning: a C comment
 * (`file`), a commit subject or trailer (`subsystem`, `series.*`), a git
 * argument (`series.base`), a path (`file`). Each kind of text has one
 * predicate here; shape validation applies it and reports S05/S06.
 */

export type TextKind = "line" | "c-file" | "git-rev" | "person" | "email" | "dev-path" | "dir-path";

/** Longest text field (characters): a blurb paragraph; a subject is far shorter. */
export const MAX_TEXT_LENGTH = 2000;
/** Longest `file` path: PATH_MAX-safe, and kernel paths are under 100. */
export const MAX_PATH_LENGTH = 255;

/**
 * Characters that are not printable text on one line: C0 controls (newline, CR,
 * tab, ESC...), DEL, C1 controls, the Unicode line and paragraph separators, and
 * the bidirectional overrides that make code read differently than it compiles
 * (CVE-2021-42574, "Trojan Source").
 */
const NOT_PRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

/** A kernel source path as git and Kbuild spell them: relative, plain characters, no `.` or `..` segments. */
const KERNEL_PATH = /^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_.+-]+)*$/;

/** A git revision: a name, a hash, `~N`/`^N` suffixes; never an option (leading `-`). */
const GIT_REV = /^[A-Za-z0-9_][A-Za-z0-9_./~^@{}-]*$/;

/** What is wrong with `value` as text of `kind`, or undefined when it is fine. */
export function textProblem(value: string, kind: TextKind): string | undefined {
  const bad = NOT_PRINTABLE.exec(value);
  if (bad) return `it contains ${describeChar(bad[0])} at character ${bad.index + 1}; it must be one line of printable text`;
  switch (kind) {
    case "line":
      return value.length > MAX_TEXT_LENGTH ? `it is ${value.length} characters long, more than ${MAX_TEXT_LENGTH}` : undefined;
    case "c-file":
      return cFileProblem(value);
    case "git-rev":
      if (value.length > MAX_PATH_LENGTH) return `it is longer than ${MAX_PATH_LENGTH} characters`;
      return GIT_REV.test(value) && !value.includes("..") ? undefined : "it is not a git revision (a branch, tag or hash; no leading `-`, no spaces)";
    case "person":
      if (value.trim() === "") return "it is empty";
      return /[<>]/.test(value) ? "it contains `<` or `>`, which would break the trailer's `Name <email>` form" : value.length > 200 ? "it is longer than 200 characters" : undefined;
    case "dev-path":
      // Written into the selftest C as a string literal and opened by the test.
      if (value.length > MAX_PATH_LENGTH) return `it is longer than ${MAX_PATH_LENGTH} characters`;
      return /^\/dev\/[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_.+-]+)*$/.test(value) && !value.split("/").some((x) => x === ".." || x === ".")
        ? undefined
        : "it is not a device node path (/dev/<name>; letters, digits, `_`, `-`, `+`, `.` and `/` only)";
    case "dir-path":
      // A directory the selftest creates its file in: absolute, no `..`, plain characters (a C string literal).
      if (value.length > MAX_PATH_LENGTH - 20) return `it is longer than ${MAX_PATH_LENGTH - 20} characters`;
      return /^(?:\/[A-Za-z0-9_.+-]+)+$/.test(value) && !value.split("/").some((x) => x === ".." || x === ".")
        ? undefined
        : "it is not an absolute directory path (letters, digits, `_`, `-`, `+`, `.` and `/` only, no `..`)";
    case "email":
      return /^[^\s<>@,]+@[^\s<>@,]+$/.test(value) && value.length <= 254 ? undefined : "it is not an e-mail address (local@domain, no spaces or `<>`)";
  }
}

function cFileProblem(p: string): string | undefined {
  if (p === "") return "it is empty";
  if (p.length > MAX_PATH_LENGTH) return `it is longer than ${MAX_PATH_LENGTH} characters`;
  if (p.startsWith("/")) return "it is an absolute path; write it relative to the kernel tree";
  if (p.split("/").some((s) => s === ".." || s === ".")) return "it has a `.` or `..` segment; write the normalised path inside the kernel tree";
  if (p.split("/").some((s) => s.startsWith("."))) return "it names a hidden file or folder (a segment starts with `.`)";
  if (p.includes("//") || p.endsWith("/")) return "it is not a normalised path (empty segment)";
  if (!KERNEL_PATH.test(p)) return "it has characters kernel source paths do not use (letters, digits, `_`, `-`, `+`, `.` and `/` only)";
  if (!p.endsWith(".c") || p.endsWith("/.c")) return "it is not a `.c` file";
  return undefined;
}

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  const names: Record<number, string> = { 0x0a: "a newline", 0x0d: "a carriage return", 0x09: "a tab", 0x1b: "an escape character", 0x2028: "a line separator (U+2028)", 0x2029: "a paragraph separator (U+2029)" };
  return names[code] ?? `the control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}
