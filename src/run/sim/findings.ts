/**
 * Rule ids the simulator attaches to what it finds at run time, in one place.
 * Ids are those of the rule catalogue (src/rules, and the
 * review checklist C01–C22) whose prediction the run shows.
 */
export const RULE = {
  /** Shared-ness checked too early: a page private at fault time was served (Sean on v4 13/15). */
  privateFaultedIn: "R39",
  /** A folio mapped while not up to date: stale contents reach user space. */
  staleContents: "R40",
  /** get_folio_noalloc allocated, or returned a folio unlocked or without a reference. */
  getFolioContract: "R42",
  /** A lookup reference taken and never dropped (Peter Xu's filemap_get_entry remark on [PATCH 0/4] mm/userfaultfd: modulize memory types). */
  refLeak: "R43",
  /** filemap_add without its exact inverse on the error path. */
  filemapInverse: "R44",
  /** The generation has no __do_userfault(), so "core" raises nothing. */
  coreNeedsDoUserfault: "R55",
  /** Nothing raises MISSING/MINOR events for the type. */
  noRaise: "R56",
  /** COPY/ZEROPAGE reached a type whose vm_uffd_ops has no alloc_folio: 7.1 calls it unchecked. */
  nullAllocFolio: "R20",
} as const satisfies Record<string, string>;
