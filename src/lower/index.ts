/**
 * Model → Lowered: the one place where defaults and strategy choices become
 * concrete behaviour for one API generation. The rules, the planner, the
 * kernel-C emitter, the simulator harness and the checklist read this; none
 * of them decides a default again.
 *
 * Lowering never refuses: a spec whose strategy lacks what it needs (a
 * helper strategy without the helper) lowers to `missingHelper` entries,
 * which rule S10 turns into positioned findings, and the session's gate
 * (src/session/gate.ts) stops emission on them.
 */
import { GENERATIONS, type ApiGeneration, type ApiGenerationId, type CallbackRole } from "../kernel/generations.js";
import type { GuardCheckPoint, Model } from "../model/model.js";
import type { ChangelogEntry, CopySpec, GetFolioSpec, Person, TypeAddSpec } from "../spec/types.js";
import { OBJECT_OPS, type DeclaredC, type ObjectOp, type TestObject } from "../ir/scenario.js";
import { KIND_FILES, KIND_KCONFIG } from "../kernel/kinds.js";
import type { GmemFlag } from "../kernel/uapi.js";

/** get_folio with every default decided. */
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

/** The COPY side (alloc_folio, filemap_add/remove, the export) with every default decided. */
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
  /** The undo of prepare; when set, prepare is `int fn(struct inode *, struct folio *)`. */
  readonly unprepare?: string;
  /** address_space_operations.free_folio, called by filemap_remove_folio(). */
  readonly freeFolio?: string;
  readonly filemapAdd: NonNullable<CopySpec["filemapAdd"]>;
  readonly typeAdd?: TypeAddSpec;
  readonly filemapRemove: "filemap_remove_folio" | "none";
  readonly unaccount?: string;
  /** The export macro for mm symbols a modular type needs: decided here only. */
  readonly export: "EXPORT_SYMBOL_FOR_KVM" | "EXPORT_SYMBOL_FOR_MODULES" | "none";
}

/** The guard with its granularity decided. */
export interface GuardLowered {
  readonly shared: string;
  readonly granularity: "inode" | "page";
  readonly at: ReadonlySet<GuardCheckPoint>;
}

/** How MISSING/MINOR events reach user space for this type on this generation. */
export type Raise = "core" | "handle_userfault" | "none";

/** Why a page-cache type raises no MISSING/MINOR event (Lowered.silent). */
export type Silent = "core-without-do-userfault" | "declared-none" | "no-fault-block";

export type TypeFunctionRole = DeclaredC["typeFunctions"][number]["role"];

/** What the type's own file must define for the emitted C (guards, helpers, hooks). */
export interface TypeFunction {
  readonly name: string;
  /** Prototype with NAME for the function name. */
  readonly proto: string;
  readonly role: TypeFunctionRole;
  /** The spec path that names it, for findings. */
  readonly path: string;
}

export interface Lowered {
  readonly model: Model;
  readonly api: ApiGenerationId;
  readonly gen: ApiGeneration;
  /** The generation takes part only in feature probing (hugetlb on 7.1: can_userfault alone). */
  readonly probeOnly: boolean;
  /** The ops members the emitted C defines, by role. */
  readonly roles: ReadonlySet<CallbackRole>;
  /** get_folio with every default filled in; `defaulted` when the spec gave none. */
  readonly getFolio?: GetFolioModel & { readonly defaulted: boolean };
  readonly copy?: CopyModel & { readonly defaulted: boolean };
  /**
   * The type has vm_uffd_ops but no fill (no COPY/ZEROPAGE) on a generation with ->alloc_folio:
   * 7.1's __mfill_atomic_pte() calls ops->alloc_folio() with no NULL check (df3ee3b3bbc3 refuses
   * only a VMA with no ops), and UFFDIO_COPY needs no MISSING registration, so the emitted C
   * defines an alloc_folio that refuses (NULL: COPY/ZEROPAGE fail with -ENOMEM) (R20).
   */
  readonly allocFolioRefuses: boolean;
  /**
   * The blocks the spec declares, with their defaults filled in, whether or not
   * this generation emits them: what rules about the declaration judge, and
   * what a scenario file's setup.declared carries.
   */
  readonly declared: { readonly getFolio?: GetFolioModel; readonly copy?: CopyModel };
  /** The guard, granularity decided (default per page: shared-ness is per page under in-place conversion). */
  readonly guard?: GuardLowered;
  /** The ->fault glue refuses an offset at or beyond EOF before raising (fault.eofFirst, default true, as shmem_get_folio_gfp() orders it). */
  readonly eofFirst: boolean;
  /** The guest_memfd creation flags the selftests and scenarios use. */
  readonly gmemFlags: readonly GmemFlag[];
  /** Who charges memcg for a COPY folio: alloc_folio, filemap_add_folio() (it charges itself), or nobody. */
  readonly memcgCharge: "alloc_folio" | "filemap_add_folio" | "none";
  readonly raise: Raise;
  /**
   * Why no MISSING/MINOR event is raised, when raise is "none" on a page-cache
   * type: the spec asked core on a generation without __do_userfault() (R55),
   * said "none", or has no fault block where core cannot raise (R56).
   */
  readonly silent?: Silent;
  /** The ->fault glue the C carries: a guard-only check, a raiser, or none. */
  readonly glue: "guard" | "raise" | "none";
  readonly guardAt: ReadonlySet<GuardCheckPoint>;
  /**
   * What closes the window between alloc_folio's shared-ness check and the
   * page-cache add (guard.recheck), decided once: emitter, simulator, planner,
   * rules and checklist read this. Absent: the window is open.
   */
  readonly window?: WindowClose;
  readonly typeFunctions: readonly TypeFunction[];
  /** Strategies that need a helper the spec does not name: [spec path, strategy]. */
  readonly missingHelper: readonly { readonly path: string; readonly strategy: string; readonly hint: string }[];
  /** Notes for the emitted file: what lowering decided for the user. */
  readonly notes: readonly string[];
  /** KVM Userfault, when the spec declares it (Oliver Upton on KVM Userfault v3 04/15): what the simulator-only programs do. */
  readonly kvmUserfault?: KvmUserfaultLowered;
  /**
   * The Kconfig option that builds the type's file (spec `kconfig`, or the known
   * kinds' default); absent when neither says, and `modular` is then not checked.
   * `also`: options that must be set with it (guest_memfd: KVM_GUEST_MEMFD).
   */
  readonly kconfig?: { readonly symbol: string; readonly type: "bool" | "tristate"; readonly also: readonly string[]; readonly defaulted: boolean };
  /** How the selftests create an object of the type itself (run.object, or its default). */
  readonly testObject: TestObject;
  /**
   * What the type's object supports beyond mmap (run.ops, or its default: all for a
   * kind uffdkit knows, none for a chardev, syscall or file object). A scenario
   * needing another is "not applicable"; `declared`: the spec said so itself.
   */
  readonly objectOps: { readonly ops: readonly ObjectOp[]; readonly declared: boolean };
  /**
   * The real kind the kernel runs stand in for the type with, when it is not the
   * type itself (a char driver's tests on a memfd): every report says so.
   */
  readonly standIn?: { readonly kind: string; readonly type: string };
  /** The type's file builds as a module (spec `modular`, default false: built in). */
  readonly modular: boolean;
  /** The module the type is built into, which exports name (spec `module`; default "kvm" for a KVM subsystem, else the type's name). */
  readonly module: string;
  /** The type keeps PTE markers for write-protected pages (spec `wpMarkers`, default false). */
  readonly wpMarkers: boolean;
  /** The type populates its page cache by write(2) (spec `populateByWrite`, default false). */
  readonly populateByWrite: boolean;
  /** How many pages the selftests map (spec `run.pages`, default 8). */
  readonly pages: number;
  /** The patch series' metadata (spec `series`), its defaults decided. */
  readonly series: SeriesLowered;
}

/** spec `series` with version 1, not RFC, and no co-developers or changelog unless said. */
export interface SeriesLowered {
  readonly title?: string;
  readonly blurb?: string;
  readonly version: number;
  readonly rfc: boolean;
  readonly base?: string;
  readonly coDevelopedBy: readonly Person[];
  readonly changelog: readonly ChangelogEntry[];
}

/**
 * The re-check of the guard inside ->filemap_add() under the mapping's
 * invalidate_lock, taken shared. guest_memfd's conversion takes that lock for
 * write (__kvm_gmem_set_attributes(), in-place conversion v7) and its fault
 * path takes it shared around the shared-ness check and the folio lookup
 * (kvm_gmem_fault_user_mapping(), same series, patch 01/42): with the check
 * under the lock, a conversion either ran before (the add refuses the page)
 * or runs after the folio is in the cache with mfill's reference on it (the
 * conversion's refcount check refuses with -EAGAIN).
 */
export interface WindowClose {
  readonly at: "filemap_add";
  readonly lock: "invalidate_lock";
  /** lock-then-add: the fault path's order (invalidate_lock outside the folio lock); add-then-lock inverts it (R64). */
  readonly order: "lock-then-add" | "add-then-lock";
  /** What filemap_add returns for a page that is no longer shared (docs/explore.md, "The errno"). */
  readonly errno: "EACCES";
  /** The predicate, page-granular. */
  readonly shared: string;
  /**
   * get_folio_noalloc checks the guard and takes the folio (filemap_lock_folio())
   * under the same lock, as guest_memfd's user fault path does (in-place
   * conversion v8 01/46): checked outside it, a conversion fits between the check
   * and the reference. Only where the lookup is filemap_lock_folio() returning a
   * folio pointer (ERR_PTR for absent) and the guard is checked there.
   */
  readonly lookupLocked: boolean;
}

/**
 * KVM Userfault's program, decided once: the vCPU exits on a page whose bit is
 * set, the VMM fills the page, clears the bit, and the vCPU accesses it again.
 */
export interface KvmUserfaultLowered {
  /** kvm_do_userfault()'s read of the bitmap word (v3: plain __get_user; Oliver Upton: acquire). */
  readonly bitmapLoad: "plain" | "acquire";
  /** The VMM's bit-clear after filling the page. */
  readonly userspaceStore: "plain" | "release";
  /**
   * Store-release against load-acquire: once the vCPU sees the bit clear it sees
   * every store the VMM made before the clear. Any other pairing lets it read
   * the page as it was before the fill (Oliver Upton on KVM Userfault v3 04/15).
   */
  readonly paired: boolean;
  /**
   * How the VMM fills the page before clearing the bit: UFFDIO_COPY into a
   * MISSING-registered range, a write to the file then UFFDIO_CONTINUE on a
   * MINOR-registered one, or (neither declared) a plain write through the mapping.
   */
  readonly fill: "copy" | "continue" | "write";
}

/**
 * uffdkit's defaults when a generation needs a callback the spec does not describe.
 *
 * notUptodate is "zero-fill", the one choice rule R40 accepts whatever the modes:
 * a folio in the page cache that is not up to date (fallocated, never written)
 * holds a page nobody wrote. Reported present, MINOR/CONTINUE would map those
 * stale contents; reported missing, MISSING fires for a slot the cache already
 * holds and UFFDIO_COPY's filemap_add_folio() gets -EEXIST, so the fault can
 * never be resolved (Peter Xu, 27 Jun 2025, on [PATCH 0/4] mm/userfaultfd: modulize memory types: MISSING covers !folio and
 * folio && !uptodate). Clearing it and marking it up to date is what shmem's
 * own SGP_NOALLOC lookup does (mm/shmem.c, get_folio_noalloc, mainline
 * dfc4d771820a). `uffdkit init` writes the same value.
 */
export const DEFAULT_GET_FOLIO: GetFolioModel = {
  strategy: "lookup",
  lookup: "filemap_lock_folio",
  locked: true,
  referenced: true,
  notUptodate: "zero-fill",
  absent: "enoent",
  putOnEarlyReturn: true,
};

/** Shared-ness is per page under in-place conversion (kvm_gmem_is_shared_mem(inode, index), seanV4). */
const DEFAULT_GRANULARITY = "page";

export const DEFAULT_COPY: CopyModel = {
  alloc: { strategy: "mapping-gfp", eofCheck: true, chargeMemcg: false },
  filemapAdd: "filemap_add_folio",
  filemapRemove: "filemap_remove_folio",
  export: "none",
};

let lowerings = 0;

/** How many times lower() ran in this process: test/session holds "nothing lowers twice" with it. */
export function loweringCount(): number {
  return lowerings;
}

export function lower(model: Model, api: ApiGenerationId = model.gen.id): Lowered {
  lowerings++;
  const gen = GENERATIONS[api];
  const notes: string[] = [];
  const missingHelper: { path: string; strategy: string; hint: string }[] = [];
  const helperHint = (path: string) => `set ${path} to the C function (struct folio *fn(struct inode *, pgoff_t)), or choose a strategy that needs none`;
  // hugetlb keeps its own fault and mfill paths in every generation: it only takes part in
  // feature probing (7.1: can_userfault alone; peterx v1/v4: the masks) (rpptHugetlbOut, peterxV1, rppt0707).
  const probeOnly = model.backing === "hugetlb";
  const has = (role: CallbackRole) => gen.callbacks.some((c) => c.role === role);
  const wantsMissing = model.ioctls.has("copy") || model.ioctls.has("zeropage");
  const declared = {
    ...(model.getFolio ? { getFolio: fillGetFolio(model.getFolio) } : {}),
    ...(model.copy ? { copy: fillCopy(model.copy) } : {}),
  };
  const wantsMinor = model.ioctls.has("continue") || model.modes.has("minor");
  const roles = new Set<CallbackRole>();
  if (has("canUserfault")) roles.add("canUserfault");

  let getFolio: Lowered["getFolio"];
  const gfRole = gen.callbacks.find((c) => c.role === "getFolio");
  if (!probeOnly && gfRole && (wantsMinor || gfRole.required === "always")) {
    roles.add("getFolio");
    getFolio = { ...(declared.getFolio ?? DEFAULT_GET_FOLIO), defaulted: !declared.getFolio };
    if (!model.getFolio) notes.push(`${gfRole.member}: the spec declares no getFolio; uffdkit's default lookup is used`);
    if (getFolio.strategy === "lookup-or-create" && !getFolio.helper) missingHelper.push({ path: "getFolio.helper", strategy: "getFolio.strategy \"lookup-or-create\"", hint: helperHint("getFolio.helper") });
  }

  let copy: Lowered["copy"];
  if (!probeOnly && wantsMissing && (has("allocFolio") || has("copy"))) {
    const given = declared.copy ?? DEFAULT_COPY;
    // Anonymous memory has no file: no EOF to check, and no page cache to add to.
    copy =
      model.backing === "anon"
        ? { ...given, alloc: { ...given.alloc, eofCheck: false }, filemapAdd: "none", filemapRemove: "none", defaulted: !model.copy }
        : { ...given, defaulted: !model.copy };
    if (!model.copy) notes.push("the spec declares no copy; uffdkit's default allocation is used");
    if (copy.alloc.strategy === "helper" && !copy.alloc.helper) missingHelper.push({ path: "copy.alloc.helper", strategy: "copy.alloc.strategy \"helper\"", hint: helperHint("copy.alloc.helper") });
    if (copy.filemapAdd === "type" && !copy.typeAdd) missingHelper.push({
        path: "copy.typeAdd",
        strategy: "copy.filemapAdd \"type\"",
        hint: "set copy.typeAdd: { add: \"<the type's page-cache add>\", accountBlocks?, recalc?, swapbacked? }, or use filemapAdd \"filemap_add_folio\"",
      });
    if (has("allocFolio")) roles.add("allocFolio");
    if (has("copy")) roles.add("copy");
    const fileBacked = model.backing !== "anon";
    if (fileBacked && copy.filemapAdd !== "none" && has("filemapAdd")) roles.add("filemapAdd");
    if (fileBacked && copy.filemapRemove === "filemap_remove_folio" && has("filemapRemove")) roles.add("filemapRemove");
  } else if (wantsMissing && !probeOnly) {
    notes.push(`${api} has no callback for COPY/ZEROPAGE: a type outside mm/ cannot resolve MISSING faults with them`);
  }

  const allocFolioRefuses = !probeOnly && !copy && model.backing === "pagecache" && has("allocFolio");
  if (allocFolioRefuses) notes.push("alloc_folio: the type fills no page (no COPY/ZEROPAGE), but 7.1 calls ->alloc_folio() unchecked; the emitted one refuses (NULL, -ENOMEM)");

  // filemap_add_folio() charges memcg itself (mm/filemap.c); a charge in alloc_folio as well is a double charge.
  // A type's own add (shmem_add_to_page_cache) does not charge: alloc_folio does, as shmem's does.
  const addCharges = !!copy && model.backing !== "anon" && copy.filemapAdd === "filemap_add_folio";
  const memcgCharge = !copy ? "none" : addCharges ? "filemap_add_folio" : copy.alloc.chargeMemcg ? "alloc_folio" : "none";

  const { raise, silent } = lowerRaise(model, gen);
  const faultModes = model.modes.has("missing") || model.modes.has("minor");
  const guardAt = model.guard?.at ?? new Set<GuardCheckPoint>();
  const glue: Lowered["glue"] = probeOnly
    ? "none"
    : gen.coreDoUserfault
      ? guardAt.has("fault-handler")
        ? "guard"
        : "none"
      : raise === "handle_userfault" && faultModes
        ? "raise"
        : "none";
  if (!gen.coreDoUserfault && faultModes && raise === "none" && !probeOnly) {
    notes.push("fault.raise is none: registration works but no MISSING/MINOR event is ever delivered");
  }

  const kvmUserfault = model.kvmUserfault ? lowerKvmUserfault(model) : undefined;
  const window = lowerWindow(model, copy, roles, notes, getFolio, gfRole?.prototype.startsWith("int ") ?? false);
  // alloc_folio cannot say why it refuses (core turns NULL into -ENOMEM): with the
  // re-check in filemap_add the COPY path's shared-ness decision is made there only.
  const guardAtLowered = window && guardAt.has("alloc_folio") ? new Set([...guardAt].filter((p) => p !== "alloc_folio")) : guardAt;

  return {
    model,
    api,
    gen,
    probeOnly,
    roles,
    ...(getFolio ? { getFolio } : {}),
    ...(copy ? { copy } : {}),
    allocFolioRefuses,
    declared,
    ...(model.guard ? { guard: { shared: model.guard.shared, granularity: model.guard.granularity ?? DEFAULT_GRANULARITY, at: model.guard.at } } : {}),
    eofFirst: model.fault?.eofFirst ?? true,
    gmemFlags: gmemFlagsOf(model),
    memcgCharge,
    raise,
    ...(silent ? { silent } : {}),
    glue,
    guardAt: guardAtLowered,
    ...(window ? { window } : {}),
    typeFunctions: typeFunctions(model, getFolio, copy, roles),
    missingHelper,
    notes,
    ...(kvmUserfault ? { kvmUserfault } : {}),
    testObject: testObjectOf(model),
    objectOps: objectOpsOf(model),
    ...kconfigOf(model),
    ...standInOf(model),
    modular: model.modular ?? false,
    module: moduleOf(model),
    wpMarkers: model.wpMarkers ?? false,
    populateByWrite: model.populateByWrite ?? false,
    pages: model.run.pages ?? DEFAULT_PAGES,
    series: seriesOf(model),
  };
}

/** The selftests' mapping, in pages, when run.pages is not given. */
const DEFAULT_PAGES = 8;

/** The one default of `module`: KVM's types are built into kvm, any other into a module of the type's name. */
function moduleOf(model: Model): string {
  return model.module ?? (/^KVM\b/.test(model.subsystem) ? "kvm" : model.name);
}

/** The one default of each `series` field. */
function seriesOf(model: Model): SeriesLowered {
  const s = model.series;
  return {
    ...(s.title !== undefined ? { title: s.title } : {}),
    ...(s.blurb !== undefined ? { blurb: s.blurb } : {}),
    version: s.version ?? 1,
    rfc: s.rfc ?? false,
    ...(s.base !== undefined ? { base: s.base } : {}),
    coDevelopedBy: s.coDevelopedBy ?? [],
    changelog: s.changelog ?? [],
  };
}

/**
 * guard.recheck, when it can hold: a page-granular guard and a filemap_add
 * callback to re-check in. Otherwise a note says why it has no place (rule R64
 * makes the same point a positioned finding).
 */
function lowerWindow(model: Model, copy: Lowered["copy"], roles: ReadonlySet<CallbackRole>, notes: string[], gf: Lowered["getFolio"], intGetFolio: boolean): WindowClose | undefined {
  const g = model.guard;
  if (!g?.recheck) return undefined;
  if ((g.granularity ?? DEFAULT_GRANULARITY) !== "page" || !roles.has("filemapAdd") || copy?.filemapAdd !== "filemap_add_folio") {
    notes.push("guard.recheck: the re-check needs a per-page guard and a filemap_add that calls filemap_add_folio(); this type has no such place for it");
    return undefined;
  }
  if (g.at.has("alloc_folio")) notes.push(`alloc_folio: the shared-ness check moved into filemap_add, under the invalidate lock, where a refusal can say -EACCES (NULL from alloc_folio only says -ENOMEM)`);
  const lookupLocked = roles.has("getFolio") && g.at.has("get_folio") && !intGetFolio && gf?.strategy === "lookup" && gf.lookup === "filemap_lock_folio" && gf.absent !== "null";
  return { at: "filemap_add", lock: "invalidate_lock", order: g.recheck.order ?? "lock-then-add", errno: "EACCES", shared: g.shared, lookupLocked };
}

/** The one default of run.ops: what the spec says, else all for a kind uffdkit knows, none for one it does not. */
function objectOpsOf(model: Model): Lowered["objectOps"] {
  const given = model.spec.run?.ops;
  if (given) return { ops: OBJECT_OPS.filter((o) => given.includes(o)), declared: true };
  const k = testObjectOf(model).kind;
  const known = k === "memfd" || k === "memfd-hugetlb" || k === "guest_memfd" || k === "anon";
  return { ops: known ? [...OBJECT_OPS] : [], declared: false };
}

/** The one default of `kconfig`: what the spec says, else the known kind's option by file. */
function kconfigOf(model: Model): { kconfig?: NonNullable<Lowered["kconfig"]> } {
  const given = model.spec.kconfig;
  if (given) return { kconfig: { symbol: given.symbol, type: given.type, also: [], defaulted: false } };
  const known = KIND_KCONFIG[model.targetFile];
  return known ? { kconfig: { symbol: known.symbol, type: known.type, also: known.also ?? [], defaulted: true } } : {};
}

function lowerKvmUserfault(model: Model): KvmUserfaultLowered {
  const k = model.kvmUserfault!;
  const fill: KvmUserfaultLowered["fill"] =
    model.modes.has("missing") && model.ioctls.has("copy")
      ? "copy"
      : model.modes.has("minor") && model.ioctls.has("continue") && model.backing !== "anon"
        ? "continue"
        : "write";
  // The VMM's clear defaults to a store-release: the pairing Oliver Upton asked for on KVM Userfault v3 04/15.
  const userspaceStore = k.userspaceStore ?? "release";
  return { bitmapLoad: k.bitmapLoad, userspaceStore, paired: k.bitmapLoad === "acquire" && userspaceStore === "release", fill };
}

/** guest_memfd needs MMAP to be mapped at all and INIT_SHARED to be faulted (the guest_memfd INIT_SHARED thread): the default flags. */
function gmemFlagsOf(model: Model): GmemFlag[] {
  const given = model.run.gmemFlags;
  return given?.length ? [...given] : ["mmap", "init_shared"];
}

/** A declared get_folio, every field the spec left out taken from DEFAULT_GET_FOLIO. */
function fillGetFolio(g: GetFolioSpec): GetFolioModel {
  const d = DEFAULT_GET_FOLIO;
  return {
    strategy: g.strategy,
    lookup: g.lookup ?? d.lookup,
    ...(g.helper !== undefined ? { helper: g.helper } : {}),
    locked: g.locked ?? d.locked,
    referenced: g.referenced ?? d.referenced,
    notUptodate: g.notUptodate,
    absent: g.absent ?? d.absent,
    putOnEarlyReturn: g.putOnEarlyReturn ?? d.putOnEarlyReturn,
  };
}

/** A declared copy, every field the spec left out taken from DEFAULT_COPY. */
function fillCopy(c: CopySpec): CopyModel {
  const d = DEFAULT_COPY;
  return {
    alloc: {
      strategy: c.alloc.strategy,
      ...(c.alloc.helper !== undefined ? { helper: c.alloc.helper } : {}),
      ...(c.alloc.info !== undefined ? { info: c.alloc.info } : {}),
      ...(c.alloc.policy !== undefined ? { policy: { ...c.alloc.policy } } : {}),
      eofCheck: c.alloc.eofCheck ?? d.alloc.eofCheck,
      chargeMemcg: c.alloc.chargeMemcg ?? d.alloc.chargeMemcg,
    },
    ...(c.prepare !== undefined ? { prepare: c.prepare } : {}),
    ...(c.unprepare !== undefined ? { unprepare: c.unprepare } : {}),
    ...(c.freeFolio !== undefined ? { freeFolio: c.freeFolio } : {}),
    filemapAdd: c.filemapAdd ?? d.filemapAdd,
    ...(c.typeAdd !== undefined ? { typeAdd: { ...c.typeAdd } } : {}),
    filemapRemove: c.filemapRemove ?? d.filemapRemove,
    ...(c.unaccount !== undefined ? { unaccount: c.unaccount } : {}),
    export: c.export ?? d.export,
  };
}

/**
 * The one default of run.object: the file says which kind the type is (shmem,
 * hugetlbfs, guest_memfd, anonymous memory); any other type is a device node
 * at /dev/<module>, as a driver's own test opens it.
 */
export function testObjectOf(model: Model): TestObject {
  const o = model.run.object;
  const gmemFlags = gmemFlagsOf(model);
  if (o) {
    if (o.kind === "chardev") return { kind: "chardev", path: o.path ?? `/dev/${moduleOf(model)}` };
    if (o.kind === "guest_memfd") return { kind: "guest_memfd", flags: [...gmemFlags] };
    // A missing syscall/dir is rule S12's finding; lowering never refuses.
    if (o.kind === "syscall") return { kind: "syscall", name: o.syscall ?? "", nr: o.nr ?? -1, args: [...(o.args ?? [])] };
    if (o.kind === "file") return { kind: "file", dir: o.dir ?? "", ...(o.magic !== undefined ? { magic: o.magic } : {}) };
    return { kind: o.kind };
  }
  if (model.backing === "anon") return { kind: "anon" };
  if (model.targetFile === KIND_FILES.shmem) return { kind: "memfd" };
  if (model.targetFile === KIND_FILES.hugetlb || model.backing === "hugetlb") return { kind: "memfd-hugetlb" };
  if (model.targetFile === KIND_FILES.guest_memfd) return { kind: "guest_memfd", flags: [...gmemFlags] };
  return { kind: "chardev", path: `/dev/${moduleOf(model)}` };
}

/** The kind run.kernelKind maps the type onto, when that kind is not the type itself. */
function standInOf(model: Model): { standIn?: { kind: string; type: string } } {
  const kind = model.run.kernelKind;
  if (!kind) return {};
  const own = testObjectOf(model).kind;
  const same = (kind === "shmem" && own === "memfd") || (kind === "hugetlb" && own === "memfd-hugetlb") || (kind === "guest_memfd" && own === "guest_memfd") || (kind === "anon" && own === "anon");
  return same ? {} : { standIn: { kind, type: model.name } };
}

/**
 * The one default of fault.raise: core where the generation has
 * __do_userfault(), else the type's own handle_userfault() only when the spec
 * asks for it; "core" on a generation without it raises nothing.
 */
function lowerRaise(model: Model, gen: ApiGeneration): { raise: Raise; silent?: Silent } {
  // Anonymous and hugetlb faults are raised by core's own paths (do_anonymous_page(), hugetlb_fault()).
  if (model.backing !== "pagecache") return { raise: "core" };
  const asked = model.fault?.raise;
  if (asked === undefined) return gen.coreDoUserfault ? { raise: "core" } : { raise: "none", silent: "no-fault-block" };
  if (asked === "core" && !gen.coreDoUserfault) return { raise: "none", silent: "core-without-do-userfault" };
  if (asked === "none") return { raise: "none", silent: "declared-none" };
  return { raise: asked };
}

function typeFunctions(model: Model, gf: Lowered["getFolio"], cp: Lowered["copy"], roles: ReadonlySet<CallbackRole>): TypeFunction[] {
  const out: TypeFunction[] = [];
  const add = (t: TypeFunction) => {
    if (!out.some((o) => o.name === t.name)) out.push(t);
  };
  const guard = model.guard;
  if (guard) {
    const page = (guard.granularity ?? DEFAULT_GRANULARITY) === "page";
    add({
      name: guard.shared,
      proto: page ? "bool NAME(struct inode *inode, pgoff_t index)" : "bool NAME(struct inode *inode)",
      role: page ? "guard-page" : "guard-inode",
      path: "guard.shared",
    });
  }
  if (gf?.strategy === "lookup-or-create" && gf.helper) {
    add({ name: gf.helper, proto: "struct folio *NAME(struct inode *inode, pgoff_t index)", role: "get-or-create", path: "getFolio.helper" });
  }
  if (cp?.alloc.strategy === "helper" && cp.alloc.helper && model.backing !== "anon") {
    add(
      cp.alloc.info
        ? { name: cp.alloc.helper, proto: "struct folio *NAME(gfp_t gfp, int order, struct uk_info *info, pgoff_t index)", role: "alloc", path: "copy.alloc.helper" }
        : { name: cp.alloc.helper, proto: "struct folio *NAME(struct inode *inode, pgoff_t index)", role: "alloc", path: "copy.alloc.helper" },
    );
    if (cp.alloc.info) add({ name: cp.alloc.info, proto: "struct uk_info *NAME(struct inode *inode)", role: "info", path: "copy.alloc.info" });
  }
  if (cp?.alloc.strategy === "shared-policy" && cp.alloc.policy && model.backing !== "anon") {
    add({ name: cp.alloc.policy.info, proto: "struct uk_info *NAME(struct inode *inode)", role: "info", path: "copy.alloc.policy.info" });
  }
  const ta = cp?.filemapAdd === "type" ? cp.typeAdd : undefined;
  if (ta) {
    add({ name: ta.add, proto: "int NAME(struct folio *folio, struct address_space *mapping, pgoff_t index, void *expected, gfp_t gfp)", role: "type-add", path: "copy.typeAdd.add" });
    if (ta.accountBlocks) add({ name: ta.accountBlocks, proto: "int NAME(struct inode *inode, long pages)", role: "account", path: "copy.typeAdd.accountBlocks" });
    if (ta.recalc) add({ name: ta.recalc, proto: "void NAME(struct inode *inode, long alloced, long swapped)", role: "recalc", path: "copy.typeAdd.recalc" });
  }
  if (cp?.prepare && (roles.has("filemapAdd") || roles.has("copy"))) {
    add({ name: cp.prepare, proto: prepareProto(cp), role: "prepare", path: "copy.prepare" });
    if (cp.unprepare) add({ name: cp.unprepare, proto: UNPREPARE_PROTO, role: "unprepare", path: "copy.unprepare" });
  }
  if (cp?.freeFolio && (roles.has("filemapRemove") || roles.has("copy"))) add({ name: cp.freeFolio, proto: FREE_FOLIO_PROTO, role: "free-folio", path: "copy.freeFolio" });
  if (cp?.unaccount && (roles.has("filemapRemove") || roles.has("copy"))) add({ name: cp.unaccount, proto: "void NAME(struct inode *inode)", role: "unaccount", path: "copy.unaccount" });
  return out;
}

/**
 * copy.prepare's prototype: with an undo it can fail and gets the inode (to
 * account); the old form without one is `void fn(struct folio *)` (R65).
 */
export function prepareProto(cp: { readonly unprepare?: string }): string {
  return cp.unprepare ? "int NAME(struct inode *inode, struct folio *folio)" : "void NAME(struct folio *folio)";
}
export const UNPREPARE_PROTO = "void NAME(struct inode *inode, struct folio *folio)";
/** address_space_operations.free_folio (include/linux/fs.h). */
export const FREE_FOLIO_PROTO = "void NAME(struct folio *folio)";

/** Where gen writes a generation's C, relative to out/<name>/ (scenarios.json sits there too). */
export function kernelFilePath(name: string, api: ApiGenerationId): string {
  return `kernel/${api}/${name}_uffd.c`;
}
