/**
 * The truncate step: ftruncate() of the backing file, as
 * truncate_setsize() and truncate_pagecache() do it. Each test runs a small
 * scenario (validated against the published schema by helpers.run).
 */
import { describe, expect, it } from "vitest";
import type { Step } from "../../src/ir/scenario.js";
import { API, explain, lines, run, sc } from "./helpers.js";

const shmem = (steps: Step[]) => sc("t", { kind: "shmem", pages: 2, map: "shared" }, steps);
const write = (thread: string, page: number, value: number): Step => ({ op: "touch", thread, page, access: "write", value, expect: { outcome: "done" } });

describe("truncate", () => {
  it("shrinking drops the page beyond the new size: an access there is SIGBUS, fstat reports the size, read() past it returns nothing", () => {
    const r = run(shmem([
      write("a", 0, 0x11),
      write("b", 1, 0x22),
      { op: "truncate", pages: 1 },
      { op: "fstat", expect: { size: 4096 } },
      { op: "touch", thread: "c", page: 1, access: "read", expect: { outcome: "sigbus" } },
      { op: "touch", thread: "d", page: 0, access: "read", expect: { outcome: "done", value: 0x11 } },
    ]));
    expect(r.verdict, explain(r)).toBe("pass");
  });

  it("growing back leaves a hole: the page reads zeros, not what it held before", () => {
    const r = run(shmem([write("a", 1, 0x22), { op: "truncate", pages: 1 }, { op: "truncate", pages: 2 }, { op: "touch", thread: "c", page: 1, access: "read", expect: { outcome: "done", value: 0 } }]));
    expect(r.verdict, explain(r)).toBe("pass");
  });

  it("a COPY beyond the new size is EFAULT on 6.18 shmem (the install re-checks i_size)", () => {
    const r = run(shmem([API, { op: "register", page: 0, pages: 2, modes: ["missing"] }, { op: "truncate", pages: 1 }, { op: "copy", page: 1, src: { byte: 7 }, expect: { result: "EFAULT", copy: -14 } }]));
    expect(r.verdict, explain(r)).toBe("pass");
  });

  it("a fault beyond the new size on a MISSING range is SIGBUS, not an event (shmem checks i_size before it raises)", () => {
    const r = run(shmem([API, { op: "register", page: 0, pages: 2, modes: ["missing"] }, { op: "truncate", pages: 1 }, { op: "touch", thread: "r", page: 1, access: "read", expect: { outcome: "sigbus" } }, { op: "event", expect: { event: "none" } }]));
    expect(r.verdict, explain(r)).toBe("pass");
  });

  it("guest_memfd refuses a size change (kvm_gmem_setattr: EINVAL); shared anonymous memory has no descriptor (EBADF)", () => {
    const g = run(sc("g", { kind: "guest_memfd", pages: 2, map: "shared", gmemFlags: ["mmap", "init_shared"] }, [{ op: "truncate", pages: 1, expect: { result: "EINVAL" } }]));
    expect(lines(g)).toEqual(["truncate: errno=EINVAL"]);
    const a = run(sc("a", { kind: "shmem-anon", pages: 2, map: "shared" }, [{ op: "truncate", pages: 1, expect: { result: "EBADF" } }]));
    expect(lines(a)).toEqual(["truncate: errno=EBADF"]);
  });

  it("a size beyond the mapping is not modelled, and says so", () => {
    const r = run(shmem([{ op: "truncate", pages: 3 }]));
    expect(r.steps[0]!.observed).toMatch(/error reason=truncate_to_3_pages/);
  });
});
