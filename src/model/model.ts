/**
 * The Model: one normalized IR of a memory type that every stage below load reads
 * (rules, plan, emit, run). Defaults are filled in, lists become sets, the API
 * generation is resolved to its data, and the C names are derived once here.
 */
import type { ApiGeneration } from "../kernel/generations.js";
import type { PositionMap } from "../diagnostics/diagnostic.js";
import type {
  Backing,
  CopySpec,
  GetFolioSpec,
  TypeAddSpec,
  ChangelogEntry,
  FaultSpec,
  GuardPoint,
  Ioctl,
  MemoryTypeSpec,
  Mode,
  Person,
} from "../spec/types.js";

export interface GetFolioModel {
  readonly strategy: "lookup" | "lookup-or-create";
  readonly lookup: NonNullable<GetFolioSpec["lookup"]>;
  readonly helper?: string;
  readonly locked: boolean;
  readonly referenced: boolean;
  readonly notUptodate: "missing" | "present" | "zero-fill";
  readonly absent: "enoent" | "null";
  readonly putOnEarlyReturn: boolean;
}

export interface CopyModel {
  readonly alloc: {
    readonly strategy: "mapping-gfp" | "shared-policy" | "vma" | "helper";
    readonly helper?: string;
    readonly info?: string;
    readonly policy?: { readonly info: string; readonly field: string };
    readonly eofCheck: boolean;
    readonly chargeMemcg: boolean;
  };
  readonly prepare?: string;
  readonly filemapAdd: NonNullable<CopySpec["filemapAdd"]>;
  readonly typeAdd?: TypeAddSpec;
  readonly filemapRemove: "filemap_remove_folio" | "none";
  readonly unaccount?: string;
  readonly export: "EXPORT_SYMBOL_FOR_KVM" | "EXPORT_SYMBOL_FOR_MODULES" | "none";
}

export interface KvmUserfaultModel {
  readonly bitmapLoad: "plain" | "acquire";
  readonly userspaceStore: "plain" | "release";
}

/** Concrete check points: "fault" in the spec expands to fault-handler, alloc_folio and get_folio. */
export type GuardCheckPoint = Exclude<GuardPoint, "fault"> | "fault-handler";

export interface GuardModel {
  readonly shared: string;
  readonly granularity: "inode" | "page";
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
  readonly modular: boolean;
  /** The module the type is built into (exports name it); see MemoryTypeSpec.module. */
  readonly module: string;
  readonly gen: ApiGeneration;
  readonly modes: ReadonlySet<Mode>;
  readonly ioctls: ReadonlySet<Ioctl>;
  readonly getFolio?: GetFolioModel;
  readonly copy?: CopyModel;
  readonly guard?: GuardModel;
  readonly fault?: FaultSpec;
  readonly wpMarkers: boolean;
  readonly populateByWrite: boolean;
  /** KVM Userfault as declared (seed 004), the store order defaulted to "release". */
  readonly kvmUserfault?: KvmUserfaultModel;
  readonly cnames: CNames;
  readonly run: {
    readonly kernelKind?: "anon" | "shmem" | "hugetlb" | "guest_memfd";
    readonly gmemFlags: readonly ("mmap" | "init_shared")[];
    readonly pages: number;
    /** As the spec wrote it; src/lower decides the default (Lowered.testObject). */
    readonly object?: { readonly kind: "memfd" | "memfd-hugetlb" | "guest_memfd" | "chardev"; readonly path?: string };
  };
  readonly series: {
    readonly title?: string;
    readonly blurb?: string;
    readonly version: number;
    readonly rfc: boolean;
    readonly base?: string;
    readonly coDevelopedBy: readonly Person[];
    readonly changelog: readonly ChangelogEntry[];
  };
}
