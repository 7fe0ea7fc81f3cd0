/**
 * The 6.18 behaviours the reference suites observe (the abi618* sources of
 * src/kernel/sources.ts), one scenario each, per kind where the
 * behaviour depends on it. Each scenario states the kernel's answer as its
 * expectation; the simulator must meet every one (verdict pass).
 */
import { describe, expect, it } from "vitest";
import type { Step } from "../../src/ir/scenario.js";
import { API, explain, run, sc } from "./helpers.js";

const pass = (r: ReturnType<typeof run>) => expect(r.verdict, explain(r)).toBe("pass");

describe("UFFDIO_API (abi618Api)", () => {
  it("works once per fd: a second call is EINVAL, even after features=0", () => {
    pass(run(sc("api_twice", { kind: "anon", map: "private" }, [API, { op: "api", expect: { result: "EINVAL" } }])));
  });
  it("an unknown feature is EINVAL and the fd stays usable", () => {
    pass(
      run(
        sc("api_unknown", { kind: "anon", map: "private" }, [
          { op: "api", unknownFeature: true, expect: { result: "EINVAL" } },
          { op: "api", badApi: true, expect: { result: "EINVAL" } },
          { op: "api", features: ["sigbus"] },
        ]),
      ),
    );
  });
  it("every ioctl before the handshake is EINVAL", () => {
    pass(run(sc("no_api", { kind: "anon", map: "private" }, [{ op: "register", page: 0, modes: ["missing"], expect: { result: "EINVAL" } }])));
  });
});

describe("UFFDIO_REGISTER", () => {
  it("MINOR on anon is EINVAL, mode 0 is EINVAL", () => {
    pass(
      run(
        sc("reg_minor_anon", { kind: "anon", map: "private" }, [
          API,
          { op: "register", page: 0, modes: ["minor"], expect: { result: "EINVAL" } },
          { op: "register", page: 0, modes: [], expect: { result: "EINVAL" } },
        ]),
      ),
    );
  });
  const masks: [string, "anon" | "shmem" | "hugetlb" | "shmem-anon", "shared" | "private", Step & { op: "register" }][] = [
    ["anon missing", "anon", "private", { op: "register", page: 0, modes: ["missing"], expect: { ioctls: ["wake", "copy", "zeropage", "move", "poison"] } }],
    ["anon wp", "anon", "private", { op: "register", page: 0, modes: ["missing", "wp"], expect: { ioctls: ["wake", "copy", "zeropage", "move", "writeprotect", "poison"] } }],
    // MOVE is advertised for shmem although MOVE on shmem is EINVAL (inexact mask).
    ["shmem missing", "shmem", "shared", { op: "register", page: 0, modes: ["missing"], expect: { ioctls: ["wake", "copy", "zeropage", "move", "poison"] } }],
    ["shmem minor", "shmem", "shared", { op: "register", page: 0, modes: ["minor"], expect: { ioctls: ["wake", "copy", "zeropage", "move", "continue", "poison"] } }],
    ["shmem-anon all", "shmem-anon", "shared", { op: "register", page: 0, modes: ["missing", "wp", "minor"], expect: { ioctls: ["wake", "copy", "zeropage", "move", "writeprotect", "continue", "poison"] } }],
    // hugetlb: the BASIC set, no ZEROPAGE and no MOVE.
    ["hugetlb missing", "hugetlb", "shared", { op: "register", page: 0, modes: ["missing"], expect: { ioctls: ["wake", "copy", "poison"] } }],
  ];
  for (const [title, kind, map, step] of masks) {
    it(`returns the 6.18 ioctls mask: ${title}`, () => {
      const r = run(sc(`mask_${title.replace(/\W/g, "_")}`, { kind, map, pages: 2 }, [API, step]));
      pass(r);
    });
  }
  it("a read-only MAP_SHARED file mapping is EPERM; another context's range is EBUSY", () => {
    pass(run(sc("reg_eperm", { kind: "shmem", readonly: true }, [API, { op: "register", page: 0, modes: ["missing"], expect: { result: "EPERM" } }])));
    pass(
      run(
        sc("reg_ebusy", { kind: "shmem", contexts: 2 }, [
          API,
          { op: "api", ctx: 1 },
          { op: "register", page: 0, modes: ["missing"] },
          { op: "register", ctx: 1, page: 0, modes: ["missing"], expect: { result: "EBUSY" } },
          { op: "unregister", ctx: 1, page: 0, expect: { result: "EINVAL" } },
          { op: "unregister", page: 2, pages: 2 },
        ]),
      ),
    );
  });
  it("re-registering replaces the mode: MISSING → WP drops MISSING", () => {
    pass(
      run(
        sc("reg_replace", { kind: "anon", map: "private" }, [
          API,
          { op: "register", page: 0, modes: ["missing"] },
          { op: "register", page: 0, modes: ["wp"] },
          { op: "touch", thread: "t", page: 0, access: "read", expect: { outcome: "done", value: 0 } },
        ]),
      ),
    );
  });
  it("hugetlb registration must be huge-page aligned", () => {
    pass(run(sc("reg_huge_unaligned", { kind: "hugetlb", pages: 2 }, [API, { op: "register", page: 0, offsetBytes: 4096, lenBytes: 2 * 1024 * 1024, modes: ["missing"], expect: { result: "EINVAL" } }])));
  });
});

describe("faults and resolution", () => {
  it("MISSING read fault on anon: event flags 0, COPY resolves and wakes", () => {
    pass(
      run(
        sc("anon_missing", { kind: "anon", map: "private" }, [
          { op: "api", features: ["thread_id"] },
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "touch", thread: "w", page: 1, access: "read", expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 1, flags: [], thread: "w" } },
          { op: "copy", page: 1, src: { byte: 0x5a }, expect: { copy: 4096 } },
          { op: "wait", thread: "w", expect: { outcome: "done", value: 0x5a } },
          { op: "event", expect: { event: "none" } },
        ]),
      ),
    );
  });
  it("COPY over a present page is EEXIST with copy=-17; len 0 / unaligned is EINVAL with the field untouched", () => {
    pass(
      run(
        sc("copy_eexist", { kind: "anon", map: "private" }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "copy", page: 0, src: { byte: 1 } },
          { op: "copy", page: 0, src: { byte: 1 }, expect: { result: "EEXIST", copy: -17 } },
          { op: "copy", page: 1, offsetBytes: 8, src: { byte: 1 }, expect: { result: "EINVAL", copy: "untouched" } },
          { op: "copy", page: 1, lenBytes: 0, src: { byte: 1 }, expect: { result: "EINVAL", copy: "untouched" } },
          { op: "copy", page: 0, pages: 2, src: { byte: 1 }, expect: { result: "EEXIST", copy: -17 } },
          { op: "copy", page: 3, pages: 2, src: { byte: 1 }, expect: { result: "ENOENT", copy: -2 } },
        ]),
      ),
    );
  });
  it("partial success is EAGAIN with the bytes done", () => {
    pass(
      run(
        sc("copy_partial", { kind: "anon", map: "private" }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "copy", page: 1, src: { byte: 1 } },
          { op: "copy", page: 0, pages: 2, src: { byte: 1 }, expect: { result: "EAGAIN", copy: 4096 } },
        ]),
      ),
    );
  });
  it("CONTINUE with no folio is EFAULT; CONTINUE on anon is EINVAL written back; CONTINUE works in a MISSING-only shmem range", () => {
    pass(
      run(
        sc("continue_errors", { kind: "shmem", alias: true }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "continue", page: 0, expect: { result: "EFAULT", mapped: -14 } },
          { op: "file_write", page: 1, value: 0x33, via: "pwrite" },
          { op: "continue", page: 1, expect: { mapped: 4096 } },
          { op: "touch", thread: "r", page: 1, access: "read", expect: { outcome: "done", value: 0x33 } },
        ]),
      ),
    );
    pass(run(sc("continue_anon", { kind: "anon", map: "private" }, [API, { op: "register", page: 0, modes: ["missing"] }, { op: "continue", page: 0, expect: { result: "EINVAL", mapped: -22 } }])));
  });
  it("MINOR fault on shmem: flags minor (0x4), minor|write (0x5); resolved by CONTINUE", () => {
    pass(
      run(
        sc("shmem_minor", { kind: "shmem", alias: true }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["minor"] },
          { op: "file_write", page: 0, value: 0x11, via: "alias" },
          { op: "file_write", page: 1, value: 0x22, via: "pwrite" },
          { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "blocked" } },
          { op: "touch", thread: "w", page: 1, access: "write", value: 0x99, expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 0, flags: ["minor"] } },
          { op: "event", expect: { event: "pagefault", page: 1, flags: ["minor", "write"] } },
          { op: "continue", page: 0, pages: 2, expect: { mapped: 8192 } },
          { op: "wait", thread: "r", expect: { outcome: "done", value: 0x11 } },
          { op: "wait", thread: "w", expect: { outcome: "done" } },
          { op: "touch", thread: "a", page: 1, via: "alias", access: "read", expect: { outcome: "done", value: 0x99 } },
          // A hole in a MINOR-only range is not trapped: the fault allocates.
          { op: "touch", thread: "h", page: 3, access: "read", expect: { outcome: "done", value: 0 } },
        ]),
      ),
    );
  });
  it("WP fault flags 0x3; a write to a missing page in a MISSING|WP range is 0x1", () => {
    pass(
      run(
        sc("anon_wp", { kind: "anon", map: "private" }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["missing", "wp"] },
          { op: "copy", page: 0, src: { byte: 7 }, mode: ["wp"] },
          { op: "touch", thread: "w", page: 0, access: "write", value: 8, expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 0, flags: ["wp", "write"] } },
          { op: "writeprotect", page: 0, wp: false },
          { op: "wait", thread: "w", expect: { outcome: "done" } },
          { op: "touch", thread: "m", page: 1, access: "write", value: 8, expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 1, flags: ["write"] } },
          { op: "zeropage", page: 1, expect: { zeropage: 4096 } },
          { op: "wait", thread: "m", expect: { outcome: "done" } },
          { op: "touch", thread: "r", page: 1, access: "read", expect: { outcome: "done", value: 8 } },
          { op: "writeprotect", page: 0, wp: true, dontwake: true, expect: { result: "EINVAL" } },
        ]),
      ),
    );
  });
  it("UNREGISTER wakes MISSING waiters but not WP waiters (a WP waiter needs WAKE)", () => {
    pass(
      run(
        sc("unregister_wakes", { kind: "anon", map: "private" }, [
          API,
          { op: "register", page: 0, pages: 2, modes: ["missing"] },
          { op: "touch", thread: "m", page: 0, access: "read", expect: { outcome: "blocked" } },
          { op: "unregister", page: 0, pages: 2 },
          { op: "wait", thread: "m", expect: { outcome: "done", value: 0 } },
        ]),
      ),
    );
    pass(
      run(
        sc("unregister_wp_stays", { kind: "anon", map: "private" }, [
          API,
          { op: "register", page: 0, pages: 2, modes: ["wp"] },
          { op: "touch", thread: "p", page: 0, access: "write", value: 1, expect: { outcome: "done" } },
          { op: "writeprotect", page: 0, wp: true },
          { op: "touch", thread: "w", page: 0, access: "write", value: 2, expect: { outcome: "blocked" } },
          { op: "unregister", page: 0, pages: 2 },
          { op: "wait", thread: "w", expect: { outcome: "blocked" } },
          { op: "wake", page: 0 },
          { op: "wait", thread: "w", expect: { outcome: "done" } },
          { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "done", value: 2 } },
        ]),
      ),
    );
  });
  it("WAKE without resolving makes the faulter retry and queue a second message; WAKE never looks at VMAs", () => {
    pass(
      run(
        sc("wake_refault", { kind: "anon", map: "private" }, [
          API,
          { op: "register", page: 0, pages: 2, modes: ["missing"] },
          { op: "touch", thread: "m", page: 0, access: "read", expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 0, flags: [] } },
          { op: "wake", page: 0 },
          { op: "wait", thread: "m", expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 0, flags: [] } },
          { op: "wake", page: 100 },
          { op: "close" },
          { op: "wait", thread: "m", expect: { outcome: "done", value: 0 } },
        ]),
      ),
    );
  });
  it("POISON then touch is SIGBUS; POISON over POISON is EEXIST; COPY over poison succeeds; DONTNEED removes the marker", () => {
    pass(
      run(
        sc("poison", { kind: "anon", map: "private" }, [
          { op: "api", features: ["poison"] },
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "poison", page: 0, expect: { updated: 4096 } },
          { op: "touch", thread: "a", page: 0, access: "read", expect: { outcome: "sigbus" } },
          { op: "poison", page: 0, expect: { result: "EEXIST", updated: -17 } },
          { op: "copy", page: 0, src: { byte: 3 }, expect: { copy: 4096 } },
          { op: "touch", thread: "b", page: 0, access: "read", expect: { outcome: "done", value: 3 } },
          { op: "poison", page: 1 },
          { op: "madvise", advice: "dontneed", page: 1 },
          { op: "touch", thread: "c", page: 1, access: "read", expect: { outcome: "blocked" } },
          // POISON resolves an already blocked fault: the faulter gets SIGBUS.
          { op: "poison", page: 1 },
          { op: "wait", thread: "c", expect: { outcome: "sigbus" } },
        ]),
      ),
    );
  });
  it("FEATURE_SIGBUS: faults raise SIGBUS instead of events", () => {
    pass(
      run(
        sc("sigbus", { kind: "shmem" }, [
          { op: "api", features: ["sigbus"] },
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "touch", thread: "a", page: 0, access: "read", expect: { outcome: "sigbus" } },
          { op: "event", expect: { event: "none" } },
        ]),
      ),
    );
  });
});

describe("non-cooperative REMOVE (abi618Events)", () => {
  it("while a REMOVE event is unread, COPY/ZEROPAGE/POISON/CONTINUE/MOVE are EAGAIN with -11", () => {
    pass(
      run(
        sc("mmap_changing", { kind: "shmem" }, [
          { op: "api", features: ["event_remove"] },
          { op: "register", page: 0, pages: 4, modes: ["missing", "minor"] },
          { op: "copy", page: 0, src: { byte: 1 } },
          { op: "madvise", advice: "remove", page: 0, thread: "side", expect: { outcome: "blocked" } },
          { op: "copy", page: 1, src: { byte: 1 }, expect: { result: "EAGAIN", copy: -11 } },
          { op: "zeropage", page: 1, expect: { result: "EAGAIN", zeropage: -11 } },
          { op: "poison", page: 1, expect: { result: "EAGAIN", updated: -11 } },
          { op: "continue", page: 1, expect: { result: "EAGAIN", mapped: -11 } },
          { op: "event", expect: { event: "remove", page: 0, pages: 1 } },
          { op: "wait", thread: "side", expect: { outcome: "done" } },
          { op: "copy", page: 1, src: { byte: 1 } },
          { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "blocked" } },
        ]),
      ),
    );
  });
});

describe("hugetlb", () => {
  it("ZEROPAGE is EINVAL written back -22; unaligned COPY after the vma lookup is -22", () => {
    pass(
      run(
        sc("huge_zeropage", { kind: "hugetlb", pages: 2 }, [
          API,
          { op: "register", page: 0, pages: 2, modes: ["missing"] },
          { op: "zeropage", page: 0, expect: { result: "EINVAL", zeropage: -22 } },
          { op: "copy", page: 0, lenBytes: 4096, src: { byte: 1 }, expect: { result: "EINVAL", copy: -22 } },
          { op: "touch", thread: "t", page: 1, access: "read", expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 1, flags: [] } },
          { op: "copy", page: 1, src: { byte: 9 }, expect: { copy: 2 * 1024 * 1024 } },
          { op: "wait", thread: "t", expect: { outcome: "done", value: 9 } },
        ]),
      ),
    );
  });
});

describe("MOVE (abi618Move)", () => {
  it("works without FEATURE_MOVE on anon; a hole is ENOENT or counted with ALLOW_SRC_HOLES; shmem is EINVAL", () => {
    pass(
      run(
        sc("move_anon", { kind: "anon", map: "private", srcPages: 4 }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "touch", thread: "t", page: 0, access: "read", expect: { outcome: "blocked" } },
          { op: "move", srcPage: 0, srcFill: { byte: 0x44 }, dstPage: 0, expect: { move: 4096 } },
          { op: "wait", thread: "t", expect: { outcome: "done", value: 0x44 } },
          { op: "move", srcPage: 1, dstPage: 1, expect: { result: "ENOENT", move: -2 } },
          { op: "move", srcPage: 1, dstPage: 1, allowSrcHoles: true, expect: { move: 4096 } },
          { op: "move", srcPage: 2, srcFill: { byte: 1 }, dstPage: 0, expect: { result: "EEXIST", move: -17 } },
        ]),
      ),
    );
    pass(
      run(
        sc("move_shmem", { kind: "shmem", srcPages: 1 }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "move", srcPage: 0, srcFill: { byte: 1 }, dstPage: 0, expect: { result: "EINVAL", move: -22 } },
        ]),
      ),
    );
  });
});

describe("guest_memfd on 6.18 (abi618WpAsync, abi618Gmem)", () => {
  it("mmap without MMAP is ENODEV; MAP_PRIVATE is EINVAL (setup.mmapExpect)", () => {
    pass(run(sc("gmem_nommap", { kind: "guest_memfd", gmemFlags: ["init_shared"], mmapExpect: "ENODEV" }, [API])));
    pass(run(sc("gmem_private", { kind: "guest_memfd", map: "private", gmemFlags: ["mmap", "init_shared"], mmapExpect: "EINVAL" }, [API])));
    const wrong = run(sc("gmem_nommap_unexpected", { kind: "guest_memfd", gmemFlags: [] }, [API]));
    expect(wrong.verdict).toBe("fail");
    expect(wrong.reason).toMatch(/ENODEV/);
  });
  it("MMAP without INIT_SHARED: every user access is SIGBUS", () => {
    pass(run(sc("gmem_sigbus", { kind: "guest_memfd", gmemFlags: ["mmap"] }, [{ op: "touch", thread: "a", page: 0, access: "read", expect: { outcome: "sigbus" } }])));
  });
  it("INIT_SHARED: read/write work; PUNCH_HOLE zeroes; DONTNEED keeps the data", () => {
    pass(
      run(
        sc("gmem_shared", { kind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] }, [
          { op: "touch", thread: "a", page: 0, access: "write", value: 0xaa, expect: { outcome: "done" } },
          { op: "madvise", advice: "dontneed", page: 0 },
          { op: "touch", thread: "b", page: 0, access: "read", expect: { outcome: "done", value: 0xaa } },
          { op: "punch_hole", page: 0 },
          { op: "touch", thread: "c", page: 0, access: "read", expect: { outcome: "done", value: 0 } },
        ]),
      ),
    );
  });
  it("every synchronous mode is EINVAL; WP_ASYNC WP-only registers and a write auto-resolves", () => {
    const steps: Step[] = [
      { op: "api", features: ["wp_async"] },
      { op: "register", page: 0, modes: ["missing"], expect: { result: "EINVAL" } },
      { op: "register", page: 0, modes: ["minor"], expect: { result: "EINVAL" } },
      { op: "register", page: 0, pages: 4, modes: ["wp"], expect: { ioctls: ["wake", "copy", "zeropage", "move", "writeprotect", "poison"] } },
      { op: "touch", thread: "a", page: 0, access: "write", value: 1, expect: { outcome: "done" } },
      { op: "writeprotect", page: 0, wp: true },
      { op: "touch", thread: "b", page: 0, access: "write", value: 2, expect: { outcome: "done" } },
      { op: "touch", thread: "c", page: 0, access: "read", expect: { outcome: "done", value: 2 } },
    ];
    pass(run(sc("gmem_wp_async", { kind: "guest_memfd", gmemFlags: ["mmap", "init_shared"] }, steps)));
  });
});

describe("guest_memfd on 7.1+gmem (kvm_gmem_uffd_ops v2)", () => {
  it("MISSING and MINOR register with INIT_SHARED; MISSING resolved by COPY, MINOR by CONTINUE", () => {
    const r = run(
      sc("gmem_v2", { kind: "guest_memfd", gmemFlags: ["mmap", "init_shared"], alias: true }, [
        API,
        { op: "register", page: 0, pages: 4, modes: ["missing", "minor"] },
        { op: "touch", thread: "a", page: 0, access: "read", expect: { outcome: "blocked" } },
        { op: "event", expect: { event: "pagefault", page: 0, flags: [] } },
        { op: "copy", page: 0, src: { byte: 0x42 } },
        { op: "wait", thread: "a", expect: { outcome: "done", value: 0x42 } },
        { op: "file_write", page: 1, value: 0x24, via: "alias" },
        { op: "touch", thread: "b", page: 1, access: "read", expect: { outcome: "blocked" } },
        { op: "event", expect: { event: "pagefault", page: 1, flags: ["minor"] } },
        { op: "continue", page: 1 },
        { op: "wait", thread: "b", expect: { outcome: "done", value: 0x24 } },
      ]),
      "7.1+gmem",
    );
    pass(r);
    const no = run(sc("gmem_v2_noshared", { kind: "guest_memfd", gmemFlags: ["mmap"] }, [API, { op: "register", page: 0, modes: ["missing"], expect: { result: "EINVAL" } }]), "7.1+gmem");
    pass(no);
  });
});

describe("more 6.18 behaviours", () => {
  it("WP_UNPOPULATED: anon none PTEs get markers; a read maps zeroes, a write is a WP fault (0x3); unprotect removes markers", () => {
    pass(
      run(
        sc("wp_unpopulated", { kind: "anon", map: "private" }, [
          { op: "api", features: ["wp_unpopulated"] },
          { op: "register", page: 0, pages: 4, modes: ["wp"] },
          { op: "writeprotect", page: 0, pages: 4, wp: true },
          { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "done", value: 0 } },
          { op: "touch", thread: "w", page: 1, access: "write", value: 5, expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 1, flags: ["wp", "write"] } },
          { op: "writeprotect", page: 1, wp: false },
          { op: "wait", thread: "w", expect: { outcome: "done" } },
          { op: "writeprotect", page: 2, wp: false },
          { op: "touch", thread: "x", page: 2, access: "write", value: 6, expect: { outcome: "done" } },
        ]),
      ),
    );
    // Without the feature anon none PTEs stay none: the write completes.
    pass(
      run(
        sc("wp_no_unpopulated", { kind: "anon", map: "private" }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["wp"] },
          { op: "writeprotect", page: 0, pages: 4, wp: true },
          { op: "touch", thread: "w", page: 1, access: "write", value: 5, expect: { outcome: "done" } },
        ]),
      ),
    );
  });
  it("shmem WP uses markers on none PTEs (file memory always does)", () => {
    pass(
      run(
        sc("shmem_wp_marker", { kind: "shmem" }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["wp"] },
          { op: "writeprotect", page: 0, wp: true },
          { op: "touch", thread: "w", page: 0, access: "write", value: 5, expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 0, flags: ["wp", "write"] } },
          { op: "writeprotect", page: 0, wp: false },
          { op: "wait", thread: "w", expect: { outcome: "done" } },
          { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "done", value: 5 } },
        ]),
      ),
    );
  });
  it("hugetlb MINOR: populated through the alias, first read is MINOR, CONTINUE maps it", () => {
    pass(
      run(
        sc("huge_minor", { kind: "hugetlb", pages: 2, alias: true }, [
          API,
          { op: "register", page: 0, pages: 2, modes: ["minor"], expect: { ioctls: ["wake", "copy", "continue", "poison"] } },
          { op: "file_write", page: 0, value: 0x77, via: "alias" },
          { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "blocked" } },
          { op: "event", expect: { event: "pagefault", page: 0, flags: ["minor"] } },
          { op: "continue", page: 0, expect: { mapped: 2 * 1024 * 1024 } },
          { op: "wait", thread: "r", expect: { outcome: "done", value: 0x77 } },
          { op: "continue", page: 1, expect: { result: "EFAULT", mapped: -14 } },
          { op: "file_write", page: 1, value: 1, via: "pwrite", expect: { result: "EINVAL" } },
        ]),
      ),
    );
  });
  it("MAP_PRIVATE shmem: COPY makes anonymous memory, the page cache stays empty", () => {
    pass(
      run(
        sc("shmem_private_copy", { kind: "shmem", map: "private", alias: true }, [
          API,
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "copy", page: 0, src: { byte: 0x12 } },
          { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "done", value: 0x12 } },
          { op: "touch", thread: "a", page: 0, via: "alias", access: "read", expect: { outcome: "done", value: 0 } },
        ]),
      ),
    );
  });
  it("DONTNEED with EVENT_REMOVE on anon: the event is delivered, the zap happens once it is read", () => {
    pass(
      run(
        sc("anon_remove_event", { kind: "anon", map: "private" }, [
          { op: "api", features: ["event_remove"] },
          { op: "register", page: 0, pages: 4, modes: ["missing"] },
          { op: "copy", page: 0, pages: 2, src: { byte: 9 } },
          { op: "madvise", advice: "dontneed", page: 0, pages: 2, thread: "m", expect: { outcome: "blocked" } },
          { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "done", value: 9 } },
          { op: "event", expect: { event: "remove", page: 0, pages: 2 } },
          { op: "wait", thread: "m", expect: { outcome: "done" } },
          { op: "touch", thread: "s", page: 1, access: "read", expect: { outcome: "blocked" } },
          // close() completes what is pending and wakes the faulter, which then faults without userfaultfd.
          { op: "close" },
          { op: "wait", thread: "s", expect: { outcome: "done", value: 0 } },
        ]),
      ),
    );
  });
});
