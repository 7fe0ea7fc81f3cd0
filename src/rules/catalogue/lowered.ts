/**
 * Rules judged on the lowered form (src/lower): what lowering could not make
 * concrete, and what the simulator finds when it runs the emitted C.
 */
import { ALL_GENS, type Rule } from "../types.js";

export const LOWERED_RULES: readonly Rule[] = [
  {
    id: "S10",
    title: "a strategy names no helper",
    severity: "error",
    kind: "spec",
    condition: "getFolio.strategy \"lookup-or-create\" or copy.alloc.strategy \"helper\" without the helper function it calls",
    predicts: "nothing can be emitted: the callback would call a function the spec does not name",
    applies: ALL_GENS,
    sources: [],
    judgeable: true,
    check: (_model, lowered) =>
      lowered.missingHelper.map((m) => ({
        path: m.path.split(".").slice(0, -1).join("."),
        message: `${m.strategy} calls the type's own helper, but ${m.path} is not set`,
        hint: m.hint,
      })),
    fix: "name the helper, or choose a strategy that needs none",
  },
  {
    id: "S11",
    title: "a page-cache or hugetlb type names its vm_operations_struct",
    severity: "error",
    kind: "spec",
    condition: "backing is pagecache or hugetlb and vmOps is not set",
    predicts: "nothing can be emitted: the ops have no vm_operations_struct to hook into",
    applies: ALL_GENS,
    sources: [],
    judgeable: true,
    check: (model) =>
      model.backing !== "anon" && !model.vmOps
        ? [{ path: "backing", message: `a ${model.backing} type hooks its vm_uffd_ops into its vm_operations_struct, but vmOps is not set`, hint: "set vmOps to the vm_operations_struct of the type's mappings (anonymous memory alone has none)" }]
        : [],
    fix: "set vmOps",
  },
  {
    id: "R64",
    title: "the re-check in filemap_add takes the invalidate lock in the fault path's order",
    severity: "error",
    kind: "kernel",
    condition:
      "guard.recheck takes the mapping's invalidate_lock after the folio is added (locked, in the page cache): the fault path takes mmap_lock (or the per-VMA lock) for read, then the invalidate lock shared, then the folio lock, and so does filemap_add with the re-check before the add; or the re-check has no place (no filemap_add calling filemap_add_folio(), or a guard that is not per page)",
    predicts:
      "an ABBA deadlock: COPY holds the folio lock and waits in down_read() behind a conversion queued in down_write(), which waits for a fault holding the lock shared, which waits for the folio lock; without a place for the re-check the alloc_folio → filemap_add window stays open",
    applies: ALL_GENS,
    appliesNote: "pending (in-place conversion)",
    sources: ["filemapLockOrder", "gmemInplaceV7", "seanToctouRef", "mfill71"],
    // No checklist tag: a spec without guard.recheck passes R64 vacuously, which says nothing about
    // C01/C15; those are judged by the executed C (the contract model checks the lock order) and by exploration.
    judgeable: true,
    check: (model, lowered) => {
      const r = model.guard?.recheck;
      if (!r) return [];
      if (!lowered.window) {
        return [{ path: "guard.recheck", message: "the re-check has no place: it needs a per-page guard and a filemap_add that adds with filemap_add_folio()", hint: "use granularity \"page\" and copy.filemapAdd \"filemap_add_folio\", or drop guard.recheck" }];
      }
      if (r.order === "add-then-lock") {
        return [
          {
            path: "guard.recheck.order",
            message:
              "the invalidate lock is taken after filemap_add_folio() has locked the folio and put it in the page cache: the fault path takes the invalidate lock first and the folio lock inside it, so a fault, a conversion waiting for write and this COPY can deadlock",
          },
        ];
      }
      return [];
    },
    fix: "`order: \"lock-then-add\"`: take filemap_invalidate_lock_shared(), check, filemap_add_folio(), unlock",
  },
  {
    id: "R58",
    title: "the emitted C breaks a kernel helper's contract",
    severity: "error",
    kind: "kernel",
    condition:
      "run time: an emitted callback, executed by the simulator, calls an mm helper against its contract (unlock of an unlocked folio, adding a locked folio, a double memcg charge, a put below zero, a user copy that may fault under the mmap lock) or returns what core does not accept",
    predicts: "VM_BUG_ON_FOLIO / BUG_ON / WARN or lockdep splats, a bad page state, or a deadlock on the real kernel",
    applies: ALL_GENS,
    sources: ["mmUserfaultfdMfill", "rppt0707", "rppt1010"],
    judgeable: false,
    fix: "fix the strategy or template the finding names; the finding gives the C file, line and helper",
  },
];
