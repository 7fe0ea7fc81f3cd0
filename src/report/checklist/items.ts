/**
 * The review checklist as data, one place: the review record of the
 * vm_uffd_ops series (each item cites its thread or patch) as C01–C22, the
 * remarks of the requesting threads that C01–C22 do not already carry as
 * C23–C27, and three process items from Documentation/process/submit-checklist.rst
 * and the series' review threads as P01–P03.
 *
 * Each item says when it applies to a declared type, where it comes from, and
 * which rules can verify it. Rules also name the items (1–22) they stand for
 * (Rule.checklist), so the verifier joins both; `rules` here adds the ones the
 * catalogue does not tag (e.g. kernel rules whose scenarios exercise the item).
 */
import type { SourceKey } from "../../kernel/sources.js";
import type { Model } from "../../model/model.js";
import type { Lowered, TypeFunctionRole } from "../../lower/index.js";

export interface ChecklistItem {
  readonly id: string;
  /** The item's number 1–22 for C01–C22, as rules tag it (Rule.checklist). */
  readonly section5?: number;
  readonly group: "review" | "seed" | "process";
  readonly title: string;
  /** What the reviewer checks, one or two sentences in our words. */
  readonly check: string;
  readonly sources: readonly SourceKey[];
  /** Extra citation text (seed file, §5 wording) beyond the source keys. */
  readonly cite?: string;
  /** Rules (besides those tagging this item) whose check or scenarios verify it. */
  readonly rules?: readonly string[];
  /** Does the item apply to this type? A string is the reason it does not. */
  /** Whether the item applies: what the spec declares (m), and what lowering decided (l) for defaults. */
  readonly applies: (m: Model, l: Lowered) => true | string;
  /** What a person must look at when no evidence settles it. */
  readonly human: string;
  /**
   * The item is about what the emitted callbacks do at run time (locks,
   * references, accounting, returns): executing the C on the simulator, every
   * branch run and no contract broken, is evidence for it.
   */
  readonly cPaths?: true;
  /**
   * Items that judge one concern from different sides (C01 where the check is
   * made, C15 that conversion is designed for) share it: what exploration
   * finds about the concern is evidence for every one of them, so none can be
   * verified while another's exploration refutes it.
   */
  readonly concern?: Concern;
  /**
   * The roles of the type's own functions (Lowered.typeFunctions) the item's
   * concern runs through. Evidence from the simulator (executed C, scenario
   * runs, exploration) for the item rests on them: when one of them ran as a
   * stand-in, that evidence does not verify the item. Absent on an item with
   * such evidence: the checklist cannot tell, so any stand-in counts.
   */
  readonly typeRoles?: readonly TypeFunctionRole[];
}

/** Concerns several items judge. */
export type Concern = "conversion-race";

/** What each concern is, for the checklist text. */
export const CONCERNS: Readonly<Record<Concern, string>> = {
  "conversion-race": "a page converted to private while a fault or a fill is in flight is never served",
};

// Which of the type's functions each item's concern runs through (lower/index.ts, typeFunctions);
// C02 (can_userfault's WP logic) and C03 (which modes are declared) run through none of them.
const GUARD: readonly TypeFunctionRole[] = ["guard-page", "guard-inode"];
const LOOKUP: readonly TypeFunctionRole[] = ["get-or-create"];
const ADD: readonly TypeFunctionRole[] = ["type-add", "account", "recalc", "prepare", "unprepare"];
const ADD_REMOVE: readonly TypeFunctionRole[] = [...ADD, "free-folio", "unaccount"];
const ALLOC: readonly TypeFunctionRole[] = ["alloc", "info"];

const isKvm = (m: Model) => /^KVM\b/.test(m.subsystem) || m.run.kernelKind === "guest_memfd";
const hasMissing = (m: Model) => m.modes.has("missing") || m.ioctls.has("copy") || m.ioctls.has("zeropage");
const hasMinor = (m: Model) => m.modes.has("minor") || m.ioctls.has("continue");
const is71 = (m: Model) => m.gen.id === "linux-7.1" || m.gen.id === "linux-7.1+gmem";

export const CHECKLIST_ITEMS: readonly ChecklistItem[] = [
  {
    id: "C01", section5: 1, group: "review", cPaths: true, concern: "conversion-race", typeRoles: GUARD,
    title: "Shared/private policy is decided at fault time, not in can_userfault",
    check: "Per-page or state-dependent policy (shared vs private) is checked where the page is served (get_folio_noalloc, the fault path, and COPY's alloc_folio, or filemap_add under the lock conversion takes), never only when the range is registered (TOCTOU), and no conversion fits between the check and the use.",
    sources: ["seanV4"],
    applies: (m) => (m.guard || isKvm(m) ? true : "the type declares no shared/private policy"),
    human: "Read can_userfault: it must not consult per-page state.",
  },
  {
    id: "C02", section5: 2, group: "review", typeRoles: [],
    title: "No driver-side PTE-marker or WP-config logic",
    check: "can_userfault does not re-implement uffd-wp PTE-marker or WP configuration checks; core handles them, and file WP needs markers even for MAP_PRIVATE.",
    sources: ["peterWpMarkers"],
    applies: (m) => (m.modes.has("wp") || m.ioctls.has("writeprotect") ? true : "no WP mode declared"),
    human: "Read can_userfault for uffd-wp or CONFIG_PTE_MARKER_UFFD_WP logic.",
  },
  {
    id: "C03", section5: 3, group: "review", typeRoles: [],
    title: "MISSING as well as MINOR when first touch must be trapped",
    check: "A MINOR-only type cannot trap pages that were never allocated; declare MISSING too if userspace must see first touch.",
    sources: ["nikitaMissingNeeded"],
    applies: (m) => (hasMinor(m) ? true : "no MINOR mode declared"),
    human: "Confirm with the users of the type (e.g. post-copy VMMs) that MINOR-only is enough.",
  },
  {
    id: "C04", section5: 4, group: "review", cPaths: true, typeRoles: LOOKUP,
    title: "get_folio_noalloc never allocates; returns locked and referenced",
    check: "The lookup for CONTINUE/MINOR never allocates and returns the folio locked and referenced, or ERR_PTR/NULL.",
    sources: ["rppt0808"],
    applies: (m) => (m.getFolio || hasMinor(m) ? true : "no folio lookup declared (no MINOR, no CONTINUE)"),
    human: "Read the lookup callback's body for allocation (FGP_CREAT, alloc helpers).",
  },
  {
    id: "C05", section5: 5, group: "review", cPaths: true, typeRoles: LOOKUP,
    title: "Lookup references are dropped on every path",
    check: "Every reference a lookup takes (filemap_get_entry returns a referenced folio) is dropped on every early return, value entries included.",
    sources: ["peterRefLeak", "rppt1212"],
    applies: (m) => (m.getFolio ? true : "no folio lookup declared"),
    human: "Walk each return path of the lookup and the fault glue for a missing folio_put().",
  },
  {
    id: "C06", section5: 6, group: "review", cPaths: true, typeRoles: LOOKUP,
    title: "A folio that is not up to date is MISSING, never mapped by MINOR/CONTINUE",
    check: "A cached folio that is not up to date is treated as absent, so MINOR/CONTINUE never maps stale memory; with allocation in the fault path MISSING must cover both !folio and !uptodate.",
    sources: ["peterUptodate"],
    applies: (m) => (m.getFolio || hasMinor(m) ? true : "no folio lookup declared"),
    human: "Check the lookup's handling of !folio_test_uptodate().",
  },
  {
    id: "C07", section5: 7, group: "review", cPaths: true, typeRoles: ADD_REMOVE,
    title: "filemap_remove is the exact inverse of filemap_add, accounting included",
    check: "Whatever filemap_add accounts (shmem: shmem_recalc_inode) filemap_remove undoes.",
    sources: ["peterRecalc"],
    applies: (m) => (m.copy && is71(m) ? true : "no COPY path with filemap_add/filemap_remove"),
    human: "Diff the two callbacks' side effects.",
  },
  {
    id: "C08", section5: 8, group: "review", cPaths: true, typeRoles: ADD,
    title: "filemap_add leaves the folio unlocked and out of the cache on failure",
    check: "On failure the folio is unlocked and not in the cache; on success it stays locked.",
    sources: ["rppt1010"],
    applies: (m) => (m.copy && is71(m) ? true : "no filemap_add callback"),
    human: "Read filemap_add's error path.",
  },
  {
    id: "C09", section5: 9, group: "review", cPaths: true, typeRoles: ALLOC,
    title: "alloc_folio returns NULL beyond EOF and charges memcg where needed",
    check: "No folio is allocated at or beyond i_size; the folio is charged to the faulting mm's memcg where the type requires it (shmem and anon do).",
    sources: ["rppt1010"],
    applies: (m) => (m.copy ? true : "no alloc_folio (no COPY/ZEROPAGE)"),
    human: "Decide whether the type's memory must be memcg-charged.",
  },
  {
    id: "C10", section5: 10, group: "review",
    title: "The member is alloc_folio, not folio_alloc",
    check: "folio_alloc is an alloc_tag macro; a member of that name clashes with it.",
    sources: ["rppt0909"],
    applies: (m) => (m.copy && is71(m) ? true : "no alloc_folio member in this API generation"),
    human: "uffdkit's emitter uses the generation's member name; check hand edits.",
  },
  {
    id: "C11", section5: 11, group: "review",
    title: "A module relies on no unexported mm helper",
    check: "folio_alloc_mpol, filemap_remove_folio and handle_userfault are not exported; request a narrow export or use exported helpers.",
    sources: ["nikitaExports", "rpptRfcNov"],
    applies: (_m, l) => (l.modular ? true : "the type is built into the kernel (modular: false)"),
    human: "Build the type as a module (=m) and look for undefined symbols at modpost.",
  },
  {
    id: "C12", section5: 12, group: "review",
    title: "KVM-only exports use EXPORT_SYMBOL_FOR_KVM()",
    check: "Prefer EXPORT_SYMBOL_FOR_KVM() from <linux/kvm_types.h> over an open-coded EXPORT_SYMBOL_FOR_MODULES(sym, \"kvm\").",
    sources: ["ackerleyExportKvm"],
    applies: (m, l) => (l.modular && isKvm(m) ? true : "no KVM-only export needed"),
    human: "Check the export patch's macro.",
  },
  {
    id: "C13", section5: 13, group: "review",
    title: "No page-table pointers through the ops",
    check: "The ops work in folios; no pmd/pte pointer is exposed to the type.",
    sources: ["liamPmd", "peterxV3"],
    applies: () => true,
    human: "Read the callbacks' prototypes.",
  },
  {
    id: "C14", section5: 14, group: "review",
    title: "Be ready to defend hanging the ops off vm_operations_struct",
    check: "Reviewers have asked whether the fault handler should pass the ops instead; the cover letter should say why the hook is where it is.",
    sources: ["willyOpsPlacement"],
    applies: () => true,
    human: "Say in the cover letter why the ops hang off the vm_operations_struct.",
  },
  {
    id: "C15", section5: 15, group: "review", concern: "conversion-race", typeRoles: GUARD,
    title: "In-place conversion is handled in the design now",
    check: "Shared/private conversion of guest_memfd memory is accounted for now (per-page shared-ness predicate), not deferred.",
    sources: ["seanV4"],
    rules: ["R39"],
    applies: (m) => (isKvm(m) ? true : "not a guest_memfd/KVM type"),
    human: "Check that the predicate is per page and is consulted at fault time.",
  },
  {
    id: "C16", section5: 16, group: "review",
    title: "No VMA state cached across callbacks (COPY retry)",
    check: "Callbacks may run after mfill dropped and re-took locks; nothing derived from the VMA is cached between calls.",
    sources: ["hotfixCopyRetry"],
    applies: (m) => (m.copy ? true : "no COPY path"),
    human: "Look for static or per-inode caches of VMA-derived values.",
  },
  {
    id: "C17", section5: 17, group: "review",
    title: "hugetlb stays out of the generic PTE-level ops",
    check: "hugetlb sets up its parent page-table entries differently and is kept out of the generic callbacks.",
    sources: ["rpptHugetlbOut"],
    applies: (m) => (m.backing === "hugetlb" ? true : "not a hugetlb-backed type"),
    human: "Confirm the type does not route hugetlb folios through PTE-level callbacks.",
  },
  {
    id: "C18", section5: 18, group: "review",
    title: "Special VMAs can never register",
    check: "VM_SPECIAL and VM_SHADOW_STACK VMAs must not be registerable even though the type provides ops.",
    sources: ["hardeningJun2026"],
    applies: () => true,
    human: "Check whether the type ever creates VM_PFNMAP/VM_IO mappings and that the base has the hardening.",
  },
  {
    id: "C19", section5: 19, group: "review",
    title: "Tested with quota and size= limits when accounting is touched",
    check: "When the callbacks touch accounting, test with quota and size= limits.",
    sources: ["peterRecalc"],
    cite: "Peter Xu on RFC 10/17",
    applies: (_m, l) => (l.declared.copy && (l.declared.copy.unaccount || l.declared.copy.alloc.chargeMemcg) ? true : "the type declares no accounting hook"),
    human: "Run the tests on a size-limited instance.",
  },
  {
    id: "C20", section5: 20, group: "review",
    title: "The core helper is __do_userfault(), with the mode checks inside",
    check: "The core fault-path helper is named __do_userfault() and contains the MISSING/MINOR mode checks.",
    sources: ["davidDoUserfault", "rppt1212"],
    applies: (m, l) => (m.gen.coreDoUserfault || l.silent === "core-without-do-userfault" ? true : "the type does not rely on core fault-path glue"),
    human: "Check the base carries __do_userfault() (the pending series).",
  },
  {
    id: "C21", section5: 21, group: "review",
    title: "KVM Userfault bitmap: load-acquire in KVM, store-release in userspace",
    check: "If the series touches KVM Userfault, the bitmap consumer uses a load-acquire to pair with userspace's store-release.",
    sources: ["oliverAcquire", "kvmUserfaultV3"],
    cite: "KVM Userfault v3 review, https://lore.kernel.org/r/aFMWQ5_zMXGTCE98@linux.dev",
    // Judged from what the spec declares (kvmUserfault, R59): a spec without it says nothing about the bitmap.
    applies: (m) => (m.kvmUserfault ? true : isKvm(m) ? "the spec declares no KVM Userfault (set kvmUserfault if the series touches it)" : "not a KVM type"),
    human: "Check the bitmap read in the posted KVM code matches kvmUserfault.bitmapLoad; the interleaving explorer, not a sequential run, shows the stale read.",
  },
  {
    id: "C22", section5: 22, group: "review",
    title: "No implicit user-visible side effects in ioctls",
    check: "Ioctls do not gain hidden effects (e.g. a stage-2 zap when USERFAULT is disabled).",
    sources: ["oliverSideEffects"],
    applies: (m) => (isKvm(m) ? true : "not a KVM type"),
    human: "Only if the series also touches KVM ioctls: list every side effect in the docs.",
  },
  {
    id: "C23", group: "seed",
    title: "No #ifdef CONFIG_USERFAULTFD around userfaultfd_k.h helpers",
    check: "<linux/userfaultfd_k.h> and helpers such as userfaultfd_minor() are defined for both configurations; wrapping them in #ifdef CONFIG_USERFAULTFD is noise reviewers ask to remove.",
    sources: ["peterxV1"],
    cite: "Peter Xu to Nikita Kalyazin, 25 Jun 2025, thread https://lore.kernel.org/r/20250620190342.1780170-1-peterx@redhat.com",
    applies: () => true,
    human: "grep the patch for #ifdef CONFIG_USERFAULTFD around the include and helper calls.",
  },
  {
    id: "C24", group: "seed",
    title: "MISSING is resolvable although core cannot prepare the type's pages",
    check: "UFFDIO_COPY fills pages in core, which cannot do type-specific preparation (e.g. direct-map removal); provide that step (copy.prepare) or resolve MISSING with write() followed by UFFDIO_CONTINUE.",
    sources: ["nikitaRfcMissing"],
    cite: "Nikita Kalyazin, RFC, Mar 2025, https://lore.kernel.org/r/20250303133011.44095-1-kalyazin@amazon.com",
    rules: ["R52"],
    applies: (m) => (m.modes.has("missing") ? true : "no MISSING mode declared"),
    human: "Confirm pages filled by COPY need no preparation the type normally does.",
  },
  {
    id: "C25", group: "seed", typeRoles: GUARD,
    title: "User faults only on shared memory; mmap-ability and shared-ness stay separate",
    check: "guest_memfd memory may be faulted (and userfaulted) only while shared (INIT_SHARED today); do not derive shared-ness from the MMAP flag.",
    sources: ["seanInitShared"],
    cite: "Sean Christopherson, Patrick Roy, Ackerley Tng, Sep 2025, https://lore.kernel.org/r/a4976f04-959d-48ae-9815-d192365bdcc6@linux.dev",
    rules: ["R38"],
    applies: (m) => (m.run.kernelKind === "guest_memfd" || isKvm(m) ? true : "not a guest_memfd type"),
    human: "Check the guard predicate reads shared-ness, not GUEST_MEMFD_FLAG_MMAP.",
  },
  {
    id: "C26", group: "seed",
    title: "Callbacks reuse the type's allocation path",
    check: "alloc_folio and get_folio_noalloc are built from the type's existing allocation helper (refactored out of e.g. kvm_gmem_get_folio) rather than new parallel functions.",
    sources: ["seanV4"],
    cite: "Ackerley Tng, 15 May 2026, https://lkml.iu.edu/hypermail/linux/kernel/2605.1/15714.html",
    applies: (m) => ((m.copy || m.getFolio) && isKvm(m) ? true : "no KVM allocation path to reuse"),
    human: "Compare the callbacks with the type's ->fault allocation.",
  },
  {
    id: "C27", group: "seed",
    title: "Return int 0/-errno, not a bool that means 'exit'",
    check: "A bool return where true means 'fail with -EFAULT' reads backwards; prefer int with 0 for success.",
    sources: ["oliverAcquire"],
    cite: "Oliver Upton on KVM Userfault v3 04/15, https://lore.kernel.org/r/aFMWQ5_zMXGTCE98@linux.dev",
    applies: (m) => (isKvm(m) ? true : "not a KVM type"),
    human: "Check new KVM helpers' return conventions.",
  },
  {
    id: "P01", group: "process",
    title: "checkpatch --strict is clean",
    check: "Every patch passes checkpatch.pl --strict with no errors or warnings (the MAINTAINERS notice for new files excepted).",
    sources: ["generalKnowledge"],
    cite: "Documentation/process/submit-checklist.rst; scripts/checkpatch.pl",
    applies: () => true,
    human: "Run scripts/checkpatch.sh on the series (uffdkit series does).",
  },
  {
    id: "P02", group: "process",
    title: "Builds with CONFIG_USERFAULTFD=y and =n, as built-in and as a module",
    check: "Each patch builds with the option on and off (and the type =m when modular), so the series bisects.",
    sources: ["generalKnowledge"],
    cite: "Documentation/process/submit-checklist.rst",
    applies: () => true,
    human: "Build each patch in the relevant configurations.",
  },
  {
    id: "P03", group: "process",
    title: "Existing uffd selftests still pass; skips explained",
    check: "uffd-unit-tests (and uffd-wp-mremap) keep passing next to the new tests; the cover letter says what was tested and what was skipped.",
    sources: ["utUffdUnit"],
    cite: "tools/testing/selftests/mm/uffd-unit-tests.c, uffd-wp-mremap.c",
    applies: () => true,
    human: "Run tools/testing/selftests/mm/uffd-unit-tests on the patched kernel.",
  },
];
