/**
 * Kernel console output that is a finding on its own: a lockdep report, a
 * VM_BUG_ON / BUG, a WARNING, an Oops or a panic. The debug kernel variant
 * (DEBUG_VM + PROVE_LOCKING) exists to produce these; any kernel may.
 */

export interface ConsoleFinding {
  readonly kind: "lockdep" | "bug" | "warning" | "oops" | "panic";
  /** The line that starts the report. */
  readonly line: string;
  /** The report's first lines (up to 12), for the user. */
  readonly excerpt: string;
}

const STARTS: readonly { kind: ConsoleFinding["kind"]; re: RegExp }[] = [
  { kind: "lockdep", re: /WARNING: (possible (recursive|circular) locking|inconsistent lock state|suspicious RCU usage|possible irq lock inversion)|BUG: (sleeping function called from invalid context|scheduling while atomic)/ },
  { kind: "bug", re: /kernel BUG at |BUG: (unable to handle|Bad page|Bad rss)|VM_BUG_ON/ },
  { kind: "oops", re: /Oops: / },
  { kind: "panic", re: /Kernel panic - / },
  { kind: "warning", re: /WARNING: CPU: \d+ PID: \d+ at / },
];

/** Strip the printk timestamp: "[    1.234567] text" → "text". */
function bare(line: string): string {
  return line.replace(/\r$/, "").replace(/^\[\s*\d+\.\d+\]\s?/, "");
}

export function consoleFindings(text: string): ConsoleFinding[] {
  const lines = text.split("\n").map(bare);
  const out: ConsoleFinding[] = [];
  lines.forEach((line, i) => {
    const hit = STARTS.find((s) => s.re.test(line));
    if (!hit) return;
    // A lockdep report begins with a WARNING line that also matches the generic one: one finding.
    if (out.some((f) => f.line === line)) return;
    out.push({ kind: hit.kind, line: line.trim(), excerpt: lines.slice(i, i + 12).join("\n") });
  });
  return out;
}
