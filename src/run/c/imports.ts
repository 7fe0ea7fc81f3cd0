/**
 * The imports of kmodel.h: each kernel helper on the simulator's state, with
 * its contract checked first (sources in contracts.ts CONTRACT_SOURCE).
 * Pointers arrive as module addresses and are mapped back to folios, files
 * and VMAs by the instance.
 */
import type { DeclaredC } from "./instance.js";
import type { DeclaredC as DeclaredCType } from "../../ir/scenario.js";
import {
  attrKey,
  ERRNO,
  errPtr,
  FOLIO_IN_CACHE,
  FOLIO_KMAP_DIRTY,
  FOLIO_LOCKED,
  FOLIO_LRU,
  FOLIO_MEMCG,
  FOLIO_SWAPBACKED,
  KMAP_BASE,
} from "./contracts.js";
import { vmFlagsFromC } from "./harness.js";

type Fn = (...a: number[]) => number | void;

/** include/uapi/asm-generic/errno.h */
const EDQUOT = 122;
/** include/uapi/linux/kvm.h KVM_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3). */
const KVM_MEMORY_ATTRIBUTE_PRIVATE = 8;

/** The one shared policy the model hands out: an address no object of the module has. */
const SHARED_POLICY = 0x7ff0;

export function makeImports(c: DeclaredC): Record<string, Fn> {
  const m = c.machine;
  const t = m.folios;
  const folio = (p: number, fn: number, line: number, helper: string): number => {
    const f = c.ptrToFolio(p);
    if (f < 0) c.violation(helper, `${helper}() on ${p === 0 ? "NULL" : "a pointer that is not a folio"}`, fn, line);
    return f;
  };
  const newFolio = (): number => {
    if (c.fire("alloc")) return 0;
    return c.folioToPtr(c.fresh(t.alloc()));
  };
  const mark = (f: number, bit: number, on: boolean) => {
    if (on) t.flags[f]! |= bit;
    else t.flags[f]! &= ~bit;
  };

  const imports: Record<string, Fn> = {
    folio_lock(p, fn, line) {
      const f = folio(p, fn, line, "folio_lock");
      if (f < 0) return;
      if (t.isLocked(f)) c.violation("folio_lock", "folio_lock() of a folio this path already holds locked: it waits on itself", fn, line);
      t.lock(f);
      c.pathLocked.add(f);
    },
    folio_unlock(p, fn, line) {
      const f = folio(p, fn, line, "folio_unlock");
      if (f < 0) return;
      if (!t.isLocked(f)) c.violation("folio_unlock", "folio_unlock() of a folio that is not locked", fn, line);
      t.unlock(f);
    },
    folio_get(p, fn, line) {
      const f = folio(p, fn, line, "folio_get");
      if (f < 0) return;
      if (t.ref[f]! <= 0) c.violation("folio_get", "folio_get() on a folio with no reference left", fn, line);
      t.get(f);
    },
    folio_put(p, fn, line) {
      const f = folio(p, fn, line, "folio_put");
      if (f < 0) return;
      if (t.ref[f]! <= 0) {
        c.violation("folio_put", "folio_put() of a folio with no reference left (a put below zero)", fn, line);
        return;
      }
      t.put(f);
    },
    folio_test_uptodate(p, fn, line) {
      const f = folio(p, fn, line, "folio_test_uptodate");
      return f >= 0 && t.isUptodate(f) ? 1 : 0;
    },
    folio_test_locked(p, fn, line) {
      const f = folio(p, fn, line, "folio_test_locked");
      return f >= 0 && t.isLocked(f) ? 1 : 0;
    },
    folio_mark_uptodate(p, _atomic, fn, line) {
      const f = folio(p, fn, line, "folio_mark_uptodate");
      if (f >= 0) t.markUptodate(f);
    },
    folio_zero_range(p, _off, _len, fn, line) {
      const f = folio(p, fn, line, "folio_zero_range");
      if (f >= 0) c.touch(f, "folio_zero_range", fn, line);
      if (f >= 0) t.value[f] = 0;
    },
    flush_dcache_folio(p, fn, line) {
      const f = folio(p, fn, line, "flush_dcache_folio");
      if (f >= 0) mark(f, FOLIO_KMAP_DIRTY, false);
    },
    folio_set_locked(p, set, fn, line) {
      const f = folio(p, fn, line, set ? "__folio_set_locked" : "__folio_clear_locked");
      if (f < 0) return;
      if (set && t.isLocked(f)) c.violation("set_locked", "__folio_set_locked() of a folio that is already locked", fn, line);
      if (!set && !t.isLocked(f)) c.violation("set_locked", "__folio_clear_locked() of a folio that is not locked", fn, line);
      mark(f, FOLIO_LOCKED, set !== 0);
      if (set) c.pathLocked.add(f);
    },
    folio_set_swapbacked(p, fn, line) {
      const f = folio(p, fn, line, "folio_set_swapbacked");
      if (f >= 0) mark(f, FOLIO_SWAPBACKED, true);
    },
    folio_add_lru(p, fn, line) {
      const f = folio(p, fn, line, "folio_add_lru");
      if (f < 0) return;
      if (t.flags[f]! & FOLIO_LRU) c.violation("folio_add_lru", "folio_add_lru() of a folio already on the LRU", fn, line);
      mark(f, FOLIO_LRU, true);
    },
    filemap_lock_folio(mp, index, fn, line) {
      const file = c.mappingToFile(mp);
      const f = file && !c.fire("lookup") ? (file.cache[index] ?? -1) : -1;
      if (f < 0) return errPtr(ERRNO.ENOENT);
      c.attrReadActedOn(file!, index, "filemap_lock_folio", fn, line);
      if (t.isLocked(f)) c.violation("folio_lock", "filemap_lock_folio() of a folio this path already holds locked: it waits on itself", fn, line);
      t.get(f);
      t.lock(f);
      c.pathLocked.add(f);
      return c.folioToPtr(f);
    },
    filemap_get_folio(mp, index, fn, line) {
      const file = c.mappingToFile(mp);
      const f = file && !c.fire("lookup") ? (file.cache[index] ?? -1) : -1;
      if (f < 0) return errPtr(ERRNO.ENOENT);
      c.attrReadActedOn(file!, index, "filemap_get_folio", fn, line);
      t.get(f);
      return c.folioToPtr(f);
    },
    filemap_get_entry(mp, index, fn, line) {
      const file = c.mappingToFile(mp);
      const f = file && !c.fire("lookup") ? (file.cache[index] ?? -1) : -1;
      if (f < 0) return 0;
      c.attrReadActedOn(file!, index, "filemap_get_entry", fn, line);
      t.get(f);
      const p = c.folioToPtr(f);
      // Truncated while the caller waits for the lock: the folio no longer belongs to the mapping.
      if (c.fire("lookup_truncated")) c.exports.uk_folio_set_mapping!(p, 0, 0);
      return p;
    },
    filemap_alloc_folio: () => newFolio(),
    vma_alloc_folio: () => newFolio(),
    folio_alloc_mpol: () => newFolio(),
    get_vma_policy: () => 0,
    get_task_policy: () => 0,
    shmem_get_folio(ip, index, _we, slot, _sgp) {
      // SGP_NOALLOC (mm/shmem.c shmem_get_folio_gfp): -EINVAL past EOF, -ENOENT for a hole,
      // else the folio locked with a reference, zero-filled first if it was not up to date.
      const file = c.inodeToFile(ip);
      if (!file || index >= file.npages) return -ERRNO.EINVAL;
      const g = c.fire("lookup") ? -1 : (file.cache[index] ?? -1);
      if (g < 0) return -ERRNO.ENOENT;
      t.get(g);
      t.lock(g);
      c.pathLocked.add(g);
      if (!t.isUptodate(g)) {
        t.value[g] = 0;
        t.markUptodate(g);
      }
      c.writeWord(slot, c.folioToPtr(g));
      return 0;
    },
    // A shared policy comes back referenced; mpol_cond_put() drops it (include/linux/mempolicy.h).
    mpol_shared_policy_lookup: () => {
      if (!c.fire("shared_policy")) return 0;
      c.sharedPolicyRefs++;
      return SHARED_POLICY;
    },
    mpol_cond_put(p, fn, line) {
      if (p !== SHARED_POLICY) return;
      if (c.sharedPolicyRefs === 0) c.violation("mpol_cond_put", "mpol_cond_put() of a shared policy with no reference left", fn, line);
      else c.sharedPolicyRefs--;
    },
    filemap_add_folio(mp, p, index, _gfp, fn, line) {
      const f = folio(p, fn, line, "filemap_add_folio");
      const file = c.mappingToFile(mp);
      if (f < 0 || !file) return -ERRNO.EINVAL;
      if (t.isLocked(f)) {
        c.violation("filemap_add_folio", "filemap_add_folio() of a locked folio: it sets the lock itself, and clears it again on failure", fn, line);
      }
      if (t.flags[f]! & FOLIO_MEMCG) c.violation("mem_cgroup_charge", "filemap_add_folio() charges memcg, and this folio is already charged (a double charge)", fn, line);
      c.attrReadActedOn(file, index, "filemap_add_folio", fn, line);
      if (c.fire("charge")) return -ERRNO.ENOMEM;
      if (c.fire("filemap_add_enomem")) return -ERRNO.ENOMEM;
      if (c.fire("filemap_add_eexist") || index >= file.npages || (file.cache[index] ?? -1) >= 0) {
        // __filemap_add_folio() found the slot taken: uncharged, unlocked (__folio_clear_locked).
        mark(f, FOLIO_LOCKED, false);
        return -ERRNO.EEXIST;
      }
      file.cache[index] = f;
      t.get(f);
      mark(f, FOLIO_IN_CACHE | FOLIO_LOCKED | FOLIO_MEMCG | FOLIO_LRU, true);
      c.pathLocked.add(f);
      t.file[f] = file.id;
      t.index[f] = index;
      c.folioToPtr(f);
      c.addedByC(file.id, f);
      return 0;
    },
    filemap_remove_folio(p, fn, line) {
      const f = folio(p, fn, line, "filemap_remove_folio");
      if (f < 0) return;
      if (!t.isLocked(f)) c.violation("filemap_remove_folio", "filemap_remove_folio() of a folio that is not locked", fn, line);
      if (!(t.flags[f]! & FOLIO_IN_CACHE)) {
        c.violation("filemap_remove_folio", "filemap_remove_folio() of a folio that is not in the page cache", fn, line);
        return;
      }
      const file = m.files[t.file[f]!]!;
      if (file.cache[t.index[f]!] === f) file.cache[t.index[f]!] = -1;
      mark(f, FOLIO_IN_CACHE | FOLIO_LRU, false);
      // filemap_free_folio(): the mapping's free_folio runs once the folio left the cache (mm/filemap.c).
      c.freeFolioHook(p);
      t.put(f);
      c.folioToPtr(f);
    },
    filemap_invalidate_lock(mp, shared, lock, fn, line) {
      const file = c.mappingToFile(mp);
      if (!file) {
        c.violation("filemap_invalidate_lock", "filemap_invalidate_lock() of a mapping that is not a file's", fn, line);
        return;
      }
      const held = c.invalidateLocks.get(file.id) ?? 0;
      if (!lock) {
        if (held === 0) c.violation("filemap_invalidate_lock", "filemap_invalidate_unlock() of an invalidate lock this path does not hold", fn, line);
        else c.invalidateLocks.set(file.id, held - 1);
        return;
      }
      if (!shared) c.violation("filemap_invalidate_lock", "filemap_invalidate_lock() for write in a userfaultfd callback: core holds the mmap lock here, and the fault path takes the invalidate lock shared inside it", fn, line);
      if (held > 0) c.violation("filemap_invalidate_lock", "filemap_invalidate_lock_shared() of an invalidate lock this path already holds: a down_read() behind a waiting writer never returns", fn, line);
      // The fault path takes the invalidate lock before any folio lock (kvm_gmem_fault_user_mapping(),
      // filemap_fault()); taking it with a page-cache folio locked inverts that order.
      for (const f of c.pathLocked) {
        if (t.isLocked(f) && t.flags[f]! & FOLIO_IN_CACHE) {
          c.violation("filemap_invalidate_lock", `filemap_invalidate_lock${shared ? "_shared" : ""}() with the folio at page ${t.index[f]} locked and in the page cache: the fault path takes the invalidate lock first, then the folio lock (ABBA with a conversion waiting for write)`, fn, line);
          break;
        }
      }
      c.invalidateLocks.set(file.id, held + 1);
    },
    mem_cgroup_charge(p, _mm, _gfp, fn, line) {
      const f = folio(p, fn, line, "mem_cgroup_charge");
      if (f < 0) return -ERRNO.EINVAL;
      if (t.flags[f]! & FOLIO_MEMCG) c.violation("mem_cgroup_charge", "mem_cgroup_charge() of a folio already charged", fn, line);
      if (c.fire("charge")) return -ERRNO.ENOMEM;
      mark(f, FOLIO_MEMCG, true);
      return 0;
    },
    i_size_read(ip) {
      const file = c.fire("truncated") ? null : c.inodeToFile(ip);
      return (file?.size ?? 0) * 4096;
    },
    kmap_local_folio(p, off, fn, line) {
      const f = folio(p, fn, line, "kmap_local_folio");
      // On 64-bit kmap_local_folio() is the direct map's address (include/linux/highmem-internal.h).
      if (f >= 0) c.touch(f, "kmap_local_folio", fn, line);
      return f < 0 ? 0 : (KMAP_BASE + f * 4096 + off) | 0;
    },
    copy_from_user(to, _from, n, fn, line) {
      if (c.ctx.mmapLocked && c.pagefaultDisabled === 0) {
        c.violation("copy_from_user", "copy_from_user() with the mmap lock held and page faults enabled: a fault on the source deadlocks on the mmap lock", fn, line);
      }
      const f = c.kmapToFolio(to);
      if (c.fire("copy_from_user") || f < 0) return n;
      t.value[f] = c.ctx.copyByte;
      mark(f, FOLIO_KMAP_DIRTY, true);
      return 0;
    },
    clear_user_highpage(pp, _va, fn, line) {
      const f = c.ptrToFolio(pp, true);
      if (f < 0) c.violation("clear_user_highpage", "clear_user_highpage() on a pointer that is not a folio's page", fn, line);
      else {
        c.touch(f, "clear_user_highpage", fn, line);
        t.value[f] = 0;
      }
    },
    pagefault_disable(disable, fn, line) {
      if (disable) c.pagefaultDisabled++;
      else if (c.pagefaultDisabled === 0) c.violation("pagefault_enable", "pagefault_enable() without a pagefault_disable()", fn, line);
      else c.pagefaultDisabled--;
    },
    mfill_atomic_install_pte(_pmd, _vma, addr, pp, newly, flags, fn, line) {
      const f = c.ptrToFolio(pp, true);
      const vma = c.ctx.vma;
      if (f < 0 || !vma) {
        c.violation("mfill_atomic_install_pte", "mfill_atomic_install_pte() of a page that is not a folio's", fn, line);
        return -ERRNO.EFAULT;
      }
      const inCache = (t.flags[f]! & FOLIO_IN_CACHE) !== 0;
      if (t.flags[f]! & FOLIO_KMAP_DIRTY) {
        c.violation("flush_dcache_folio", "the folio was written through a kernel mapping and is mapped to user space without flush_dcache_folio()", fn, line);
        mark(f, FOLIO_KMAP_DIRTY, false);
      }
      // mm/userfaultfd.c mfill_atomic_install_pte(): a newly allocated page-cache folio goes on the LRU here.
      if (inCache && newly) {
        if (t.flags[f]! & FOLIO_LRU) c.violation("folio_add_lru", "mfill_atomic_install_pte(newly_allocated=true) adds the folio to the LRU, and it is already there (filemap_add_folio() put it there)", fn, line);
        mark(f, FOLIO_LRU, true);
      }
      // Fault injection: a truncate racing the install (the page is now past EOF).
      if (c.fire("install_pte")) return -ERRNO.EFAULT;
      const page = vma.off + Math.floor((addr - vma.start) / 4096);
      return c.hooks.installPte(m, vma, page, f, inCache, (flags & 8) !== 0);
    },
    // include/linux/set_memory.h: splitting a large direct-map page can fail (-ENOMEM); the
    // "prepare" injection makes the removal fail, as a type's prepare step would.
    set_direct_map(pp, valid, fn, line) {
      const f = c.ptrToFolio(pp, true);
      const helper = valid ? "set_direct_map_default_noflush" : "set_direct_map_invalid_noflush";
      if (f < 0) {
        c.violation("set_direct_map", `${helper}() on a pointer that is not a folio's page`, fn, line);
        return -ERRNO.EINVAL;
      }
      const at = { file: c.fileOf(line, fn), fn: c.cString(fn), line: c.callStart(c.fileOf(line, fn), line) };
      if (valid) {
        // An undo of an undo: the folio is already back (the type's unprepare after ->free_folio did it).
        const back = c.directMapRestored.get(f);
        if (!c.directMapRemoved.has(f) && back) {
          c.violation("direct_map_twice", `${helper}() of a folio already put back in the direct map at ${back.file}:${back.line} by ${back.fn}(): prepare is undone twice on this path`, fn, line);
        }
        if (c.directMapRemoved.has(f)) c.directMapRestored.set(f, at);
        c.directMapRemoved.delete(f);
        // Back in the direct map: a stale TLB entry points at a valid mapping again.
        c.directMapUnflushed.delete(f);
        return 0;
      }
      if (c.fire("prepare")) return -ERRNO.ENOMEM;
      c.directMapRestored.delete(f);
      if (!c.directMapRemoved.has(f)) c.directMapRemoved.set(f, at);
      if (!c.directMapUnflushed.has(f)) c.directMapUnflushed.set(f, at);
      return 0;
    },
    // include/linux/mm.h folio_address(): the folio's direct-map address, as kmap_local_folio() gives it here.
    folio_address(p, fn, line) {
      const f = folio(p, fn, line, "folio_address");
      return f < 0 ? 0 : (KMAP_BASE + f * 4096) | 0;
    },
    // asm/tlbflush.h flush_tlb_kernel_range(): drops the kernel TLB entries of [start, end) on every CPU.
    flush_tlb_kernel_range(start, end) {
      const lo = (start >>> 0) - KMAP_BASE;
      const hi = (end >>> 0) - KMAP_BASE;
      for (const f of [...c.directMapUnflushed.keys()]) {
        if (f * 4096 < hi && (f + 1) * 4096 > lo) c.directMapUnflushed.delete(f);
      }
    },
    // mm/util.c account_locked_vm(): takes mmap_write_lock() itself; -ENOMEM past RLIMIT_MEMLOCK; an
    // uncharge of more than is charged is WARN_ON_ONCE (__account_locked_vm()).
    account_locked_vm(_mm, pages, inc, fn, line) {
      if (c.ctx.mmapLocked) {
        c.violation("account_locked_vm", "account_locked_vm() takes the mmap lock for writing, and this path runs under the mmap lock: it deadlocks", fn, line);
      }
      if (inc) {
        if (c.fire("memlock")) return -ERRNO.ENOMEM;
        c.lockedVm += pages;
        c.lockedVmDelta += pages;
        return 0;
      }
      if (pages > c.lockedVm) {
        c.violation("account_locked_vm", `account_locked_vm() uncharges ${pages} page(s) with ${c.lockedVm} charged: an uncharge without its charge`, fn, line);
        return 0;
      }
      c.lockedVm -= pages;
      c.lockedVmDelta -= pages;
      return 0;
    },
    // fs/stat.c inode_add_bytes() / inode_sub_bytes(): the inode's i_blocks and i_bytes.
    inode_bytes(ip, bytes, add, fn, line) {
      const file = c.inodeToFile(ip);
      if (!file) return c.violation("inode_bytes", `${add ? "inode_add_bytes" : "inode_sub_bytes"}() on a pointer that is not an inode`, fn, line);
      // Counted in bytes, as i_blocks (512-byte units) and i_bytes together hold them: any split of a charge pairs.
      c.account("inode-bytes", file.id, Number(bytes), add !== 0, add ? "inode_add_bytes" : "inode_sub_bytes", fn, line);
    },
    // include/linux/quotaops.h dquot_alloc_block(): the user's quota and the inode's bytes; -EDQUOT past the limit.
    dquot_block(ip, nr, alloc, fn, line) {
      const file = c.inodeToFile(ip);
      const helper = alloc ? "dquot_alloc_block" : "dquot_free_block";
      if (!file) {
        c.violation("dquot_block", `${helper}() on a pointer that is not an inode`, fn, line);
        return -ERRNO.EINVAL;
      }
      if (alloc && c.fire("account")) return -EDQUOT;
      // One finding per call: an uncharge the quota never had is not reported again for the inode's bytes.
      // nr << i_blkbits bytes; i_blkbits is PAGE_SHIFT here, as for tmpfs.
      if (c.account("quota", file.id, Number(nr), alloc !== 0, helper, fn, line)) c.account("inode-bytes", file.id, Number(nr) * 4096, alloc !== 0, helper, fn, line);
      return 0;
    },
    // mm/util.c __vm_enough_memory(): charges vm_committed_as, -ENOMEM past the overcommit limit; vm_unacct_memory() gives back.
    vm_commit(_mm, pages, charge, fn, line) {
      if (charge && c.fire("account")) return -ERRNO.ENOMEM;
      c.account("commit", 0, pages, charge !== 0, charge ? "security_vm_enough_memory_mm" : "vm_unacct_memory", fn, line);
      return 0;
    },
    // include/linux/percpu_counter.h: a limited add charges the counter (false past the limit, or injected);
    // on a counter that was ever limited-added, a negative add gives back and a positive one charges.
    percpu_counter(fbc, amount, limit, limited, count, fn, line) {
      const n = Number(amount);
      if (limited) {
        if (c.fire("account") || Number(count) + n > Number(limit)) return 0;
        c.limitedCounters.add(fbc);
      }
      if (!c.limitedCounters.has(fbc) || n === 0) return 1;
      const helper = limited ? "percpu_counter_limited_add" : n > 0 ? "percpu_counter_add" : "percpu_counter_sub";
      return c.account("counter", fbc, Math.abs(n), n > 0, helper, fn, line) ? 1 : 0;
    },
    note_call(fn, line) {
      c.standInCall = { fn, line };
    },
    // include/linux/maple_tree.h mtree_load() on a type's per-page attribute tree (guest_memfd's
    // GMEM_I(inode)->attributes): the entry is xa_mk_value() of the page's attributes, answered from the
    // simulator's shared/private state, which conversion changes under the invalidate lock held for write.
    mtree_load(mt, index, fn, line) {
      const file = c.attrTreeToFile(mt);
      if (!file) {
        c.violation("mtree_load", "mtree_load() of a maple tree that is not in a file's inode info: the model knows no such tree", fn, line);
        return 0;
      }
      // Every index below i_size is in the tree (kvm_gmem_init_inode() stores the default for all of it); beyond, NULL.
      if (index >= file.size) return 0;
      if ((c.invalidateLocks.get(file.id) ?? 0) === 0) c.unlockedAttrReads.set(attrKey(file, index), { fnPtr: fn, line });
      else c.unlockedAttrReads.delete(attrKey(file, index));
      const attrs = c.hooks.pageIsShared(file, index) ? 0 : KVM_MEMORY_ATTRIBUTE_PRIVATE;
      return ((attrs << 1) | 1) >>> 0;
    },
    warn_on(cond, what, fn, line) {
      if (cond) c.violation("warn_on", `WARN_ON_ONCE(${c.cString(what)}) fired`, fn, line);
      return cond ? 1 : 0;
    },
    handle_userfault(_vmf, reason, fn, line) {
      if (!c.ctx.raise) {
        c.violation("handle_userfault", "handle_userfault() outside a fault", fn, line);
        return 2;
      }
      const bits = vmFlagsFromC(reason);
      const vma = c.ctx.vma;
      const cached = vma?.file ? (vma.file.cache[c.ctx.page] ?? -1) : -1;
      if (bits & 4 && cached >= 0 && !t.isUptodate(cached)) {
        // MINOR says "the page cache has valid contents": CONTINUE would map what nobody wrote.
        m.finding(`${c.compiled.fileName}:${line} ${c.cString(fn)}(): raised MINOR for page ${c.ctx.page}, whose folio is not up to date: it is missing`, "R40");
      }
      c.ctx.raised = c.ctx.raise(bits);
      return 0x400; // VM_FAULT_RETRY: the simulator keeps the real outcome in ctx.raised
    },
  };
  return imports;
}

/** The functions a spec names that its type defines elsewhere: answered from the scenario's state. */
export function typeFunctionImports(c: DeclaredC, fns: readonly { name: string; role: DeclaredCType["typeFunctions"][number]["role"] }[]): Record<string, Fn> {
  const out: Record<string, Fn> = {};
  const t = c.machine.folios;
  const infos = new Map<number, number>();
  for (const f of fns) {
    // The type's own C defines it: it runs as written, no stand-in.
    if (c.compiled.typeC?.defines.includes(f.name)) continue;
    switch (f.role) {
      case "guard-inode":
        out[f.name] = (ip) => {
          const file = c.inodeToFile(ip);
          return file && c.hooks.pageIsShared(file, null) ? 1 : 0;
        };
        break;
      case "guard-page":
        out[f.name] = (ip, idx) => {
          const file = c.inodeToFile(ip);
          return file && c.hooks.pageIsShared(file, idx) ? 1 : 0;
        };
        break;
      case "get-or-create":
        // e.g. kvm_gmem_get_folio(): the cached folio, or a new one added to the cache (FGP_CREAT), locked, referenced.
        out[f.name] = (ip, idx) => {
          const file = c.inodeToFile(ip);
          if (!file || idx >= file.npages) return errPtr(ERRNO.EINVAL);
          if (c.fire("alloc")) return errPtr(ERRNO.ENOMEM);
          let g = file.cache[idx] ?? -1;
          if (g < 0) {
            // The allocation's reference goes to the caller; the page cache takes its own.
            g = t.alloc();
            t.get(g);
            file.cache[idx] = g;
            t.flags[g]! |= FOLIO_IN_CACHE;
            t.file[g] = file.id;
            t.index[g] = idx;
          } else t.get(g);
          t.lock(g);
          c.pathLocked.add(g);
          return c.folioToPtr(g);
        };
        break;
      case "alloc":
        out[f.name] = () => (c.fire("alloc") ? 0 : c.folioToPtr(c.fresh(t.alloc())));
        break;
      case "info":
        // SHMEM_I(inode), GMEM_I(inode): one info per inode, made in the module's memory.
        out[f.name] = (ip) => {
          let p = infos.get(ip);
          if (p === undefined) {
            p = c.exports.uk_new_info!();
            infos.set(ip, p);
          }
          return p;
        };
        break;
      case "type-add":
        // shmem_add_to_page_cache(): a locked folio into the slot; no memcg charge, no LRU (mm/shmem.c).
        out[f.name] = (p, mp, index) => {
          const g = c.ptrToFolio(p);
          const file = c.mappingToFile(mp);
          if (g < 0 || !file) return -ERRNO.EINVAL;
          if (!t.isLocked(g)) c.standInViolation(f.name, `${f.name}() of a folio that is not locked (VM_BUG_ON_FOLIO in shmem_add_to_page_cache)`);
          if (c.fire("filemap_add_enomem")) return -ERRNO.ENOMEM;
          if (c.fire("filemap_add_eexist") || (file.cache[index] ?? -1) >= 0) return -ERRNO.EEXIST;
          file.cache[index] = g;
          t.get(g);
          t.flags[g]! |= FOLIO_IN_CACHE;
          t.file[g] = file.id;
          t.index[g] = index;
          c.folioToPtr(g);
          c.addedByC(file.id, g);
          return 0;
        };
        break;
      case "account":
        // shmem_inode_acct_blocks(): the tmpfs size= / quota check; injected failure is -ENOSPC.
        // It charges `pages` blocks to the inode, which shmem_inode_unacct_blocks() gives back (mm/shmem.c).
        out[f.name] = (ip, pages) => {
          if (c.fire("account")) return -ERRNO.ENOSPC;
          const file = c.inodeToFile(ip);
          if (file) c.accountStandIn("blocks", file.id, pages, true, f.name);
          return 0;
        };
        break;
      case "recalc":
      case "unaccount":
        // shmem_recalc_inode() (mm/shmem.c): the blocks of pages that left the mapping since the last
        // recalc are given back (shmem_inode_unacct_blocks()); the type's unaccount wraps recalc(inode, 0, 0).
        out[f.name] = (ip, alloced) => {
          const file = c.inodeToFile(ip);
          if (file) c.recalcBlocks(file, f.name, f.role === "recalc" ? Number(alloced) : 0);
        };
        break;
      case "prepare":
        // A stand-in: it answers (0, or the injected -ENOMEM) and changes nothing the model sees.
        out[f.name] = () => (c.fire("prepare") ? -ERRNO.ENOMEM : 0);
        break;
      case "unprepare":
      case "free-folio":
        out[f.name] = () => undefined;
        break;
    }
  }
  return out;
}
