/**
 * The concurrent programs `uffdkit explore` runs for a spec, or for a real
 * kind. What the spec declares decides what is explored:
 * a MISSING type gets fault-versus-fill races, a MINOR one a fault racing an
 * allocation, a guest_memfd type conversions to private, a type with a file
 * descriptor punch-holes, every type EVENT_REMOVE and UNREGISTER racing a
 * fill. Each program is two or three threads of a few operations on two
 * pages, small enough to explore exhaustively.
 */
import type { ConcurrentProgram, ProgramThread, ServeOp } from "../../ir/program.js";
import type { ScenarioSetup, Step } from "../../ir/scenario.js";
import type { MemKind } from "../../kernel/kinds.js";
import type { UffdFeature } from "../../kernel/uapi.js";
import type { Lowered } from "../../lower/index.js";
import type { Model } from "../../model/model.js";
import { declaredTarget, type Target } from "../planner/target.js";

/** Pages every program maps: two, so that a multi-page fill can meet a page filled by someone else. */
const PAGES = 2;

interface Shape {
  readonly setup: ScenarioSetup;
  readonly missing: boolean;
  readonly wp: boolean;
  readonly poison: boolean;
  readonly move: boolean;
  readonly minor: boolean;
  readonly copy: boolean;
  readonly zeropage: boolean;
  readonly cont: boolean;
  /** A file descriptor to fallocate on (not anonymous memory). */
  readonly fd: boolean;
  readonly gmem: boolean;
  /** Private anonymous memory: MADV_DONTNEED drops the page itself. */
  readonly anon: boolean;
  /** The file's size can change (ftruncate): shmem, hugetlbfs, a page-cache type not built on guest_memfd. */
  readonly truncate: boolean;
  /** Base pages, not guest_memfd: mremap() of the mapping is modelled (src/run/sim/mremap.ts). */
  readonly mremap: boolean;
}

/** The programs for a spec's declared type. */
export function programsForSpec(model: Model, lowered: Lowered): ConcurrentProgram[] {
  const t = declaredTarget(model, lowered);
  return programsFor(shapeOf(t));
}

/** The programs for one of the kernel's own kinds (the reference the declared type is held to). */
export function programsForKind(kind: Exclude<MemKind, "declared" | "shmem-anon">): ConcurrentProgram[] {
  const gmem = kind === "guest_memfd";
  const setup: ScenarioSetup = {
    kind,
    pages: PAGES,
    map: kind === "anon" ? "private" : "shared",
    ...(gmem ? { gmemFlags: ["mmap", "init_shared"] } : {}),
  } as ScenarioSetup;
  // guest_memfd on 6.18 has no userfaultfd; its programs are the conversion races on the declared types.
  if (gmem) return [];
  return programsFor({
    setup,
    missing: true,
    wp: true,
    poison: true,
    move: kind === "anon",
    minor: kind !== "anon",
    copy: true,
    zeropage: kind !== "hugetlb",
    cont: kind !== "anon",
    fd: kind !== "anon",
    gmem: false,
    anon: kind === "anon",
    truncate: kind !== "anon",
    mremap: kind !== "hugetlb",
  });
}

function shapeOf(t: Target): Shape {
  const setup = t.setup({ pages: PAGES });
  // The explorer populates with setup.populate, through the primary mapping: no alias needed.
  const { alias: _alias, ...rest } = setup;
  return {
    setup: rest,
    missing: t.modes.includes("missing"),
    wp: t.modes.includes("wp") && t.ioctls.has("writeprotect"),
    poison: t.ioctls.has("poison"),
    move: t.ioctls.has("move") && !t.fileBacked,
    minor: t.modes.includes("minor"),
    copy: t.ioctls.has("copy"),
    zeropage: t.ioctls.has("zeropage"),
    cont: t.ioctls.has("continue"),
    fd: t.fileBacked && !t.hugetlb,
    gmem: t.gmem,
    anon: !t.fileBacked,
    // guest_memfd's setattr refuses a size change (kvm_gmem_setattr(): -EINVAL).
    truncate: t.fileBacked && !t.gmem && t.model.run.kernelKind !== "guest_memfd",
    mremap: !t.hugetlb && !t.gmem,
  };
}

const api = (features: UffdFeature[] = []): Step => ({ op: "api", features }) as Step;
const register = (modes: ("missing" | "minor" | "wp")[]): Step => ({ op: "register", page: 0, pages: PAGES, modes }) as Step;
const step = (s: Record<string, unknown>) => ({ op: "step" as const, step: s as unknown as Step });
const read = (page: number) => ({ op: "access" as const, page, access: "read" as const });

function program(name: string, title: string, setup: ScenarioSetup, prologue: Step[], threads: ProgramThread[], checklist?: string[]): ConcurrentProgram {
  return { name, title, setup, prologue, threads, ...(checklist ? { checklist } : {}) };
}

function programsFor(s: Shape): ConcurrentProgram[] {
  const out: ConcurrentProgram[] = [];
  const fill: ServeOp["missing"] | undefined = s.copy ? "copy" : s.zeropage ? "zeropage" : undefined;
  if (s.missing && fill) {
    const serve: ServeOp = { op: "serve", missing: fill };
    out.push(
      program("two_faults_one_page", "two threads fault on the same page: the second resolution meets a filled page (EEXIST, then WAKE)", s.setup, [api(), register(["missing"])], [
        { name: "reader", ops: [read(0), read(1)] },
        { name: "writer", ops: [{ op: "access", page: 0, access: "write", value: 0x5a }, { op: "access", page: 1, access: "write", value: 0x5b }] },
        { name: "monitor", ops: [serve] },
      ]),
    );
    if (fill === "copy") {
      out.push(
        program("partial_fill", "a two-page COPY meets a page another fault filled: EAGAIN with the bytes done, then EEXIST on the retry", s.setup, [api(), register(["missing"])], [
          { name: "first", ops: [read(0)] },
          { name: "second", ops: [read(1)] },
          { name: "monitor", ops: [{ op: "serve", missing: "copy", span: 2 }] },
        ]),
      );
    }
    const remove = s.anon ? "dontneed" : "remove";
    out.push(
      program("fill_vs_remove", `a fill races MADV_${remove.toUpperCase()} with EVENT_REMOVE: COPY is EAGAIN while the REMOVE event is pending`, s.setup, [api(["event_remove"]), register(["missing"])], [
        { name: "faulter", ops: [read(0)] },
        { name: "zapper", ops: [step({ op: "madvise", advice: remove, page: 0, pages: PAGES })] },
        { name: "monitor", ops: [serve] },
      ]),
    );
    out.push(
      program("fill_vs_unregister", "UNREGISTER races a fault and its fill: the faulter is woken, the fill may find the range gone (ENOENT)", s.setup, [api(), register(["missing"])], [
        { name: "faulter", ops: [read(0)] },
        { name: "unregisterer", ops: [step({ op: "unregister", page: 0, pages: PAGES })] },
        { name: "monitor", ops: [serve] },
      ]),
    );
    out.push(
      program("fill_vs_close", "the monitor's descriptor is closed while a fault waits: the faulter is woken and retries without userfaultfd", s.setup, [api(), register(["missing"])], [
        { name: "faulter", ops: [read(0)] },
        { name: "closer", ops: [step({ op: "close" })] },
        { name: "monitor", ops: [serve] },
      ]),
    );
    out.push(
      program("kernel_mode_fault", "a system call's copy into the page (read(2) into it) faults in kernel mode and races a user fault on the same page", s.setup, [api(), register(["missing"])], [
        { name: "syscall", ops: [{ op: "access", page: 0, access: "write", value: 0x33, mode: "kernel" }] },
        { name: "user", ops: [read(0)] },
        { name: "monitor", ops: [serve] },
      ]),
    );
    if (s.mremap) {
      // A fault read before the REMAP event waits on its old address: the monitor resolves it at
      // the new one once it has read the event, then wakes the old one (its REMAP bookkeeping).
      out.push(
        program("fill_vs_mremap", "mremap() moves the registered range (EVENT_REMAP) while a fault waits on it: the fill lands at the new address and the faulter, woken at the old one, refaults there (SIGSEGV)", s.setup, [api(["event_remap"]), register(["missing"])], [
          { name: "faulter", ops: [read(0)] },
          { name: "remapper", ops: [step({ op: "mremap" })] },
          { name: "monitor", ops: [serve] },
        ]),
      );
    }
    if (s.anon) {
      out.push(
        program("fill_vs_dontneed", "MADV_DONTNEED without EVENT_REMOVE drops a filled page under a reader: the next access faults MISSING again and is filled again", s.setup, [api(), register(["missing"])], [
          { name: "reader", ops: [read(0), read(0)] },
          { name: "zapper", ops: [step({ op: "madvise", advice: "dontneed", page: 0, pages: 1 })] },
          { name: "monitor", ops: [serve] },
        ]),
      );
    }
    if (s.anon || s.setup.kind === "shmem") {
      // fork() with EVENT_FORK waits in the kernel until the monitor reads its event, with the
      // parent's mmap_changing raised: a fill meanwhile is EAGAIN (docs/explore.md, forced schedules).
      out.push(
        program("fill_vs_fork", "fork() with EVENT_FORK while a fault waits: the parent's fill and the child's new userfaultfd", s.setup, [api(["event_fork"]), register(["missing"])], [
          { name: "faulter", ops: [read(0)] },
          { name: "forker", ops: [step({ op: "fork" })] },
          { name: "monitor", ops: [serve] },
        ]),
      );
    }
    if (s.move) {
      out.push(
        program("two_faults_moved", "two faults on one page resolved by UFFDIO_MOVE from the monitor's own pages: the second move meets a filled page (EEXIST, then WAKE)", { ...s.setup, srcPages: PAGES }, [api(), register(["missing"])], [
          { name: "reader", ops: [read(0)] },
          { name: "writer", ops: [{ op: "access", page: 0, access: "write", value: 0x5a }] },
          { name: "monitor", ops: [{ op: "serve", missing: "move" }] },
        ]),
      );
    }
    if (s.poison) {
      out.push(
        program("fault_vs_poison", "UFFDIO_POISON of a page races a fault on it and its fill: the fill meets the marker (EEXIST) or the fault raises SIGBUS", s.setup, [api(), register(["missing"])], [
          { name: "faulter", ops: [read(0)] },
          { name: "poisoner", ops: [step({ op: "poison", page: 0, pages: 1 })] },
          { name: "monitor", ops: [serve] },
        ]),
      );
    }
    if (s.truncate) out.push(...truncatePrograms(s, fill, serve));
    if (s.fd) {
      out.push(
        program("fill_vs_punch_hole", "fallocate(PUNCH_HOLE) races a fault and its fill: no reference, lock or cache entry may leak", s.setup, [api(), register(["missing"])], [
          { name: "faulter", ops: [read(0), read(0)] },
          { name: "puncher", ops: [step({ op: "fallocate", mode: "punch", page: 0, pages: 1 }), step({ op: "fallocate", mode: "punch", page: 0, pages: 1 })] },
          { name: "monitor", ops: [serve] },
        ]),
      );
    }
  }
  if (s.wp) {
    out.push(
      program("write_vs_unprotect", "two writers hit a write-protected page; the monitor unprotects it once: both writes land, nobody stays blocked", { ...s.setup, populate: [{ page: 0, pages: PAGES, value: 0x11 }] }, [api(), register(["wp"]), { op: "writeprotect", page: 0, pages: PAGES, wp: true } as Step], [
        { name: "writer1", ops: [{ op: "access", page: 0, access: "write", value: 0x21 }] },
        { name: "writer2", ops: [{ op: "access", page: 0, access: "write", value: 0x22 }] },
        { name: "monitor", ops: [{ op: "serve", wp: "unprotect" }] },
      ]),
    );
  }
  if (s.minor && s.cont && s.fd) {
    const serve: ServeOp = { op: "serve", minor: "continue", ...(s.missing && fill ? { missing: fill } : {}) };
    const modes: ("missing" | "minor")[] = s.missing && fill ? ["missing", "minor"] : ["minor"];
    out.push(
      program("fault_vs_allocation", "a fault races fallocate() allocating the page: a folio that is not up to date must count as missing, never be mapped", s.setup, [api(), register(modes)], [
        { name: "faulter", ops: [read(0)] },
        { name: "allocator", ops: [step({ op: "fallocate", mode: "allocate", page: 0, pages: 1 })] },
        { name: "monitor", ops: [serve] },
      ]),
    );
  }
  if (s.gmem && s.missing && fill) {
    out.push(
      program("fill_vs_conversion", "a COPY races the page's conversion to private: a private page must never be mapped or filled", s.setup, [api(), register(["missing"])], [
        { name: "monitor", ops: [step({ op: fill, page: 0, pages: 1, ...(fill === "copy" ? { src: { pattern: "page-index", seed: 0x40 } } : {}) })] },
        { name: "converter", ops: [{ op: "convert", page: 0, to: "private" }] },
      ], ["C01"]),
    );
    out.push(
      program("fault_vs_conversion", "a fault and its fill race the page's conversion to private", s.setup, [api(), register(["missing"])], [
        { name: "faulter", ops: [read(0), read(1)] },
        { name: "converter", ops: [{ op: "convert", page: 0, to: "private" }, { op: "convert", page: 1, to: "private" }] },
        { name: "monitor", ops: [{ op: "serve", missing: fill }] },
      ], ["C01"]),
    );
  }
  return out;
}

/**
 * The truncate disturber: the file shrinks under a fill and
 * grows back. No folio may stay in the page cache beyond i_size and no page
 * beyond it may stay mapped (property `eof`); a fill that meets the new size
 * fails, and its faulter, woken, refaults into SIGBUS or, once the file has
 * grown back, into a new MISSING fault.
 */
function truncatePrograms(s: Shape, fill: "copy" | "zeropage", serve: ServeOp): ConcurrentProgram[] {
  const shrinkAndGrow = [step({ op: "truncate", pages: PAGES - 1 }), step({ op: "truncate", pages: PAGES })];
  const last = PAGES - 1;
  return [
    program("fill_vs_truncate", "a fault on the last page and its fill race ftruncate() shrinking the file past it and growing it back: nothing may stay cached or mapped beyond EOF", s.setup, [api(), register(["missing"])], [
      { name: "faulter", ops: [read(last)] },
      { name: "truncator", ops: shrinkAndGrow },
      { name: "monitor", ops: [serve] },
    ]),
    program("copy_vs_truncate", `a ${fill.toUpperCase()} of the last page races ftruncate() shrinking the file past it (between ->alloc_folio() and ->filemap_add() too) and growing it back`, s.setup, [api(), register(["missing"])], [
      { name: "monitor", ops: [step({ op: fill, page: last, pages: 1, ...(fill === "copy" ? { src: { pattern: "page-index", seed: 0x40 } } : {}) })] },
      { name: "truncator", ops: shrinkAndGrow },
    ]),
  ];
}
