/**
 * The simulator on the parts of the ABI the scenario language gained for
 * Each test runs a small scenario (validated against the published
 * schema by helpers.run) and asserts the observations step by step. The same
 * behaviours are held to the real kernel by the reference suites (abi.ts) in
 * `uffdkit conform`.
 */
import { describe, expect, it } from "vitest";
import type { Step } from "../../src/ir/scenario.js";
import { API, lines, run, sc } from "./helpers.js";

const REG: Step = { op: "register", page: 0, pages: 2, modes: ["missing"] };
const anon = (steps: Step[], extra = {}) => sc("t", { kind: "anon", map: "private", pages: 4, ...extra }, steps);

describe("raw bits and masks", () => {
  it("reports the masks UFFDIO_API writes back, zeroed on error", () => {
    const r = run(anon([{ op: "api", expect: { features: "0x1ffff", ioctls: "0x8000000000000003" } }, { op: "api", expect: { features: "0x0", ioctls: "0x0", result: "EINVAL" } }]));
    expect(lines(r)).toEqual(["api: ok features=0x1ffff ioctls=0x8000000000000003", "api: errno=EINVAL features=0x0 ioctls=0x0"]);
  });
  it("refuses unknown mode bits before the VMA is looked at, leaving the field untouched", () => {
    const r = run(anon([API, REG, { op: "copy", page: 0, src: { byte: 1 }, rawMode: 4, expect: { result: "EINVAL", copy: "untouched" } }, { op: "continue", page: 0, expect: { result: "EINVAL", mapped: -22 } }]));
    expect(lines(r).slice(2)).toEqual(["copy: errno=EINVAL copy=untouched", "continue: errno=EINVAL mapped=-22"]);
    expect(r.verdict).toBe("pass");
  });
  it("treats a raw bit that names a known mode as that mode", () => {
    const r = run(anon([API, REG, { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "blocked" } }, { op: "copy", page: 0, src: { byte: 9 }, rawMode: 1, expect: { copy: 4096 } }, { op: "wait", thread: "r", expect: { outcome: "blocked" } }]));
    expect(r.verdict).toBe("pass");
  });
});

describe("the fd itself", () => {
  it("read() before UFFDIO_API and into a short buffer is EINVAL; poll says POLLERR, then POLLIN only while a fault is unread", () => {
    const r = run(anon([
      { op: "event", expect: { event: "error", result: "EINVAL" } },
      { op: "poll", expect: { revents: ["err"] } },
      API,
      REG,
      { op: "poll", expect: { revents: [] } },
      { op: "touch", thread: "r", page: 1, access: "read", expect: { outcome: "blocked" } },
      { op: "poll", expect: { revents: ["in"] } },
      { op: "event", bufBytes: 16, expect: { event: "error", result: "EINVAL" } },
      { op: "event", expect: { event: "pagefault", page: 1, flags: [] } },
      { op: "poll", expect: { revents: [] } },
    ]));
    expect(r.verdict).toBe("pass");
    expect(lines(r)[1]).toBe("poll: ok revents=err");
  });
  it("opening with a flag userfaultfd() does not take is EINVAL, by either route", () => {
    const r = run(anon([{ op: "open", via: "syscall", rawFlags: 2, expect: { result: "EINVAL" } }, { op: "open", via: "dev", flags: ["cloexec", "user_mode_only"] }]));
    expect(lines(r)).toEqual(["open: errno=EINVAL", "open: ok"]);
  });
});

describe("addresses", () => {
  it("honours EXACT_ADDRESS, and masks the address without it", () => {
    const touch: Step = { op: "touch", thread: "r", page: 1, access: "read", offsetBytes: 100, expect: { outcome: "blocked" } };
    const exact = run(anon([{ op: "api", features: ["exact_address"] }, REG, touch, { op: "event", expect: { event: "pagefault", page: 1, offset: 100, flags: [] } }]));
    expect(lines(exact)[3]).toBe("event: pagefault page=1 offset=100 flags=0");
    const masked = run(anon([API, REG, touch, { op: "event", expect: { event: "pagefault", page: 1, flags: [] } }]));
    expect(lines(masked)[3]).toBe("event: pagefault page=1 flags=0");
  });
  it("numbers a second mapping's pages on from the primary's, with SIGSEGV in the hole", () => {
    const r = run(sc("t", { kind: "anon", map: "private", pages: 2, next: { kind: "shmem", pages: 2, gapPages: 1 } }, [
      { op: "touch", thread: "h", page: 2, access: "read", expect: { outcome: "sigsegv" } },
      API,
      { op: "register", page: 3, pages: 2, modes: ["minor"], expect: { ioctls: ["wake", "copy", "zeropage", "move", "continue", "poison"] } },
      { op: "register", page: 0, pages: 5, modes: ["minor"], expect: { result: "EINVAL" } },
    ]));
    expect(r.verdict).toBe("pass");
  });
  it("refuses to register MAP_DROPPABLE memory", () => {
    const r = run(sc("t", { kind: "anon", map: "private", pages: 2, next: { kind: "anon", pages: 2, droppable: true } }, [API, { op: "register", page: 2, pages: 2, modes: ["missing"], expect: { result: "EINVAL" } }]));
    expect(r.verdict).toBe("pass");
  });
});

describe("COPY sources and kernel-mode accesses", () => {
  it("a COPY whose source faults on its own range blocks its thread until the source is resolved", () => {
    const r = run(anon([
      API,
      { op: "register", page: 0, pages: 4, modes: ["missing"] },
      { op: "copy", page: 0, src: { page: 2 }, thread: "c", expect: { outcome: "blocked" } },
      { op: "event", expect: { event: "pagefault", page: 2, flags: [] } },
      { op: "copy", page: 2, src: { byte: 0x44 } },
      { op: "wait", thread: "c", expect: { outcome: "done", result: "ok", copy: 4096 } },
    ]));
    expect(lines(r)[5]).toBe("wait: done result=ok copy=4096");
    expect(r.verdict).toBe("pass");
  });
  it("makes a faulting source an error, not a hang, when the COPY would block the monitor", () => {
    const r = run(anon([API, { op: "register", page: 0, pages: 4, modes: ["missing"] }, { op: "copy", page: 0, src: { page: 2 }, expect: {} }]));
    expect(r.steps[2]!.observed).toMatch(/^error reason=.*give_the_copy_step_a_thread/);
  });
  it("a kernel-mode fault blocks, or is EFAULT with UFFD_USER_MODE_ONLY", () => {
    const steps: Step[] = [API, REG, { op: "syscall", thread: "k", call: "read", page: 0, value: 0x42, expect: { outcome: "blocked" } }];
    expect(lines(run(anon(steps)))[2]).toBe("syscall: blocked");
    const umo = run(anon([API, REG, { op: "syscall", thread: "k", call: "read", page: 0, expect: { outcome: "done", result: "EFAULT" } }, { op: "event", expect: { event: "none" } }], { userModeOnly: true }));
    expect(lines(umo)).toEqual(["api: ok", "register: ok ioctls=wake,copy,zeropage,move,poison", "syscall: done result=EFAULT", "event: none"]);
  });
});

describe("process events", () => {
  it("UNMAP blocks munmap() until read, and the page is gone afterwards", () => {
    const r = run(anon([
      { op: "api", features: ["event_unmap"] },
      REG,
      { op: "munmap", page: 1, thread: "m", expect: { outcome: "blocked" } },
      { op: "copy", page: 0, src: { byte: 1 }, expect: { result: "EAGAIN", copy: -11 } },
      { op: "event", expect: { event: "unmap", page: 1, pages: 1 } },
      { op: "wait", thread: "m", expect: { outcome: "done" } },
      { op: "touch", thread: "r", page: 1, access: "read", expect: { outcome: "sigsegv" } },
    ]));
    expect(r.verdict).toBe("pass");
  });
  it("REMAP keeps the registration with the feature and drops it without", () => {
    const kept = run(anon([{ op: "api", features: ["event_remap"] }, REG, { op: "mremap", thread: "m", expect: { outcome: "blocked" } }, { op: "event", expect: { event: "remap", pages: 4 } }, { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "blocked" } }]));
    expect(kept.verdict).toBe("pass");
    const dropped = run(anon([API, REG, { op: "mremap" }, { op: "touch", thread: "r", page: 0, access: "read", expect: { outcome: "done", value: 0 } }]));
    expect(dropped.verdict).toBe("pass");
  });
  it("FORK hands the child's context to the monitor as the next ctx; the child's fault goes there", () => {
    const r = run(anon([
      { op: "api", features: ["event_fork"] },
      REG,
      { op: "fork", thread: "f", childReads: 0, expect: { outcome: "blocked" } },
      { op: "event", expect: { event: "fork" } },
      { op: "child_wait", expect: { outcome: "blocked" } },
      { op: "event", ctx: 1, expect: { event: "pagefault", page: 0, flags: [] } },
      { op: "event", expect: { event: "none" } },
      { op: "copy", ctx: 1, page: 0, src: { byte: 0x61 } },
      { op: "child_wait", expect: { outcome: "done", value: 0x61 } },
      { op: "touch", thread: "p", page: 0, access: "read", expect: { outcome: "blocked" } },
    ]));
    expect(r.verdict).toBe("pass");
  });
  it("a page still mapped by a forked child cannot be MOVEd (EBUSY)", () => {
    const r = run(anon([{ op: "touch", thread: "w", page: 2, access: "write", value: 5, expect: { outcome: "done" } }, API, REG, { op: "fork" }, { op: "move", srcPage: 2, dstPage: 0, srcIn: "primary", expect: { result: "EBUSY", move: -16 } }]));
    expect(r.verdict).toBe("pass");
  });
});

describe("guest_memfd's file operations", () => {
  const gmem = (steps: Step[], extra = {}) => sc("g", { kind: "guest_memfd", map: "shared", pages: 2, gmemFlags: ["mmap", "init_shared"], ...extra }, steps);
  it("fstat, fallocate inside and past EOF, unaligned punch, read/pread/write", () => {
    const r = run(gmem([
      { op: "fstat", expect: { size: 8192 } },
      { op: "fallocate", mode: "allocate", page: 1, pages: 2, expect: { result: "EINVAL" } },
      { op: "fallocate", mode: "punch", page: 2, pages: 2 },
      { op: "fallocate", mode: "punch", page: 0, offsetBytes: 1, lenBytes: 4096, expect: { result: "EINVAL" } },
      { op: "file_read", page: 0, via: "read", expect: { result: "EINVAL" } },
      { op: "file_read", page: 0, via: "pread", expect: { result: "ESPIPE" } },
      { op: "file_write", page: 0, value: 1, via: "write", expect: { result: "EINVAL" } },
      { op: "kvm_cap", cap: "guest_memfd_flags", expect: { value: 3 } },
    ]));
    expect(r.verdict).toBe("pass");
  });
  it("an unknown creation flag fails KVM_CREATE_GUEST_MEMFD; the setup says whether that was expected", () => {
    expect(run(gmem([{ op: "fstat", expect: { result: "EBADF" } }], { gmemRawFlags: 32, createExpect: "EINVAL" })).verdict).toBe("pass");
    expect(run(gmem([], { gmemRawFlags: 32 })).verdict).toBe("fail");
  });
});
