/**
 * `uffdkit doctor` reports this machine as it is: each fact is compared with
 * what this test reads itself from /proc, /dev and PATH (and, for KVM's
 * capabilities, with an ioctl made by python3's fcntl, not by doctor's own C
 * probe). The exit code says whether gen with the simulator can run.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KVM_CAP } from "../../src/kernel/uapi.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "uffdkit.js");
const work = mkdtempSync(join(tmpdir(), "uffdkit-doctor-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Fact {
  ok: boolean | "not-checked";
  detail: string;
}
interface Report {
  ok: boolean;
  toolchain: { kind: string; detail: string };
  tree?: { path: string; git: Fact; checkpatch: Fact; makefile: Fact };
  userfaultfd: { devNode: Fact; unprivileged: Fact; root: boolean };
  hugepages: Fact & { free: number; total: number };
  kvm: { dev: Fact; guestMemfd: Fact; mmap: Fact; initShared: Fact };
  vm: { qemu: Fact; busybox: Fact };
  commands: { commands: string; ready: boolean | "partly"; missing: { what: string; how: string }[] }[];
}

function doctor(args: string[] = [], env: NodeJS.ProcessEnv = process.env): { status: number | null; report: Report } {
  const r = spawnSync(process.execPath, [BIN, "doctor", "--json", ...args], { encoding: "utf8", env: { ...env, XDG_CACHE_HOME: join(work, "cache") } });
  return { status: r.status, report: JSON.parse(r.stdout) as Report };
}

function usable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** clang or clang-NN anywhere on PATH. */
function clangOnPath(): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((d) => {
    try {
      return readdirSync(d).some((n) => /^clang(-\d+)?$/.test(n));
    } catch {
      return false;
    }
  });
}

/** The "test --kernel, conform" report's /dev/kvm entries. */
function kvmMissingOf(report: Report): { what: string; how: string }[] {
  return report.commands.find((c) => c.commands.startsWith("test --kernel"))!.missing.filter((m) => m.what.includes("/dev/kvm"));
}

/** No usable /dev/kvm: doctor says why, checks no capability, and names the modules and the group to get it. */
function expectNoKvm(report: Report, devExists: boolean): void {
  expect(report.kvm.dev.ok).toBe(false);
  expect(report.kvm.dev.detail).toEqual(devExists ? expect.stringMatching(/^\/dev\/kvm exists but is not usable by this user \(E[A-Z]+\)$/) : "/dev/kvm does not exist");
  for (const cap of [report.kvm.guestMemfd, report.kvm.mmap, report.kvm.initShared]) {
    expect(cap).toEqual({ ok: "not-checked", detail: "no usable /dev/kvm" });
  }
  expect(kvmMissingOf(report)).toEqual([{ what: "/dev/kvm (guest_memfd tests skip)", how: expect.stringMatching(/\bkvm_intel\b.*\bkvm_amd\b.*\bkvm group\b/) }]);
  expect(report.commands.find((c) => c.commands.startsWith("test --kernel"))!.ready).not.toBe(true);
}

/** doctor run as nobody (uid 65534, no groups), from a folder and cache that user may use. */
function doctorAsNobody(): Report {
  const dir = join(work, "nobody");
  mkdirSync(dir, { recursive: true, mode: 0o777 });
  chmodSync(work, 0o755);
  chmodSync(dir, 0o777);
  const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, BIN, "doctor", "--json"], { cwd: dir, encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: join(dir, "cache") } });
  expect(r.error).toBeUndefined();
  return JSON.parse(r.stdout) as Report;
}

describe("uffdkit doctor", () => {
  const { status, report } = doctor();

  it("userfaultfd: /dev/userfaultfd and vm.unprivileged_userfaultfd as /dev and /proc say", () => {
    expect(report.userfaultfd.devNode.ok).toBe(existsSync("/dev/userfaultfd") && usable("/dev/userfaultfd"));
    const unpriv = readFileSync("/proc/sys/vm/unprivileged_userfaultfd", "utf8").trim();
    expect(report.userfaultfd.unprivileged.ok).toBe(unpriv === "1");
    expect(report.userfaultfd.unprivileged.detail).toContain(`= ${unpriv}`);
    expect(report.userfaultfd.root).toBe(process.geteuid?.() === 0);
  });

  it("huge pages: the free and total counts of /proc/meminfo", () => {
    const meminfo = readFileSync("/proc/meminfo", "utf8");
    const free = Number(/HugePages_Free:\s+(\d+)/.exec(meminfo)![1]);
    expect(report.hugepages.free).toBe(free);
    expect(report.hugepages.total).toBe(Number(/HugePages_Total:\s+(\d+)/.exec(meminfo)![1]));
    expect(report.hugepages.ok).toBe(free > 0);
  });

  it("KVM: /dev/kvm, and KVM_CAP_GUEST_MEMFD and its flags as an ioctl made apart from doctor reads them", () => {
    const kvm = usable("/dev/kvm");
    expect(report.kvm.dev.ok).toBe(kvm);
    if (!kvm) {
      expectNoKvm(report, existsSync("/dev/kvm"));
      return;
    }
    expect(report.kvm.dev.detail).toBe("/dev/kvm is readable and writable");
    expect(kvmMissingOf(report)).toEqual([]);
    // As root, the other kind of machine is one setpriv away: a user who cannot open /dev/kvm (0600 root).
    if (process.geteuid?.() === 0 && statSync("/dev/kvm").mode % 0o10 === 0) expectNoKvm(doctorAsNobody(), true);
    const py = execFileSync(
      "python3",
      ["-c", `import fcntl, os\nfd = os.open("/dev/kvm", os.O_RDWR)\nprint(fcntl.ioctl(fd, 0xAE03, ${KVM_CAP.guest_memfd}), fcntl.ioctl(fd, 0xAE03, ${KVM_CAP.guest_memfd_flags}))`],
      { encoding: "utf8" },
    );
    const [gm, flags] = py.trim().split(" ").map(Number) as [number, number];
    expect(report.kvm.guestMemfd.ok).toBe(gm > 0);
    expect(report.kvm.mmap.ok).toBe(flags > 0 && (flags & 1) !== 0);
    expect(report.kvm.initShared.ok).toBe(flags > 0 && (flags & 2) !== 0);
  });

  it("conform --vm: qemu-system-x86_64 on PATH and a static /bin/busybox, and the packages when missing", () => {
    const qemu = (process.env.PATH ?? "").split(delimiter).some((d) => existsSync(join(d, "qemu-system-x86_64")));
    expect(report.vm.qemu.ok).toBe(qemu);
    const file = spawnSync("file", ["-L", "/bin/busybox"], { encoding: "utf8" }).stdout;
    expect(report.vm.busybox.ok).toBe(/statically linked/.test(file));
    const vm = report.commands.find((c) => c.commands === "conform --vm")!;
    expect(vm.ready).toBe(qemu && /statically linked/.test(file));
    const bin = join(work, "no-qemu");
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    const without = doctor([], { HOME: process.env.HOME, PATH: bin }).report.commands.find((c) => c.commands === "conform --vm")!;
    expect(without.ready).toBe(false);
    expect(without.missing).toContainEqual({ what: "qemu-system-x86_64", how: expect.stringMatching(/Debian\/Ubuntu: apt install qemu-system-x86; Fedora: dnf install qemu-system-x86; Arch: pacman -S qemu-system-x86/) });
  });

  it("the C toolchain in use, and exit 0: gen with the simulator can run", () => {
    expect(status).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.toolchain.kind).toBe(clangOnPath() ? "system" : "wasm");
    expect(report.commands.find((c) => c.commands.startsWith("gen"))!.ready).toBe(true);
  });

  it("no clang on PATH: the WebAssembly toolchain; and none at all: exit 1, gen cannot run", () => {
    const bin = join(work, "node-only");
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    const wasm = doctor([], { HOME: process.env.HOME, PATH: bin });
    expect(wasm.status).toBe(0);
    expect(wasm.report.toolchain.kind).toBe("wasm");
    const none = doctor([], { HOME: process.env.HOME, PATH: bin, UFFDKIT_NO_WASM_CLANG: "1" });
    expect(none.status).toBe(1);
    expect(none.report.toolchain.kind).toBe("none");
    expect(none.report.commands.find((c) => c.commands.startsWith("gen"))!.ready).toBe(false);
  });

  it("--tree: a kernel git tree with checkpatch.pl is ready for series; a folder that is not a git tree is not", () => {
    const tree = join(work, "linux");
    mkdirSync(join(tree, "scripts"), { recursive: true });
    writeFileSync(join(tree, "Makefile"), "# a kernel\n");
    writeFileSync(join(tree, "scripts", "checkpatch.pl"), "#!/usr/bin/perl\n");
    const notGit = doctor(["--tree", tree]).report;
    expect(notGit.tree!.git.ok).toBe(false);
    expect(notGit.commands.find((c) => c.commands === "series")!.ready).toBe(false);
    execFileSync("git", ["init", "-q", tree]);
    const git = doctor(["--tree", tree]).report;
    expect(git.tree!.path).toBe(tree);
    expect(git.tree!.git.ok).toBe(true);
    expect(git.tree!.checkpatch.ok).toBe(true);
    expect(git.commands.find((c) => c.commands === "series")!.ready).toBe(true);
  });
});
