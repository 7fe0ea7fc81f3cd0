/**
 * Preemption points of the simulated kernel paths.
 *
 * The fault path and the mfill path are generators: they yield where the real
 * kernel can be preempted or switch to another thread without the yielding
 * thread holding a folio lock or a spinlock (a page-table lock, the inode's
 * i_lock). Each point names the kernel function it sits in and the sleeping
 * locks the thread holds there, so an interleaving explorer (src/run/explore)
 * can run other threads at that point and knows which of their operations
 * would have to wait (an mmap_lock writer cannot run while a fault holds it
 * for read).
 *
 * The plain simulator drives the same generators to completion with run(): a
 * point costs one generator step and nothing else, so there is one fault path
 * and one mfill path, whoever runs them.
 */

/** A sleeping lock a thread may hold at a preemption point. */
export type HeldLock = "mmap_lock(read)";

export interface PreemptionPoint {
  /** The kernel function the thread is in, as mm/ or fs/ names it. */
  readonly fn: string;
  /** What has happened and what comes next, in the function's terms. */
  readonly at: string;
  /** Sleeping locks held at this point. */
  readonly holds: readonly HeldLock[];
}

/** A kernel path that may yield at preemption points and finally returns T. */
export type KernelPath<T> = Generator<PreemptionPoint, T, void>;

/** Run a kernel path to its end, as a single thread would (the plain simulator). */
export function run<T>(path: KernelPath<T>): T {
  for (;;) {
    const r = path.next();
    if (r.done) return r.value;
  }
}

const MMAP_READ: readonly HeldLock[] = ["mmap_lock(read)"];

/**
 * A point at which the thread holds the mmap_lock (or the per-VMA lock) for
 * read. Points are made once, at module load: yielding one allocates nothing.
 */
export function underMmapRead(fn: string, at: string): PreemptionPoint {
  return Object.freeze({ fn, at, holds: MMAP_READ });
}

/** A point at which the thread holds no sleeping lock. */
export function unlocked(fn: string, at: string): PreemptionPoint {
  return Object.freeze({ fn, at, holds: [] });
}
