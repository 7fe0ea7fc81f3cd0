/**
 * What must hold in every state an exploration reaches, as
 * checks on the simulator's state. They are the explorer's own: no rule of the
 * catalogue is consulted, so a race is found by running it, not by a rule
 * written after the fact. At the end of a schedule Execution.checkEnd() adds
 * the quiescence checks (nothing blocked forever, nothing leaked, contents as
 * the monitor supplied them).
 */
import type { Simulation } from "../sim/simulation.js";
import { PTE_PRESENT } from "../sim/state.js";

export type Property = "private" | "uptodate" | "eof" | "contract" | "lost-wake" | "leak" | "errno" | "contents" | "abi" | "stale";

export interface Violation {
  readonly property: Property;
  readonly message: string;
  /** Trace length when it was first seen. */
  readonly atTransition: number;
}

export const PROPERTY_TITLES: Readonly<Record<Property, string>> = {
  private: "no private guest_memfd page is mapped or copied into",
  uptodate: "no folio that is not up to date is ever mapped",
  eof: "no page-cache folio and no mapped page lies at or beyond the file's end (i_size)",
  contract: "the emitted C keeps the mm helpers' contracts",
  "lost-wake": "no thread stays blocked once the monitor is done",
  leak: "no lock, reference, charge or cache entry leaks at quiescence",
  errno: "only errnos the ABI documents for the race, each handled as it says",
  contents: "pages hold what the monitor supplied",
  abi: "the monitor can resolve every event it reads",
  stale: "a vCPU that sees a page's KVM Userfault bit clear never reads the page as it was before the fill",
};

/**
 * The every-state properties. `fallocateBeyondEof`: the program calls
 * fallocate(KEEP_SIZE), which may legitimately cache folios beyond i_size
 * (mm/shmem.c shmem_fallocate()), so only mapped pages are held to EOF.
 */
export function checkState(sim: Simulation, fallocateBeyondEof = false): { property: Property; message: string }[] {
  const m = sim.machine;
  const out: { property: Property; message: string }[] = [];
  for (const v of m.vmas) {
    for (let i = v.off; i < v.off + v.npages; i++) {
      if (v.pte[i] !== PTE_PRESENT) continue;
      const f = v.pteFolio[i]!;
      if (v.file?.privatePages.has(i)) out.push({ property: "private", message: `page ${i} is private (converted) but a user PTE maps it` });
      if (!m.folios.isUptodate(f)) out.push({ property: "uptodate", message: `page ${i} maps a folio that is not up to date: user space sees whatever it held` });
      if (v.file && i >= v.file.size) out.push({ property: "eof", message: `page ${i} is mapped beyond the end of the file (i_size is ${v.file.size} pages): truncation left it, or a fill put it there after truncation` });
    }
  }
  for (const th of m.threads.values()) {
    const msg = th.state === "blocked" ? th.waitMsg : null;
    if (msg?.event === "pagefault" && msg.beyondEof) {
      const page = Math.floor((msg.address - msg.vma.base) / msg.vma.pageSize);
      out.push({ property: "eof", message: `thread ${th.name}'s fault on page ${page}, at or beyond the end of the file, raised a userfault instead of SIGBUS: the fault path traps before it checks i_size, and no fill can ever resolve it` });
    }
  }
  for (const file of fallocateBeyondEof ? [] : m.files) {
    for (let i = file.size; i < file.npages; i++) {
      const f = file.cache[i]!;
      if (f >= 0) out.push({ property: "eof", message: `folio ${f} sits in the page cache at page ${i}, beyond the end of the file (i_size is ${file.size} pages): truncation will not look there again` });
    }
  }
  for (const c of m.c?.violations ?? []) out.push({ property: "contract", message: c.message });
  return out;
}
