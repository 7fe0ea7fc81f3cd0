/**
 * A declared memory type's vm_uffd_ops, built from the strategies of its spec
 * (setup.declared). Each callback does what the generated C would do, flaws
 * included, so a flaw shows at run time (vm_uffd_ops.md §1.7 contracts, §5
 * review checklist, §6 rules):
 * - get_folio "lookup-or-create" allocates (the no-allocation contract broken);
 * - notUptodate "present" hands out a folio whose contents are stale (R40);
 * - putOnEarlyReturn false leaks the lookup's reference (Peter's remark, seed 003);
 * - a guard checked only at "register" lets a page that is private be faulted in (R39, Sean on v4 13/15).
 */
import { GENERATIONS } from "../../kernel/generations.js";
import { ERRNO } from "../../kernel/uapi.js";
import type { DeclaredType } from "../../ir/scenario.js";
import type { Machine } from "./machine.js";
import { FOLIO_IN_CACHE, VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP, type SimFile, type Vma } from "./state.js";
import type { SimUffdOps } from "./uffd_ops.js";
import { filemap_add_folio, filemap_remove_folio } from "./uffd_ops.js";
import { RULE } from "./findings.js";
// memory.ts imports this module too: a cycle of functions used at call time only.
import { kvm_gmem_get_folio } from "./memory.js";

type GuardAt = "register" | "fault-handler" | "alloc_folio" | "get_folio";

export function guardPoints(d: DeclaredType): Set<GuardAt> {
  const at = d.guard ? (Array.isArray(d.guard.at) ? d.guard.at : [d.guard.at]) : [];
  const s = new Set<GuardAt>();
  for (const a of at) {
    if (a === "fault") {
      s.add("fault-handler");
      s.add("alloc_folio");
      s.add("get_folio");
    } else s.add(a);
  }
  return s;
}

/**
 * Is the page really shared (may it be mapped to user space)? The inode is
 * shared unless created without INIT_SHARED; a page is shared unless in-place
 * conversion made it private.
 */
export function pageIsShared(file: SimFile, pgoff: number | null): boolean {
  const inodeShared = file.gmemFlags.size === 0 || file.gmemFlags.has("init_shared");
  if (!inodeShared) return false;
  return pgoff === null || !file.privatePages.has(pgoff);
}

/** What the guard's predicate answers at its granularity: an inode-wide check cannot see a private page. */
export function declaredShared(d: DeclaredType, file: SimFile, pgoff: number | null): boolean {
  return pageIsShared(file, d.guard?.granularity === "inode" ? null : pgoff);
}

/** VM_UFFD_* bits the type supports, as its API generation spells them. */
export function declaredModeBits(d: DeclaredType): number {
  const gen = GENERATIONS[d.api];
  let bits = 0;
  if (gen.modesFromIoctls) {
    // peterx-v4: COPY/ZEROPAGE ⇒ MISSING, CONTINUE ⇒ MINOR, WRITEPROTECT ⇒ WP.
    if (d.ioctls.includes("copy") || d.ioctls.includes("zeropage")) bits |= VM_UFFD_MISSING;
    if (d.ioctls.includes("continue")) bits |= VM_UFFD_MINOR;
    if (d.ioctls.includes("writeprotect")) bits |= VM_UFFD_WP;
    return bits;
  }
  for (const md of d.modes) bits |= md === "missing" ? VM_UFFD_MISSING : md === "wp" ? VM_UFFD_WP : VM_UFFD_MINOR;
  return bits;
}

/** How the type's MISSING/MINOR events are raised under its API generation. */
export function declaredRaise(d: DeclaredType): "core" | "handle_userfault" | "none" {
  const gen = GENERATIONS[d.api];
  const raise = d.fault?.raise ?? (gen.coreDoUserfault ? "core" : "none");
  if (raise === "core" && !gen.coreDoUserfault) return "none";
  return raise;
}

const cache = new WeakMap<DeclaredType, SimUffdOps>();

export function declaredUffdOps(d: DeclaredType): SimUffdOps {
  const hit = cache.get(d);
  if (hit) return hit;
  const guard = guardPoints(d);
  const supported = declaredModeBits(d);
  const g = d.getFolio;
  const ops: SimUffdOps = {
    name: `${d.name}_uffd_ops`,
    can_userfault(_m, vma, vmFlags) {
      if ((vmFlags & ~supported) !== 0) return false;
      if (guard.has("register") && vma.file && !declaredShared(d, vma.file, null)) return false;
      return true;
    },
  };
  if (g) {
    ops.get_folio_noalloc = (m, file, pgoff) => {
      if (guard.has("get_folio") && !declaredShared(d, file, pgoff)) return -1;
      const lookup = g.lookup ?? "filemap_lock_folio";
      const putOnEarly = g.putOnEarlyReturn ?? true;
      let f = file.cache[pgoff] ?? -1;
      if (f < 0) {
        if (g.strategy !== "lookup-or-create") return -1;
        // The type's get-or-create helper: a new folio enters the cache, not up to date.
        f = m.folios.alloc();
        filemap_add_folio(m, file, f, pgoff);
        m.folios.put(f); // the cache's reference is the one that stays
        m.finding(`${d.name} get_folio_noalloc allocated a folio at page ${pgoff}: it must never allocate`, RULE.getFolioContract);
      }
      m.folios.get(f); // filemap_get_entry()/filemap_lock_folio() take a reference
      if (lookup === "filemap_lock_folio") m.folios.lock(f);
      if (!m.folios.isUptodate(f)) {
        if (g.notUptodate === "missing") {
          if (lookup === "filemap_lock_folio") m.folios.unlock(f);
          if (putOnEarly) m.folios.put(f);
          return -1;
        }
        if (g.notUptodate === "zero-fill") {
          m.folios.value[f] = 0;
          m.folios.markUptodate(f);
        }
      }
      if (lookup === "filemap_get_entry") m.folios.lock(f);
      if (g.locked === false) m.folios.unlock(f);
      if (g.referenced === false) m.folios.put(f);
      if (!pageIsShared(file, pgoff)) servedPrivate(m, d, pgoff, "get_folio_noalloc");
      return f;
    };
  }
  const c = d.copy;
  if (c || d.backing !== "pagecache") {
    ops.alloc_folio = (m, vma, pgoff) => {
      if (vma.file && guard.has("alloc_folio") && !declaredShared(d, vma.file, pgoff)) return -1;
      if (vma.file && !pageIsShared(vma.file, pgoff)) servedPrivate(m, d, pgoff, "alloc_folio");
      if (vma.file && (c?.alloc.eofCheck ?? true) && pgoff >= vma.file.npages) return -1;
      return m.folios.alloc();
    };
  }
  if (c && (c.filemapAdd ?? "filemap_add_folio") === "filemap_add_folio") {
    ops.filemap_add = (m, folio, vma, pgoff) => {
      m.folios.lock(folio);
      const r = filemap_add_folio(m, vma.file!, folio, pgoff);
      if (r) m.folios.unlock(folio);
      return r;
    };
  }
  if (c && (c.filemapRemove ?? "filemap_remove_folio") === "filemap_remove_folio") {
    ops.filemap_remove = (m, folio, vma) => {
      if (m.folios.flags[folio]! & FOLIO_IN_CACHE) filemap_remove_folio(m, vma.file!, folio);
      m.folios.unlock(folio);
    };
  }
  cache.set(d, ops);
  return ops;
}

function servedPrivate(m: Machine, d: DeclaredType, pgoff: number, where: string): void {
  const at = [...guardPoints(d)].join(",") || "no point";
  m.finding(`${d.name}: ${where} served page ${pgoff}, which is not shared (guard checked only at ${at})`, RULE.privateFaultedIn);
}

/**
 * The type's ->fault handler after __do_userfault() let the fault through:
 * get or create the page-cache folio, clear it if new, and hand it to the PTE.
 * Returns a referenced folio, or -EFAULT-style negative for SIGBUS.
 */
export function declared_fault(m: Machine, d: DeclaredType, vma: Vma, pgoff: number): number {
  const file = vma.file!;
  if (pgoff >= file.npages) return -ERRNO.EFAULT;
  const shared = pageIsShared(file, pgoff);
  // A type built on guest_memfd keeps kvm_gmem_fault_user_mapping()'s own checks:
  // no INIT_SHARED, or a page private after in-place conversion, is SIGBUS (seed 002, §3.2).
  if (!shared && d.kernelKind === "guest_memfd") return -ERRNO.EACCES;
  if (!shared) {
    if (guardPoints(d).has("fault-handler") && !declaredShared(d, file, pgoff)) return -ERRNO.EACCES;
    m.finding(
      `${d.name}: page ${pgoff} is private but was faulted into a user mapping (guard checked only at ${[...guardPoints(d)].join(",") || "no point"})`,
      RULE.privateFaultedIn,
    );
  }
  return kvm_gmem_get_folio(m, file, pgoff);
}
