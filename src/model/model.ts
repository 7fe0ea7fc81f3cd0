/**
 * The Model: the memory type as the user wrote it, in one shape: lists become
 * sets, the API generation is resolved to its data, and the C names are derived
 * once here. Defaults are not: src/lower decides every one (the callback blocks,
 * guard granularity, fault glue, KVM Userfault, modular/module, wpMarkers,
 * populateByWrite, run.*, series.*), and every later stage reads Lowered.
 */
import type { ApiGeneration } from "../kernel/generations.js";
import type { PositionMap } from "../diagnostics/diagnostic.js";
import type {
  Backing,
  CopySpec,
  GetFolioSpec,
  ChangelogEntry,
  FaultSpec,
  GuardPoint,
  Ioctl,
  MemoryTypeSpec,
  Mode,
  ObjectSpec,
  Person,
} from "../spec/types.js";

/** KVM Userfault as the spec wrote it (src/lower decides the store order's default). */
export interface KvmUserfaultModel {
  readonly bitmapLoad: "plain" | "acquire";
  readonly userspaceStore?: "plain" | "release";
}

/** Concrete check points: "fault" in the spec expands to fault-handler, alloc_folio and get_folio. */
export type GuardCheckPoint = Exclude<GuardPoint, "fault"> | "fault-handler";

/** The guard as written, its points expanded ("fault" is three); src/lower decides the granularity's default. */
export interface GuardModel {
  readonly shared: string;
  readonly granularity?: "inode" | "page";
  readonly at: ReadonlySet<GuardCheckPoint>;
  /** guard.recheck as written (lower decides what it means). */
  readonly recheck?: { readonly at: "filemap_add"; readonly lock: "invalidate_lock"; readonly order?: "lock-then-add" | "add-then-lock" };
}

/** Every C identifier the emitter will write, derived from the spec's name. */
export interface CNames {
  readonly ops: string;
  readonly canUserfault: string;
  readonly getFolio: string;
  readonly allocFolio: string;
  readonly filemapAdd: string;
  readonly filemapRemove: string;
  readonly copy: string;
  readonly faultGlue: string;
}

export interface Model {
  /** The spec as written (after shape validation). */
  readonly spec: MemoryTypeSpec;
  /** The spec file, for diagnostics; "<inline>" for specs built in code. */
  readonly file: string;
  readonly positions: PositionMap;
  readonly name: string;
  readonly subsystem: string;
  readonly targetFile: string;
  /** Absent for anonymous memory (core's own anon_uffd_ops). */
  readonly vmOps?: string;
  readonly backing: Backing;
  /** As written; src/lower decides the default (Lowered.modular). */
  readonly modular?: boolean;
  /** As written; src/lower decides the default (Lowered.module). */
  readonly module?: string;
  readonly gen: ApiGeneration;
  readonly modes: ReadonlySet<Mode>;
  readonly ioctls: ReadonlySet<Ioctl>;
  /** As written: src/lower fills the defaults (Lowered.getFolio, Lowered.declared). */
  readonly getFolio?: GetFolioSpec;
  /** As written: src/lower fills the defaults (Lowered.copy, Lowered.declared). */
  readonly copy?: CopySpec;
  readonly guard?: GuardModel;
  readonly fault?: FaultSpec;
  /** As written; src/lower decides the default (Lowered.wpMarkers). */
  readonly wpMarkers?: boolean;
  /** As written; src/lower decides the default (Lowered.populateByWrite). */
  readonly populateByWrite?: boolean;
  /** KVM Userfault as declared (Oliver Upton on KVM Userfault v3 04/15); src/lower defaults the store order. */
  readonly kvmUserfault?: KvmUserfaultModel;
  readonly cnames: CNames;
  readonly run: {
    readonly kernelKind?: "anon" | "shmem" | "hugetlb" | "guest_memfd";
    /** As written; src/lower decides the default (Lowered.gmemFlags). */
    readonly gmemFlags?: readonly ("mmap" | "init_shared")[];
    /** As written; src/lower decides the default (Lowered.pages). */
    readonly pages?: number;
    /** As the spec wrote it; src/lower decides the default (Lowered.testObject). */
    readonly object?: Readonly<ObjectSpec>;
  };
  /** As written; src/lower decides the defaults (Lowered.series). */
  readonly series: {
    readonly title?: string;
    readonly blurb?: string;
    readonly version?: number;
    readonly rfc?: boolean;
    readonly base?: string;
    readonly coDevelopedBy?: readonly Person[];
    readonly changelog?: readonly ChangelogEntry[];
  };
}
