/**
 * A declared memory type in the simulator: its vm_uffd_ops are the emitted C
 * itself (src/run/c), called wherever core mm calls the type, with core's
 * side of each member's contract checked on return (instance.ts). What the
 * generation's core does around the callbacks (peterx-v1/v4 read the mode and
 * ioctl masks from the ops struct) is done here, from what the C says.
 *
 * The type's own ->fault body is not emitted (it exists in the user's tree);
 * declaredTypeFault() models it after the kind the type builds on.
 */
import { GENERATIONS } from "../../kernel/generations.js";
import { UFFDIO_NR } from "../../kernel/uapi.js";
import type { DeclaredType } from "../../ir/scenario.js";
import type { DeclaredC } from "../c/instance.js";
import { vmFlagsFromC } from "../c/harness.js";
import type { Machine } from "./machine.js";
import { VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP, type SimFile, type Vma } from "./state.js";
import type { SimUffdOps } from "./uffd_ops.js";
import { RULE } from "./findings.js";

/**
 * Is the page really shared (may it be mapped to user space)? The inode is
 * shared unless created without INIT_SHARED; a page is shared unless in-place
 * conversion made it private. The type's guard predicate is answered from this.
 */
export function pageIsShared(file: SimFile, pgoff: number | null): boolean {
  if (file.gmemFlags.size === 0 && file.privatePages.size === 0) return true;
  const inodeShared = file.gmemFlags.size === 0 || file.gmemFlags.has("init_shared");
  if (!inodeShared) return false;
  return pgoff === null || !file.privatePages.has(pgoff);
}

/** VM_UFFD_* bits a peterx generation's core deduces from the ops struct's masks. */
function peterxModeBits(c: DeclaredC, d: DeclaredType): number {
  const gen = GENERATIONS[d.api];
  if (gen.featuresMember) return vmFlagsFromC(c.features());
  const io = c.ioctls();
  let bits = 0;
  if (io & (2 ** UFFDIO_NR.copy | 2 ** UFFDIO_NR.zeropage)) bits |= VM_UFFD_MISSING;
  if (io & 2 ** UFFDIO_NR.continue) bits |= VM_UFFD_MINOR;
  if (io & 2 ** UFFDIO_NR.writeprotect) bits |= VM_UFFD_WP;
  return bits;
}

/** The C-backed ops of the machine's declared type. */
export function declaredUffdOps(m: Machine): SimUffdOps | null {
  const c = m.c;
  const d = m.declared;
  if (!c || !d) return null;
  const gen = GENERATIONS[d.api];
  const intStyle = gen.callbacks.some((cb) => cb.role === "getFolio" && cb.prototype.startsWith("int "));
  const ops: SimUffdOps = {
    name: c.compiled.names.ops,
    can_userfault(_m, vma, vmFlags) {
      if (!c.has("canUserfault")) return (vmFlags & ~peterxModeBits(c, d)) === 0;
      return c.canUserfault(vma, vmFlags);
    },
  };
  if (c.has("getFolio")) {
    ops.get_folio_noalloc = (mm, file, pgoff) => {
      const f = c.getFolio(file, pgoff, intStyle);
      if (f >= 0 && !pageIsShared(file, pgoff)) servedPrivate(mm, c, pgoff, "get_folio");
      return f;
    };
  }
  // With guard.recheck the shared-ness decision of COPY/ZEROPAGE is filemap_add's, under the
  // invalidate lock: a folio allocated for a private page is refused there, never cached or mapped.
  const recheck = !!d.guard?.recheck;
  if (c.has("allocFolio")) {
    ops.alloc_folio = (mm, vma, pgoff) => {
      const f = c.allocFolio(vma, pgoff);
      if (f >= 0 && !recheck && vma.file && !pageIsShared(vma.file, pgoff)) servedPrivate(mm, c, pgoff, "alloc_folio");
      return f;
    };
  }
  if (c.has("filemapAdd")) {
    ops.filemap_add = (mm, folio, vma, pgoff) => {
      const r = c.filemapAdd(folio, vma, pgoff);
      if (r === 0 && recheck && vma.file && !pageIsShared(vma.file, pgoff)) servedPrivate(mm, c, pgoff, "filemap_add");
      return r;
    };
  }
  // get_folio_noalloc's ERR_PTR, for __do_userfault() to tell a refused page from an absent one.
  if (c.has("getFolio")) ops.get_folio_error = () => c.lastGetFolioErr;
  if (c.has("filemapRemove")) ops.filemap_remove = (_mm, folio, vma) => c.filemapRemove(folio, vma);
  if (c.has("copy")) {
    ops.uffd_copy = (mm, vma, pgoff, zeropage, wp, byte) => {
      const r = c.uffdCopy(vma, pgoff, zeropage, wp, byte);
      if (r === 0 && vma.file && !pageIsShared(vma.file, pgoff)) servedPrivate(mm, c, pgoff, "uffd_copy");
      return r;
    };
  }
  return ops;
}

function servedPrivate(m: Machine, c: DeclaredC, pgoff: number, where: string): void {
  m.finding(`${c.compiled.fileName}: the emitted ${where} served page ${pgoff}, which is private at the time of use`, RULE.privateFaultedIn);
}

/**
 * The type's ->fault: the emitted glue first (a guard, or the type's own
 * handle_userfault() on generations without __do_userfault()), then the
 * type's existing fault body, modelled on the kind it builds on: get or
 * create the page-cache folio, cleared if new. Returns a referenced folio,
 * a FAULT_* code from the glue, or -EFAULT-style negative for SIGBUS.
 */
export function declaredTypeFault(
  m: Machine,
  vma: Vma,
  pgoff: number,
  raise: (reasonBits: number) => number,
  getOrCreate: (m: Machine, file: SimFile, pgoff: number) => number,
): { folio: number } | { code: "sigbus" } | { code: "raised"; value: number } {
  const c = m.c!;
  const d = m.declared!;
  const file = vma.file!;
  const g = c.fault(vma, pgoff, 0, raise);
  if (!g.proceed) return g.raised !== null ? { code: "raised", value: g.raised } : { code: "sigbus" };
  if (pgoff >= file.size) return { code: "sigbus" };
  const shared = pageIsShared(file, pgoff);
  // A type built on guest_memfd keeps kvm_gmem_fault_user_mapping()'s own checks:
  // no INIT_SHARED, or a page private after in-place conversion, is SIGBUS (the guest_memfd INIT_SHARED thread; kvm_gmem_fault_user_mapping()).
  if (!shared && d.kernelKind === "guest_memfd") return { code: "sigbus" };
  if (!shared) m.finding(`${c.compiled.fileName}: page ${pgoff} is private but was faulted into a user mapping: the emitted ->fault glue does not refuse it`, RULE.privateFaultedIn);
  return { folio: getOrCreate(m, file, pgoff) };
}

