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
 * The plain simulator drives the same generators to completion with run(), so
 * there is one fault path and one mfill path, whoever runs them. Where nothing
 * on a path can yield, the path returns its value directly (Maybe below).
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

/**
 * A result, or the rest of a path that reached a preemption point. Paths return
 * a plain value when nothing on the way can yield (an anonymous fault, a
 * one-page fill of anonymous memory): the plain simulator's hot paths then
 * allocate no generator at all.
 */
export type Maybe<T> = T | KernelPath<T>;

export function isPath<T>(r: Maybe<T>): r is KernelPath<T> {
  return typeof r === "object" && r !== null && typeof (r as { next?: unknown }).next === "function";
}

/** The value of a Maybe, running the path to its end if there is one. */
export function settle<T>(r: Maybe<T>): T {
  return isPath(r) ? run(r) : r;
}

/**
 * A preemption point, then `rest`. The plain simulator (m.preempt false) runs
 * `rest` at once and allocates no generator; the explorer gets a path that
 * yields the point first. `rest` is the remainder of the kernel function, so
 * the function is written once.
 */
export function at<T>(m: { readonly preempt: boolean }, point: PreemptionPoint, rest: () => Maybe<T>): Maybe<T> {
  return m.preempt ? pathAfter(point, rest) : rest();
}

function* pathAfter<T>(point: PreemptionPoint, rest: () => Maybe<T>): KernelPath<T> {
  yield point;
  const r = rest();
  return isPath(r) ? yield* r : r;
}

/** Continue with `next` once `r` has its value (at once when it has). */
export function andThen<T, U>(r: Maybe<T>, next: (v: T) => Maybe<U>): Maybe<U> {
  return isPath(r) ? pathThen(r, next) : next(r);
}

function* pathThen<T, U>(p: KernelPath<T>, next: (v: T) => Maybe<U>): KernelPath<U> {
  const r = next(yield* p);
  return isPath(r) ? yield* r : r;
}

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
