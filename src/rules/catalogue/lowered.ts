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
