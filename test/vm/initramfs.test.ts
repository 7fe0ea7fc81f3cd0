import { describe, expect, it } from "vitest";
import { readCpio, writeCpio } from "../../src/run/vm/cpio.js";
import { initramfsEntries, initScript, shard, type GuestPlan } from "../../src/run/vm/guest.js";

const enc = (s: string) => new TextEncoder().encode(s);

function plan(over: Partial<GuestPlan> = {}): GuestPlan {
  return {
    busybox: enc("BUSYBOX"),
    binaries: new Map([["anon_uffd_test", enc("ELF-anon")]]),
    tests: [
      { binary: "anon_uffd_test", tapName: "global.a", hugetlb: false },
      { binary: "anon_uffd_test", tapName: "global.b", hugetlb: false },
      { binary: "anon_uffd_test", tapName: "global.c", hugetlb: false },
      { binary: "hugetlb_uffd_test", tapName: "global.h", hugetlb: true },
    ],
    hugePages: 12,
    shards: 2,
    testTimeoutS: 120,
    ...over,
  };
}

describe("newc cpio", () => {
  it("round-trips files, directories, symlinks and device nodes with 4-byte alignment", () => {
    const buf = writeCpio([
      { kind: "dir", path: "dev" },
      { kind: "char", path: "dev/console", major: 5, minor: 1 },
      { kind: "file", path: "init", data: enc("#!/bin/sh\n"), mode: 0o755 },
      { kind: "symlink", path: "sh", target: "bin/busybox" },
    ]);
    expect(buf.length % 4).toBe(0);
    const back = readCpio(buf);
    expect(back.map((e) => e.path)).toEqual(["dev", "dev/console", "init", "sh"]);
    expect(back[0]!.mode).toBe(0o040755);
    expect(back[1]!.mode & 0o170000).toBe(0o020000);
    expect(back[1]!.rdev).toEqual([5, 1]);
    expect(back[2]!.mode).toBe(0o100755);
    expect(back[2]!.data.toString()).toBe("#!/bin/sh\n");
    expect(back[3]!.data.toString()).toBe("bin/busybox");
  });
});

describe("initramfs layout", () => {
  it("has busybox, /init, /dev/console, the binaries and the run lists, parents before children", () => {
    const entries = initramfsEntries(plan());
    const paths = entries.map((e) => e.path);
    expect(paths).toContain("bin/busybox");
    expect(paths).toContain("init");
    expect(paths).toContain("dev/console");
    expect(paths).toContain("t/anon_uffd_test");
    for (const p of paths) {
      const parent = p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : undefined;
      if (parent) expect(paths.indexOf(parent)).toBeLessThan(paths.indexOf(p));
    }
    const lists = entries.filter((e) => e.path.startsWith("run/"));
    expect(lists.map((e) => e.path).sort()).toEqual(["run/huge.0", "run/plain.0", "run/plain.1"]);
    const text = (p: string) => {
      const e = entries.find((x) => x.path === p);
      return e && e.kind === "file" ? new TextDecoder().decode(e.data) : "";
    };
    expect(text("run/plain.0")).toBe("anon_uffd_test global.a\nanon_uffd_test global.c\n");
    expect(text("run/huge.0")).toBe("hugetlb_uffd_test global.h\n");
  });

  it("carries the KVM modules and their load order per CPU vendor only when given", () => {
    expect(initramfsEntries(plan()).some((e) => e.path.startsWith("modules"))).toBe(false);
    const modules = { amd: ["irqbypass", "kvm", "ccp", "kvm_amd"], intel: ["irqbypass", "kvm", "kvm_intel"], files: new Map([["kvm", enc("ko")]]) };
    const entries = initramfsEntries(plan({ modules }));
    const order = entries.find((e) => e.path === "modules/amd.order");
    expect(order && order.kind === "file" && new TextDecoder().decode(order.data)).toBe("irqbypass\nkvm\nccp\nkvm_amd\n");
    expect(entries.map((e) => e.path)).toContain("modules/kvm.ko");
  });

  it("the init reserves huge pages, bounds each test, reports on ttyS1 and reboots (QEMU -no-reboot ends the run)", () => {
    const s = initScript({ hugePages: 12, testTimeoutS: 90 });
    expect(s.startsWith("#!/bin/busybox sh\n")).toBe(true);
    expect(s).toContain("echo 12 >/proc/sys/vm/nr_hugepages");
    expect(s).toContain("timeout -s KILL 90 /t/$bin -r $name");
    expect(s).toContain("R=/dev/ttyS1");
    expect(s).toContain("echo madvise >/sys/kernel/mm/transparent_hugepage/enabled");
    expect(s.trimEnd().endsWith("reboot -f")).toBe(true);
  });

  it("shards round-robin and never makes an empty list", () => {
    expect(shard([1, 2, 3, 4, 5], 2)).toEqual([[1, 3, 5], [2, 4]]);
    expect(shard([1], 4)).toEqual([[1]]);
    expect(shard([], 4)).toEqual([]);
  });
});
