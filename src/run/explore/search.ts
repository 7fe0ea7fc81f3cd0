/**
 * The search over a program's schedules (docs/explore.md states the algorithm
 * and why it is sound).
 *
 * Depth-first search with sleep sets and a state cache (Godefroid, "Partial-
 * Order Methods for the Verification of Concurrent Systems", LNCS 1032, 1996,
 * ch. 5: sleep sets, and their combination with state caching): from each
 * state, a transition independent of the one just taken, that was already
 * explored from the parent, is not explored again (it is "asleep"); a state
 * seen before is explored again only for the transitions that were asleep
 * when it was first seen and are awake now. Independence is judged from the
 * transitions' footprints (Execution.footprint): disjoint pages and nothing
 * global. Every reachable state is still visited, so every property checked
 * in states is checked in all of them, and every deadlock (quiescent state)
 * is reached.
 *
 * The tree is cut at a fixed depth (PARTITION_DEPTH transitions): above the
 * cut there is no state cache, so every run enumerates the same prefixes in
 * the same order, and each prefix of that length roots a subtree. A shard (i
 * of n, n > 1) explores the subtrees whose index, in that order, is i modulo
 * n, each with a state cache of its own, so that what it finds does not
 * depend on which other subtrees it was given. The unsharded run does not
 * cut: one state cache from the root, shared by the whole tree, so a state
 * first seen under one prefix is not explored again under the next, which is
 * the full reduction (it still counts the subtrees it explored, for the
 * report).
 * Either way every reachable state is visited, so the violated properties,
 * their shortest counterexamples and the outcomes of a merge equal the
 * unsharded run's; the counts do not (a shard re-explores states another
 * subtree already saw), and a merge sums them, states as a union of keys
 * (docs/explore.md, "Across machines").
 *
 * States are not copied: each branch replays its schedule from the start
 * (the first child of a node continues the parent's execution). A
 * breadth-first pass then finds the shortest schedule to each property that
 * failed, for the counterexample.
 */
import type { ConcurrentProgram } from "../../ir/program.js";
import { Execution, ProgramError, type ExecutionOptions, type Footprint } from "./execution.js";
import { PROPERTY_TITLES, type Violation } from "./properties.js";
import { notApplicable } from "./applicable.js";

export interface SearchBounds {
  /** Stop after this many complete schedules (default 200,000). */
  readonly maxSchedules?: number;
  /** A schedule longer than this many transitions is cut (default 400). */
  readonly maxDepth?: number;
  /** Stop after this many milliseconds (default 50,000). */
  readonly maxMillis?: number;
}

export interface SearchStats {
  /** Complete schedules run to quiescence (or to a violation). */
  schedules: number;
  /** Distinct states visited. */
  states: number;
  /** Branches not taken: asleep, or a state seen before. */
  pruned: number;
  /** Transitions executed, replays included. */
  transitions: number;
  millis: number;
}

export interface Counterexample {
  readonly violation: Violation;
  /** Thread names in the order they ran, one per transition. */
  readonly schedule: readonly string[];
}

export interface SearchResult {
  readonly program: string;
  readonly reduction: boolean;
  /**
   * exhaustive: every state was visited; bounded: a bound cut the search (see
   * `bound`); not-applicable: the program needs an operation the type lacks
   * (see `reason`), so nothing was explored: never a pass.
   */
  readonly verdict: "exhaustive" | "bounded" | "not-applicable";
  readonly bound?: string;
  readonly reason?: string;
  readonly stats: SearchStats;
  /** Shortest counterexample per property that failed. */
  readonly counterexamples: readonly Counterexample[];
  /** Outcomes the ABI documents that some schedule reached (COPY → EAGAIN ...). */
  readonly outcomes: readonly string[];
  /** The partition this run explored (always present: an unsharded run is shard 0 of 1). */
  readonly shard: ShardPart;
}

const DEFAULTS = { maxSchedules: 200_000, maxDepth: 400, maxMillis: 50_000 };

/** Transitions in a schedule prefix that roots a subtree (the unit of sharding). */
export const PARTITION_DEPTH = 2;

/** Which subtrees this run explores: index i of n (0 <= i < n). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** What a merge needs beyond the totals: the part above the cut, which every shard repeats. */
export interface ShardPart {
  readonly index: number;
  readonly count: number;
  readonly depth: number;
  /** Subtrees (prefixes of `depth` transitions) in the whole tree, and how many this run explored. */
  readonly subtrees: number;
  readonly explored: number;
  /** Counts above the cut (every shard has the same). */
  readonly prefix: SearchStats;
  /**
   * A shard's distinct state keys, shortened to KEY_CHARS, sorted: a merge
   * counts their union (a shard's own `states` counts a key once per subtree
   * it is seen in, and once per visit above the cut). A key carries the
   * provenance of a thread paused inside a kernel path, so the union is a
   * count of work like the others, not always the unsharded run's `states`.
   */
  readonly keys?: readonly string[];
  /** In a merged report: how many shards' work the counts other than `states` sum. */
  readonly merged?: number;
}

/** Characters of a state key (base64 of SHA-1) a shard report keeps: 96 bits, no collision in practice. */
export const KEY_CHARS = 16;

class Bound extends Error {}

/**
 * @param onTerminal called with the key of every quiescent state reached (tests
 *   compare the sets reached with and without reduction).
 */
export function search(program: ConcurrentProgram, opts: ExecutionOptions, bounds: SearchBounds = {}, reduction = true, onTerminal?: (key: string) => void, shard: Shard = { index: 0, count: 1 }): SearchResult {
  const b = { ...DEFAULTS, ...bounds };
  const t0 = Date.now();
  const zero = (): SearchStats => ({ schedules: 0, states: 0, pruned: 0, transitions: 0, millis: 0 });
  // Counts above the cut and below it, kept apart so that a merge can take the former once.
  const prefixStats = zero();
  const subtreeStats = zero();
  let stats = prefixStats;
  let visited = new Map<string, Set<number>>();
  let subtrees = 0;
  let explored = 0;
  // A shard's states below the cut, across its subtrees (for the merge's union).
  const keys = shard.count > 1 ? new Set<string>() : undefined;
  const found = new Map<string, Violation>();
  const outcomes = new Set<string>();
  let bound: string | undefined;

  const replay = (prefix: readonly number[]): Execution => {
    const e = new Execution(program, opts);
    for (const t of prefix) {
      e.step(t);
      stats.transitions++;
    }
    return e;
  };
  const check = () => {
    if (prefixStats.schedules + subtreeStats.schedules >= b.maxSchedules) throw new Bound(`${b.maxSchedules} schedules`);
    if (Date.now() - t0 > b.maxMillis) throw new Bound(`${b.maxMillis} ms`);
  };
  const note = (e: Execution) => {
    for (const o of e.outcomes) outcomes.add(o);
    for (const v of e.violations) if (!found.has(v.property)) found.set(v.property, v);
  };

  const dfs = (exec: Execution, prefix: number[], sleep: Set<number>): void => {
    check();
    exec.checkNow();
    if (exec.violations.length) {
      stats.schedules++;
      note(exec);
      return;
    }
    const enabled = exec.enabled();
    if (enabled.length === 0 || prefix.length >= b.maxDepth) {
      if (prefix.length >= b.maxDepth && enabled.length) bound ??= `schedules longer than ${b.maxDepth} transitions`;
      else {
        exec.checkEnd();
        onTerminal?.(exec.stateKey());
      }
      stats.schedules++;
      note(exec);
      return;
    }
    // The unsharded run caches states from the root; a shard only below the cut.
    const cached = reduction && (shard.count === 1 || prefix.length >= PARTITION_DEPTH);
    const toExplore = transitionsToExplore(cached ? visited : null, () => exec.stateKey(), enabled, sleep, reduction, stats, keys);
    if (toExplore.length === 0) {
      note(exec);
      return;
    }
    const footprints = new Map(enabled.map((t) => [t, exec.footprint(t)]));
    const done = new Set(sleep);
    toExplore.forEach((t, k) => {
      const childSleep = new Set([...done].filter((u) => footprints.has(u) && independent(footprints.get(u)!, footprints.get(t)!)));
      const root = prefix.length + 1 === PARTITION_DEPTH;
      if (root) {
        // The child roots a subtree: this shard's or another's. Its work (the replay to it
        // included) is counted apart from the part above the cut, which every shard repeats.
        if (subtrees++ % shard.count !== shard.index) {
          done.add(t);
          return;
        }
        explored++;
        // A shard's subtrees each start from an empty cache; the unsharded run keeps one.
        if (shard.count > 1) visited = new Map();
        stats = subtreeStats;
      }
      try {
        const e = k === 0 ? exec : replay(prefix);
        e.step(t);
        stats.transitions++;
        dfs(e, [...prefix, t], reduction ? childSleep : new Set());
      } finally {
        if (root) stats = prefixStats;
      }
      done.add(t);
    });
  };

  const root = new Execution(program, opts);
  const lacks = notApplicable(root.sim, program.threads.flatMap((t) => t.ops));
  if (lacks) {
    const none = zero();
    return { program: program.name, reduction, verdict: "not-applicable", reason: lacks, stats: none, counterexamples: [], outcomes: [], shard: { index: shard.index, count: shard.count, depth: PARTITION_DEPTH, subtrees: 0, explored: 0, prefix: none } };
  }
  try {
    dfs(root, [], new Set());
  } catch (e) {
    if (!(e instanceof Bound)) throw e;
    bound = e.message;
  }
  // In a canonical order (by property), so that reports compare and merge whatever found what first.
  const counterexamples = (found.size ? shortest(program, opts, [...found.keys()], b) : []).sort((x, y) => byProperty(x.violation.property, y.violation.property));
  const total = addStats(prefixStats, subtreeStats);
  total.millis = Date.now() - t0;
  return {
    program: program.name,
    reduction,
    verdict: bound ? "bounded" : "exhaustive",
    ...(bound ? { bound } : {}),
    stats: total,
    counterexamples,
    outcomes: [...outcomes].sort(),
    shard: { index: shard.index, count: shard.count, depth: PARTITION_DEPTH, subtrees, explored, prefix: { ...prefixStats }, ...(keys ? { keys: [...keys].sort() } : {}) },
  };
}

/**
 * The transitions to explore from a state (empty: pruned). With a cache
 * (`visited`), a state seen before is explored again only for what was asleep
 * when it was stored and is awake now, and the stored set shrinks to the
 * intersection (Godefroid, section 5.4); without one (above a shard's cut, or
 * with reduction off) sleep sets alone decide, the same in every shard.
 * Counts the state and the pruned branches into `stats`, and records a new
 * state's short key into `keys` (a shard's, for the merge).
 */
function transitionsToExplore(visited: Map<string, Set<number>> | null, keyOf: () => string, enabled: readonly number[], sleep: ReadonlySet<number>, reduction: boolean, stats: SearchStats, keys: Set<string> | undefined): number[] {
  // The key is a hash of the whole state: computed only when a cache or a shard needs it.
  const key = visited || keys ? keyOf() : "";
  const seen = visited?.get(key);
  if (visited && seen) {
    const again = enabled.filter((t) => seen.has(t) && !sleep.has(t));
    visited.set(key, new Set([...seen].filter((t) => sleep.has(t))));
    if (again.length === 0) stats.pruned++;
    return again;
  }
  visited?.set(key, new Set(sleep));
  keys?.add(key.slice(0, KEY_CHARS));
  stats.states++;
  const awake = reduction ? enabled.filter((t) => !sleep.has(t)) : [...enabled];
  stats.pruned += enabled.length - awake.length;
  return awake;
}

/** The properties in PROPERTY_TITLES order. */
export function byProperty(a: string, b: string): number {
  const order = Object.keys(PROPERTY_TITLES);
  return order.indexOf(a) - order.indexOf(b);
}

export function addStats(a: SearchStats, b: SearchStats): SearchStats {
  return { schedules: a.schedules + b.schedules, states: a.states + b.states, pruned: a.pruned + b.pruned, transitions: a.transitions + b.transitions, millis: a.millis + b.millis };
}

/** Neither global and no page in common: the two transitions commute. */
export function independent(a: Footprint, b: Footprint): boolean {
  if (a.global || b.global) return false;
  return !a.pages.some((p) => b.pages.includes(p));
}

/** Breadth-first: the shortest schedule to a violation of each property. */
function shortest(program: ConcurrentProgram, opts: ExecutionOptions, properties: readonly string[], b: typeof DEFAULTS): Counterexample[] {
  const want = new Set(properties);
  const out: Counterexample[] = [];
  const seen = new Set<string>();
  let frontier: number[][] = [[]];
  const names = program.threads.map((t) => t.name);
  const t0 = Date.now();
  while (frontier.length && want.size && Date.now() - t0 < b.maxMillis) {
    const next: number[][] = [];
    for (const prefix of frontier) {
      const e = new Execution(program, opts);
      for (const t of prefix) e.step(t);
      e.checkNow();
      const enabled = e.enabled();
      if (!enabled.length) e.checkEnd();
      for (const v of e.violations) {
        if (!want.has(v.property)) continue;
        want.delete(v.property);
        out.push({ violation: v, schedule: prefix.map((t) => names[t]!) });
      }
      if (e.violations.length || prefix.length >= b.maxDepth) continue;
      const key = e.stateKey();
      if (seen.has(key)) continue;
      seen.add(key);
      for (const t of enabled) next.push([...prefix, t]);
    }
    frontier = next;
  }
  return out;
}

/** Run one schedule (by thread names) and return the execution, for replay files and `uffdkit sim`. */
export function replaySchedule(program: ConcurrentProgram, opts: ExecutionOptions, schedule: readonly string[]): Execution {
  const e = new Execution(program, opts);
  for (const [k, name] of schedule.entries()) {
    const t = program.threads.findIndex((th) => th.name === name);
    if (t < 0) throw new ProgramError(`schedule step ${k}: no thread named "${name}"`);
    if (!e.enabled().includes(t)) throw new ProgramError(`schedule step ${k}: thread ${name} cannot run here (blocked, waiting for a lock, or finished)`);
    e.step(t);
    e.checkNow();
  }
  if (e.enabled().length === 0) e.checkEnd();
  return e;
}
