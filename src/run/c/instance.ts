/**
 * One running instance of a declared type's emitted C: the compiled module
 * instantiated against the contract model, with the callbacks offered to the
 * simulated core as a SimUffdOps plus the ->fault glue.
 *
 * Each call sets up the kernel objects the callback reads (the VMA, the
 * inode, the vm_fault) in the module's memory, runs it, maps pointers back
 * to the simulator's folios, and then checks core's contract for that
 * member's return (include/linux/userfaultfd_k.h; the series' v2 07/15–10/15).
 */
import type { Machine } from "../sim/machine.js";
import { FOLIO_USED, type SimFile, type Vma } from "../sim/state.js";
import type { InjectSite } from "../../ir/scenario.js";
import type { CompiledType } from "./compile.js";
import type { ReturnSite } from "./instrument.js";
import { ENTRY, FREE_FOLIO_ENTRY, hasEntry, vmFlagsToC, VM_SHARED_C } from "./harness.js";
import {
  attrKey,
  CONTRACT_SOURCE,
  ERRNO,
  FOLIO_IN_CACHE,
  KMAP_BASE,
  type CallContext,
  type ContractViolation,
  type CoreHooks,
  type Location,
} from "./contracts.js";
import { makeImports, typeFunctionImports } from "./imports.js";
import { ACCOUNT_UNIT, Ledger, type AccountKind, type Pending } from "./accounting.js";
import { GENERATIONS, type CallbackRole } from "../../kernel/generations.js";

const PAGE_SIZE = 4096;
/** The names findings give the ops members, to their roles. */
const ROLE_OF: Record<string, CallbackRole> = {
  get_folio_noalloc: "getFolio",
  get_folio: "getFolio",
  alloc_folio: "allocFolio",
  filemap_add: "filemapAdd",
  filemap_remove: "filemapRemove",
  uffd_copy: "copy",
  can_userfault: "canUserfault",
};
/** No findings (shared: the per-step check allocates nothing when there is nothing to say). */
const NONE: readonly string[] = [];
/** Folio structs made per allocation in the module (see folioToPtr). */
const FOLIO_BLOCK = 256;

export interface BranchCounts {
  /** Per site: how often the condition was true, and false. */
  readonly taken: Uint32Array;
  readonly notTaken: Uint32Array;
}

/** What one instance reports after a run. */
export interface CReport {
  readonly violations: readonly ContractViolation[];
  readonly branches: BranchCounts;
}

type Exports = Record<string, (...a: number[]) => number>;

export class DeclaredC {
  readonly exports: Exports;
  readonly memory: WebAssembly.Memory;
  readonly violations: ContractViolation[] = [];
  private counters = 0;
  readonly ctx: CallContext = { role: "", mmapLocked: false, copyByte: 0, vma: null, page: 0, raised: null, raise: null };
  /** Injected failures still to come, by site: the call numbers (1-based) that fail. */
  private readonly injections = new Map<InjectSite, Set<number>>();
  private readonly calls = new Map<InjectSite, number>();
  private readonly folioPtr: number[] = [];
  private readonly filePtr = new Map<number, number>();
  private readonly vmaScratch: number;
  private readonly vmfScratch: number;
  private readonly slot: number;
  private readonly offFolioId: number;
  private readonly offPage: number;
  private readonly offInodeId: number;
  private readonly offMappingId: number;
  private readonly offFolioMapping: number;
  private heap: Int32Array | null = null;
  pagefaultDisabled = 0;
  /** References to a shared mempolicy the running callback holds. */
  sharedPolicyRefs = 0;
  /**
   * Folios out of the kernel's direct map (set_direct_map_invalid_noflush()), and
   * where the C took them out: a kernel touch, a free or a return to core that
   * frees it is a finding pointing there.
   */
  readonly directMapRemoved = new Map<number, Location>();
  /** Folios put back in the direct map by the running callback, and where: a second restore is an undo run twice. */
  readonly directMapRestored = new Map<number, Location>();
  /**
   * Folios taken out with a *_noflush removal and not yet flushed
   * (flush_tlb_kernel_range()): when the callback returns, a stale TLB entry
   * still reaches the page. The finding points at the removal.
   */
  readonly directMapUnflushed = new Map<number, Location>();
  /** Pages charged to the mm's locked_vm (account_locked_vm()), and the running callback's net change. */
  lockedVm = 0;
  lockedVmDelta = 0;
  /** The invalidate locks the running callback holds, per file id (filemap_invalidate_lock_shared()). */
  readonly invalidateLocks = new Map<number, number>();
  /** Per-inode and per-user charges the C made, and which folio each went with (./accounting.ts). */
  readonly ledger = new Ledger();
  /** percpu_counters the C has limited-added (module addresses): accounts, not mere statistics. */
  readonly limitedCounters = new Set<number>();
  /** Where the C last called a stand-in (UK_NOTE_CALL()): a stand-in's charge is positioned there. */
  standInCall: { fn: number; line: number } | null = null;
  /** Per file id: the folios the C put in the page cache (what shmem_recalc_inode() counts as still there). */
  private readonly cAdded = new Map<number, Set<number>>();
  /**
   * Pages whose shared/private attribute the running callback read with
   * mtree_load() while not holding the file's invalidate lock, and where
   * (key: attrKey(file, index); the C function and line, resolved only when
   * it becomes a finding). Taking that page's folio afterwards in the same
   * callback acts on an answer a conversion may already have changed.
   */
  readonly unlockedAttrReads = new Map<number, { readonly fnPtr: number; readonly line: number }>();
  /**
   * Folios the running callback holds locked: those it locked through the
   * helpers (folio_lock(), filemap_lock_folio(), filemap_add_folio(), ...) and
   * the one core hands it locked (filemap_remove). The invalidate lock's order
   * is checked against these, not against every folio in the machine (another
   * thread's lock is no inversion of this path's order, and a scan of every
   * folio per lock made long runs quadratic).
   */
  readonly pathLocked = new Set<number>();
  /** The errno of the ERR_PTR the last get_folio_noalloc returned; 0 for a folio or NULL. */
  lastGetFolioErr = 0;

  constructor(
    readonly compiled: CompiledType,
    readonly machine: Machine,
    readonly hooks: CoreHooks,
    inject: readonly { site: InjectSite; nth?: number }[] = [],
  ) {
    for (const j of inject) {
      const set = this.injections.get(j.site) ?? new Set<number>();
      set.add(j.nth ?? 1);
      this.injections.set(j.site, set);
    }
    const mod = moduleOf(compiled);
    const inst = new WebAssembly.Instance(mod, { kmodel: makeImports(this), env: typeFunctionImports(this, compiled.names.typeFunctions) });
    this.exports = inst.exports as unknown as Exports;
    this.memory = inst.exports.memory as WebAssembly.Memory;
    this.offFolioId = this.exports.uk_offsetof_folio_id!();
    this.offPage = this.exports.uk_offsetof_folio_page!();
    this.offInodeId = this.exports.uk_offsetof_inode_id!();
    this.offMappingId = this.exports.uk_offsetof_mapping_id!();
    this.vmaScratch = this.exports.uk_new_vma!();
    this.vmfScratch = this.exports.uk_new_vmf!();
    this.slot = this.exports.uk_new_slot!();
    this.counters = this.exports.uk_branch_counters!();
    this.offFolioMapping = this.exports.uk_offsetof_folio_mapping!();
    this.retSlot = this.exports.uk_last_return_slot?.() ?? 0;
  }

  // --- fault injection ----------------------------------------------------------

  /** Counts a call of a fallible helper and says whether it must fail this time. */
  fire(site: InjectSite): boolean {
    if (this.injections.size === 0) return false;
    const k = (this.calls.get(site) ?? 0) + 1;
    this.calls.set(site, k);
    return this.injections.get(site)?.has(k) ?? false;
  }

  // --- pointers <-> simulator ids --------------------------------------------------

  /**
   * The module's memory as words. Only the module's allocator grows memory (uk_new_*),
   * so the view is remade after those calls, never looked up on the hot path.
   */
  private get i32(): Int32Array {
    // memory.grow detaches the old buffer, and a view of a detached buffer has length 0.
    const h = this.heap;
    return h !== null && h.length !== 0 ? h : this.refreshHeap();
  }

  private refreshHeap(): Int32Array {
    this.heap = new Int32Array(this.memory.buffer);
    return this.heap;
  }

  writeWord(p: number, value: number): void {
    this.i32[p >> 2] = value;
  }

  /** Per branch site: how often its condition was true, and false (read from the module's counters). */
  get branches(): BranchCounts {
    const n = this.compiled.sites.length;
    const raw = new Uint32Array(this.memory.buffer, this.counters, Math.max(1, n) * 2);
    const taken = new Uint32Array(n);
    const notTaken = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      notTaken[i] = raw[2 * i]!;
      taken[i] = raw[2 * i + 1]!;
    }
    return { taken, notTaken };
  }

  folioToPtr(f: number): number {
    let p = this.folioPtr[f];
    if (p === undefined) {
      // Folio structs are made a block at a time: ids come in runs as the simulator allocates.
      const first = f - (f % FOLIO_BLOCK);
      const base = this.exports.uk_new_folio_block!(first, FOLIO_BLOCK);
      if (!base) throw new Error("the C model's object heap is full");
      const size = this.exports.uk_sizeof_folio!();
      for (let k = 0; k < FOLIO_BLOCK; k++) this.folioPtr[first + k] = base + k * size;
      p = this.folioPtr[f]!;
    }
    const t = this.machine.folios;
    const file = t.flags[f]! & FOLIO_IN_CACHE ? t.file[f]! : -1;
    // folio->mapping and folio->index, written in place (they follow each other in struct folio).
    const w = (p + this.offFolioMapping) >> 2;
    const mem = this.i32;
    mem[w] = file >= 0 ? this.mappingPtr(file) : 0;
    mem[w + 1] = t.index[f]!;
    return p;
  }

  /** A folio pointer (or a pointer to its page) back to the folio id; -1 for NULL, ERR_PTR or garbage. */
  ptrToFolio(p: number, page = false): number {
    if (p === 0 || p >>> 0 >= 0xfffff001) return -1;
    const base = page ? p - this.offPage : p;
    if (base < 0 || base + this.offFolioId + 4 > this.i32.byteLength) return -1;
    const id = this.i32[(base + this.offFolioId) >> 2]!;
    return this.folioPtr[id] === base ? id : -1;
  }

  kmapToFolio(p: number): number {
    const off = (p >>> 0) - KMAP_BASE;
    return off >= 0 ? Math.floor(off / PAGE_SIZE) : -1;
  }

  filePtrOf(file: SimFile): number {
    let p = this.filePtr.get(file.id);
    if (p === undefined) {
      p = this.exports.uk_new_file!(file.id, BigInt(file.npages * PAGE_SIZE) as unknown as number);
      this.filePtr.set(file.id, p);
    }
    return p;
  }

  private readonly inodePtrs = new Map<number, number>();
  private readonly mappingPtrs = new Map<number, number>();

  mappingPtr(fileId: number): number {
    let p = this.mappingPtrs.get(fileId);
    if (p === undefined) {
      p = this.exports.uk_file_mapping!(this.filePtrOf(this.machine.files[fileId]!));
      this.mappingPtrs.set(fileId, p);
    }
    return p;
  }

  inodePtr(file: SimFile): number {
    let p = this.inodePtrs.get(file.id);
    if (p === undefined) {
      p = this.exports.uk_file_inode!(this.filePtrOf(file));
      this.inodePtrs.set(file.id, p);
    }
    return p;
  }

  /** The room the harness leaves around each inode, and the inode's size (constants of the module). */
  private inodeSpan: { room: number; size: number } | undefined;

  /**
   * The file whose inode info holds the maple tree at `p`: a type's info
   * struct wraps the inode (container_of), so its tree lies within the room
   * the harness leaves around the inode (harness.ts UK_INODE_ROOM).
   */
  attrTreeToFile(p: number): SimFile | null {
    this.inodeSpan ??= { room: this.exports.uk_inode_room!(), size: this.exports.uk_sizeof_inode!() };
    const { room, size } = this.inodeSpan;
    for (const [id] of this.filePtr) {
      const file = this.machine.files[id];
      if (!file) continue;
      const inode = this.inodePtr(file);
      if (p >= inode - room && p < inode + size + room) return file;
    }
    return null;
  }

  /**
   * The running callback takes page `index`'s folio (a lookup or a page-cache
   * add): if it read that page's attribute without the invalidate lock, the
   * answer it acts on may be stale. The finding points at the read.
   */
  attrReadActedOn(file: SimFile, index: number, helper: string, fnPtr: number, line: number): void {
    const key = attrKey(file, index);
    const read = this.unlockedAttrReads.get(key);
    if (!read) return;
    this.unlockedAttrReads.delete(key);
    const readFn = this.cString(read.fnPtr);
    const readFile = this.fileOf(read.line, readFn);
    const at: Location = { file: readFile, fn: readFn, line: this.callStart(readFile, read.line) };
    const fn = fnPtr ? this.cString(fnPtr) : "?";
    const takeFile = this.fileOf(line, fn);
    const message =
      `read page ${index}'s shared/private attribute (mtree_load()) without the mapping's invalidate lock, and ${fn}() then took the page's folio ` +
      `(${helper}() at ${takeFile}:${this.callStart(takeFile, line)}): a conversion to private, which takes that lock for write, fits between the check and the use; ` +
      `check and take the folio under filemap_invalidate_lock_shared()`;
    const v: ContractViolation = { file: at.file, fn: at.fn, line: at.line, helper: "gmem_attributes", message, source: CONTRACT_SOURCE.gmem_attributes };
    if (!this.violations.some((x) => x.line === v.line && x.message === v.message)) this.violations.push(v);
    this.machine.finding(`${v.file}:${v.line} ${v.fn}(): ${message}`, "R58");
  }

  inodeToFile(p: number): SimFile | null {
    return this.machine.files[this.i32[(p + this.offInodeId) >> 2]!] ?? null;
  }

  mappingToFile(p: number): SimFile | null {
    return this.machine.files[this.i32[(p + this.offMappingId) >> 2]!] ?? null;
  }

  private lastVma: Vma | null = null;
  private lastVmaFlags = -1;

  /** The VMA as C sees it; rewritten only when a different VMA (or its uffd state) comes along. */
  vmaPtr(vma: Vma): number {
    let flags = vmFlagsToC(vma.uffd);
    if (vma.shared) flags |= VM_SHARED_C;
    if (vma === this.lastVma && flags === this.lastVmaFlags) return this.vmaScratch;
    const file = vma.file ? this.filePtrOf(vma.file) : 0;
    const end = vma.start + vma.npages * PAGE_SIZE;
    this.exports.uk_set_vma!(this.vmaScratch, vma.id, vma.start, end, vma.off, flags, file);
    this.lastVma = vma;
    this.lastVmaFlags = flags;
    return this.vmaScratch;
  }

  pageAddr(vma: Vma, pgoff: number): number {
    return vma.start + (pgoff - vma.off) * PAGE_SIZE;
  }

  /** A C string in the module's memory. */
  cString(p: number): string {
    const b = new Uint8Array(this.memory.buffer);
    let e = p;
    while (e < b.length && b[e] !== 0) e++;
    return new TextDecoder().decode(b.subarray(p, e));
  }

  /**
   * __LINE__ inside a macro call that spans lines is the line of its closing
   * parenthesis: walk back to the line the statement starts on.
   */
  callStart(file: string, line: number): number {
    const lines = this.compiled.texts?.[file]?.split("\n");
    if (!lines) return line;
    let l = line;
    while (l > 1 && /,\s*$|\(\s*$/.test(lines[l - 2] ?? "")) l--;
    return l;
  }

  /** The file a C function is in: the type's own C, or the callbacks' file. */
  fileOf(_line: number, fnPtr: number | string): string {
    const fn = typeof fnPtr === "string" ? fnPtr : fnPtr ? this.cString(fnPtr) : "";
    const t = this.compiled.typeC;
    return t && t.functions.includes(fn) ? t.path : this.compiled.fileName;
  }

  // --- accounting (./accounting.ts) ---------------------------------------------------

  /** A charge or uncharge by a kernel helper the C called at fnPtr:line; an uncharge of more than is held is a finding there. */
  account(kind: AccountKind, owner: number, n: number, charge: boolean, helper: string, fnPtr: number, line: number): boolean {
    const fn = fnPtr ? this.cString(fnPtr) : "?";
    const file = this.fileOf(line, fn);
    if (charge) {
      this.ledger.charge(kind, owner, n, helper, { file, fn, line: this.callStart(file, line) });
      return true;
    }
    const short = this.ledger.uncharge(kind, owner, n);
    if (short) {
      this.violation("accounting", `${helper}() gives back ${n} ${ACCOUNT_UNIT[kind]} with ${short.short} charged: an uncharge without its charge, or the same charge undone twice`, fnPtr, line);
    }
    return short === null;
  }

  /** A stand-in of the type's accounting charged or gave back: positioned at the C's call of it. */
  accountStandIn(kind: AccountKind, owner: number, n: number, charge: boolean, name: string): void {
    const at = this.standInCall;
    this.account(kind, owner, n, charge, name, at?.fn ?? 0, at?.line ?? 0);
  }

  /** A stand-in's precondition broken: a finding at the C's call of it (UK_NOTE_CALL()), or the file when unknown. */
  standInViolation(name: string, message: string): void {
    const at = this.standInCall;
    if (at) this.violation(name, message, at.fn, at.line);
    else this.returnViolation(name, message);
  }

  addedByC(fileId: number, folio: number): void {
    const set = this.cAdded.get(fileId) ?? new Set<number>();
    set.add(folio);
    this.cAdded.set(fileId, set);
  }

  /**
   * shmem_recalc_inode(inode, alloced, 0) (mm/shmem.c): info->alloced grows by
   * `alloced`, and the blocks of pages no longer in the mapping (alloced less
   * nrpages) are given back with shmem_inode_unacct_blocks(). Here alloced and
   * nrpages count only what the C did: the recalc calls it made, and the
   * folios it added that are still in the page cache.
   */
  recalcBlocks(file: SimFile, name: string, alloced: number): void {
    const t = this.machine.folios;
    const set = this.cAdded.get(file.id) ?? new Set<number>();
    for (const f of [...set]) if (!(t.flags[f]! & FOLIO_IN_CACHE) || file.cache[t.index[f]!] !== f) set.delete(f);
    // info->alloced += alloced; freed = info->alloced - nrpages (the pages the C added that are still there).
    const a = (this.cAlloced.get(file.id) ?? 0) + alloced;
    const freed = a - set.size;
    this.cAlloced.set(file.id, freed > 0 ? a - freed : a);
    if (freed > 0) this.accountStandIn("blocks", file.id, freed, false, name);
  }

  /** Per file id: shmem's info->alloced as the C's recalc calls have moved it (pages the C declared allocated). */
  private readonly cAlloced = new Map<number, number>();

  /** Charges a failed callback, or a folio leaving, left behind: a finding at the return, naming each charge. */
  private chargesLeft(role: string, what: string, left: readonly Pending[]): void {
    if (left.length === 0) return;
    const site = this.callbackSite(role, "return") ?? { file: this.compiled.fileName, fn: role, line: 0 };
    for (const p of left) {
      const message = `${role}: ${what} with ${p.n} ${ACCOUNT_UNIT[p.kind]} still charged by ${p.by}() at ${p.at.file}:${p.at.line}: the charge is not undone on that path`;
      // A contract violation like the helpers' (explore checks these), positioned at the return.
      const v: ContractViolation = { ...site, helper: "accounting", message, source: CONTRACT_SOURCE.accounting };
      if (!this.violations.some((x) => x.file === v.file && x.line === v.line && x.message === message)) this.violations.push(v);
      this.machine.finding(`${site.file}:${site.line} ${site.fn}(): ${message}`, "R58");
    }
  }

  /**
   * Charges made for a folio before it entered the page cache (in alloc_folio)
   * that core has since freed, after a fill that failed: no callback runs on
   * that path, so nothing gives them back. Findings at the charge; the
   * simulator checks this after every step (src/run/sim/invariants.ts).
   */
  chargesOnFreedFolios(): readonly string[] {
    if (!this.ledger.hasPrecache()) return NONE;
    const t = this.machine.folios;
    const out: string[] = [];
    for (const { left } of this.ledger.freedBeforeCache((f) => !(t.flags[f]! & FOLIO_USED))) {
      for (const p of left) {
        const message = `a folio charged for in alloc_folio was freed by core (a fill that failed after alloc_folio) with ${p.n} ${ACCOUNT_UNIT[p.kind]} still charged by ${p.by}(): no callback runs on that path, so nothing gives it back; charge only once the folio is in the page cache (filemap_add)`;
        const v: ContractViolation = { ...p.at, helper: "accounting", message, source: CONTRACT_SOURCE.accounting };
        if (!this.violations.some((x) => x.file === v.file && x.line === v.line && x.message === message)) this.violations.push(v);
        out.push(`${p.at.file}:${p.at.line} ${p.at.fn}(): ${message}`);
      }
    }
    return out;
  }

  /** A folio just allocated: whatever the model knew of an earlier folio with its id is gone. */
  fresh(f: number): number {
    this.ledger.forget(f);
    this.directMapRemoved.delete(f);
    this.directMapRestored.delete(f);
    this.directMapUnflushed.delete(f);
    return f;
  }

  /** The kernel reads or writes the folio through its direct map (kmap_local_folio() on 64-bit, a clear). */
  touch(f: number, helper: string, fnPtr: number, line: number): void {
    const at = this.directMapRemoved.get(f);
    if (!at) return;
    this.violation("direct_map_touch", `${helper}() on a folio taken out of the direct map at ${at.file}:${at.line} by ${at.fn}(): the kernel's access through the direct map faults`, fnPtr, line);
  }

  /** a_ops->free_folio, as filemap_remove_folio() calls it: the type's C when it has one. */
  freeFolioHook(folioPtr: number): void {
    this.exports[FREE_FOLIO_ENTRY]?.(folioPtr);
  }

  /**
   * The folio goes back to core, which frees it (or copies into it): it must
   * be in the direct map again. The finding points at the removal.
   */
  directMapOnReturn(f: number, what: string): void {
    const at = this.directMapRemoved.get(f);
    if (!at) return;
    this.directMapRemoved.delete(f);
    const v: ContractViolation = { file: at.file, fn: at.fn, line: at.line, helper: "direct_map", message: `${what}, still out of the direct map: the removal here is not undone on that path`, source: CONTRACT_SOURCE.direct_map };
    if (!this.violations.some((x) => x.line === v.line && x.message === v.message)) this.violations.push(v);
    this.machine.finding(`${v.file}:${v.line} ${v.fn}(): ${v.message}`, "R58");
  }

  violation(helper: keyof typeof CONTRACT_SOURCE | string, message: string, fnPtr: number, line: number): void {
    const fn = fnPtr ? this.cString(fnPtr) : "?";
    const source = (CONTRACT_SOURCE as Record<string, string>)[helper] ?? "";
    const file = this.fileOf(line, fn);
    line = this.callStart(file, line);
    const v: ContractViolation = { file, fn, line, helper, message, source };
    if (!this.violations.some((x) => x.line === line && x.message === message)) this.violations.push(v);
    this.machine.finding(`${v.file}:${line} ${fn}(): ${message}`, "R58");
  }

  /**
   * A finding about what a callback returned (core's side of the contract), at
   * the `return` it left by (what it left behind: a reference, a lock, a charge),
   * or at its definition when it fell off its end or when the finding is about
   * what it did on the way (`at: "definition"`): file:line fn().
   */
  returnViolation(role: string, message: string, rule = "R58", at: "return" | "definition" = "return"): void {
    const site = this.callbackSite(role, at);
    const where = site ? `${site.file}:${site.line} ${site.fn}()` : this.compiled.fileName;
    this.machine.finding(`${where}: ${role}: ${message}`, rule);
  }

  /** Where a finding about the callback playing `role` goes: the `return` it left by, or its definition. */
  private callbackSite(role: string, at: "return" | "definition"): Location | null {
    const member = GENERATIONS[this.compiled.names.api].callbacks.find((c) => c.role === ROLE_OF[role])?.member;
    const def = member ? this.compiled.members?.[member] : role === "fault" ? this.glueDefinition() : undefined;
    if (!def) return null;
    // The `return` the callback left by, when it left by one of its own (a void function may fall off its end).
    const ret = at === "return" ? this.lastReturn : null;
    if (ret && ret.fn === def.fn) return { file: ret.file ?? this.compiled.fileName, fn: def.fn, line: ret.line };
    return { file: this.compiled.fileName, fn: def.fn, line: def.line };
  }

  /** The ->fault glue function and the line its definition starts on in the callbacks file. */
  private glueDefinition(): { fn: string; line: number } | undefined {
    const fn = this.compiled.names.faultGlue;
    const lines = this.compiled.texts?.[this.compiled.fileName]?.split("\n");
    if (!fn || !lines) return undefined;
    const at = lines.findIndex((l) => /^\S/.test(l) && new RegExp(`\\b${fn}\\s*\\(`).test(l) && !/;\s*$/.test(l));
    // Past a #line directive (gen's glue appended to a tree's file) the numbering is no longer this index.
    if (at < 0 || lines.slice(0, at).some((l) => /^#\s*line\b/.test(l))) return undefined;
    return { fn, line: at + 1 };
  }

  /**
   * The `return` statement the callback last ran took: read from the module's
   * memory only when a finding needs it (no C runs between a callback's return
   * and the checks after it; enter() resets the word).
   */
  private get lastReturn(): ReturnSite | null {
    const id = this.retSlot > 0 ? this.i32[this.retSlot >> 2]! : -1;
    return id >= 0 ? (this.compiled.returns[id] ?? null) : null;
  }

  /** The address of the module's last-return word (0 for a module built without it). */
  private readonly retSlot: number;

  has(role: CallbackRole): boolean {
    return this.exports[hasEntry(role)]?.() === 1;
  }

  // --- entry points ------------------------------------------------------------------

  private enter(role: string, vma: Vma | null, page: number, mmapLocked: boolean): void {
    this.ctx.role = role;
    this.ctx.vma = vma;
    this.ctx.page = page;
    this.ctx.mmapLocked = mmapLocked;
    this.ctx.raised = null;
    this.pagefaultDisabled = 0;
    this.lockedVmDelta = 0;
    if (this.retSlot > 0) this.i32[this.retSlot >> 2] = -1;
    this.ledger.begin();
    this.standInCall = null;
  }

  /** A callback that failed must leave no charge behind: what it charged, it uncharges. */
  private chargesUndone(role: string, what: string): void {
    if (this.lockedVmDelta > 0) this.returnViolation(role, `${what} and left ${this.lockedVmDelta} page(s) charged to the mm's locked_vm: the account_locked_vm() charge is not undone on that path`);
  }

  private leave(role: string): void {
    if (this.sharedPolicyRefs !== 0) {
      this.returnViolation(role, `returned holding ${this.sharedPolicyRefs} reference(s) to the inode's shared policy: mpol_cond_put() is missing`);
      this.sharedPolicyRefs = 0;
    }
    if (this.pagefaultDisabled !== 0) this.returnViolation(role, `returned with page faults still disabled (${this.pagefaultDisabled} pagefault_disable() unmatched)`);
    for (const [, n] of this.invalidateLocks) {
      if (n > 0) this.returnViolation(role, `returned holding a mapping's invalidate lock (${n} filemap_invalidate_lock_shared() unmatched): core takes no lock of the type's, so nothing would release it`);
    }
    this.invalidateLocks.clear();
    this.unlockedAttrReads.clear();
    this.pathLocked.clear();
    this.directMapFlushedOnReturn(role);
    this.directMapRestored.clear();
    this.ctx.role = "";
  }

  /** A removal without a TLB flush before the callback returns: a finding at the removal (CONTRACT_SOURCE.direct_map_flush). */
  private directMapFlushedOnReturn(role: string): void {
    for (const [, at] of this.directMapUnflushed) {
      const message = `set_direct_map_invalid_noflush() and no flush_tlb_kernel_range() over the folio before ${role} returned: stale kernel TLB entries still reach the page`;
      const v: ContractViolation = { file: at.file, fn: at.fn, line: at.line, helper: "direct_map_flush", message, source: CONTRACT_SOURCE.direct_map_flush };
      if (!this.violations.some((x) => x.line === v.line && x.message === v.message)) this.violations.push(v);
      this.machine.finding(`${v.file}:${v.line} ${v.fn}(): ${message}`, "R58");
    }
    this.directMapUnflushed.clear();
  }

  features(): number {
    return this.exports[ENTRY.features]!() >>> 0;
  }

  ioctls(): number {
    return this.exports[ENTRY.ioctls]!() >>> 0;
  }

  canUserfault(vma: Vma, modeBits: number): boolean {
    this.enter("can_userfault", vma, 0, true);
    const r = this.exports[ENTRY.canUserfault]!(this.vmaPtr(vma), vmFlagsToC(modeBits)) !== 0;
    this.leave("can_userfault");
    return r;
  }

  /** get_folio_noalloc / minor_get_folio / uffd_get_folio: a folio id or -1, contracts checked. */
  getFolio(file: SimFile, pgoff: number, intStyle: boolean): number {
    const t = this.machine.folios;
    const cached = file.cache[pgoff] ?? -1;
    const refBefore = cached >= 0 ? t.ref[cached]! : 0;
    const allocsBefore = t.allocations;
    this.enter("get_folio", null, pgoff, true);
    let ptr: number;
    if (intStyle) {
      this.i32[this.slot >> 2] = 0;
      const err = this.exports[ENTRY.getFolio]!(this.inodePtr(file), pgoff, this.slot);
      ptr = err === 0 ? this.i32[this.slot >> 2]! : err;
    } else {
      ptr = this.exports[ENTRY.getFolio]!(this.inodePtr(file), pgoff) >>> 0;
    }
    this.leave("get_folio");
    this.lastGetFolioErr = ptr >>> 0 >= 0xfffff001 ? ptr | 0 : 0;
    if (t.allocations !== allocsBefore) {
      this.returnViolation("get_folio_noalloc", `allocated a folio at page ${pgoff}: it must never allocate (${CONTRACT_SOURCE.no_alloc})`, "R42", "definition");
    }
    const f = this.ptrToFolio(ptr);
    if (f < 0) {
      if (cached >= 0 && t.ref[cached]! !== refBefore && t.allocations === allocsBefore) {
        this.returnViolation("get_folio_noalloc", `returned no folio for page ${pgoff} but kept a reference to the cached one`, "R43");
      }
      return -1;
    }
    if (!t.isLocked(f)) this.returnViolation("get_folio_noalloc", `returned page ${pgoff}'s folio unlocked; core unlocks it`, "R42");
    if (f === cached && t.ref[f]! !== refBefore + 1) {
      this.returnViolation("get_folio_noalloc", `returned page ${pgoff}'s folio without the caller's reference; core puts it`, "R42");
    }
    return f;
  }

  /** alloc_folio: a folio id or -1. */
  allocFolio(vma: Vma, pgoff: number): number {
    this.enter("alloc_folio", vma, pgoff, true);
    const ptr = this.exports[ENTRY.allocFolio]!(this.vmaPtr(vma), this.pageAddr(vma, pgoff)) >>> 0;
    this.leave("alloc_folio");
    const f = this.ptrToFolio(ptr);
    if (ptr !== 0 && f < 0) {
      this.returnViolation("alloc_folio", `returned ${ptr >= 0xfffff001 ? "an ERR_PTR" : "a pointer that is not a folio"}: core expects a folio or NULL`);
      return -1;
    }
    if (f < 0) {
      this.chargesUndone("alloc_folio", "returned no folio");
      this.chargesLeft("alloc_folio", "returned no folio", this.ledger.pending());
      return -1;
    }
    this.ledger.attachAllocated(f);
    const t = this.machine.folios;
    if (t.isLocked(f)) this.returnViolation("alloc_folio", `returned page ${pgoff}'s folio locked: core expects it unlocked`);
    if (t.flags[f]! & FOLIO_IN_CACHE) this.returnViolation("alloc_folio", `returned a folio already in the page cache`);
    if (t.ref[f] !== 1) this.returnViolation("alloc_folio", `returned a folio with ${t.ref[f]} references: core owns exactly one`, "R43");
    // mm/userfaultfd.c: core fills the folio through kmap_local_folio() after alloc_folio returns.
    this.directMapOnReturn(f, `alloc_folio returned page ${pgoff}'s folio, and core copies the user's data into it through the direct map`);
    return f;
  }

  /** filemap_add: 0 or -errno; contracts on both outcomes. */
  filemapAdd(folio: number, vma: Vma, pgoff: number): number {
    const t = this.machine.folios;
    const refBefore = t.ref[folio]!;
    this.enter("filemap_add", vma, pgoff, true);
    const r = this.exports[ENTRY.filemapAdd]!(this.folioToPtr(folio), this.vmaPtr(vma), this.pageAddr(vma, pgoff)) | 0;
    this.leave("filemap_add");
    const inCache = (t.flags[folio]! & FOLIO_IN_CACHE) !== 0;
    if (r === 0) {
      this.ledger.attach(folio);
      this.ledger.entered(folio);
      if (!t.isLocked(folio)) this.returnViolation("filemap_add", `succeeded but left page ${pgoff}'s folio unlocked: core expects it locked`, "R44");
      if (!inCache) this.returnViolation("filemap_add", `succeeded but page ${pgoff}'s folio is not in the page cache`, "R44");
    } else {
      if (t.isLocked(folio)) this.returnViolation("filemap_add", `failed (${r}) and left page ${pgoff}'s folio locked: core puts it`, "R44");
      if (inCache) this.returnViolation("filemap_add", `failed (${r}) and left page ${pgoff}'s folio in the page cache`, "R44");
      if (t.ref[folio] !== refBefore) this.returnViolation("filemap_add", `failed (${r}) and changed the folio's references`, "R43");
      this.directMapOnReturn(folio, `filemap_add failed (${r}) and page ${pgoff}'s folio went back to core, which frees it`);
      this.chargesUndone("filemap_add", `failed (${r})`);
      this.chargesLeft("filemap_add", `failed (${r}) and page ${pgoff}'s folio went back to core, which frees it,`, this.ledger.release(folio));
    }
    return r;
  }

  /** filemap_remove: the exact inverse of filemap_add. */
  filemapRemove(folio: number, vma: Vma): void {
    const t = this.machine.folios;
    this.enter("filemap_remove", vma, t.index[folio]!, true);
    // Core calls ->filemap_remove() with the folio locked (mm/userfaultfd.c, after a failed install).
    if (t.isLocked(folio)) this.pathLocked.add(folio);
    this.exports[ENTRY.filemapRemove]!(this.folioToPtr(folio), this.vmaPtr(vma));
    this.leave("filemap_remove");
    if (t.flags[folio]! & FOLIO_IN_CACHE) this.returnViolation("filemap_remove", "left the folio in the page cache", "R44");
    if (t.isLocked(folio)) this.returnViolation("filemap_remove", "left the folio locked: core only puts it", "R44");
    this.directMapOnReturn(folio, "filemap_remove took the folio out of the page cache and core puts it");
    this.chargesLeft("filemap_remove", `took page ${t.index[folio]}'s folio out of the page cache`, this.ledger.release(folio));
  }

  /**
   * peterx-v1 uffd_copy with core's -ENOENT retry: when the copy faults, core
   * copies again without its locks and calls back with the filled folio.
   */
  uffdCopy(vma: Vma, pgoff: number, zeropage: boolean, wp: boolean, byte: number): number {
    const MFILL_ZEROPAGE = 1;
    const MFILL_WP = 1 << 3;
    const flags = (zeropage ? MFILL_ZEROPAGE : 0) | (wp ? MFILL_WP : 0);
    this.i32[this.slot >> 2] = 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      this.enter("uffd_copy", vma, pgoff, true);
      this.ctx.copyByte = byte;
      const r = this.exports[ENTRY.copy]!(0, this.vmaPtr(vma), this.pageAddr(vma, pgoff), 0x10000, flags, this.slot) | 0;
      this.leave("uffd_copy");
      // A failed copy (or one core retries, -ENOENT) gives back what it charged, as shmem_mfill_atomic_pte() does.
      if (r !== 0) this.chargesLeft("uffd_copy", `failed (${r})`, this.ledger.pending());
      if (r !== -ERRNO.ENOENT) return r;
      const f = this.ptrToFolio(this.i32[this.slot >> 2]!);
      if (f < 0) return -ERRNO.EFAULT;
      // mfill_atomic(): the copy again without the mmap lock, then the retry.
      this.machine.folios.value[f] = byte;
    }
    return -ERRNO.EFAULT;
  }

  /**
   * The ->fault glue: 0 to go on with the type's own fault, else the
   * simulator's fault result (handle_userfault's, or SIGBUS).
   */
  fault(vma: Vma, pgoff: number, flags: number, raise: (reasonBits: number) => number): { proceed: true } | { proceed: false; sigbus: boolean; raised: number | null } {
    this.enter("fault", vma, pgoff, true);
    this.ctx.raise = raise;
    this.exports.uk_set_vmf!(this.vmfScratch, this.vmaPtr(vma), pgoff, this.pageAddr(vma, pgoff), flags);
    const r = this.exports[ENTRY.fault]!(this.vmfScratch) >>> 0;
    this.ctx.raise = null;
    this.leave("fault");
    if (r === 0) return { proceed: true };
    return { proceed: false, sigbus: this.ctx.raised === null, raised: this.ctx.raised };
  }

  report(): CReport {
    return { violations: this.violations, branches: this.branches };
  }
}


const modules = new WeakMap<CompiledType, WebAssembly.Module>();

function moduleOf(c: CompiledType): WebAssembly.Module {
  let m = modules.get(c);
  if (!m) {
    m = new WebAssembly.Module(c.wasm as Uint8Array<ArrayBuffer>);
    modules.set(c, m);
  }
  return m;
}
