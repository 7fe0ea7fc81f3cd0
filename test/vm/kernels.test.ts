import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { debianPackage, imageRelease, resolveKernel, seriesOf, versionFor } from "../../src/run/vm/kernels.js";
import { chooseAccel, qemuArgs } from "../../src/run/vm/qemu.js";
import { seriesFragment } from "../../src/series/boot.js";
import { referenceSuite } from "../../src/plan/reference/index.js";

const APT = [
  "linux-image-6.1.0-47-amd64 - Linux 6.1 for 64-bit PCs (signed)",
  "linux-image-6.1.0-47-cloud-amd64 - Linux 6.1 for x86-64 cloud (signed)",
  "linux-image-6.1.0-50-amd64 - Linux 6.1 for 64-bit PCs (signed)",
  "linux-image-6.1.0-50-rt-amd64 - Linux 6.1 for 64-bit PCs, PREEMPT_RT (signed)",
  "linux-image-6.12.100+deb12-amd64 - Linux 6.12 for 64-bit PCs (signed)",
  "linux-image-6.12.118+deb12-amd64 - Linux 6.12 for 64-bit PCs (signed)",
  "linux-image-6.12.118+deb12-cloud-amd64 - Linux 6.12 for x86-64 cloud (signed)",
].join("\n");

describe("kernel names", () => {
  it("debian-<series> is the newest generic amd64 image of that series apt knows", () => {
    const apt = (args: string[]) => {
      const re = new RegExp(args.at(-1)!);
      return APT.split("\n").filter((l) => re.test(l.split(" ")[0]!)).join("\n");
    };
    expect(debianPackage("6.1", apt)).toBe("linux-image-6.1.0-50-amd64");
    expect(debianPackage("6.12", apt)).toBe("linux-image-6.12.118+deb12-amd64");
    expect(debianPackage("5.10", apt)).toBeUndefined();
  });

  it("a release maps to the simulator's model of its series, or says there is none", () => {
    expect(seriesOf("6.12.118+deb12-amd64")).toBe("6.12");
    expect(versionFor("6.1.0-50-amd64")).toBe("6.1");
    expect(versionFor("6.12.118")).toBe("6.12");
    expect(versionFor("5.10.0-30-amd64")).toMatch(/no simulator model for 5\.10/);
  });

  it("reads the release from a bzImage's setup header", () => {
    const img = Buffer.alloc(0x400);
    img.write("HdrS", 0x202, "latin1");
    img.writeUInt16LE(0x100, 0x20e);
    img.write("6.12.118 (root@host) #1 SMP", 0x300, "latin1");
    expect(imageRelease(img)).toBe("6.12.118");
    expect(imageRelease(Buffer.alloc(0x400))).toBeUndefined();
  });

  it("a path that is a directory or a FIFO is refused, naming the image to give, not EISDIR or a hang", async () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-kpath-"));
    expect(await resolveKernel(dir, { say: () => {} })).toMatch(/a directory, not a kernel image; give the bzImage file \(e\.g\. .*arch\/x86\/boot\/bzImage\)/);
    const fifo = join(dir, "vmlinuz-6.12.1");
    execFileSync("mkfifo", [fifo]);
    expect(await resolveKernel(fifo, { say: () => {} })).toMatch(/not a regular file/);
  });

  it("an unknown name is a usage error naming what is accepted", async () => {
    const r = await resolveKernel("windows-11", { say: () => {} });
    expect(r).toMatch(/not a kernel uffdkit knows \(debian-6\.1, debian-6\.12/);
  });
});

describe("QEMU", () => {
  it("TCG without a usable /dev/kvm or without nesting, KVM with it, the environment overriding", () => {
    expect(chooseAccel({ UFFDKIT_VM_ACCEL: "tcg" }).accel).toBe("tcg");
    const noNest = chooseAccel({}, () => "flags\t\t: fpu vme sse2\n");
    // Either there is no /dev/kvm here, or the CPU text above has no svm/vmx: TCG both ways.
    expect(noNest.accel).toBe("tcg");
  });

  it("bounds the guest with -no-reboot and panic=-1, console on ttyS0, results on ttyS1", () => {
    const a = qemuArgs({ image: "/k", initrd: "/i", accel: "tcg", memMiB: 2048, cpus: 2, consoleLog: "/c", resultsLog: "/r" });
    expect(a.slice(0, 4)).toEqual(["-accel", "tcg,thread=single", "-cpu", "max"]);
    expect(a).toContain("-no-reboot");
    expect(a[a.indexOf("-append") + 1]).toMatch(/console=ttyS0 .*panic=-1/);
    expect(a.filter((x) => x.startsWith("file:"))).toEqual(["file:/c", "file:/r"]);
  });
});

describe("series --boot configuration", () => {
  it("adds the selftests' options and the type's own symbol", () => {
    const frag = seriesFragment(referenceSuite("guest_memfd"), "XRAM");
    expect(frag).toContain("CONFIG_USERFAULTFD=y");
    expect(frag).toContain("CONFIG_KVM=y");
    expect(frag.trimEnd().split("\n").at(-1)).toBe("CONFIG_XRAM=y");
  });
});
