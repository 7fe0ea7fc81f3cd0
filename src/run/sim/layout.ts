/**
 * A second mapping placed right after the primary one (setup.next): a hole of
 * gapPages between them, its own kind, protection and MAP_DROPPABLE. Its pages
 * are numbered on from the primary mapping's, so one range can span both, run
 * into the hole, or lie wholly in the second mapping.
 *
 * Sources: mm/mmap.c (MAP_FIXED placement), mm/userfaultfd.c
 * vma_can_userfault() (VM_DROPPABLE is refused: 6.18, fs/userfaultfd.c userfaultfd_register()), and
 * the access checks of arch/x86/mm/fault.c access_error() (a PROT_NONE or
 * read-only VMA gets SIGSEGV before any fault handler, so before userfaultfd).
 */
import type { NextMapping } from "../../ir/scenario.js";
import { KIND_SUPPORT } from "../../kernel/kinds.js";
import type { Machine } from "./machine.js";
import { PTE_NONE, type Vma } from "./state.js";

/** Map setup.next after `primary`; returns its VMA. */
export function mapNext(m: Machine, primary: Vma, next: NextMapping): Vma {
  const ps = KIND_SUPPORT.anon.pageSize;
  const base = primary.base + (primary.npages + (next.gapPages ?? 0)) * ps;
  const shared = next.kind === "shmem";
  const file = shared ? m.newFile("shmem", next.pages, { hasFd: true }) : null;
  const prot = next.prot ?? "rw";
  const vma: Vma = {
    id: 1_000_000 + m.vmas.length,
    role: "primary",
    base,
    off: 0,
    start: base,
    npages: next.pages,
    pageSize: ps,
    kind: shared ? "shmem" : "anon",
    anonymous: !shared,
    shared,
    mayWrite: true,
    write: prot === "rw",
    file,
    uffd: 0,
    ctx: null,
    pte: new Uint8Array(next.pages).fill(PTE_NONE),
    pteFlags: new Uint8Array(next.pages),
    pteFolio: new Int32Array(next.pages).fill(-1),
    ...(prot === "none" ? { noAccess: true } : {}),
    ...(next.droppable ? { droppable: true } : {}),
  };
  m.vmas.splice(m.vmas.indexOf(primary) + 1, 0, vma);
  return vma;
}

/** access_error(): may a user (or kernel) access of this kind touch the VMA at all? */
export function accessAllowed(vma: Vma, write: boolean): boolean {
  if (vma.noAccess) return false;
  return !write || vma.write;
}
