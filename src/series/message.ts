/**
 * Commit messages in the form Documentation/process/submitting-patches.rst asks
 * for ("Describe your changes", "The canonical patch format"): an imperative "subsystem: summary" subject of at most
 * 75 columns, a body wrapped at 75 columns, then the trailer block in which every
 * Co-developed-by: is immediately followed by that person's Signed-off-by: and
 * the submitter's Signed-off-by: comes last (checkpatch BAD_SIGN_OFF otherwise).
 */
import type { Person } from "../spec/types.js";

export const SUBJECT_MAX = 75;
export const BODY_WIDTH = 75;

export function formatPerson(p: Person): string {
  return `${p.name} <${p.email}>`;
}

/**
 * Wrap one paragraph at `width`. Lines starting with "- " or "* " keep a hanging
 * indent; lines that start with whitespace (code, quotes) are left as they are.
 */
export function wrapParagraph(text: string, width = BODY_WIDTH): string {
  const lines = text.split("\n");
  if (lines.every((l) => /^\s/.test(l) || l === "")) return text;
  const bullet = /^([-*] |\d+\. )/.exec(text);
  const indent = bullet ? " ".repeat(bullet[1]!.length) : "";
  const words = text.replace(/\s+/g, " ").trim().split(" ");
  const out: string[] = [];
  let cur = "";
  for (const w of words) {
    const prefix = out.length === 0 ? "" : indent;
    if (cur === "") cur = prefix + w;
    else if (cur.length + 1 + w.length <= width) cur += " " + w;
    else {
      out.push(cur);
      cur = indent + w;
    }
  }
  if (cur !== "") out.push(cur);
  return out.join("\n");
}

/** Paragraphs separated by blank lines; a paragraph of bullets is wrapped bullet by bullet. */
export function wrapBody(paragraphs: readonly string[], width = BODY_WIDTH): string {
  return paragraphs
    .map((p) => {
      const items = p.split(/\n(?=[-*] |\d+\. )/);
      return items.map((i) => wrapParagraph(i, width)).join("\n");
    })
    .join("\n\n");
}

export function trailerBlock(submitter: Person, coDevelopers: readonly Person[]): string[] {
  const lines: string[] = [];
  for (const p of coDevelopers) {
    if (p.email.toLowerCase() === submitter.email.toLowerCase()) continue;
    lines.push(`Co-developed-by: ${formatPerson(p)}`);
    lines.push(`Signed-off-by: ${formatPerson(p)}`);
  }
  lines.push(`Signed-off-by: ${formatPerson(submitter)}`);
  return lines;
}

export interface CommitMessage {
  readonly subject: string;
  readonly paragraphs: readonly string[];
}

export function formatCommitMessage(msg: CommitMessage, submitter: Person, coDevelopers: readonly Person[]): string {
  const body = wrapBody(msg.paragraphs);
  return `${msg.subject}\n\n${body}\n\n${trailerBlock(submitter, coDevelopers).join("\n")}\n`;
}

/**
 * A subject within the limit: "<prefix> <summary>", with the summary shortened at
 * a word boundary when the prefix leaves too little room.
 */
export function subject(prefix: string, summary: string): string {
  const full = `${prefix} ${summary}`;
  if (full.length <= SUBJECT_MAX) return full;
  const room = SUBJECT_MAX - prefix.length - 1;
  const words = summary.split(" ");
  let s = "";
  for (const w of words) {
    if ((s ? s.length + 1 : 0) + w.length > room) break;
    s = s ? `${s} ${w}` : w;
  }
  return `${prefix} ${s || summary.slice(0, room)}`;
}

/** mm/filemap.c → "mm/filemap:", virt/kvm/x.c → "KVM:". */
export function prefixForFile(path: string): string {
  const m = /^mm\/([\w-]+)\.c$/.exec(path);
  if (m) return m[1] === "userfaultfd" ? "mm: userfaultfd:" : `mm/${m[1]}:`;
  if (path.startsWith("virt/kvm/")) return "KVM:";
  if (path.startsWith("mm/")) return "mm:";
  const dir = path.split("/").slice(0, -1).join("/");
  return dir ? `${dir}:` : `${path}:`;
}
