import { describe, expect, it } from "vitest";
import { normalize } from "../../src/model/normalize.js";
import { checkModel } from "../../src/rules/index.js";
import type { MemoryTypeSpec } from "../../src/spec/types.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";
import { lowerOf } from "../fixtures/lower.js";

/** A correct guest_memfd declaration on linux-7.1+gmem: no findings. Each test breaks one thing. */
const BASE: MemoryTypeSpec = GMEM_SPEC;

function check(over: Partial<MemoryTypeSpec>) {
  return checkModel(lowerOf(normalize({ ...BASE, ...over })));
}
const ids = (over: Partial<MemoryTypeSpec>) => check(over).map((d) => `${d.id}:${d.severity}`);
const finding = (over: Partial<MemoryTypeSpec>, id: string) => check(over).find((d) => d.id === id);

describe("checkModel", () => {
  it("finds nothing in a correct guest_memfd declaration", () => {
    expect(check({})).toEqual([]);
  });

  it("a strategy without the helper it calls is S10 at check time, at the strategy's object (never an emitter error)", () => {
    const gf = finding({ getFolio: { strategy: "lookup-or-create", notUptodate: "zero-fill" } }, "S10");
    expect(gf).toMatchObject({ severity: "error", path: "getFolio" });
    expect(gf!.message).toMatch(/getFolio.helper is not set/);
    const alloc = finding({ copy: { ...BASE.copy!, alloc: { strategy: "helper" } } }, "S10");
    expect(alloc).toMatchObject({ path: "copy.alloc" });
    const add = finding({ copy: { ...BASE.copy!, filemapAdd: "type" } }, "S10");
    expect(add).toMatchObject({ path: "copy" });
    expect(add!.hint).toMatch(/copy.typeAdd/);
  });

  it("KVM Userfault (Oliver Upton on KVM Userfault v3 04/15): a plain bitmap load or a plain bit-clear is R59; load-acquire with store-release is clean", () => {
    expect(ids({ kvmUserfault: { bitmapLoad: "acquire", userspaceStore: "release" } })).toEqual([]);
    expect(ids({ kvmUserfault: { bitmapLoad: "acquire" } })).toEqual([]);
    expect(finding({ kvmUserfault: { bitmapLoad: "plain" } }, "R59")).toMatchObject({ severity: "error", path: "kvmUserfault.bitmapLoad" });
    const store = check({ kvmUserfault: { bitmapLoad: "acquire", userspaceStore: "plain" } }).filter((d) => d.id === "R59");
    expect(store.map((d) => d.path)).toEqual(["kvmUserfault.userspaceStore"]);
    expect(check({ kvmUserfault: { bitmapLoad: "plain", userspaceStore: "plain" } }).filter((d) => d.id === "R59")).toHaveLength(2);
  });

  it("MINOR without CONTINUE is R51; MINOR without get_folio is R16", () => {
    expect(ids({ ioctls: ["copy", "zeropage"] })).toContain("R51:error");
    const noGetFolio = { getFolio: undefined } as Partial<MemoryTypeSpec>;
    expect(ids({ ...noGetFolio, api: "linux-7.1", fault: undefined })).toContain("R16:error");
    expect(finding({ ...noGetFolio, api: "linux-7.1" }, "R16")?.path).toBe("ioctls.2");
  });

  it("MINOR on anonymous memory is R12, pointing at the minor entry", () => {
    const d = finding({ backing: "anon", features: ["missing", "minor"], api: "linux-7.1" }, "R12");
    expect(d?.severity).toBe("error");
    expect(d?.path).toBe("features.1");
    expect(d?.predicts).toMatch(/EINVAL/);
  });

  it("MISSING without COPY on peterx-v1 is R52", () => {
    expect(ids({ api: "peterx-v1", ioctls: ["zeropage", "continue"], fault: undefined })).toContain("R52:error");
    // Elsewhere ZEROPAGE alone still resolves MISSING.
    expect(ids({ ioctls: ["zeropage", "continue"] })).not.toContain("R52:error");
    // And MISSING with nothing to resolve it is R52 on every generation.
    expect(ids({ ioctls: ["continue"], copy: undefined })).toContain("R52:error");
  });

  it("MISSING outside mm/ on peterx-v4 is R53, not inside mm/", () => {
    const v4 = { api: "peterx-v4", fault: undefined, copy: undefined } as const;
    expect(ids(v4)).toContain("R53:error");
    expect(ids({ ...v4, file: "mm/shmem.c" })).not.toContain("R53:error");
  });

  it("peterx-v4 features must equal the modes the ioctls imply (R54)", () => {
    const v4 = { api: "peterx-v4", file: "mm/x.c", fault: undefined, copy: undefined } as const;
    expect(ids(v4)).not.toContain("R54:error");
    expect(ids({ ...v4, features: ["missing", "minor", "wp"] })).toContain("R54:error");
    expect(ids({ ...v4, features: ["minor"] })).toContain("R54:error");
  });

  it("ZEROPAGE on hugetlb is R28; MOVE on anything but anon is R30", () => {
    expect(ids({ backing: "hugetlb", getFolio: undefined, copy: undefined })).toContain("R28:error");
    expect(ids({ ioctls: ["copy", "zeropage", "continue", "move"] })).toContain("R30:error");
    expect(ids({ backing: "anon", features: ["missing"], ioctls: ["copy", "move"], getFolio: undefined, guard: undefined, api: "linux-7.1", fault: undefined })).not.toContain("R30:error");
  });

  it("WP on file memory without PTE markers is R09", () => {
    const wp: Partial<MemoryTypeSpec> = { features: ["missing", "minor", "wp"], ioctls: ["copy", "zeropage", "continue", "writeprotect"] };
    expect(ids(wp)).toContain("R09:error");
    expect(ids({ ...wp, wpMarkers: true })).not.toContain("R09:error");
  });

  it("a modular type calling handle_userfault() is R35; a built-in one is not", () => {
    const raise = { fault: { handler: "kvm_gmem_fault", raise: "handle_userfault" } } as const;
    expect(ids(raise)).toContain("R35:error");
    expect(ids({ ...raise, modular: false })).not.toContain("R35:error");
  });

  it("fault.raise core without __do_userfault() is R55", () => {
    expect(ids({ api: "linux-7.1" })).toContain("R55:error");
    expect(ids({})).not.toContain("R55:error");
  });

  it("a get_folio that may allocate is R42", () => {
    const d = finding({ getFolio: { strategy: "lookup-or-create", helper: "kvm_gmem_get_folio", notUptodate: "missing" } }, "R42");
    expect(d?.severity).toBe("error");
    expect(d?.path).toBe("getFolio.strategy");
    expect(ids({ getFolio: { strategy: "lookup", notUptodate: "missing", locked: false } })).toContain("R42:error");
  });

  it("a filemap_get_entry lookup without putOnEarlyReturn is R43", () => {
    expect(ids({ getFolio: { strategy: "lookup", lookup: "filemap_get_entry", putOnEarlyReturn: false, notUptodate: "missing" } })).toContain("R43:error");
    expect(ids({ getFolio: { strategy: "lookup", lookup: "filemap_get_entry", notUptodate: "missing" } })).not.toContain("R43:error");
  });

  it("a shared-ness guard checked only at registration is R39", () => {
    expect(ids({ guard: { shared: "kvm_gmem_is_init_shared", granularity: "inode", at: "register" } })).toContain("R39:error");
    expect(ids({ guard: { shared: "kvm_gmem_is_shared_mem", at: ["register", "fault"] } })).not.toContain("R39:error");
    // At fault time but not in get_folio: MINOR could still map a private page.
    expect(ids({ guard: { shared: "kvm_gmem_is_shared_mem", at: ["alloc_folio"] } })).toContain("R39:warning");
  });

  it("R40: present is an error (stale); missing with MISSING is an error (unresolvable) unless write()+CONTINUE fills it; zero-fill is clean", () => {
    expect(ids({ getFolio: { strategy: "lookup", notUptodate: "present" } })).toContain("R40:error");
    expect(ids({ getFolio: { strategy: "lookup", notUptodate: "missing" } })).toContain("R40:error");
    expect(ids({ getFolio: { strategy: "lookup", notUptodate: "missing" }, populateByWrite: true })).not.toContain("R40:error");
    expect(ids({ getFolio: { strategy: "lookup", notUptodate: "zero-fill" } }).filter((x) => x.startsWith("R40"))).toEqual([]);
  });

  it("R02: ops asked for but no mode for can_userfault to accept", () => {
    expect(ids({ features: [], ioctls: ["poison"], getFolio: undefined, copy: undefined, guard: undefined })).toContain("R02:error");
    // With nothing at all declared there are no ops: R01, not R02.
    const nothing = ids({ features: [], ioctls: [], getFolio: undefined, copy: undefined, guard: undefined });
    expect(nothing).toContain("R01:error");
    expect(nothing).not.toContain("R02:error");
    // R02 is about the 7.1 can_userfault member; peterx-v1 has none.
    expect(ids({ api: "peterx-v1", features: [], ioctls: ["poison"], getFolio: undefined, copy: undefined, guard: undefined, fault: undefined })).not.toContain("R02:error");
  });

  it("non-exported helpers from a module are R46; EXPORT_SYMBOL_FOR_MODULES is an R47 warning", () => {
    expect(ids({ copy: { alloc: { strategy: "shared-policy" }, export: "EXPORT_SYMBOL_FOR_KVM" } })).toContain("R46:error");
    expect(ids({ copy: { alloc: { strategy: "mapping-gfp" } } })).toContain("R46:error");
    expect(ids({ copy: { alloc: { strategy: "mapping-gfp" } }, modular: false })).not.toContain("R46:error");
    expect(ids({ copy: { alloc: { strategy: "mapping-gfp" }, export: "EXPORT_SYMBOL_FOR_MODULES" } })).toEqual(["R47:warning"]);
  });

  it("peterx-v1 uffd_copy exposing page-table pointers is an R48 warning", () => {
    expect(ids({ api: "peterx-v1", fault: undefined })).toContain("R48:warning");
  });

  it("MINOR-only on a type that needs first-touch interception is R36", () => {
    const minorOnly: Partial<MemoryTypeSpec> = { features: ["minor"], ioctls: ["continue"], copy: undefined };
    expect(ids(minorOnly)).toContain("R36:warning");
    expect(ids({ ...minorOnly, run: { kernelKind: "shmem" } })).toContain("R36:info");
  });

  it("filemap_add without filemap_remove is R44; alloc without an EOF check is an R45 warning (core re-checks i_size at install: not a leak)", () => {
    expect(ids({ copy: { alloc: { strategy: "mapping-gfp" }, filemapRemove: "none", export: "EXPORT_SYMBOL_FOR_KVM" } })).toContain("R44:error");
    expect(ids({ copy: { alloc: { strategy: "mapping-gfp", eofCheck: false }, export: "EXPORT_SYMBOL_FOR_KVM" } })).toContain("R45:warning");
  });

  it("CONTINUE on a MISSING-only registration is an R17 warning", () => {
    expect(ids({ features: ["missing"] })).toContain("R17:warning");
  });

  it("rules outside their generations stay silent", () => {
    // R15 (get_folio_noalloc needed at REGISTER) is pending-only.
    const noGetFolio = { getFolio: undefined, features: ["missing"], ioctls: ["copy", "zeropage"] } as Partial<MemoryTypeSpec>;
    expect(ids(noGetFolio)).toContain("R15:error");
    expect(ids({ ...noGetFolio, api: "linux-7.1", fault: undefined })).not.toContain("R15:error");
  });

  it("carries hint, kernel prediction and source on each diagnostic", () => {
    const d = finding({ backing: "anon", api: "linux-7.1" }, "R12")!;
    expect(d.hint).toMatch(/drop "minor"/);
    expect(d.source).toMatch(/anon_can_userfault/);
  });
});
