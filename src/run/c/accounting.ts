/**
 * Per-inode and per-user accounting, charged and uncharged in pairs: the
 * ledger the contract model keeps of what the type's C charges while it
 * fills a folio, and what it gives back.
 *
 * The kernel's accounts a page-cache type touches on fill and free:
 * - the inode's bytes (i_blocks/i_bytes): fs/stat.c inode_add_bytes() /
 *   inode_sub_bytes(), and through quota: include/linux/quotaops.h
 *   dquot_alloc_block() is dquot_alloc_space(inode, nr << i_blkbits), which
 *   fs/quota/dquot.c __dquot_alloc_space() charges to the user's dquot and to
 *   the inode's bytes (inode_add_bytes() when quota is off);
 * - the overcommit charge (vm_committed_as): mm/util.c __vm_enough_memory()
 *   (security_vm_enough_memory_mm()) charges, include/linux/mman.h
 *   vm_unacct_memory() gives it back;
 * - a percpu_counter used against a limit (tmpfs's sbinfo->used_blocks):
 *   include/linux/percpu_counter.h percpu_counter_limited_add() charges,
 *   percpu_counter_sub() gives back;
 * - the type's own block accounting, shmem's: mm/shmem.c
 *   shmem_inode_acct_blocks() (commit charge, sb used_blocks, quota) and
 *   shmem_inode_unacct_blocks(), which shmem_recalc_inode() calls for the
 *   pages that left the mapping since the last recalc.
 * A kernel reviewer checks that every charge on a fill is undone on each of
 * its failure paths, that nothing is uncharged that was not charged (or
 * twice), and that a folio taken out of the cache leaves no charge behind.
 */
/** Where the C made a charge (the same shape as contracts.ts Location; this module imports nothing). */
export interface Location {
  readonly file: string;
  readonly fn: string;
  readonly line: number;
}

/** What is charged: by kind, and whose (an inode, or the system for the commit charge). */
export type AccountKind = "blocks" | "inode-bytes" | "quota" | "commit" | "counter";

export const ACCOUNT_UNIT: Record<AccountKind, string> = {
  blocks: "block(s) of the type's block accounting",
  "inode-bytes": "byte(s) of the inode's i_blocks/i_bytes",
  quota: "block(s) of the user's disk quota",
  commit: "page(s) of overcommit charge (vm_committed_as)",
  counter: "unit(s) of a limited percpu_counter (as tmpfs's used_blocks)",
};

/** One charge still held: how much, by which helper, and where the C called it. */
interface Held {
  n: number;
  readonly by: string;
  readonly at: Location;
}

/** A charge the running callback made and did not undo. */
export interface Pending {
  readonly key: string;
  readonly kind: AccountKind;
  readonly n: number;
  readonly by: string;
  readonly at: Location;
}

const keyOf = (kind: AccountKind, owner: number) => `${kind}:${owner}`;
const kindOf = (key: string) => key.slice(0, key.indexOf(":")) as AccountKind;

export class Ledger {
  /** Charges held, per account, oldest first (an uncharge gives back the newest first). */
  private readonly held = new Map<string, Held[]>();
  /** The running callback's charges, newest last, not yet undone (for "not undone on that path"). */
  private made: { key: string; h: Held }[] = [];
  /** Per folio: what the calls that filled it charged and left charged (alloc_folio, filemap_add). */
  private readonly byFolio = new Map<number, { key: string; h: Held }[]>();

  total(kind: AccountKind, owner: number): number {
    return (this.held.get(keyOf(kind, owner)) ?? []).reduce((s, h) => s + h.n, 0);
  }

  charge(kind: AccountKind, owner: number, n: number, by: string, at: Location): void {
    if (n <= 0) return;
    const key = keyOf(kind, owner);
    const h: Held = { n, by, at };
    const list = this.held.get(key) ?? [];
    list.push(h);
    this.held.set(key, list);
    this.made.push({ key, h: { ...h } });
  }

  /** Give back n; returns how much was held before when that is less than n (an uncharge without its charge). */
  uncharge(kind: AccountKind, owner: number, n: number): { short: number } | null {
    if (n <= 0) return null;
    const key = keyOf(kind, owner);
    const list = this.held.get(key) ?? [];
    const have = list.reduce((s, h) => s + h.n, 0);
    if (have < n) return { short: have };
    let left = n;
    while (left > 0) {
      const h = list.at(-1)!;
      const take = Math.min(h.n, left);
      h.n -= take;
      left -= take;
      if (h.n === 0) list.pop();
    }
    this.giveBackMade(key, n);
    return null;
  }

  /** A new callback: nothing it made or gave back yet (allocates nothing when the last one did nothing). */
  begin(): void {
    if (this.made.length) this.made = [];
    if (this.returned.size) this.returned.clear();
  }

  /** Are there folios charged for before they entered the cache (the per-step check's fast path)? */
  hasPrecache(): boolean {
    return this.precache.size > 0;
  }

  /** A folio id the simulator reuses for a new allocation: nothing is charged for it yet. */
  forget(folio: number): void {
    this.byFolio.delete(folio);
    this.precache.delete(folio);
  }

  /** What the running callback charged and has not given back. */
  pending(): Pending[] {
    return this.made.map(({ key, h }) => ({ key, kind: kindOf(key), n: h.n, by: h.by, at: h.at }));
  }

  /** The running callback filled this folio: its charges go with it (until it is removed or freed). */
  attach(folio: number): void {
    if (this.made.length === 0) return;
    this.byFolio.set(folio, [...(this.byFolio.get(folio) ?? []), ...this.made]);
    this.made = [];
  }

  /** Folios charged for before they entered the page cache (alloc_folio): only core can free them then. */
  private readonly precache = new Set<number>();

  /** alloc_folio returned this folio: what it charged goes with it, and it is not in the cache yet. */
  attachAllocated(folio: number): void {
    this.attach(folio);
    if (this.byFolio.has(folio)) this.precache.add(folio);
  }

  /** The folio entered the page cache: from now on the type's own paths (remove, truncate) give its charges back. */
  entered(folio: number): void {
    this.precache.delete(folio);
  }

  /**
   * Folios charged for before they entered the cache that core has since freed
   * (a fill that failed after alloc_folio): nothing gives those charges back.
   */
  freedBeforeCache(isFreed: (folio: number) => boolean): { folio: number; left: Pending[] }[] {
    const out: { folio: number; left: Pending[] }[] = [];
    for (const f of [...this.precache]) {
      if (!isFreed(f)) continue;
      const left = (this.byFolio.get(f) ?? []).filter(({ h }) => h.n > 0).map(({ key, h }) => ({ key, kind: kindOf(key), n: h.n, by: h.by, at: h.at }));
      this.precache.delete(f);
      this.byFolio.delete(f);
      if (left.length) out.push({ folio: f, left });
    }
    return out;
  }

  /**
   * The folio leaves (removed from the cache, or back to core to be freed): what
   * was charged for it and what the running callback made, less what the
   * callback gave back, must come to nothing. Returns what is left.
   */
  release(folio: number): Pending[] {
    const all = [...(this.byFolio.get(folio) ?? []).map(({ key, h }) => ({ key, h: { ...h } })), ...this.made];
    this.byFolio.delete(folio);
    this.precache.delete(folio);
    // Uncharges the callback made count against the folio's charges: what it gave back beyond its own.
    for (const [key, n] of this.returned) take(all, key, n);
    this.made = [];
    return all.filter(({ h }) => h.n > 0).map(({ key, h }) => ({ key, kind: kindOf(key), n: h.n, by: h.by, at: h.at }));
  }

  /** Uncharges in the running callback beyond what it charged itself, per account. */
  private returned = new Map<string, number>();

  /** An uncharge first undoes the callback's own charges; what is left over gave back older ones (`returned`). */
  private giveBackMade(key: string, n: number): void {
    const left = take(this.made, key, n);
    if (left > 0) this.returned.set(key, (this.returned.get(key) ?? 0) + left);
    this.made = this.made.filter((e) => e.h.n > 0);
  }
}

/** Takes n of `key` from the newest entries of `from`; returns what could not be taken. */
function take(from: readonly { key: string; h: Held }[], key: string, n: number): number {
  let left = n;
  for (let i = from.length - 1; i >= 0 && left > 0; i--) {
    const e = from[i]!;
    if (e.key !== key || e.h.n === 0) continue;
    const k = Math.min(e.h.n, left);
    e.h.n -= k;
    left -= k;
  }
  return left;
}
