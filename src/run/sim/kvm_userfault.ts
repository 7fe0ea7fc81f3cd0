/**
 * KVM Userfault (James Houghton's v3, not merged, <20250618042424.330664-1-jthoughton@google.com>; Oliver Upton on KVM Userfault v3 04/15):
 * a memslot with KVM_MEM_USERFAULT over the primary mapping and a userspace
 * bitmap. A vCPU access to a page whose bit is set exits with
 * KVM_MEMORY_EXIT_FLAG_USERFAULT; userspace populates the page, then clears
 * the bit.
 *
 * Memory ordering is modelled explicitly, because that is what Oliver Upton's
 * review was about: userspace's stores (page contents, bitmap bits) sit in a
 * store buffer and become visible in any order that keeps per-location order
 * and lets a store-release become visible only after every earlier store.
 * kvm_do_userfault() loads the bitmap word ("plain" like v3's __get_user, or
 * "acquire" as Oliver asked) and the guest then loads the page; a plain load
 * does not order the later page load, so that load may be satisfied first.
 */
export interface KvmStore {
  readonly kind: "bit" | "page";
  readonly page: number;
  readonly value: number;
  /** The value before this store in program order. */
  readonly old: number;
  readonly release: boolean;
}

export interface AccessOutcome {
  readonly exit: boolean;
  /** Byte the guest read (when it did not exit). */
  readonly value: number;
  /** The guest saw the bit clear but not the contents stored before the clear. */
  readonly stale: boolean;
  /** The drain order and load positions that produce it, for the report. */
  readonly schedule: string;
}

export class KvmUserfault {
  enabled = false;
  private bits = new Uint8Array(0);
  /** Userspace stores not yet visible to other CPUs, in program order. */
  buffer: KvmStore[] = [];
  /** Page contents last recorded, to turn changes made by a step into stores. */
  private seen = new Int16Array(0);

  /** KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_USERFAULT: translations are dropped, the bitmap starts clear. */
  enable(npages: number, valueOf: (page: number) => number): void {
    this.enabled = true;
    this.bits = new Uint8Array(npages);
    this.seen = new Int16Array(npages);
    for (let p = 0; p < npages; p++) this.seen[p] = valueOf(p);
  }

  /** After a userspace step: every page whose contents changed becomes a buffered (plain) store. */
  recordContentStores(valueOf: (page: number) => number): void {
    if (!this.enabled) return;
    for (let p = 0; p < this.seen.length; p++) {
      const now = valueOf(p);
      if (now !== this.seen[p]) {
        this.buffer.push({ kind: "page", page: p, value: now, old: this.seen[p]!, release: false });
        this.seen[p] = now;
      }
    }
  }

  /** Userspace sets or clears a bitmap bit, with a store-release or a plain store. */
  storeBit(page: number, set: boolean, release: boolean): void {
    const old = this.latestBit(page);
    this.buffer.push({ kind: "bit", page, value: set ? 1 : 0, old, release });
  }

  private latestBit(page: number): number {
    for (let k = this.buffer.length - 1; k >= 0; k--) {
      const s = this.buffer[k]!;
      if (s.kind === "bit" && s.page === page) return s.value;
    }
    return this.bits[page] ?? 0;
  }

  /** Make every buffered store visible (the sequentially consistent schedule). */
  drainAll(): void {
    for (const s of this.buffer) if (s.kind === "bit") this.bits[s.page] = s.value;
    this.buffer = [];
  }

  /**
   * Every outcome of one vCPU access to `page` over the scheduler's choices:
   * a drain order of the buffered stores, and the points at which the bitmap
   * load and the page load are satisfied.
   */
  enumerateAccess(page: number, load: "acquire" | "plain", current: number): AccessOutcome[] {
    const buf = this.buffer;
    const n = buf.length;
    const outcomes: AccessOutcome[] = [];
    const finalContent = (() => {
      for (let k = n - 1; k >= 0; k--) if (buf[k]!.kind === "page" && buf[k]!.page === page) return buf[k]!.value;
      return current;
    })();
    for (const order of drainOrders(buf)) {
      for (let b = 0; b <= n; b++) {
        const bit = this.valueAfter("bit", page, order.slice(0, b), this.bits[page] ?? 0);
        if (bit) {
          outcomes.push({ exit: true, value: 0, stale: false, schedule: describe(order, b, -1) });
          continue;
        }
        for (let c = 0; c <= n; c++) {
          if (load === "acquire" && c < b) continue;
          const v = this.valueAfter("page", page, order.slice(0, c), firstOld(buf, page) ?? current);
          outcomes.push({ exit: false, value: v, stale: v !== finalContent, schedule: describe(order, b, c) });
        }
      }
    }
    return outcomes;
  }

  /** kvm_do_userfault() on the sequentially consistent schedule: every store visible, then the bitmap load. */
  kvm_do_userfault(page: number, current: number): AccessOutcome {
    this.drainAll();
    if (this.bits[page]) return { exit: true, value: 0, stale: false, schedule: "sc" };
    return { exit: false, value: current, stale: false, schedule: "sc" };
  }

  private valueAfter(kind: "bit" | "page", page: number, drained: number[], base: number): number {
    let v = base;
    for (const k of drained) {
      const s = this.buffer[k]!;
      if (s.kind === kind && s.page === page) v = s.value;
    }
    return v;
  }
}

function firstOld(buf: readonly KvmStore[], page: number): number | undefined {
  return buf.find((s) => s.kind === "page" && s.page === page)?.old;
}

function describe(order: number[], b: number, c: number): string {
  const stores = order.map((k) => `s${k}`).join(",") || "-";
  return `drain ${stores}; bitmap load after ${b}; page load ${c < 0 ? "none" : `after ${c}`}`;
}

/**
 * Drain orders of a store buffer: permutations that keep stores to one location
 * in program order and put a release after every store before it.
 */
export function drainOrders(buf: readonly KvmStore[]): number[][] {
  const out: number[][] = [];
  const n = buf.length;
  const used = new Array<boolean>(n).fill(false);
  const cur: number[] = [];
  const canGo = (k: number) => {
    for (let j = 0; j < k; j++) {
      if (used[j]) continue;
      if (buf[k]!.release) return false;
      if (buf[j]!.kind === buf[k]!.kind && buf[j]!.page === buf[k]!.page) return false;
    }
    return true;
  };
  const rec = () => {
    if (cur.length === n) {
      out.push([...cur]);
      return;
    }
    for (let k = 0; k < n; k++) {
      if (used[k] || !canGo(k)) continue;
      used[k] = true;
      cur.push(k);
      rec();
      cur.pop();
      used[k] = false;
    }
  };
  rec();
  return out;
}
