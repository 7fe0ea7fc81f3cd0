/**
 * Invariants checked after every step. Each holds in the real kernel whenever
 * no lock is held; a violation means a callback of the memory type broke a
 * contract (include/linux/userfaultfd_k.h struct vm_uffd_ops; review checklist C04, C05, C08), and becomes a
 * RunFinding with the step index.
 */
import type { Machine, SimFinding } from "./machine.js";
import { FOLIO_IN_CACHE, FOLIO_LOCKED, FOLIO_USED, PTE_PRESENT, ZERO_FOLIO, type Vma } from "./state.js";
import { RULE } from "./findings.js";

/** `others`: the VMAs of other address spaces sharing the machine's folios (a forked child's). */
export function checkInvariants(m: Machine, others: readonly (readonly Vma[])[] = []): SimFinding[] {
  const out: SimFinding[] = [];
  const t = m.folios;
  const maps = new Int32Array(t.used);
  for (const v of [...m.vmas, ...others.flat()]) {
    for (let i = v.off; i < v.off + v.npages; i++) {
      if (v.pte[i] !== PTE_PRESENT) continue;
      const f = v.pteFolio[i]!;
      maps[f]! += 1;
      if (!(t.flags[f]! & FOLIO_USED)) {
        out.push({ message: `${v.role} page ${i} maps a freed folio (a reference was dropped twice)`, rule: RULE.refLeak });
        continue;
      }
      // A shared file PTE must map the folio the page cache holds for that index.
      if (v.shared && v.file && v.file.cache[i] !== f) {
        out.push({ message: `${v.role} page ${i} maps a folio that is not the page cache's folio for that index` });
      }
      if (!t.isUptodate(f)) out.push({ message: `${v.role} page ${i} maps a folio that is not up to date (stale contents)`, rule: RULE.staleContents });
    }
  }
  // Charges the declared C made for a folio core has freed before it entered the cache (src/run/c/accounting.ts).
  for (const message of m.c?.chargesOnFreedFolios() ?? []) out.push({ message, rule: "R58" });
  for (let f = 1; f < t.used; f++) {
    if (!(t.flags[f]! & FOLIO_USED)) continue;
    if (t.flags[f]! & FOLIO_LOCKED) out.push({ message: `folio ${describe(m, f)} was left locked` });
    if (maps[f] !== t.mapcount[f]) out.push({ message: `folio ${describe(m, f)} mapcount ${t.mapcount[f]} but ${maps[f]} PTEs map it` });
    const holders = (t.flags[f]! & FOLIO_IN_CACHE ? 1 : 0) + maps[f]!;
    if (t.ref[f]! > holders) {
      out.push({ message: `folio ${describe(m, f)} has ${t.ref[f]} references but ${holders} holders: a reference leaked`, rule: RULE.refLeak });
    } else if (t.ref[f]! < holders) {
      out.push({ message: `folio ${describe(m, f)} has ${t.ref[f]} references but ${holders} holders: a reference was never taken`, rule: RULE.refLeak });
    }
    if (holders === 0 && t.ref[f]! === 0) out.push({ message: `folio ${describe(m, f)} is in use with no reference` });
  }
  for (const f of m.files) {
    for (let i = 0; i < f.npages; i++) {
      const c = f.cache[i]!;
      if (c < 0) continue;
      if (!(t.flags[c]! & FOLIO_USED)) {
        out.push({ message: `page cache slot ${i} holds a freed folio: a reference was dropped that was never taken`, rule: RULE.refLeak });
      } else if (!(t.flags[c]! & FOLIO_IN_CACHE) || c === ZERO_FOLIO) {
        out.push({ message: `page cache slot ${i} holds a folio not marked as cached` });
      }
    }
  }
  for (const th of m.threads.values()) {
    if (th.state !== "blocked") continue;
    const ctx = th.waitCtx;
    const waiting = (th.waitMsg && ctx && (ctx.pending.includes(th.waitMsg) || ctx.delivered.includes(th.waitMsg))) || th.afterEvent;
    if (!waiting) out.push({ message: `thread ${th.name} is blocked with no pending or delivered event` });
  }
  return out;
}

function describe(m: Machine, f: number): string {
  const file = m.folios.file[f]!;
  return file >= 0 ? `at file page ${m.folios.index[f]}` : `#${f} (anonymous)`;
}
