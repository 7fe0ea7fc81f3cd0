/**
 * Kernel-style layout for generated C: signatures wrapped at 80 columns with the
 * continuation aligned to the opening parenthesis, designated initializers
 * aligned on tab stops, and a tidy pass that removes the blank-line noise
 * template conditionals leave behind.
 */

/** Lines stay strictly below 80 columns. */
export const MAX_COLUMNS = 79;

/** Display width of a line with tabs at 8 columns. */
export function columns(line: string): number {
  let col = 0;
  for (const ch of line) col = ch === "\t" ? (Math.floor(col / 8) + 1) * 8 : col + 1;
  return col;
}

/** Whitespace that moves from column 0 to `target` with tabs first, then spaces. */
function indentTo(target: number): string {
  return "\t".repeat(Math.floor(target / 8)) + " ".repeat(target % 8);
}

/** A parsed C prototype, "RET NAME(PARAMS)" with NAME the placeholder of generations.ts. */
export interface Prototype {
  /** Return type including a trailing "*" when the function returns a pointer, e.g. "struct folio *". */
  readonly ret: string;
  readonly params: readonly { readonly text: string; readonly name: string }[];
}

export function parsePrototype(proto: string): Prototype {
  const m = /^(.*?)\bNAME\((.*)\)$/.exec(proto.trim());
  if (!m) throw new Error(`uffdkit: malformed prototype ${JSON.stringify(proto)}`);
  const retRaw = (m[1] ?? "").trim();
  const ret = retRaw.endsWith("*") ? retRaw : `${retRaw} `;
  const params = (m[2] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0 && p !== "void")
    .map((text) => {
      const nm = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text);
      if (!nm?.[1]) throw new Error(`uffdkit: parameter without a name in ${JSON.stringify(proto)}`);
      return { text, name: nm[1] };
    });
  return { ret, params };
}

/**
 * "static RET name(p1, p2," wrapped before 80 columns, continuation lines
 * aligned under the first parameter. `indent` prefixes every line (for members).
 */
export function wrapCall(head: string, args: readonly string[], tail: string, indent = ""): string {
  const first = `${indent}${head}(`;
  const align = columns(first);
  const lines: string[] = [];
  let cur = first;
  args.forEach((a, i) => {
    const piece = a + (i < args.length - 1 ? "," : `)${tail}`);
    const atStart = cur === first || cur.trim() === "";
    const candidate = atStart ? cur + piece : `${cur} ${piece}`;
    if (!atStart && columns(candidate) > MAX_COLUMNS) {
      lines.push(cur);
      cur = indentTo(align) + piece;
    } else {
      cur = candidate;
    }
  });
  if (args.length === 0) cur = `${first}void)${tail}`;
  lines.push(cur);
  return lines.join("\n");
}

/** A function definition's first line(s), e.g. "static struct folio *x(struct inode *inode,\n\t...)". */
export function definitionHead(proto: Prototype, name: string, storage = "static "): string {
  return wrapCall(`${storage}${proto.ret}${name}`, proto.params.map((p) => p.text), "");
}

/** A function-pointer member, e.g. "\tstruct folio *(*get_folio_noalloc)(struct inode *inode, ...);". */
export function pointerMember(proto: Prototype, member: string): string {
  return wrapCall(`${proto.ret}(*${member})`, proto.params.map((p) => p.text), ";", "\t");
}

/** A prototype declaration line: "RET name(PARAMS);". */
export function declaration(proto: Prototype, name: string, storage = "extern "): string {
  return wrapCall(`${storage}${proto.ret}${name}`, proto.params.map((p) => p.text), ";");
}

/** Designated initializers aligned on a common tab stop: "\t.member\t\t= value,". */
export function initializers(rows: readonly { readonly member: string; readonly value: string }[]): string {
  const width = Math.max(...rows.map((r) => columns(`\t.${r.member}`)));
  const stop = (Math.floor(width / 8) + 1) * 8;
  return rows
    .map((r) => {
      const left = `\t.${r.member}`;
      const tabs = Math.ceil((stop - columns(left)) / 8);
      const head = `${left}${"\t".repeat(Math.max(1, tabs))}= `;
      return orChain(head, r.value.split(" | "), ",");
    })
    .join("\n");
}

/** "head a | b | c tail", wrapped at 80 columns with continuations aligned after "= ". */
export function orChain(head: string, terms: readonly string[], tail: string): string {
  const align = columns(head);
  const lines: string[] = [];
  let cur = head;
  terms.forEach((t, i) => {
    const piece = t + (i < terms.length - 1 ? " |" : tail);
    const atStart = cur === head || cur.trim() === "";
    const candidate = atStart ? cur + piece : `${cur} ${piece}`;
    if (!atStart && columns(candidate) > MAX_COLUMNS) {
      lines.push(cur);
      cur = indentTo(align) + piece;
    } else {
      cur = candidate;
    }
  });
  lines.push(cur);
  return lines.join("\n");
}

/**
 * Remove what conditional templates leave behind: trailing whitespace, runs of
 * blank lines, blank lines after "{" or before "}", and a blank line at the end.
 */
export function tidyC(text: string): string {
  const src = text
    .split("\n")
    .map((l) => l.replace(/[ \t]+$/, ""))
    .flatMap(wrapCommentLine);
  const out: string[] = [];
  for (let i = 0; i < src.length; i++) {
    const line = src[i] ?? "";
    if (line === "") {
      const prev = out[out.length - 1];
      if (prev === undefined || prev === "" || /\{$/.test(prev)) continue;
      const next = src.slice(i + 1).find((l) => l !== "");
      if (next !== undefined && /^\s*\}/.test(next)) continue;
    }
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return `${out.join("\n")}\n`;
}

/** Break a " * text" comment line that is too wide at word boundaries. */
function wrapCommentLine(line: string): string[] {
  if (columns(line) <= MAX_COLUMNS || !/^ \* \S/.test(line)) return [line];
  const out: string[] = [];
  let rest = line;
  while (columns(rest) > MAX_COLUMNS) {
    const cut = rest.lastIndexOf(" ", MAX_COLUMNS);
    if (cut <= 3) break;
    out.push(rest.slice(0, cut));
    rest = ` * ${rest.slice(cut + 1)}`;
  }
  out.push(rest);
  return out;
}

/** Kernel layout problems in a C text: lines over 80 columns, trailing whitespace, space indentation. */
export function styleProblems(text: string): string[] {
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    const n = i + 1;
    if (columns(line) > MAX_COLUMNS) problems.push(`line ${n}: ${columns(line)} columns`);
    if (/[ \t]$/.test(line)) problems.push(`line ${n}: trailing whitespace`);
    if (/^ {2,}\S/.test(line) && !/^ \*/.test(line)) problems.push(`line ${n}: indented with spaces`);
    if (/^\t* {8}/.test(line)) problems.push(`line ${n}: eight spaces where a tab belongs`);
  });
  return problems;
}
