/**
 * A canonical key of a simulator state, for the explorer's state cache.
 *
 * It covers everything a later transition can read: every live folio (flags,
 * references, mappings, contents, owner), the page caches, each file's i_size, the private
 * pages, every VMA's registration and page table, every context's queues and
 * mmap_changing, every worker's state, KVM Userfault's bitmap, and the
 * contract model's own counters. It leaves out the emitted C's wasm memory:
 * the callbacks keep no state between calls (every helper they call is an
 * import onto the simulator's state), and the memory holds their stack and
 * scratch, which differ from call to call and would make every state unique.
 * Folio ids and VMA ids are as allocated; two states that differ only in them
 * get different keys, which costs cache hits, never soundness.
 */
import { createHash } from "node:crypto";
import type { Simulation } from "../sim/simulation.js";
import { FOLIO_USED } from "../sim/state.js";

export function stateKeyOf(sim: Simulation, threads: readonly string[]): string {
  const m = sim.machine;
  const h = createHash("sha1");
  const t = m.folios;
  const parts: string[] = [];
  for (let f = 1; f < t.used; f++) {
    if (!(t.flags[f]! & FOLIO_USED)) continue;
    parts.push(`${f}:${t.ref[f]},${t.mapcount[f]},${t.flags[f]},${t.value[f]},${t.file[f]},${t.index[f]}`);
  }
  h.update(parts.join(";"));
  for (const file of m.files) {
    h.update(`|F${file.id}:${file.size}:${Array.from(file.cache).join(",")}:${[...file.privatePages].sort((a, b) => a - b).join(",")}`);
  }
  for (const v of m.vmas) {
    const pte: string[] = [];
    for (let i = v.off; i < v.off + v.npages; i++) pte.push(`${v.pte[i]}.${v.pteFlags[i]}.${v.pteFolio[i]}`);
    h.update(`|V${v.id}:${v.start}:${v.npages}:${v.uffd}:${v.ctx?.id ?? -1}:${pte.join(",")}`);
  }
  for (const c of m.ctxs) {
    const q = (l: typeof c.pending) => l.map((msg) => `${msg.event}@${msg.address}/${msg.flags}/${msg.thread?.name ?? ""}${msg.beyondEof ? "/E" : ""}`).join(",");
    h.update(`|C${c.id}:${c.released ? 1 : 0}:${c.features}:${c.mmapChanging}:${q(c.pending)}:${q(c.delivered)}`);
  }
  for (const th of m.threads.values()) h.update(`|T${th.name}:${th.state}:${th.page}:${th.result}:${th.afterEvent ? 1 : 0}`);
  const c = m.c;
  if (c) h.update(`|K${c.violations.length}:${c.pagefaultDisabled}:${c.sharedPolicyRefs}`);
  h.update(`|P${threads.join("#")}`);
  return h.digest("base64");
}
