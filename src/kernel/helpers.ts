/**
 * mm helpers whose prototype in the trees an API generation is cut from
 * differs from Linux 6.12 (Debian's linux-source-6.12, the tree the build
 * check uses). The build check's API header declares the generation's
 * prototype for the type's own file, so code written for that generation is
 * checked against what its tree really declares, not against 6.12.
 *
 * One entry per helper; each prototype cites where the change was made.
 */
import type { ApiGenerationId } from "./generations.js";
import type { SourceKey } from "./sources.js";

export interface ChangedHelper {
  /** What C code calls (often an alloc_hooks() wrapper macro). */
  readonly name: string;
  /** The function behind the name: the linker symbol the object refers to. */
  readonly symbol: string;
  /** `name` is a macro `alloc_hooks(symbol(...))` (memory allocation profiling, 6.10+). */
  readonly allocHooks: boolean;
  /** Linux 6.12's prototype of `symbol`, with NAME for the function name. */
  readonly base612: string;
  /** The changed prototype of `symbol`, with NAME for the function name. */
  readonly changed: string;
  /**
   * The 6.12 call a changed-prototype call becomes, in `changed`'s parameter
   * names, with NAME for `symbol`. Without CONFIG_NUMA 6.12 has no out-of-line
   * `symbol` to bind to (pagemap.h and gfp.h make it an inline or a macro), so
   * the API header wraps this call instead.
   */
  readonly base612Call: string;
  /** The generations whose base tree has the changed prototype. */
  readonly generations: readonly ApiGenerationId[];
  readonly source: SourceKey;
}

export const CHANGED_HELPERS: readonly ChangedHelper[] = [
  {
    // 6.13 dropped the last argument (unused since THP allocation moved out).
    name: "vma_alloc_folio",
    symbol: "vma_alloc_folio_noprof",
    allocHooks: true,
    base612: "struct folio *NAME(gfp_t gfp, int order, struct vm_area_struct *vma, unsigned long addr, bool hugepage)",
    changed: "struct folio *NAME(gfp_t gfp, int order, struct vm_area_struct *vma, unsigned long addr)",
    base612Call: "NAME(gfp, order, vma, addr, false)",
    generations: ["peterx-v1", "peterx-v4", "linux-7.1", "linux-7.1+gmem"],
    source: "vmaAllocFolioNoHugepage",
  },
  {
    // The guest_memfd NUMA series gave page-cache allocation a memory policy;
    // every other caller passes NULL. peterx-v1/v4 were cut from mm trees
    // before it reached mm (it went through kvm-x86).
    name: "filemap_alloc_folio",
    symbol: "filemap_alloc_folio_noprof",
    allocHooks: true,
    base612: "struct folio *NAME(gfp_t gfp, unsigned int order)",
    changed: "struct folio *NAME(gfp_t gfp, unsigned int order, struct mempolicy *policy)",
    base612Call: "NAME(gfp, order)",
    generations: ["linux-7.1", "linux-7.1+gmem"],
    source: "filemapAllocFolioMpol",
  },
];

/** The helpers whose prototype differs from 6.12 in a generation's tree. */
export function changedHelpers(api: ApiGenerationId): ChangedHelper[] {
  return CHANGED_HELPERS.filter((h) => h.generations.includes(api));
}

/**
 * Export macros a generation's tree has and 6.12 lacks. On 6.12 the build
 * check maps them to EXPORT_SYMBOL_GPL: the symbol becomes linkable from
 * modules, which is what modpost checks; the restriction to named modules is
 * not checked on 6.12.
 */
export interface ExportMacro {
  readonly macro: string;
  /** Its parameters, as the macro is used. */
  readonly params: string;
  readonly source: SourceKey;
}

export const EXPORT_MACROS_AFTER_612: readonly ExportMacro[] = [
  { macro: "EXPORT_SYMBOL_FOR_MODULES", params: "sym, mods", source: "exportForModules" },
  { macro: "EXPORT_SYMBOL_FOR_KVM", params: "sym", source: "ackerleyExportKvm" },
];

/**
 * Files whose memory type gained its vm_operations_struct (host mmap) after
 * 6.12: a series for such a type needs that change in its base first.
 */
export interface MmapPrerequisite {
  readonly file: string;
  readonly vmOps: string;
  readonly what: string;
  readonly source: SourceKey;
}

export const MMAP_PREREQUISITES: readonly MmapPrerequisite[] = [
  { file: "virt/kvm/guest_memfd.c", vmOps: "kvm_gmem_vm_ops", what: "guest_memfd host mmap() support (GUEST_MEMFD_FLAG_MMAP, Linux 6.18)", source: "kvmGmemMmap" },
];
