/**
 * Read back what the guest wrote on ttyS1 (./guest.ts): facts about the
 * guest kernel, and each test's output and exit status. Serial lines end in
 * CR LF; a line that is not ours belongs to the test being printed.
 */
import { MARK } from "./guest.js";

export interface GuestFacts {
  readonly release?: string;
  readonly cpus?: number;
  /** svm, vmx or none: what the guest CPU offers for KVM. */
  readonly virt?: string;
  readonly kvm?: boolean;
  readonly hugePagesFree?: number;
  /** insmod failures: "module:message". */
  readonly insmodFailed: readonly string[];
}

export interface GuestTestOutput {
  readonly output: string;
  /** Exit status; 137 when busybox timeout killed it. */
  readonly rc: number;
}

export interface GuestResults {
  readonly facts: GuestFacts;
  /** By `${binary} ${tapName}`. */
  readonly tests: ReadonlyMap<string, GuestTestOutput>;
  /** Tests that finished (the `ran` lines), for progress. */
  readonly ran: number;
  /** The guest reached the end of its run. */
  readonly done: boolean;
}

export function testKey(binary: string, tapName: string): string {
  return `${binary} ${tapName}`;
}

interface Acc {
  facts: { release?: string; cpus?: number; virt?: string; kvm?: boolean; hugePagesFree?: number; insmodFailed: string[] };
  tests: Map<string, GuestTestOutput>;
  ran: number;
  done: boolean;
  current?: { key: string; lines: string[] };
}

function fact(acc: Acc, kv: string): void {
  const eq = kv.indexOf("=");
  const k = kv.slice(0, eq);
  const v = kv.slice(eq + 1);
  if (k === "release") acc.facts.release = v;
  else if (k === "cpus") acc.facts.cpus = Number(v);
  else if (k === "virt") acc.facts.virt = v;
  else if (k === "kvm") acc.facts.kvm = v === "present";
  else if (k === "hugepages_free") acc.facts.hugePagesFree = Number(v) || 0;
  else if (k === "insmod-failed") acc.facts.insmodFailed.push(v.trim());
}

function directive(acc: Acc, rest: string): void {
  const sp = rest.indexOf(" ");
  const word = sp < 0 ? rest : rest.slice(0, sp);
  const arg = sp < 0 ? "" : rest.slice(sp + 1);
  if (word === "facts") fact(acc, arg);
  else if (word === "ran") acc.ran++;
  else if (word === "begin") acc.current = { key: arg, lines: [] };
  else if (word === "end" && acc.current) {
    acc.tests.set(acc.current.key, { output: acc.current.lines.join("\n"), rc: Number(/rc=(\d+)/.exec(arg)?.[1] ?? "-1") });
    acc.current = undefined;
  } else if (word === "done") acc.done = true;
}

export function parseGuestResults(text: string): GuestResults {
  const acc: Acc = { facts: { insmodFailed: [] }, tests: new Map(), ran: 0, done: false };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const at = line.indexOf(MARK + " ");
    if (at >= 0) directive(acc, line.slice(at + MARK.length + 1).trim());
    else acc.current?.lines.push(line);
  }
  return { facts: acc.facts, tests: acc.tests, ran: acc.ran, done: acc.done };
}
