/**
 * The accounting ledger (src/run/c/accounting.ts) on its own: charges and
 * uncharges pair per account, a callback's charges go with the folio it fills,
 * and what a folio leaves behind is named by the charge that made it.
 */
import { describe, expect, it } from "vitest";
import { Ledger } from "../../src/run/c/accounting.js";

const at = (line: number) => ({ file: "x.c", fn: "f", line });

describe("accounting ledger", () => {
  it("an uncharge of more than is held is short, and changes nothing", () => {
    const l = new Ledger();
    l.begin();
    l.charge("quota", 1, 1, "dquot_alloc_block", at(10));
    expect(l.uncharge("quota", 1, 1)).toBeNull();
    expect(l.uncharge("quota", 1, 1)).toEqual({ short: 0 });
    // Accounts are per kind and owner.
    l.charge("quota", 2, 1, "dquot_alloc_block", at(11));
    expect(l.uncharge("inode-bytes", 2, 1)).toEqual({ short: 0 });
    expect(l.total("quota", 2)).toBe(1);
  });

  it("a callback's own charges are pending until it gives them back", () => {
    const l = new Ledger();
    l.begin();
    l.charge("commit", 0, 2, "security_vm_enough_memory_mm", at(20));
    l.uncharge("commit", 0, 1);
    expect(l.pending()).toEqual([{ key: "commit:0", kind: "commit", n: 1, by: "security_vm_enough_memory_mm", at: at(20) }]);
    l.begin();
    expect(l.pending()).toEqual([]);
    // The charge itself is still held across callbacks.
    expect(l.total("commit", 0)).toBe(1);
  });

  it("charges go with the folio a callback filled, and a later callback that gives them back releases it clean", () => {
    const l = new Ledger();
    l.begin();
    l.charge("blocks", 3, 1, "shmem_inode_acct_blocks", at(30));
    l.attach(7);
    l.begin();
    l.uncharge("blocks", 3, 1);
    expect(l.release(7)).toEqual([]);
  });

  it("a folio released without its charge given back names the charge", () => {
    const l = new Ledger();
    l.begin();
    l.charge("blocks", 3, 1, "shmem_inode_acct_blocks", at(30));
    l.attach(7);
    l.begin();
    expect(l.release(7)).toEqual([{ key: "blocks:3", kind: "blocks", n: 1, by: "shmem_inode_acct_blocks", at: at(30) }]);
    // Released once: the folio carries nothing any more.
    l.begin();
    expect(l.release(7)).toEqual([]);
  });

  it("a reused folio id starts with nothing charged", () => {
    const l = new Ledger();
    l.begin();
    l.charge("counter", 64, 1, "percpu_counter_limited_add", at(40));
    l.attach(9);
    l.forget(9);
    l.begin();
    expect(l.release(9)).toEqual([]);
  });

  it("a folio charged for in alloc_folio and freed by core before it entered the cache is reported once; one that entered the cache is not", () => {
    const l = new Ledger();
    l.begin();
    l.charge("blocks", 1, 1, "shmem_inode_acct_blocks", at(50));
    l.attachAllocated(4);
    l.begin();
    l.charge("blocks", 1, 1, "shmem_inode_acct_blocks", at(51));
    l.attachAllocated(5);
    l.entered(5);
    const freed = new Set([4, 5]);
    expect(l.freedBeforeCache((f) => freed.has(f))).toEqual([{ folio: 4, left: [{ key: "blocks:1", kind: "blocks", n: 1, by: "shmem_inode_acct_blocks", at: at(50) }] }]);
    expect(l.freedBeforeCache((f) => freed.has(f))).toEqual([]);
  });
});
