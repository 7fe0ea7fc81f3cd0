/**
 * The simulated machine: one mm with its VMAs, the files behind them, every
 * folio, the userfaultfd contexts and the threads. The kernel-function modules
 * (memory.ts, userfaultfd.ts, fs_userfaultfd.ts, ...) take it as their first
 * argument, the way kernel code reaches `current->mm`.
 *
 * VMAs split and merge as the kernel's do on (un)registration (split_vma /
 * vma_merge), because what an ioctl may touch is decided per VMA: a COPY that
 * runs past a registered sub-range is ENOENT (6.18, fs/userfaultfd.c userfaultfd_copy();
 * mm/userfaultfd.c mfill_get_vma()).
 */
import type { DeclaredType } from "../../ir/scenario.js";
import type { DeclaredC } from "../c/instance.js";
import type { SimUffdOps } from "./uffd_ops.js";
import type { KernelVersion } from "../../kernel/versions.js";
import {
  FolioTable,
  PTE_NONE,
  type SimFile,
  type SimThread,
  type UserfaultfdCtx,
  type Vma,
  type VmaKind,
  vmaEnd,
} from "./state.js";

export interface SimFinding {
  readonly message: string;
  readonly rule?: string;
}

export class Machine {
  readonly folios: FolioTable;
  readonly files: SimFile[] = [];
  readonly vmas: Vma[] = [];
  readonly ctxs: UserfaultfdCtx[] = [];
  readonly threads = new Map<string, SimThread>();
  /** Threads woken during the current step, run by the scheduler when it ends. */
  readonly runnable: SimThread[] = [];
  /** Problems found in the memory type's callbacks during the current step. */
  readonly findings: SimFinding[] = [];
  /** A declared type's emitted C, running (set up by the simulation). */
  c: DeclaredC | null = null;
  /**
   * Do kernel paths stop at their preemption points (src/run/sim/preempt.ts)?
   * Only the explorer sets it; the plain simulator runs every path straight through.
   */
  preempt = false;
  /** The C-backed ops, made once per machine. */
  declaredOps: SimUffdOps | null = null;

  constructor(
    readonly version: KernelVersion,
    readonly declared: DeclaredType | null,
    folioCapacity = 1024,
  ) {
    this.folios = new FolioTable(folioCapacity);
  }

  finding(message: string, rule?: string): void {
    if (!this.findings.some((f) => f.message === message)) this.findings.push(rule ? { message, rule } : { message });
  }

  newFile(kind: VmaKind, npages: number, opts: { gmemFlags?: readonly string[]; hasFd: boolean }): SimFile {
    const f: SimFile = {
      id: this.files.length,
      kind,
      npages,
      size: npages,
      cache: new Int32Array(npages).fill(-1),
      gmemFlags: new Set(opts.gmemFlags ?? []),
      hasFd: opts.hasFd,
      privatePages: new Set(),
    };
    this.files.push(f);
    return f;
  }

  newVma(v: Omit<Vma, "id" | "uffd" | "ctx" | "pte" | "pteFlags" | "pteFolio" | "start" | "base" | "off">): Vma {
    // Leave a gap between mappings so no range ever spans two of them by accident.
    // Low addresses on purpose: they stay small integers for the JIT (1 GiB fits).
    const last = this.vmas[this.vmas.length - 1];
    const align = 2 << 20;
    const start = last ? Math.ceil((vmaEnd(last) + 64 * align) / align) * align : align;
    const vma: Vma = {
      ...v,
      id: this.nextId++,
      base: start,
      off: 0,
      start,
      uffd: 0,
      ctx: null,
      pte: new Uint8Array(v.npages).fill(PTE_NONE),
      pteFlags: new Uint8Array(v.npages),
      pteFolio: new Int32Array(v.npages).fill(-1),
    };
    this.vmas.push(vma);
    return vma;
  }

  private nextId = 0;

  /** split_vma(): the VMA containing page `at` of its mapping becomes two, sharing the page tables. */
  splitVma(vma: Vma, at: number): void {
    if (at <= vma.off || at >= vma.off + vma.npages) return;
    const k = this.vmas.indexOf(vma);
    const left: Vma = { ...vma, id: this.nextId++, npages: at - vma.off };
    const right: Vma = { ...vma, id: this.nextId++, off: at, start: vma.base + at * vma.pageSize, npages: vma.off + vma.npages - at };
    this.vmas.splice(k, 1, left, right);
  }

  /** Split so that [start, end) is covered by whole VMAs. */
  splitRange(start: number, end: number): void {
    for (const v of this.vmasIn(start, end)) {
      const s = Math.ceil((start - v.base) / v.pageSize);
      this.splitVma(v, s);
    }
    for (const v of this.vmasIn(start, end)) {
      const e = Math.ceil((end - v.base) / v.pageSize);
      this.splitVma(v, e);
    }
  }

  /** vma_merge(): neighbours of one mapping with the same userfaultfd state become one VMA again. */
  mergeVmas(): void {
    for (let k = 0; k + 1 < this.vmas.length; ) {
      const a = this.vmas[k]!;
      const b = this.vmas[k + 1]!;
      if (a.base === b.base && a.off + a.npages === b.off && a.uffd === b.uffd && a.ctx === b.ctx) {
        this.vmas.splice(k, 2, { ...a, npages: a.npages + b.npages });
      } else k++;
    }
  }

  /** find_vma() restricted to a containing VMA (vma_lookup()). */
  vmaLookup(addr: number): Vma | null {
    for (const v of this.vmas) if (addr >= v.start && addr < vmaEnd(v)) return v;
    return null;
  }

  /** VMAs intersecting [start, end). */
  vmasIn(start: number, end: number): Vma[] {
    return this.vmas.filter((v) => v.start < end && vmaEnd(v) > start);
  }
}
