/**
 * Rule ids the simulator attaches to what it finds at run time, in one place.
 * Ids follow vm_uffd_ops.md §6 where a rule there predicts the behaviour.
 */
export const RULE = {
  /** A folio left mapped while not up to date: stale contents reach user space. */
  staleContents: "R40",
  /** A page private at fault time was served (in-place conversion TOCTOU). */
  privateFaultedIn: "R39",
  /** get_folio_noalloc allocated: checklist item 4 (no dedicated §6 rule). */
  getFolioAllocates: undefined,
  /** A folio reference taken and never dropped (Peter's filemap_get_entry remark). */
  refLeak: "R43",
  /** CONTINUE/fault path found no folio where one was expected. */
  continueNoFolio: "R18",
} as const satisfies Record<string, string | undefined>;
