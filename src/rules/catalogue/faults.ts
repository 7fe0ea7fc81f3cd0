/**
 * Rules of the fault path and guards (handle_userfault()'s callers, the pending __do_userfault(), guest_memfd).
 */
import type { GuardCheckPoint, Model } from "../../model/model.js";
import { ALL_GENS, GENS_71, listPath, type Finding, type Rule } from "../types.js";

const FAULT_TIME: readonly GuardCheckPoint[] = ["fault-handler", "alloc_folio", "get_folio"];

/** Does the type allocate in ->fault, so that first touch must be trapped as MISSING? */
function needsFirstTouch(m: Model): boolean {
  return m.run.kernelKind === "guest_memfd" || m.getFolio?.strategy === "lookup-or-create";
}

export const FAULT_RULES: readonly Rule[] = [
  {
    id: "R35",
    title: "a module cannot call handle_userfault()",
    severity: "error",
    kind: "kernel",
    condition: "a modular type raises MISSING/MINOR by calling handle_userfault() from its own ->fault",
    predicts: "link failure: handle_userfault is not exported to modules (modpost: undefined symbol)",
    applies: ALL_GENS,
    appliesNote: "7.1 (no generation exports it)",
    sources: ["rpptRfcNov"],
    checklist: [11],
    judgeable: true,
    check: (m, lowered) =>
      lowered.raise === "handle_userfault" && m.fault && lowered.modular && !m.gen.handleUserfaultExported
        ? [{ path: "fault.raise", message: `${m.fault.handler}() calls handle_userfault(), which is not exported to modules: the module fails to link` }]
        : [],
    fix: "target linux-7.1+gmem and use `fault: { raise: \"core\" }` (__do_userfault() raises the events), or build the type into the kernel",
  },
  {
    id: "R36",
    title: "MINOR-only registration does not trap first touch",
    severity: "warning",
    kind: "kernel",
    condition: "MINOR-only registration and a page the cache does not hold",
    predicts: "no event: ->fault allocates the page normally, and userspace never sees the first access",
    applies: ALL_GENS,
    appliesNote: "pending (v2 patch 12); the same holds for a type raising MINOR itself",
    sources: ["rppt1212", "nikitaMissingNeeded"],
    checklist: [3],
    judgeable: true,
    check: (m) => {
      if (!m.modes.has("minor") || m.modes.has("missing")) return [];
      const path = listPath(m, "features", "minor");
      return needsFirstTouch(m)
        ? [{ path, message: "MINOR-only: a first access to a page that is not yet in the cache raises no event, ->fault allocates it; post-copy cannot intercept first touch (Nikita, Dec 2025)" }]
        : [{ path, severity: "info", message: "MINOR-only: first accesses to pages not in the cache are not trapped" }];
    },
    fix: "add \"missing\" to `features` (with COPY/ZEROPAGE or write()+CONTINUE to resolve it)",
  },
  {
    id: "R37",
    title: "a present page on a MISSING-only registration",
    severity: "info",
    kind: "kernel",
    condition: "the page is in the cache and the VMA is registered MISSING only",
    predicts: "no event; ->fault maps the page normally",
    applies: ALL_GENS,
    appliesNote: "pending (v2 patch 12)",
    sources: ["rppt1212"],
    judgeable: false,
    fix: "register MINOR as well to see accesses to present pages",
  },
  {
    id: "R38",
    title: "guest_memfd without INIT_SHARED cannot userfault",
    severity: "warning",
    kind: "kernel",
    condition: "guest_memfd created without GUEST_MEMFD_FLAG_INIT_SHARED",
    predicts: "can_userfault is false (REGISTER -EINVAL, v2); user faults SIGBUS in any case (6.18)",
    applies: ALL_GENS,
    appliesNote: "pending / 6.18",
    sources: ["seanInitShared", "rppt1313", "abi618"],
    judgeable: true,
    check: (m, lowered) => {
      if (m.run.kernelKind !== "guest_memfd") return [];
      const out: Finding[] = [];
      if (!lowered.gmemFlags.includes("init_shared"))
        out.push({ path: "run.gmemFlags", message: "the selftests create guest_memfd without INIT_SHARED: every user fault SIGBUSes and registration is refused" });
      if (!lowered.gmemFlags.includes("mmap"))
        out.push({ path: "run.gmemFlags", message: "the selftests create guest_memfd without MMAP: mmap() fails with -ENODEV, so nothing can be registered" });
      return out;
    },
    fix: "set `run: { gmemFlags: [\"mmap\", \"init_shared\"] }`",
  },
  {
    id: "R39",
    title: "shared-ness must be checked at fault time, per page",
    severity: "error",
    kind: "kernel",
    condition: "a guest_memfd page is private at fault time (in-place conversion), and the type decided shared-ness only at registration",
    predicts: "a page that became private is served to userspace (TOCTOU); Sean asks alloc_folio/get_folio_noalloc to refuse it",
    applies: ALL_GENS,
    appliesNote: "pending (requested in review of v4 13/15)",
    sources: ["seanV4"],
    checklist: [1],
    judgeable: true,
    check: (m) => {
      const g = m.guard;
      if (!g) return [];
      const atFault = FAULT_TIME.filter((p) => g.at.has(p));
      if (atFault.length === 0)
        return [{ path: "guard.at", message: `\`${g.shared}\` is checked only at registration (can_userfault): shared-ness can change after UFFDIO_REGISTER, so a page that became private would still be served (TOCTOU)` }];
      const out: Finding[] = [];
      if (m.modes.has("minor") && !g.at.has("get_folio"))
        out.push({ path: "guard.at", severity: "warning", message: `\`${g.shared}\` is not checked in get_folio: MINOR/CONTINUE could map a page that became private` });
      if (m.copy && !g.at.has("alloc_folio"))
        out.push({ path: "guard.at", severity: "warning", message: `\`${g.shared}\` is not checked in alloc_folio: COPY/ZEROPAGE could fill a page that became private` });
      return out;
    },
    fix: "check the guard where the page is served: `guard: { shared: ..., granularity: \"page\", at: \"fault\" }` (->fault, alloc_folio and get_folio)",
  },
  {
    id: "R40",
    title: "a folio that is not up to date: never mapped stale, and every fault on it resolvable",
    severity: "error",
    kind: "kernel",
    condition: "the page cache holds a folio that is not up to date (fallocated, never written)",
    predicts:
      "treated as present, MINOR/CONTINUE map contents nobody wrote; treated as missing, MISSING fires but UFFDIO_COPY's filemap_add finds the slot taken (-EEXIST), so the fault is never resolved; zero-filled (shmem's SGP_NOALLOC getter), it is a valid zero page",
    applies: ALL_GENS,
    appliesNote: "pending (requested)",
    sources: ["peterUptodate", "rppt0808"],
    checklist: [6],
    judgeable: true,
    // Judged on the lowered get_folio: uffdkit's default is judged like a declared one.
    check: (m, lowered) => {
      const g = lowered.getFolio;
      if (!g || g.lookup === "shmem_get_folio") return [];
      if (g.notUptodate === "present")
        return [{ path: "getFolio.notUptodate", message: "a folio that is in the cache but not up to date is treated as present: a MINOR fault or CONTINUE would map contents nobody wrote (Peter Xu, 27 Jun 2025)" }];
      // "missing" is resolvable only if the monitor can fill the existing folio: write() then CONTINUE (Nikita Kalyazin's uffd-missing RFC).
      const fillsExisting = lowered.populateByWrite && m.ioctls.has("continue");
      if (g.notUptodate === "missing" && m.modes.has("missing") && !fillsExisting)
        return [
          {
            path: "getFolio.notUptodate",
            message:
              "a fallocated folio is reported missing, so MISSING fires for a page the cache already holds: UFFDIO_COPY's filemap_add then gets -EEXIST and the fault can never be resolved",
          },
        ];
      return [];
    },
    fix: "set `getFolio.notUptodate: \"zero-fill\"` (clear it and mark it up to date, as shmem_get_folio(SGP_NOALLOC) does), or resolve such faults with write() and UFFDIO_CONTINUE (populateByWrite)",
  },
  {
    id: "R41",
    title: "WP cannot be combined with RWP",
    severity: "error",
    kind: "kernel",
    condition: "registering WP together with RWP (read/write-protect tracking)",
    predicts: "UFFDIO_REGISTER is rejected",
    applies: GENS_71,
    appliesNote: "mm tree, RWP v5 (May 2026)",
    sources: ["rwpV5"],
    judgeable: false,
    fix: "register WP and RWP on different ranges",
  },
  {
    id: "R67",
    title: "->fault checks i_size before it raises MISSING",
    severity: "error",
    kind: "kernel",
    condition:
      "the type's ->fault raises the userfault itself (a generation without core's __do_userfault()) and raises MISSING before it compares the offset with i_size (`fault.eofFirst: false`), on a page-cache file whose size can change",
    predicts:
      "after ftruncate() shrinks the file, a fault beyond the new end is queued to the monitor instead of SIGBUS; every fill of it fails (core's install re-check: EFAULT; 7.1's alloc_folio: ENOMEM), the woken thread faults into the same trap, and it waits until the userfaultfd is closed. uffdkit explore finds it with the truncate disturber (schedule faulter → truncator → faulter)",
    applies: ["peterx-v1", "peterx-v4", "linux-7.1"],
    appliesNote: "generations where the type's ->fault raises (on linux-7.1+gmem core's __do_userfault() raises before ->fault, which the type cannot reorder)",
    sources: ["shmemFaultEof", "rppt1212"],
    judgeable: true,
    check: (m, lowered) => {
      if (lowered.eofFirst || lowered.glue !== "raise" || !m.modes.has("missing")) return [];
      // guest_memfd's setattr refuses a size change: its EOF cannot move under a fault.
      if (m.backing !== "pagecache" || m.run.kernelKind === "guest_memfd") return [];
      return [{ path: m.positions.has("fault.eofFirst") ? "fault.eofFirst" : "fault", message: `${m.fault?.handler ?? "->fault"}() raises MISSING before it checks i_size: after a truncation, a fault beyond the new end traps to the monitor, no fill can resolve it, and the thread waits instead of getting SIGBUS` }];
    },
    fix: "set `fault.eofFirst: true` (the default): refuse an offset at or beyond i_size with VM_FAULT_SIGBUS before raising, as shmem_get_folio_gfp() does",
  },
];
