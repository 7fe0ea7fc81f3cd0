/**
 * What each API generation requires of a declaration (the postings: Peter Xu v1–v4, Mike Rapoport RFC–v4, 7.1 as merged): the
 * mode/ioctl pairings, where MISSING may live, who raises fault events.
 */
import type { Model } from "../../model/model.js";
import type { Ioctl, Mode } from "../../spec/types.js";
import { ALL_GENS, listPath, type Finding, type Rule } from "../types.js";

/** peterx-v4 deduces modes from ioctls: COPY/ZEROPAGE ⇒ MISSING, CONTINUE ⇒ MINOR, WRITEPROTECT ⇒ WP. */
const MODE_OF_IOCTL: Partial<Record<Ioctl, Mode>> = { copy: "missing", zeropage: "missing", continue: "minor", writeprotect: "wp" };

export function modesDeducedFromIoctls(ioctls: ReadonlySet<Ioctl>): Set<Mode> {
  const out = new Set<Mode>();
  for (const i of ioctls) {
    const mode = MODE_OF_IOCTL[i];
    if (mode) out.add(mode);
  }
  return out;
}

function underMm(m: Model): boolean {
  return m.targetFile.replace(/^\.\//, "").startsWith("mm/");
}

export const CONTRACT_RULES: readonly Rule[] = [
  {
    id: "R51",
    title: "MINOR needs UFFDIO_CONTINUE",
    severity: "error",
    kind: "kernel",
    condition: "MINOR is declared but CONTINUE is not",
    predicts: "MINOR faults can be raised but never resolved: the faulting thread blocks until the registration goes away (peterx v3/v4: MINOR requires _UFFDIO_CONTINUE)",
    applies: ALL_GENS,
    appliesNote: "all",
    sources: ["peterxV3", "peterxV4"],
    judgeable: true,
    check: (m) =>
      !m.gen.modesFromIoctls && m.modes.has("minor") && !m.ioctls.has("continue")
        ? [{ path: listPath(m, "features", "minor"), message: "MINOR is declared without the CONTINUE ioctl that resolves it" }]
        : [],
    fix: "add \"continue\" to `ioctls` (with a `getFolio` lookup)",
  },
  {
    id: "R52",
    title: "MISSING needs a way to resolve it",
    severity: "error",
    kind: "kernel",
    condition: "MISSING is declared without COPY (mandatory on peterx-v1), or with neither COPY, ZEROPAGE nor write()+CONTINUE",
    predicts: "peterx-v1 requires _UFFDIO_COPY with MISSING; elsewhere MISSING faults cannot be resolved and the faulting thread blocks",
    applies: ALL_GENS,
    appliesNote: "all",
    sources: ["peterxV1", "nikitaRfcMissing"],
    judgeable: true,
    check: (m, lowered) => {
      if (!m.modes.has("missing") || m.gen.modesFromIoctls) return [];
      const path = listPath(m, "features", "missing");
      if (m.gen.id === "peterx-v1" && !m.ioctls.has("copy"))
        return [{ path, message: "peterx-v1: a type that supports MISSING must support UFFDIO_COPY" }];
      const out: Finding[] = [];
      if (lowered.populateByWrite && !m.ioctls.has("continue"))
        out.push({ path: written(m, "populateByWrite", path), message: "MISSING is resolved by write() then UFFDIO_CONTINUE, but \"continue\" is not declared" });
      else if (!m.ioctls.has("copy") && !m.ioctls.has("zeropage") && !lowered.populateByWrite)
        out.push({ path, message: "MISSING is declared with neither COPY nor ZEROPAGE, and the spec does not resolve it by write() + CONTINUE (`populateByWrite`)" });
      return out;
    },
    fix: "declare \"copy\" (and \"zeropage\") in `ioctls` with a `copy` block, or `populateByWrite: true` with \"continue\"",
  },
  {
    id: "R53",
    title: "peterx-v4: MISSING only inside mm/",
    severity: "error",
    kind: "kernel",
    condition: "a type outside mm/ declares MISSING (COPY/ZEROPAGE) on a generation without uffd_copy",
    predicts: "not expressible: v3/v4 dropped uffd_copy, so COPY and ZEROPAGE exist only for types implemented in mm/",
    applies: ALL_GENS,
    appliesNote: "peterx-v4 (generation.missingOutsideMm = false)",
    sources: ["peterxV3", "peterxV4"],
    judgeable: true,
    check: (m) => {
      if (m.gen.missingOutsideMm || underMm(m)) return [];
      const which = m.ioctls.has("copy") ? listPath(m, "ioctls", "copy") : m.ioctls.has("zeropage") ? listPath(m, "ioctls", "zeropage") : m.modes.has("missing") ? listPath(m, "features", "missing") : undefined;
      return which ? [{ path: which, message: `${m.gen.id} supports MISSING (COPY/ZEROPAGE) only for types in mm/; ${m.targetFile} is outside mm/` }] : [];
    },
    fix: "target linux-7.1 or linux-7.1+gmem (alloc_folio etc.), or drop MISSING/COPY/ZEROPAGE",
  },
  {
    id: "R54",
    title: "peterx-v4: the declared modes must be the ones the ioctls imply",
    severity: "error",
    kind: "kernel",
    condition: "on peterx-v4, `features` differs from the modes deduced from `ioctls` (COPY/ZEROPAGE ⇒ MISSING, CONTINUE ⇒ MINOR, WRITEPROTECT ⇒ WP)",
    predicts: "the kernel supports exactly the deduced modes: a declared mode without its ioctl is refused at REGISTER (-EINVAL); an ioctl adds a mode the spec did not mean to support",
    applies: ["peterx-v4"],
    appliesNote: "peterx-v4",
    sources: ["peterxV4"],
    judgeable: true,
    check: (m) => {
      const deduced = modesDeducedFromIoctls(m.ioctls);
      const out: Finding[] = [];
      for (const mode of m.modes)
        if (!deduced.has(mode)) out.push({ path: listPath(m, "features", mode), message: `${mode.toUpperCase()} is declared, but no declared ioctl implies it (peterx-v4 deduces modes from supported_ioctls)` });
      for (const mode of deduced)
        if (!m.modes.has(mode)) out.push({ path: "features", message: `the ioctls imply ${mode.toUpperCase()}, which \`features\` does not list` });
      return out;
    },
    fix: "make `features` exactly the modes the ioctls imply",
  },
  {
    id: "R55",
    title: "core raises fault events only with __do_userfault()",
    severity: "error",
    kind: "kernel",
    condition: "`fault.raise: \"core\"` on a generation whose core does not raise MISSING/MINOR for other types",
    predicts: "registration succeeds but no MISSING/MINOR event ever arrives: ->fault populates the page",
    applies: ALL_GENS,
    appliesNote: "all but linux-7.1+gmem",
    sources: ["rppt1212"],
    judgeable: true,
    check: (m, lowered) =>
      lowered.silent === "core-without-do-userfault"
        ? [{ path: "fault.raise", message: `${m.gen.id} has no __do_userfault() in __do_fault(): core does not raise MISSING/MINOR for ${m.name}` }]
        : [],
    fix: "target linux-7.1+gmem, or raise the events from the type's ->fault (`raise: \"handle_userfault\"`, built-in types only)",
  },
  {
    id: "R56",
    title: "nothing raises MISSING/MINOR events",
    severity: "warning",
    kind: "kernel",
    condition: "MISSING or MINOR is declared on a page-cache type, and neither core nor the type raises the events",
    predicts: "registration succeeds but faults are served by ->fault without an event",
    applies: ALL_GENS,
    appliesNote: "all",
    sources: ["rppt1212", "rpptRfcNov"],
    judgeable: true,
    check: (m, lowered) => {
      if (!(m.modes.has("missing") || m.modes.has("minor"))) return [];
      if (lowered.silent === "declared-none")
        return [{ path: "fault.raise", message: "`raise: \"none\"`: MISSING/MINOR registrations succeed but no event is ever raised" }];
      if (lowered.silent === "no-fault-block")
        return [{ path: "features", message: `on ${m.gen.id} the type's ->fault must raise MISSING/MINOR itself, and the spec has no \`fault\` block` }];
      return [];
    },
    fix: "declare `fault: { handler: \"<type>_fault\", raise: \"core\" }` on linux-7.1+gmem, or `raise: \"handle_userfault\"` for a built-in type",
  },
  {
    id: "R57",
    title: "peterx-v1: COPY/ZEROPAGE need uffd_copy",
    severity: "error",
    kind: "kernel",
    condition: "on peterx-v1, COPY or ZEROPAGE is declared without a `copy` block (no uffd_copy)",
    predicts: "core WARNs and the ioctl fails with -EINVAL",
    applies: ["peterx-v1"],
    appliesNote: "peterx-v1",
    sources: ["peterxV2p4"],
    judgeable: true,
    check: (m) => {
      if (m.copy || m.backing === "hugetlb") return [];
      const which = m.ioctls.has("copy") ? "copy" : m.ioctls.has("zeropage") ? "zeropage" : undefined;
      return which ? [{ path: listPath(m, "ioctls", which), message: `${which.toUpperCase()} is declared but there is no \`copy\` block to become uffd_copy()` }] : [];
    },
    fix: "add a `copy` block, or drop \"copy\"/\"zeropage\"",
  },
];

function written(m: Model, path: string, fallback: string): string {
  return m.positions.has(path) ? path : fallback;
}
