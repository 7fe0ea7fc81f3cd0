/**
 * The compat header's definitions, computed from the uapi table so that no
 * number is spelled twice (src/kernel/uapi.ts is the one place per fact).
 */
import {
  GUEST_MEMFD_FLAGS,
  KVM_CAP,
  KVM_MEM_GUEST_MEMFD,
  KVM_X86_SW_PROTECTED_VM,
  UFFDIO_CONTINUE_MODE,
  UFFDIO_COPY_MODE,
  UFFDIO_MOVE_MODE,
  UFFDIO_NR,
  UFFDIO_POISON_MODE,
  UFFDIO_WRITEPROTECT_MODE,
  UFFDIO_ZEROPAGE_MODE,
  UFFD_FEATURES,
  UFFD_PAGEFAULT_FLAG,
  UFFD_USER_MODE_ONLY,
  featureMacro,
  ioctlMacro,
  type UffdioName,
} from "../../kernel/uapi.js";

export interface CDefine {
  readonly name: string;
  readonly value: string;
}

/**
 * `_BITULL(n)` (uapi <linux/const.h>) for a single-bit value, the plain number
 * otherwise: checkpatch asks for the BIT_ULL form in a #define, and BIT_ULL
 * itself is not exported to userspace.
 */
export function bitExpr(v: number): string {
  const n = Math.log2(v);
  return Number.isInteger(n) ? `_BITULL(${n})` : String(v);
}

function modeDefines(prefix: string, modes: Record<string, number>): CDefine[] {
  return Object.entries(modes).map(([m, v]) => ({ name: `${prefix}_${m.toUpperCase()}`, value: bitExpr(v) }));
}

export function compatDefines(): CDefine[] {
  const defs: CDefine[] = [];
  for (const [f, v] of Object.entries(UFFD_FEATURES)) defs.push({ name: featureMacro(f as keyof typeof UFFD_FEATURES), value: bitExpr(v) });
  for (const [i, nr] of Object.entries(UFFDIO_NR)) defs.push({ name: ioctlMacro(i as UffdioName), value: `0x${nr.toString(16).padStart(2, "0")}` });
  defs.push(...modeDefines("UFFDIO_COPY_MODE", UFFDIO_COPY_MODE));
  defs.push(...modeDefines("UFFDIO_ZEROPAGE_MODE", UFFDIO_ZEROPAGE_MODE));
  defs.push(...modeDefines("UFFDIO_WRITEPROTECT_MODE", UFFDIO_WRITEPROTECT_MODE));
  defs.push(...modeDefines("UFFDIO_CONTINUE_MODE", UFFDIO_CONTINUE_MODE));
  defs.push(...modeDefines("UFFDIO_POISON_MODE", UFFDIO_POISON_MODE));
  defs.push(...modeDefines("UFFDIO_MOVE_MODE", UFFDIO_MOVE_MODE));
  defs.push(...modeDefines("UFFD_PAGEFAULT_FLAG", UFFD_PAGEFAULT_FLAG));
  defs.push({ name: "UFFD_USER_MODE_ONLY", value: String(UFFD_USER_MODE_ONLY) });
  for (const [c, v] of Object.entries(KVM_CAP)) defs.push({ name: `KVM_CAP_${c.toUpperCase()}`, value: String(v) });
  for (const [f, v] of Object.entries(GUEST_MEMFD_FLAGS)) defs.push({ name: `GUEST_MEMFD_FLAG_${f.toUpperCase()}`, value: bitExpr(v) });
  defs.push({ name: "KVM_MEM_GUEST_MEMFD", value: bitExpr(KVM_MEM_GUEST_MEMFD) }, { name: "KVM_X86_SW_PROTECTED_VM", value: String(KVM_X86_SW_PROTECTED_VM) });
  return defs;
}
