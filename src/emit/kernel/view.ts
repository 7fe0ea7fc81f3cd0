/**
 * Model + API generation → the view the kernel templates render. All decisions
 * live here (which callbacks exist, which strategy body, which guard at which
 * point); the templates only lay out C. Every name from the spec passes cIdent
 * here, and the templates pass them through {{id}} again.
 */
import { GENERATIONS, type ApiGeneration, type ApiGenerationId, type CallbackRole } from "../../kernel/generations.js";
import { ioctlMacro } from "../../kernel/uapi.js";
import type { GuardCheckPoint, Model } from "../../model/model.js";
import { FREE_FOLIO_PROTO, prepareProto, UNPREPARE_PROTO, type CopyModel, type GetFolioModel, type Lowered } from "../../lower/index.js";
import type { Ioctl, Mode } from "../../spec/types.js";
import { cIdent } from "../../kernel/cident.js";
import { definitionHead, initializers, parsePrototype, type Prototype } from "./format.js";

/** The generations' C spelling of registration modes (VM_UFFD_*). */
const MODE_FLAG: Record<Mode, string> = { missing: "VM_UFFD_MISSING", wp: "VM_UFFD_WP", minor: "VM_UFFD_MINOR" };
const MODE_ORDER: readonly Mode[] = ["missing", "wp", "minor"];
const IOCTL_ORDER: readonly Ioctl[] = ["copy", "zeropage", "move", "writeprotect", "continue", "poison"];

/** The parameter names each callback body is written against; checked against generations.ts. */
const BODY_PARAMS: Record<CallbackRole, Record<string, readonly string[]>> = {
  canUserfault: { ptr: ["vma", "vm_flags"] },
  getFolio: { ptr: ["inode", "pgoff"], int: ["inode", "pgoff", "folio"] },
  allocFolio: { ptr: ["vma", "addr"] },
  filemapAdd: { ptr: ["folio", "vma", "addr"] },
  filemapRemove: { ptr: ["folio", "vma"] },
  copy: { ptr: ["dst_pmd", "dst_vma", "dst_addr", "src_addr", "flags", "foliop"] },
};

/** uffdkit's own prototypes for static helpers that peterx-v1's uffd_copy calls (not ops members there). */
const V1_HELPER_PROTOS = {
  allocFolio: "struct folio *NAME(struct vm_area_struct *vma, unsigned long addr)",
  filemapAdd: "int NAME(struct folio *folio, struct vm_area_struct *vma, unsigned long addr)",
  filemapRemove: "void NAME(struct folio *folio, struct vm_area_struct *vma)",
} as const;

export class KernelEmitError extends Error {
  constructor(message: string, readonly path?: string) {
    super(message);
  }
}

export interface GuardView {
  readonly fn: string;
  readonly page: boolean;
}

export interface KernelView {
  readonly api: ApiGenerationId;
  readonly gen: ApiGeneration;
  readonly name: string;
  readonly vmOps: string;
  readonly opsName: string;
  readonly opsType: string;
  readonly hookMember: string;
  readonly guard?: GuardView;
  readonly canUserfault?: object;
  readonly getFolio?: object;
  readonly allocFolio?: object;
  readonly filemapAdd?: object;
  readonly filemapRemove?: object;
  readonly copy?: object;
  readonly glue?: { readonly fn: string; readonly handler: string; readonly view: object; readonly gmem: boolean };
  readonly opsInit: string;
  readonly notes: readonly string[];
  /** Names the spec refers to that the type must define (for the compile-only stubs). */
  readonly typeFunctions: readonly { readonly name: string; readonly proto: string }[];
  /** The type's inode info as the compile check's stubs stand it in (the fields the C takes). */
  readonly typeInfo?: { readonly fields: readonly string[] };
  readonly usesSharedPolicy: boolean;
  readonly usesMemcg: boolean;
  readonly usesHighmem: boolean;
  readonly includes: readonly string[];
  readonly exports: readonly { readonly file: string; readonly symbol: string; readonly line: string; readonly include?: string }[];
}

function memberOf(gen: ApiGeneration, role: CallbackRole) {
  return gen.callbacks.find((c) => c.role === role);
}

/** The callback's prototype from generations.ts, with its parameter names checked against the body's. */
function protoFor(gen: ApiGeneration, role: CallbackRole, style: "ptr" | "int" = "ptr"): Prototype {
  const cb = memberOf(gen, role);
  if (!cb) throw new KernelEmitError(`${gen.id} has no ${role} member`);
  const proto = parsePrototype(cb.prototype);
  const want = BODY_PARAMS[role][style] ?? [];
  const got = proto.params.map((p) => p.name);
  if (want.join(",") !== got.join(",")) {
    throw new KernelEmitError(
      `uffdkit bug: ${gen.id} ${cb.member} parameters are (${got.join(", ")}) but the body is written for (${want.join(", ")})`,
    );
  }
  return proto;
}

/** The guard at a check point, as lowered (lower may move a point: guard.recheck takes alloc_folio's). */
function guardFor(low: Lowered, point: GuardCheckPoint): GuardView | undefined {
  const g = low.guard;
  if (!g || !low.guardAt.has(point)) return undefined;
  return { fn: cIdent(g.shared, "guard.shared"), page: g.granularity === "page" };
}

function guardCall(g: GuardView, inode: string, pgoff: string): string {
  return g.page ? `${g.fn}(${inode}, ${pgoff})` : `${g.fn}(${inode})`;
}

/** What every section of the view reads, and what the sections add to as they go. */
interface Ctx {
  readonly model: Model;
  readonly api: ApiGenerationId;
  readonly gen: ApiGeneration;
  readonly low: Lowered;
  readonly names: Readonly<Record<"ops" | "canUserfault" | "getFolio" | "allocFolio" | "filemapAdd" | "filemapRemove" | "copy" | "fault", string>>;
  readonly notes: string[];
  readonly typeInfoFields: string[];
  readonly addTypeFn: (fn: string, proto: string) => void;
  readonly modes: Model["modes"];
  readonly ioctls: Model["ioctls"];
  readonly intStyle: boolean;
  readonly fileBacked: boolean;
}

/** The copy side's views (alloc_folio, filemap_add, filemap_remove, v1's uffd_copy). */
interface CopySide {
  readonly allocFolio?: object;
  readonly filemapAdd?: object;
  readonly filemapRemove?: object;
  readonly copy?: object;
  readonly cp?: CopyModel;
  readonly hasAllocMember: boolean;
}

/** The kernel C of one lowering: model and generation are the lowering's own, so nothing lowers again. */
export function buildView(lowered: Lowered): KernelView {
  const { model, api } = lowered;
  const gen = GENERATIONS[api];
  const low = lowered;
  const name = cIdent(model.name, "name");
  // Anonymous memory has no vm_operations_struct: core picks its ops (anon_uffd_ops).
  const vmOps = model.vmOps ? cIdent(model.vmOps, "vmOps") : "";
  const cn = model.cnames;
  const names = {
    ops: cIdent(cn.ops, "name"),
    canUserfault: cIdent(cn.canUserfault, "name"),
    getFolio: cIdent(cn.getFolio, "name"),
    allocFolio: cIdent(cn.allocFolio, "name"),
    filemapAdd: cIdent(cn.filemapAdd, "name"),
    filemapRemove: cIdent(cn.filemapRemove, "name"),
    copy: cIdent(cn.copy, "name"),
    fault: cIdent(cn.faultGlue, "name"),
  };
  const notes: string[] = [...low.notes];
  const typeFunctions: { name: string; proto: string }[] = [];
  const typeInfoFields: string[] = [];
  const addTypeFn = (fn: string, proto: string) => {
    if (!typeFunctions.some((t) => t.name === fn)) typeFunctions.push({ name: fn, proto });
  };
  const modes = model.modes;
  const ioctls = model.ioctls;
  const intStyle = api === "peterx-v1" || api === "peterx-v4";
  const fileBacked = model.backing !== "anon";

  if (low.guard) {
    const g = low.guard;
    addTypeFn(
      cIdent(g.shared, "guard.shared"),
      g.granularity === "page" ? "bool NAME(struct inode *inode, pgoff_t index)" : "bool NAME(struct inode *inode)",
    );
  }

  const c: Ctx = { model, api, gen, low, names, notes, typeInfoFields, addTypeFn, modes, ioctls, intStyle, fileBacked };
  const { getFolio, gf, needGetFolio } = getFolioView(c);
  const side = copySideView(c);
  const { allocFolio, filemapAdd, filemapRemove, copy, cp } = side;
  const canUserfault = canUserfaultView(c);
  const glue = glueView(c, needGetFolio, gf);
  const opsInit = opsInitOf(c, { canUserfault, getFolio, copy }, side);
  const { includes, exports, usesSharedPolicy, usesMemcg, usesHighmem } = includesAndExports(c, side, gf);

  return {
    api,
    gen,
    name,
    vmOps,
    opsName: names.ops,
    opsType: gen.opsType,
    hookMember: gen.hookMember,
    ...(low.guard ? { guard: { fn: cIdent(low.guard.shared, "guard.shared"), page: low.guard.granularity === "page" } } : {}),
    ...(canUserfault ? { canUserfault } : {}),
    ...(getFolio ? { getFolio } : {}),
    ...(allocFolio ? { allocFolio } : {}),
    ...(filemapAdd ? { filemapAdd } : {}),
    ...(filemapRemove ? { filemapRemove } : {}),
    ...(copy ? { copy } : {}),
    ...(glue ? { glue } : {}),
    opsInit,
    notes,
    typeFunctions,
    ...(typeInfoFields.length ? { typeInfo: { fields: typeInfoFields } } : {}),
    usesSharedPolicy,
    usesMemcg,
    usesHighmem,
    includes,
    exports,
  };
}

/** get_folio_noalloc / minor_get_folio / uffd_get_folio. */
function getFolioView(c: Ctx): { getFolio?: object; gf?: GetFolioModel; needGetFolio: boolean } {
  const { model, gen, low, names, intStyle, addTypeFn } = c;
  const getFolioRole = memberOf(gen, "getFolio");
  const needGetFolio = !!getFolioRole && low.roles.has("getFolio");
  let getFolio: object | undefined;
  let gf: GetFolioModel | undefined;
  if (needGetFolio) {
    gf = low.getFolio!;
    const style = intStyle ? "int" : "ptr";
    const proto = protoFor(gen, "getFolio", style);
    const v = intStyle ? "found" : "folio";
    const absent = intStyle ? "-ENOENT" : gf.absent === "null" ? "NULL" : "ERR_PTR(-ENOENT)";
    const absentFromErr = intStyle ? `PTR_ERR(${v})` : gf.absent === "null" ? "NULL" : v;
    let helper: string | undefined;
    if (gf.strategy === "lookup-or-create") {
      if (!gf.helper) throw new KernelEmitError("getFolio.strategy is lookup-or-create but getFolio.helper is not set", "getFolio.helper");
      helper = cIdent(gf.helper, "getFolio.helper");
      addTypeFn(helper, "struct folio *NAME(struct inode *inode, pgoff_t index)");
    }
    const g = guardFor(low, "get_folio");
    const lockedLookup = !!g && !!low.window?.lookupLocked;
    getFolio = {
      fn: names.getFolio,
      head: definitionHead(proto, names.getFolio),
      member: getFolioRole.member,
      int: intStyle,
      out: intStyle ? "folio" : "",
      v,
      guard: g ? { call: guardCall(g, "inode", "pgoff"), fail: intStyle ? "-EACCES" : gf.absent === "null" ? "NULL" : "ERR_PTR(-EACCES)" } : false,
      // With the window closed under the invalidate lock (guard.recheck), the lookup's check is made, and the
      // folio taken, under that lock too, as guest_memfd's own fault path does (v8 01/46 kvm_gmem_fault_user_mapping()).
      guardLocked: lockedLookup,
      lookupLock: !lockedLookup && gf.strategy === "lookup" && gf.lookup === "filemap_lock_folio",
      lookupShmem: gf.strategy === "lookup" && gf.lookup === "shmem_get_folio",
      shmemOut: intStyle ? "folio" : "&folio",
      lookupEntry: gf.strategy === "lookup" && gf.lookup === "filemap_get_entry",
      create: gf.strategy === "lookup-or-create",
      helper: helper ?? "",
      absent,
      absentFromErr,
      putEarly: gf.putOnEarlyReturn,
      // shmem_get_folio(SGP_NOALLOC) already zero-fills a folio that is not up to date.
      nuMissing: gf.notUptodate === "missing" && gf.lookup !== "shmem_get_folio",
      nuZeroFill: gf.notUptodate === "zero-fill" && gf.lookup !== "shmem_get_folio",
      nuPresent: gf.notUptodate === "present",
      unlockBeforeReturn: !gf.locked,
      putBeforeReturn: !gf.referenced,
      contractKept: gf.strategy === "lookup" && gf.locked && gf.referenced,
      shmemNote: gf.lookup === "shmem_get_folio",
      returnDoc: intStyle
        ? "0 with *@folio set, or a negative errno (-ENOENT when absent)."
        : gf.absent === "null"
          ? "the folio, or NULL when it is absent."
          : "the folio, or ERR_PTR(-ENOENT) when it is absent.",
    };
  }
  return { ...(getFolio ? { getFolio } : {}), ...(gf ? { gf } : {}), needGetFolio };
}

/** The copy side: alloc_folio, filemap_add, filemap_remove and (v1) uffd_copy. */
function copySideView(c: Ctx): CopySide {
  const { model, gen, low, names, notes, addTypeFn, typeInfoFields, fileBacked } = c;
  let allocFolio: object | undefined;
  let filemapAdd: object | undefined;
  let filemapRemove: object | undefined;
  let copy: object | undefined;
  let cp: CopyModel | undefined;
  const hasAllocMember = !!memberOf(gen, "allocFolio");
  const hasCopyMember = !!memberOf(gen, "copy");
  const emitCopySide = !!low.copy;
  if (emitCopySide) {
    cp = low.copy!;
    const asMember = hasAllocMember;
    const allocProto = asMember ? protoFor(gen, "allocFolio") : parsePrototype(V1_HELPER_PROTOS.allocFolio);
    const a = cp.alloc;
    let helper: string | undefined;
    if (a.strategy === "helper") {
      if (!a.helper) throw new KernelEmitError("copy.alloc.strategy is helper but copy.alloc.helper is not set", "copy.alloc.helper");
      helper = cIdent(a.helper, "copy.alloc.helper");
      addTypeFn(helper, a.info ? "struct folio *NAME(gfp_t gfp, int order, void *info, pgoff_t index)" : "struct folio *NAME(struct inode *inode, pgoff_t index)");
    }
    // guest_memfd's form (rppt1313): the inode's shared policy, else the task's, into filemap_alloc_folio().
    const policy = a.strategy === "shared-policy" && a.policy && gen.filemapAllocMpol ? { info: cIdent(a.policy.info, "copy.alloc.policy.info"), field: cIdent(a.policy.field, "copy.alloc.policy.field") } : undefined;
    if (policy) {
      addTypeFn(policy.info, "struct uffdkit_type_info *NAME(struct inode *inode)");
      typeInfoFields.push(policy.field);
    }
    // SHMEM_I() is <linux/shmem_fs.h>'s; another type's accessor is its own.
    if (a.strategy === "helper" && a.info && a.info !== "SHMEM_I") addTypeFn(cIdent(a.info, "copy.alloc.info"), "struct uffdkit_type_info *NAME(struct inode *inode)");
    const g = guardFor(low, "alloc_folio");
    // Anonymous memory has no file to size or to take a policy from: allocate as anon does.
    const strategy = fileBacked ? a.strategy : "vma";
    if (strategy !== a.strategy) notes.push(`alloc_folio: backing is anon, so ${a.strategy} allocation becomes vma_alloc_folio()`);
    const eof = a.eofCheck && fileBacked;
    const needInode = fileBacked && (eof || !!g || strategy !== "vma");
    // peterx-v1: uffd_copy checks EOF itself and returns -EFAULT there, as shmem_mfill_atomic_pte() does.
    const eofInCopy = eof && hasCopyMember;
    allocFolio = {
      fn: names.allocFolio,
      head: definitionHead(allocProto, names.allocFolio),
      asMember,
      needInode,
      needPgoff: needInode && ((eof && !eofInCopy) || (!!g && g.page) || strategy === "helper" || !!policy),
      eof: eof && !eofInCopy,
      guard: g ? { call: guardCall(g, "inode", "pgoff") } : false,
      hasAdd: cp.filemapAdd !== "none" && fileBacked,
      mappingGfp: strategy === "mapping-gfp",
      mpolArg: gen.filemapAllocMpol,
      sharedPolicy: strategy === "shared-policy" && !policy,
      policyLookup: policy ?? false,
      helperInfo: strategy === "helper" && a.info ? cIdent(a.info, "copy.alloc.info") : "",
      vmaAlloc: strategy === "vma",
      helper: strategy === "helper" ? (helper ?? "") : "",
      charge: low.memcgCharge === "alloc_folio",
    };
    const steps = copyStepsView(c, cp, hasAllocMember, hasCopyMember);
    filemapAdd = steps.filemapAdd;
    filemapRemove = steps.filemapRemove;
    copy = steps.copy;
  }
  if (low.allocFolioRefuses) {
    // No fill, but 7.1 would call ->alloc_folio() through NULL on a COPY (R20): refuse it.
    allocFolio = { fn: names.allocFolio, head: definitionHead(protoFor(gen, "allocFolio"), names.allocFolio), asMember: true, refuse: true };
  }
  return { ...(allocFolio ? { allocFolio } : {}), ...(filemapAdd ? { filemapAdd } : {}), ...(filemapRemove ? { filemapRemove } : {}), ...(copy ? { copy } : {}), ...(cp ? { cp } : {}), hasAllocMember };
}

/** filemap_add, filemap_remove and (v1) uffd_copy, with the type's steps between alloc and install (prepare and its undo). */
function copyStepsView(c: Ctx, cp: CopyModel, hasAllocMember: boolean, hasCopyMember: boolean): { filemapAdd?: object; filemapRemove?: object; copy?: object } {
  const { model, api, gen, names, notes, addTypeFn, ioctls, fileBacked } = c;
  let filemapAdd: object | undefined;
  let filemapRemove: object | undefined;
  let copy: object | undefined;
  const prepare = cp.prepare ? cIdent(cp.prepare, "copy.prepare") : "";
  if (prepare) addTypeFn(prepare, prepareProto(cp));
  // The undo exists only with a prepare to undo; free_folio restores on removal when the type has it.
  const unprepare = prepare && cp.unprepare ? cIdent(cp.unprepare, "copy.unprepare") : "";
  if (unprepare) addTypeFn(unprepare, UNPREPARE_PROTO);
  const freeFolio = cp.freeFolio ? cIdent(cp.freeFolio, "copy.freeFolio") : "";
  if (freeFolio) addTypeFn(freeFolio, FREE_FOLIO_PROTO);
  const unaccount = cp.unaccount ? cIdent(cp.unaccount, "copy.unaccount") : "";
  if (unaccount) addTypeFn(unaccount, "void NAME(struct inode *inode)");
  const addMember = hasAllocMember && !!memberOf(gen, "filemapAdd");
  const ta = cp.filemapAdd === "type" ? cp.typeAdd : undefined;
  if (ta) {
    addTypeFn(cIdent(ta.add, "copy.typeAdd.add"), "int NAME(struct folio *folio, struct address_space *mapping, pgoff_t index, void *expected, gfp_t gfp)");
    if (ta.accountBlocks) addTypeFn(cIdent(ta.accountBlocks, "copy.typeAdd.accountBlocks"), "int NAME(struct inode *inode, long pages)");
    if (ta.recalc) addTypeFn(cIdent(ta.recalc, "copy.typeAdd.recalc"), "void NAME(struct inode *inode, long alloced, long swapped)");
  }
  if (fileBacked && (cp.filemapAdd === "filemap_add_folio" || ta)) {
    const recheck = recheckView(c.low);
    const proto = addMember ? protoFor(gen, "filemapAdd") : parsePrototype(V1_HELPER_PROTOS.filemapAdd);
    filemapAdd = {
      fn: names.filemapAdd,
      head: definitionHead(proto, names.filemapAdd),
      asMember: addMember,
      prepare,
      // With an undo, prepare can fail and gets the inode; every later failure undoes it.
      prepareCall: prepare ? (unprepare ? `${prepare}(inode, folio)` : `${prepare}(folio)`) : "",
      unprepare: unprepare ? `${unprepare}(inode, folio)` : "",
      unprepareFn: unprepare,
      needInode: !!unprepare || !!ta?.accountBlocks || !!ta?.recalc || !!recheck,
      needErr: !!ta || !!unprepare || !!recheck,
      // After a re-check removed the folio from the cache, free_folio undoes prepare when the type has it.
      unprepareOnRemove: !!unprepare && !freeFolio,
      // filemap_remove_folio() calls ->free_folio (mm/filemap.c filemap_free_folio()): that is the undo, once.
      unprepareByFreeFolio: !!unprepare && !!freeFolio && !!ta?.accountBlocks,
      generic: !ta,
      recheck,
      typeAdd: ta
        ? {
            add: cIdent(ta.add, "copy.typeAdd.add"),
            swapbacked: ta.swapbacked ?? false,
            account: ta.accountBlocks ? cIdent(ta.accountBlocks, "copy.typeAdd.accountBlocks") : "",
            recalc: ta.recalc ? cIdent(ta.recalc, "copy.typeAdd.recalc") : "",
            // 7.1: mfill_atomic_install_pte() no longer puts a page-cache folio on the LRU (installAddsLru).
            addLru: !gen.installAddsLru,
          }
        : false,
    };
  } else if (prepare && hasAllocMember) {
    notes.push(`copy.prepare (${prepare}) has no place without filemap_add in ${api}`);
  }
  if (fileBacked && cp.filemapRemove === "filemap_remove_folio") {
    const proto = addMember ? protoFor(gen, "filemapRemove") : parsePrototype(V1_HELPER_PROTOS.filemapRemove);
    filemapRemove = {
      fn: names.filemapRemove,
      head: definitionHead(proto, names.filemapRemove),
      asMember: addMember,
      unaccount: ta?.recalc ? "" : unaccount,
      // Without a free_folio hook, nothing else undoes prepare once the folio leaves the cache.
      unprepare: unprepare && !freeFolio ? `${unprepare}(inode, folio)` : "",
      freeFolio,
      needInode: (!ta?.recalc && !!unaccount) || !!ta?.recalc || (!!unprepare && !freeFolio),
      recalc: ta?.recalc ? cIdent(ta.recalc, "copy.typeAdd.recalc") : "",
      addFn: filemapAdd ? names.filemapAdd : "",
    };
  }
  if (hasCopyMember) {
    copy = {
      fn: names.copy,
      head: definitionHead(protoFor(gen, "copy"), names.copy),
      alloc: names.allocFolio,
      add: filemapAdd ? names.filemapAdd : "",
      remove: filemapRemove ? names.filemapRemove : "",
      prepare: filemapAdd ? "" : prepare,
      zeropage: ioctls.has("zeropage"),
      // A new page-cache folio goes on the LRU once: by filemap_add_folio(), or by the install (installAddsLru).
      newlyAllocated: !(filemapAdd && cp.filemapAdd === "filemap_add_folio"),
      eof: model.backing !== "anon" && cp.alloc.eofCheck,
    };
  }
  return { ...(filemapAdd ? { filemapAdd } : {}), ...(filemapRemove ? { filemapRemove } : {}), ...(copy ? { copy } : {}) };
}

/** can_userfault: the registration modes, and a guard checked at registration. */
function canUserfaultView(c: Ctx): object | undefined {
  const { model, api, gen, low, names, notes, modes } = c;
  let canUserfault: object | undefined;
  const cuMember = memberOf(gen, "canUserfault");
  if (cuMember) {
    const g = guardFor(low, "register");
    const declared = MODE_ORDER.filter((m) => modes.has(m));
    canUserfault = {
      fn: names.canUserfault,
      head: definitionHead(protoFor(gen, "canUserfault"), names.canUserfault),
      modeMask: declared.length < MODE_ORDER.length ? declared.map((m) => MODE_FLAG[m]).join(" | ") || "0" : "",
      guardInode: g && !g.page ? { fn: g.fn } : false,
      guardPage: g && g.page ? { fn: g.fn } : false,
      guard: !!g,
    };
  } else if (model.guard?.at.has("register")) {
    notes.push(`guard at register: ${api} has no registration callback, so the check has no place`);
  }
  return canUserfault;
}

/** The ->fault glue: core raises the fault (gmem: a guard only) or the type raises it itself. */
function glueView(c: Ctx, needGetFolio: boolean, gf: GetFolioModel | undefined): KernelView["glue"] {
  const { model, gen, low, names, modes, intStyle } = c;
  let glue: KernelView["glue"];
  const raisesItself = low.glue === "raise";
  const faultModes = modes.has("missing") || modes.has("minor");
  const handler = cIdent(model.fault?.handler ?? `${model.name}_fault`, "fault.handler");
  const faultGuard = guardFor(low, "fault-handler");
  if (gen.coreDoUserfault) {
    if (faultGuard && low.glue === "guard") {
      glue = { fn: names.fault, handler, gmem: true, view: { fn: names.fault, guard: { call: guardCall(faultGuard, "inode", "vmf->pgoff") } } };
    }
  } else if (raisesItself && faultModes) {
    const viaGetFolio = needGetFolio && gf !== undefined;
    glue = {
      fn: names.fault,
      handler,
      gmem: false,
      view: {
        fn: names.fault,
        guard: faultGuard ? { call: guardCall(faultGuard, "inode", "vmf->pgoff") } : false,
        missing: modes.has("missing"),
        minor: modes.has("minor"),
        viaGetFolio,
        viaGetFolioPtr: viaGetFolio && !intStyle,
        viaGetFolioInt: viaGetFolio && intStyle,
        getFolio: names.getFolio,
        unlock: viaGetFolio ? gf!.locked : false,
        put: viaGetFolio ? gf!.referenced : true,
        probeUptodate: !viaGetFolio,
        // shmem_get_folio_gfp() refuses an offset past EOF before any userfault (upstream order).
        eofFirst: low.eofFirst,
      },
    };
  }
  return glue;
}

/** The ops struct's initializers: features, ioctls and one row per callback the file defines. */
function opsInitOf(c: Ctx, v: { canUserfault?: object | undefined; getFolio?: object | undefined; copy?: object | undefined }, side: CopySide): string {
  const { gen, names, modes, ioctls } = c;
  const { canUserfault, getFolio, copy } = v;
  const { allocFolio, filemapAdd, filemapRemove, hasAllocMember } = side;
  const rows: { member: string; value: string }[] = [];
  if (gen.featuresMember) {
    const flags = MODE_ORDER.filter((m) => modes.has(m)).map((m) => MODE_FLAG[m]);
    rows.push({ member: gen.featuresMember, value: flags.join(" | ") || "0" });
  }
  if (gen.ioctlsMember) {
    const bits = IOCTL_ORDER.filter((i) => ioctls.has(i)).map((i) => `BIT(${ioctlMacro(i)})`);
    rows.push({ member: gen.ioctlsMember, value: bits.join(" | ") || "0" });
  }
  const fnFor: Partial<Record<CallbackRole, string | undefined>> = {
    canUserfault: canUserfault ? names.canUserfault : undefined,
    getFolio: getFolio ? names.getFolio : undefined,
    allocFolio: allocFolio && hasAllocMember ? names.allocFolio : undefined,
    filemapAdd: filemapAdd && hasAllocMember ? names.filemapAdd : undefined,
    filemapRemove: filemapRemove && hasAllocMember ? names.filemapRemove : undefined,
    copy: copy ? names.copy : undefined,
  };
  for (const cb of gen.callbacks) {
    const fn = fnFor[cb.role];
    if (fn) rows.push({ member: cb.member, value: fn });
  }
  return rows.length > 0 ? initializers(rows) : "";
}

/** The #includes the file needs, and the exports mm must add for a modular type. */
function includesAndExports(c: Ctx, side: CopySide, gf: GetFolioModel | undefined): Pick<KernelView, "includes" | "exports" | "usesSharedPolicy" | "usesMemcg" | "usesHighmem"> {
  const { model, gen, low, typeInfoFields } = c;
  const { allocFolio, filemapRemove, copy, cp } = side;
  const usesSharedPolicy = !!allocFolio && (allocFolio as { sharedPolicy: boolean }).sharedPolicy;
  const usesMemcg = low.memcgCharge === "alloc_folio" && !!allocFolio;
  const usesHighmem = !!copy;
  const includes = [`#include <${gen.header}>`];
  if (gen.header !== "linux/userfaultfd_k.h") includes.push("#include <linux/userfaultfd_k.h>");
  includes.push("#include <linux/pagemap.h>");
  if (usesHighmem) includes.push("#include <linux/highmem.h>");
  if (usesSharedPolicy || typeInfoFields.length) includes.push("#include <linux/mempolicy.h>");
  if (gf?.lookup === "shmem_get_folio" || (cp?.alloc.info === "SHMEM_I" && cp.alloc.strategy === "helper")) includes.push("#include <linux/shmem_fs.h>");
  if (usesMemcg) includes.push("#include <linux/memcontrol.h>");

  const exports: { file: string; symbol: string; line: string; include?: string }[] = [];
  // Exports serve the copy side only (filemap_remove_folio, the policy allocator); lowering decided the macro.
  const exp = cp ? cp.export : "none";
  if (exp !== "none") {
    const need: { file: string; symbol: string }[] = [];
    if (filemapRemove) need.push({ file: "mm/filemap.c", symbol: "filemap_remove_folio" });
    if (usesSharedPolicy) need.push({ file: "mm/mempolicy.c", symbol: "folio_alloc_mpol_noprof" });
    // handle_userfault() is never proposed for export: upstream designed that export away
    // (VM_FAULT_UFFD_*, then __do_userfault()); R35 says so instead.
    const module = cIdent(low.module, "module");
    for (const n of need) {
      exports.push(
        exp === "EXPORT_SYMBOL_FOR_KVM"
          ? { ...n, line: `EXPORT_SYMBOL_FOR_KVM(${n.symbol});`, include: "#include <linux/kvm_types.h>" }
          : { ...n, line: `EXPORT_SYMBOL_FOR_MODULES(${n.symbol}, "${module}");` },
      );
    }
  }
  return { includes, exports, usesSharedPolicy, usesMemcg, usesHighmem };
}

/**
 * The re-check block of filemap_add (lowered.window): the guard under the
 * mapping's invalidate_lock, taken shared, before the add (the fault path's
 * order) or, as a spec may get wrong, after it (R64).
 */
function recheckView(low: Lowered): object | false {
  const w = low.window;
  if (!w) return false;
  const g: GuardView = { fn: cIdent(w.shared, "guard.shared"), page: true };
  return { call: guardCall(g, "inode", "pgoff"), errno: `-${w.errno}`, beforeAdd: w.order === "lock-then-add", afterAdd: w.order === "add-then-lock" };
}
