/**
 * What the kernel does, as the planner needs it to write expectations. Each
 * function is one rule of mm/userfaultfd.c / fs/userfaultfd.c (7.1, and 6.18 as
 * conform observes it), read from the data in
 * src/kernel rather than spelled again here.
 */
import type { Model } from "../../model/model.js";
import type { Lowered } from "../../lower/index.js";
import { API_RANGE_IOCTLS, API_RANGE_IOCTLS_BASIC, type RangeIoctl, type RegisterMode } from "../../kernel/uapi.js";

/**
 * Range ioctls that userfaultfd_register() drops from the returned mask unless a
 * mode was requested (fs/userfaultfd.c userfaultfd_register()). Everything else in the base
 * set is advertised whatever the memory type can really do (6.18, fs/userfaultfd.c userfaultfd_register()).
 */
const MODE_GATED: Partial<Record<RangeIoctl, RegisterMode>> = { writeprotect: "wp", continue: "minor" };

/** The `ioctls` mask UFFDIO_REGISTER returns for a range of one memory type. */
export function expectedRegisterIoctls(hugetlb: boolean, modes: readonly RegisterMode[]): RangeIoctl[] {
  const base = hugetlb ? API_RANGE_IOCTLS_BASIC : API_RANGE_IOCTLS;
  return base.filter((i) => {
    const gate = MODE_GATED[i];
    return gate === undefined || modes.includes(gate);
  });
}

/** Does the type's memory come from hugetlbfs (2 MiB pages, BASIC ioctls, alignment)? */
export function isHugetlb(model: Model): boolean {
  return model.backing === "hugetlb" || model.run.kernelKind === "hugetlb";
}

export function isAnon(model: Model): boolean {
  return model.backing === "anon" || model.run.kernelKind === "anon";
}

export function isGuestMemfd(model: Model): boolean {
  return model.run.kernelKind === "guest_memfd";
}

/**
 * Modes a registration of the declared type refuses with EINVAL. For a type with
 * its own ops, can_userfault() is generated from the declared features, so every
 * undeclared mode is refused; anonymous memory goes through core's
 * anon_uffd_ops, which refuses only MINOR (R12, mm/userfaultfd.c anon_can_userfault()).
 */
export function refusedModes(model: Model): RegisterMode[] {
  const all: RegisterMode[] = ["missing", "wp", "minor"];
  if (isAnon(model)) return ["minor"];
  return all.filter((m) => !model.modes.has(m));
}

/**
 * Does registration need get_folio_noalloc? In the pending series (the
 * generation with core __do_userfault()), a non-anon, non-hugetlb VMA without it
 * cannot register at all (R15).
 */
export function registrationNeedsGetFolio(model: Model): boolean {
  return model.gen.coreDoUserfault && !isAnon(model) && !isHugetlb(model);
}

/**
 * How an undeclared range ioctl fails on the declared type, or undefined when the
 * kernel serves it anyway (e.g. POISON is core's and needs no callback: mm/userfaultfd.c mfill_atomic_pte_poison()).
 * `writtenBack`: the failure is found after the vma lookup, so the kernel writes
 * the negative errno into the result field (6.18, fs/userfaultfd.c userfaultfd_copy()).
 */
export interface PredictedRefusal {
  readonly ioctl: "copy" | "zeropage" | "continue" | "writeprotect" | "move";
  readonly errno: "EINVAL" | "ENOENT" | "ENOMEM";
  readonly writtenBack: boolean;
  readonly source: readonly string[];
}

export function predictedRefusals(model: Model, lowered: Pick<Lowered, "allocFolioRefuses">): PredictedRefusal[] {
  const out: PredictedRefusal[] = [];
  const hugetlb = isHugetlb(model);
  const anon = isAnon(model);
  const declared = model.ioctls;
  // COPY/ZEROPAGE into a shared mapping go through the type's alloc_folio. With no
  // copy strategy, 7.1 would call it through NULL (df3ee3b3bbc3 refuses only a VMA
  // with no ops), so the emitted alloc_folio refuses: NULL, -ENOMEM (R20). A
  // generation without the member refuses the VMA in mfill itself (-EINVAL).
  const noFill: "EINVAL" | "ENOMEM" = lowered.allocFolioRefuses ? "ENOMEM" : "EINVAL";
  if (!declared.has("copy") && !model.copy && !anon)
    out.push({ ioctl: "copy", errno: noFill, writtenBack: true, source: ["R20", "mmUserfaultfdMfill", "hotfixUnsupported"] });
  if (!declared.has("zeropage")) {
    if (hugetlb) out.push({ ioctl: "zeropage", errno: "EINVAL", writtenBack: true, source: ["R28", "abi618IoctlsMask", "abi618WriteBack"] });
    else if (!model.copy && !anon)
      out.push({ ioctl: "zeropage", errno: noFill, writtenBack: true, source: ["R20", "R27", "mmUserfaultfdMfill"] });
  }
  // CONTINUE needs get_folio_noalloc (R16); with it, 6.18 serves CONTINUE even on
  // a range registered without MINOR (6.18, fs/userfaultfd.c userfaultfd_register()), so only its absence refuses.
  if (!declared.has("continue") && !model.getFolio && !anon)
    out.push({ ioctl: "continue", errno: "EINVAL", writtenBack: true, source: ["R16", "mmUserfaultfdMfill"] });
  if (!declared.has("writeprotect") && !model.modes.has("wp"))
    out.push({ ioctl: "writeprotect", errno: "ENOENT", writtenBack: false, source: ["R32", "mmUserfaultfdMfill"] });
  if (!declared.has("move") && !anon)
    out.push({ ioctl: "move", errno: "EINVAL", writtenBack: true, source: ["R30", "abi618Move", "abi618WriteBack"] });
  return out;
}
