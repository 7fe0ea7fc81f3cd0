/**
 * The simulated machine's state: folios, files with their page cache, VMAs with
 * their page tables, userfaultfd contexts and threads.
 *
 * Per-page state lives in typed arrays indexed by page number (one entry per
 * page of the VMA's page size), so a 1 GiB mapping costs a few bytes per page
 * and no object per page (bench/postcopy relies on this).
 *
 * Sources: mm/userfaultfd.c and fs/userfaultfd.c (what the uffd paths read and
 * write); PTE markers, wp bits and page cache semantics as 6.18 shows them to conform.
 */
import type { MemKind } from "../../kernel/kinds.js";

/** Page table entry states. */
export const PTE_NONE = 0;
/** Maps pteFolio[i]. */
export const PTE_PRESENT = 1;
/** Maps the shared zero page (read-only). */
export const PTE_ZERO = 2;
/** A non-present PTE marker (uffd-wp and/or poison, see PTEF_*). */
export const PTE_MARKER = 3;

/** PTE flag bits. */
export const PTEF_UFFD_WP = 1; // the uffd-wp bit (present PTE) or an uffd-wp marker
export const PTEF_POISON = 2; // a poison marker (UFFDIO_POISON)
export const PTEF_RDONLY = 4; // mapped read-only: a write must COW (private file mapping, CONTINUE on MAP_PRIVATE)

/** VM_UFFD_* bits of a VMA (same values as UFFDIO_REGISTER_MODE_*). */
export const VM_UFFD_MISSING = 1;
export const VM_UFFD_WP = 2;
export const VM_UFFD_MINOR = 4;
export const VM_UFFD_FLAGS = 7;

/** Folio flags. */
export const FOLIO_USED = 1;
export const FOLIO_LOCKED = 2;
export const FOLIO_UPTODATE = 4;
export const FOLIO_IN_CACHE = 8;

/** The shared zero page: folio 0, never freed, never counted. */
export const ZERO_FOLIO = 0;
/** What a never-used folio holds before anyone clears it (so stale contents are visible). */
export const FRESH_GARBAGE = 0xee;

/**
 * Every folio in the machine as columns. A freed folio keeps its contents:
 * allocation does not clear, so a folio mapped before it is up to date shows
 * whatever it held before (that is how the simulator makes R40 visible).
 */
export class FolioTable {
  ref: Int32Array;
  mapcount: Int32Array;
  flags: Uint8Array;
  value: Uint8Array;
  /** File id and page index for page-cache folios; -1 for anonymous ones. */
  file: Int32Array;
  index: Int32Array;
  used = 1;
  private freeList: number[] = [];
  /** Allocations since the table was made, for invariant and flaw reporting. */
  allocations = 0;

  /** capacity: folios to make room for up front (growing large typed arrays costs full GCs). */
  constructor(capacity = 1024) {
    const n = Math.max(16, capacity + 1);
    this.ref = new Int32Array(n);
    this.mapcount = new Int32Array(n);
    this.flags = new Uint8Array(n);
    this.value = new Uint8Array(n);
    this.file = new Int32Array(n);
    this.index = new Int32Array(n);
    this.flags[ZERO_FOLIO] = FOLIO_USED | FOLIO_UPTODATE;
    this.value.fill(FRESH_GARBAGE);
    this.value[ZERO_FOLIO] = 0;
  }

  private grow(): void {
    const n = this.ref.length * 2;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const g8 = (a: Uint8Array, fill = 0) => {
      const b = new Uint8Array(n);
      if (fill) b.fill(fill);
      b.set(a);
      return b;
    };
    this.ref = g32(this.ref);
    this.mapcount = g32(this.mapcount);
    this.file = g32(this.file);
    this.index = g32(this.index);
    this.flags = g8(this.flags);
    this.value = g8(this.value, FRESH_GARBAGE);
  }

  /** folio_alloc(): one reference, unlocked, not up to date, contents left as they were. */
  alloc(): number {
    let f = this.freeList.pop();
    if (f === undefined) {
      if (this.used === this.ref.length) this.grow();
      f = this.used++;
    }
    this.ref[f] = 1;
    this.mapcount[f] = 0;
    this.flags[f] = FOLIO_USED;
    this.file[f] = -1;
    this.index[f] = -1;
    this.allocations++;
    return f;
  }

  get(f: number): void {
    if (f !== ZERO_FOLIO) this.ref[f]! += 1;
  }

  /** folio_put(): the last reference frees the folio. Returns false on an underflow. */
  put(f: number): boolean {
    if (f === ZERO_FOLIO) return true;
    const r = (this.ref[f]! -= 1);
    if (r === 0) {
      this.flags[f] = 0;
      this.freeList.push(f);
    }
    return r >= 0;
  }

  isLocked(f: number): boolean {
    return (this.flags[f]! & FOLIO_LOCKED) !== 0;
  }
  lock(f: number): void {
    this.flags[f]! |= FOLIO_LOCKED;
  }
  unlock(f: number): void {
    this.flags[f]! &= ~FOLIO_LOCKED;
  }
  isUptodate(f: number): boolean {
    return (this.flags[f]! & FOLIO_UPTODATE) !== 0;
  }
  markUptodate(f: number): void {
    this.flags[f]! |= FOLIO_UPTODATE;
  }
}

/** A backing file (shmem, hugetlbfs, guest_memfd or a declared type's inode) and its page cache. */
export interface SimFile {
  readonly id: number;
  readonly kind: VmaKind;
  /** Pages the file's page cache can hold: the mapping's size (ftruncate() never grows past it). */
  readonly npages: number;
  /**
   * i_size, in pages of the file's page size: npages until a truncate step
   * changes it. Everything the kernel checks against i_size reads this
   * (faults beyond it are SIGBUS, mfill_file_over_size(), i_size_read()).
   */
  size: number;
  /** Page cache: folio id per page index, -1 for a hole. */
  readonly cache: Int32Array;
  /** guest_memfd creation flags (GUEST_MEMFD_FLAG_*), as names. */
  readonly gmemFlags: ReadonlySet<string>;
  /** Has a file descriptor (pwrite, fallocate). Shared anonymous memory does not. */
  readonly hasFd: boolean;
  /** In-place conversion state for declared types: page indexes currently private. */
  readonly privatePages: Set<number>;
}

/** The kind of memory behind a VMA, as the fault and mfill paths dispatch on it. */
export type VmaKind = "anon" | "shmem" | "hugetlb" | "guest_memfd" | "declared";

/**
 * A VMA. Registration splits VMAs (and unregistration merges them back), so one
 * mapping may be several VMAs; they share the mapping's page-table arrays, and
 * page indexes are always indexes into the mapping (which maps its file from
 * offset 0, so a page index is also the file's pgoff).
 */
export interface Vma {
  readonly id: number;
  readonly role: "primary" | "alias" | "src";
  /** Start address in bytes of the whole mapping (page i is at base + i * pageSize). */
  readonly base: number;
  /** First page of this VMA within the mapping. */
  readonly off: number;
  /** Start address in bytes (base + off * pageSize). */
  readonly start: number;
  readonly npages: number;
  readonly pageSize: number;
  readonly kind: VmaKind;
  /** vma_is_anonymous(): private anonymous memory (shared anonymous memory is shmem). */
  readonly anonymous: boolean;
  /** VM_SHARED. */
  readonly shared: boolean;
  /** VM_MAYWRITE. */
  readonly mayWrite: boolean;
  /** VM_WRITE. */
  readonly write: boolean;
  readonly file: SimFile | null;
  /** VM_UFFD_* bits. */
  uffd: number;
  ctx: UserfaultfdCtx | null;
  readonly pte: Uint8Array;
  readonly pteFlags: Uint8Array;
  readonly pteFolio: Int32Array;
  /** PROT_NONE: every access is SIGSEGV (setup.next). */
  readonly noAccess?: boolean;
  /** MAP_DROPPABLE (VM_DROPPABLE): never registrable (setup.next). */
  readonly droppable?: boolean;
}

export function vmaEnd(v: Vma): number {
  return v.start + v.npages * v.pageSize;
}

/** A message in a userfaultfd's queue (struct uffd_msg plus who is waiting on it). */
export interface UffdMsg {
  event: "pagefault" | "remove" | "unmap" | "remap" | "fork";
  /** Fault address (page aligned unless EXACT_ADDRESS) or remove start, in bytes. */
  address: number;
  end: number;
  /** UFFD_PAGEFAULT_FLAG_* bits. */
  flags: number;
  thread: SimThread | null;
  /** The VMA the fault or event is in (for page numbers in observations). */
  vma: Vma;
  read: boolean;
  /** UFFD_EVENT_FORK: the child's new context (its fd is installed when the message is read). */
  child?: UserfaultfdCtx;
  /** UFFD_EVENT_REMAP: where the range moved to (uffd_msg.arg.remap.to). */
  to?: number;
  /** A page fault raised for a page at or beyond its file's i_size (the explorer's `eof` property). */
  beyondEof?: boolean;
}

export interface UserfaultfdCtx {
  readonly id: number;
  /** UFFD_FEATURE_INITIALIZED: a successful UFFDIO_API happened. */
  initialized: boolean;
  features: number;
  released: boolean;
  readonly userModeOnly: boolean;
  /** Messages not yet read (fault_pending_wqh + event_wqh), in arrival order. */
  readonly pending: UffdMsg[];
  /** Page faults read but not yet woken (fault_wqh). */
  readonly delivered: UffdMsg[];
  /** Non-cooperative events in flight (atomic mmap_changing). */
  mmapChanging: number;
}

export type ThreadState = "idle" | "running" | "blocked" | "done" | "sigbus" | "sigsegv";

export interface SimThread {
  readonly name: string;
  state: ThreadState;
  /** The access in progress or last finished. */
  vma: Vma | null;
  page: number;
  write: boolean;
  value: number;
  /** Byte read (reads) or -1. */
  result: number;
  /** The message the thread waits on while blocked in handle_userfault(). */
  waitMsg: UffdMsg | null;
  /**
   * The thread's own message record, reused fault after fault: a thread waits on
   * at most one message at a time (the postcopy hot path allocates nothing per fault).
   */
  msgBuf?: UffdMsg;
  waitCtx: UserfaultfdCtx | null;
  /** A non-cooperative event the thread waits on (madvise) and what to do once it is read. */
  afterEvent: (() => void) | null;
  /** Byte offset of the access within the page (EXACT_ADDRESS reports it). */
  offset?: number;
  /** The access is a system call's kernel-side copy (FAULT_FLAG_USER clear), not a user access. */
  kernelMode?: boolean;
  /** What the thread does when woken, when it is not a plain access (a COPY reading its source). */
  resume?: (() => void) | null;
  /** The address space the thread runs in when it is not the process's own (a forked child's VMAs). */
  mm?: Vma[];
  /** The observation of the ioctl the thread made, once it returned. */
  ioctlObs?: { readonly status: string; readonly fields: Readonly<Record<string, string>> } | null;
}

export const KIND_VMA: Record<Exclude<MemKind, "declared">, VmaKind> = {
  anon: "anon",
  shmem: "shmem",
  "shmem-anon": "shmem",
  hugetlb: "hugetlb",
  guest_memfd: "guest_memfd",
};
