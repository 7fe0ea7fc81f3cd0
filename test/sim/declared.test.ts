/**
 * Declared types: the emitted C of each strategy runs under the declared API
 * generation, and a strategy's flaw shows at run time as a failed expectation
 * and/or a finding with the rule it breaks.
 */
import { describe, expect, it } from "vitest";
import type { DeclaredType, Scenario, Step } from "../../src/ir/scenario.js";
import { API, emitDeclared, explain, run, sc } from "./helpers.js";

const GOOD: DeclaredType = {
  name: "kvm_gmem",
  api: "linux-7.1+gmem",
  backing: "pagecache",
  modes: ["missing", "minor"],
  ioctls: ["copy", "zeropage", "continue"],
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "missing" },
  copy: { alloc: { strategy: "mapping-gfp" } },
  guard: { shared: "kvm_gmem_is_shared_mem", granularity: "page", at: "fault" },
  fault: { handler: "kvm_gmem_fault_user_mapping", raise: "core" },
  raise: "core",
  kernelKind: "guest_memfd",
};

function declared(name: string, d: Partial<DeclaredType>, steps: Step[], extra: Partial<Scenario["setup"]> = {}): Scenario {
  return sc(name, { kind: "declared", declared: { ...GOOD, ...d }, gmemFlags: ["mmap", "init_shared"], alias: true, ...extra }, steps);
}

const MISSING_THEN_MINOR: Step[] = [
  API,
  { op: "register", page: 0, pages: 4, modes: ["missing", "minor"] },
  { op: "touch", thread: "a", page: 0, access: "read", expect: { outcome: "blocked" } },
  { op: "event", expect: { event: "pagefault", page: 0, flags: [] } },
  { op: "copy", page: 0, src: { byte: 0x42 } },
  { op: "wait", thread: "a", expect: { outcome: "done", value: 0x42 } },
  { op: "continue", page: 2, expect: { result: "EFAULT", mapped: -14 } },
  { op: "file_write", page: 1, value: 0x24, via: "pwrite" },
  { op: "touch", thread: "b", page: 1, access: "read", expect: { outcome: "blocked" } },
  { op: "event", expect: { event: "pagefault", page: 1, flags: ["minor"] } },
  { op: "continue", page: 1 },
  { op: "wait", thread: "b", expect: { outcome: "done", value: 0x24 } },
];

describe("a correct declared type", () => {
  it("MISSING resolved by COPY, MINOR by CONTINUE, CONTINUE on a hole EFAULT; no findings", () => {
    const r = run(declared("good", {}, MISSING_THEN_MINOR));
    expect(r.verdict, explain(r)).toBe("pass");
    expect(r.findings ?? []).toEqual([]);
  });
  it("runs under its own generation whatever kernel version is chosen", () => {
    const r = run(declared("good_618", {}, MISSING_THEN_MINOR), "6.18");
    expect(r.verdict, explain(r)).toBe("pass");
  });
});

describe("flaws show at run time", () => {
  it("lookup-or-create allocates in get_folio_noalloc: a first touch becomes MINOR, CONTINUE on a hole maps zeros", () => {
    const r = run(declared("lookup_or_create", { getFolio: { strategy: "lookup-or-create", helper: "kvm_gmem_get_folio", notUptodate: "zero-fill" } }, MISSING_THEN_MINOR));
    expect(r.verdict).toBe("fail");
    expect(r.steps[3]!.observed).toBe("pagefault page=0 flags=minor");
    expect(r.steps[6]!.observed).toBe("ok mapped=4096");
    expect(r.findings!.some((f) => /must never allocate/.test(f.message))).toBe(true);
  });
  it("notUptodate 'present': a fallocated page is MINOR and CONTINUE maps stale contents (R40)", () => {
    const steps: Step[] = [
      API,
      { op: "register", page: 0, pages: 4, modes: ["missing", "minor"] },
      { op: "touch", thread: "a", page: 0, access: "read", expect: { outcome: "blocked" } },
      { op: "event", expect: { event: "pagefault", page: 0, flags: [] } },
    ];
    const bad = run(declared("stale", { getFolio: { strategy: "lookup", notUptodate: "present" } }, [...steps, { op: "continue", page: 0 }, { op: "wait", thread: "a", expect: { outcome: "done", value: 0 } }], { fallocated: [0] }));
    expect(bad.verdict).toBe("fail");
    expect(bad.steps[3]!.observed).toBe("pagefault page=0 flags=minor");
    expect(bad.steps[5]!.observed).toBe("done value=0xee");
    expect(bad.findings!.some((f) => f.rule === "R40")).toBe(true);
    // Treated as missing, the same page traps as MISSING.
    const good = run(declared("uptodate_ok", {}, steps, { fallocated: [0] }));
    expect(good.verdict, explain(good)).toBe("pass");
  });
  it("filemap_get_entry without a put on the early return leaks a reference (R43)", () => {
    const steps: Step[] = [
      API,
      { op: "register", page: 0, pages: 4, modes: ["missing", "minor"] },
      { op: "touch", thread: "a", page: 0, access: "read", expect: { outcome: "blocked" } },
    ];
    const leak = run(declared("leak", { getFolio: { strategy: "lookup", lookup: "filemap_get_entry", notUptodate: "missing", putOnEarlyReturn: false } }, steps, { fallocated: [0] }));
    expect(leak.verdict).toBe("fail");
    const f = leak.findings!.find((x) => x.rule === "R43");
    // Caught where the C returns: get_folio_noalloc kept the lookup's reference.
    expect(f?.message).toMatch(/kept a reference|leaked/);
    expect(f?.step).toBe(2);
    const noLeak = run(declared("no_leak", { getFolio: { strategy: "lookup", lookup: "filemap_get_entry", notUptodate: "missing" } }, steps, { fallocated: [0] }));
    expect(noLeak.verdict, explain(noLeak)).toBe("pass");
  });
  it("a guard checked only at register lets a private page be faulted in (R39); at fault it is SIGBUS", () => {
    // A type whose own ->fault relies on the guard (not built on guest_memfd).
    const steps: Step[] = [{ op: "touch", thread: "a", page: 1, access: "read", expect: { outcome: "sigbus" } }];
    const generic = { kernelKind: undefined, privatePages: [1] };
    const atRegister = run(declared("guard_register", { ...generic, guard: { shared: "my_is_shared", granularity: "page", at: "register" } }, steps));
    expect(atRegister.verdict).toBe("fail");
    expect(atRegister.steps[0]!.observed).toBe("done value=0x00");
    expect(atRegister.findings!.some((f) => f.rule === "R39")).toBe(true);
    const atFault = run(declared("guard_fault", generic, steps));
    expect(atFault.verdict, explain(atFault)).toBe("pass");
  });
  it("on guest_memfd the fault SIGBUSes a private page anyway, but COPY's alloc_folio serves it unless guarded (R39)", () => {
    const steps: Step[] = [
      API,
      { op: "register", page: 0, pages: 4, modes: ["missing"] },
      { op: "touch", thread: "s", page: 2, access: "read", expect: { outcome: "blocked" } },
      { op: "touch", thread: "a", page: 1, access: "read", expect: { outcome: "blocked" } },
      { op: "copy", page: 1, src: { byte: 0x5a }, expect: { result: "ENOMEM", copy: -12 } },
    ];
    const inodeOnly = run(declared("guard_inode_only", { guard: { shared: "kvm_gmem_is_shared_mem", granularity: "inode", at: "fault" }, privatePages: [1] }, steps));
    expect(inodeOnly.steps[4]!.observed).toBe("ok copy=4096");
    expect(inodeOnly.findings!.some((f) => f.rule === "R39" && /alloc_folio served page 1/.test(f.message))).toBe(true);
    // Per page, get_folio_noalloc refuses page 1 too: __do_userfault() raises nothing and ->fault SIGBUSes it.
    const perPageSteps: Step[] = [...steps.slice(0, 3), { op: "touch", thread: "a", page: 1, access: "read", expect: { outcome: "sigbus" } }, steps[4]!];
    const perPage = run(declared("guard_per_page", { privatePages: [1] }, perPageSteps));
    expect(perPage.verdict, explain(perPage)).toBe("pass");
  });
  it("get_folio returning an unreferenced folio breaks the refcount invariant", () => {
    const r = run(declared("unreferenced", { getFolio: { strategy: "lookup", notUptodate: "missing", referenced: false } }, MISSING_THEN_MINOR));
    expect(r.verdict).toBe("fail");
    expect(r.findings!.some((f) => /never taken|underflow/.test(f.message))).toBe(true);
  });
  it("COPY without filemap_add maps a folio the page cache does not hold", () => {
    const r = run(declared("no_filemap_add", { copy: { alloc: { strategy: "mapping-gfp" }, filemapAdd: "none" } }, MISSING_THEN_MINOR.slice(0, 6)));
    expect(r.verdict).toBe("fail");
    expect(r.findings!.some((f) => /page cache/.test(f.message))).toBe(true);
  });
  it("a type that raises nothing (linux-7.1 has no __do_userfault) registers but never traps", () => {
    const r = run(
      declared("no_raise", { api: "linux-7.1", fault: { handler: "h", raise: "core" } }, [
        API,
        { op: "register", page: 0, pages: 4, modes: ["missing"] },
        { op: "touch", thread: "a", page: 0, access: "read", expect: { outcome: "blocked" } },
      ]),
    );
    expect(r.steps[1]!.observed).toMatch(/^ok/);
    expect(r.steps[2]!.observed).toBe("done value=0x00");
    expect(r.verdict).toBe("fail");
  });
});

describe("registration under the declared generation", () => {
  it("linux-7.1+gmem needs get_folio_noalloc (R15): lowering gives a spec without getFolio the default lookup, so it registers", () => {
    const d: Partial<DeclaredType> = { getFolio: undefined };
    const built = emitDeclared({ ...GOOD, ...d });
    expect(built.source).toMatch(/uffdkit: get_folio_noalloc: the spec declares no getFolio/);
    expect(built.source).toMatch(/\.get_folio_noalloc\s+= kvm_gmem_uffd_get_folio/);
    const r = run(declared("no_get_folio", d, [API, { op: "register", page: 0, modes: ["missing"] }]));
    expect(r.verdict, explain(r)).toBe("pass");
  });
  it("peterx-v4 deduces modes from ioctls: MINOR needs continue", () => {
    const r = run(
      declared("v4_modes", { api: "peterx-v4", ioctls: ["copy"], modes: ["missing", "minor"] }, [
        API,
        { op: "register", page: 0, modes: ["minor"], expect: { result: "EINVAL" } },
        { op: "register", page: 0, modes: ["missing"] },
      ]),
    );
    expect(r.verdict, explain(r)).toBe("pass");
  });
  it("a guard at register refuses an inode without INIT_SHARED (can_userfault false)", () => {
    const r = run(
      declared("guard_inode", { guard: { shared: "kvm_gmem_is_shared_mem", granularity: "inode", at: ["register", "fault"] } }, [
        API,
        { op: "register", page: 0, modes: ["missing"], expect: { result: "EINVAL" } },
      ], { gmemFlags: ["mmap"] }),
    );
    expect(r.verdict, explain(r)).toBe("pass");
  });
});

describe("finding rule ids", () => {
  it("every rule id the simulator attaches is in the rule catalogue", async () => {
    const { RULE } = await import("../../src/run/sim/findings.js");
    const { findRule } = await import("../../src/rules/index.js");
    for (const id of Object.values(RULE)) expect(findRule(id)?.id, id).toBe(id);
  });
  it("a MISSING-registered page of a type without __do_userfault() reports R55", () => {
    const r = run(
      declared("r55", { api: "linux-7.1", fault: { handler: "h", raise: "core" } }, [
        API,
        { op: "register", page: 0, pages: 4, modes: ["missing"] },
        { op: "touch", thread: "a", page: 0, access: "read", expect: { outcome: "done", value: 0 } },
      ]),
    );
    expect(r.findings?.map((f) => f.rule)).toContain("R55");
  });
});
