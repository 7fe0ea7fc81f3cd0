/**
 * What this machine offers each uffdkit command (`uffdkit doctor`): the C
 * toolchain for the simulator, a kernel tree with its checkpatch.pl, the tools
 * a kernel build needs, userfaultfd access, free huge pages, and KVM with
 * guest_memfd. Read from /proc, /sys and /dev, from PATH, and for KVM's
 * capabilities from a tiny C probe (an ioctl cannot be made from Node), built
 * with the machine's C compiler and cached by content like the selftests
 * (./kernel/build.ts).
 *
 * Every fact says how it was found; what could not be looked at is "not
 * checked", never "present".
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, closeSync, constants, existsSync, openSync, readSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { platform } from "node:os";
import { delimiter, join } from "node:path";
import { GUEST_MEMFD_FLAGS, KVM_CAP } from "../kernel/uapi.js";
import { describeToolchain, probeToolchain, type CToolchain } from "./c/toolchain.js";
import { cacheDir } from "./cache-dir.js";
import { freeHugePages } from "./kernel/probe.js";

export interface Fact {
  readonly ok: boolean | "not-checked";
  /** What was found, or why not. */
  readonly detail: string;
}

export interface KernelTreeFacts {
  readonly path: string;
  readonly source: "--tree" | "UFFDKIT_KSRC" | "project (Debian linux-source-6.12, for uffdkit's own tests and demo)";
  readonly makefile: Fact;
  readonly git: Fact;
  readonly checkpatch: Fact;
  readonly getMaintainer: Fact;
}

export interface MachineFacts {
  readonly platform: string;
  readonly kernelRelease: string;
  readonly toolchain: { readonly kind: CToolchain["kind"] | "none"; readonly detail: string; readonly tried: readonly string[] };
  readonly tree?: KernelTreeFacts;
  readonly tools: Readonly<Record<string, Fact>>;
  readonly userfaultfd: { readonly devNode: Fact; readonly unprivileged: Fact; readonly root: boolean; readonly usable: Fact };
  readonly hugepages: Fact & { readonly free: number; readonly total: number };
  readonly kvm: { readonly dev: Fact; readonly guestMemfd: Fact; readonly mmap: Fact; readonly initShared: Fact };
  /** What `conform --vm` needs on the host: QEMU to boot the guests, a static busybox for their initramfs. */
  readonly vm: VmToolFacts;
}

export interface VmToolFacts {
  readonly qemu: Fact;
  readonly busybox: Fact;
}

export type Distro = "Debian/Ubuntu" | "Fedora" | "Arch" | "Homebrew";

/**
 * The packages that provide what `conform --vm` needs, per distribution (the
 * distributions' own package names: Debian's qemu-system-x86 and busybox-static;
 * Fedora's and Arch's busybox are linked statically).
 */
export const VM_PACKAGES: Record<keyof VmToolFacts, Record<Distro, string>> = {
  qemu: { "Debian/Ubuntu": "apt install qemu-system-x86", Fedora: "dnf install qemu-system-x86", Arch: "pacman -S qemu-system-x86", Homebrew: "brew install qemu" },
  busybox: { "Debian/Ubuntu": "apt install busybox-static", Fedora: "dnf install busybox", Arch: "pacman -S busybox", Homebrew: "(guests need a Linux busybox: run conform --vm on Linux)" },
};

/** The guest's init and shell, packed into every initramfs (src/run/vm/index.ts). */
export const GUEST_BUSYBOX = "/bin/busybox";
export const QEMU_BINARY = "qemu-system-x86_64";

/** QEMU on PATH and a static busybox at GUEST_BUSYBOX, each with how it was found. */
export function vmToolFacts(busybox = GUEST_BUSYBOX): VmToolFacts {
  const q = onPath(QEMU_BINARY);
  return { qemu: q ? { ok: true, detail: q } : { ok: false, detail: `${QEMU_BINARY} is not on PATH` }, busybox: busyboxFact(busybox) };
}

/** A regular file, an ELF executable, and static: the guest has no libc to load it with. */
function busyboxFact(path: string): Fact {
  try {
    if (!statSync(path).isFile()) return { ok: false, detail: `${path} is not a regular file` };
    const elf = readHead(path, 64 * 1024);
    if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) return { ok: false, detail: `${path} is not an ELF executable` };
    if (hasInterpreter(elf)) return { ok: false, detail: `${path} is linked dynamically; the guest needs a static busybox` };
    return { ok: true, detail: `${path} (static)` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, detail: code === "ENOENT" ? `${path} does not exist` : `${path} is not readable (${code ?? (e as Error).message})` };
  }
}

/** The first bytes of a file (an ELF header and its program headers sit at the start). */
function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** Whether an ELF file names a program interpreter (PT_INTERP), i.e. is linked dynamically. */
function hasInterpreter(elf: Buffer): boolean {
  const is64 = elf[4] === 2;
  const le = elf[5] === 1;
  const u16 = (o: number) => (le ? elf.readUInt16LE(o) : elf.readUInt16BE(o));
  const u32 = (o: number) => (le ? elf.readUInt32LE(o) : elf.readUInt32BE(o));
  const phoff = is64 ? Number(le ? elf.readBigUInt64LE(0x20) : elf.readBigUInt64BE(0x20)) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > elf.length) break;
    if (u32(at) === 3 /* PT_INTERP */) return true;
  }
  return false;
}

function onPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? "").split(delimiter)) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function devFact(path: string): Fact {
  if (!existsSync(path)) return { ok: false, detail: `${path} does not exist` };
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return { ok: true, detail: `${path} is readable and writable` };
  } catch (e) {
    return { ok: false, detail: `${path} exists but is not usable by this user (${(e as NodeJS.ErrnoException).code})` };
  }
}

/** The tools the kernel-facing commands run, by name. */
export const TOOLS = ["git", "perl", "make", "gcc", "flex", "bison", "bc", "ccache"] as const;

function toolFacts(): Record<string, Fact> {
  const out: Record<string, Fact> = {};
  for (const t of TOOLS) {
    const p = onPath(t);
    out[t] = p ? { ok: true, detail: p } : { ok: false, detail: `${t} is not on PATH` };
  }
  return out;
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function treeFacts(path: string, source: KernelTreeFacts["source"]): KernelTreeFacts {
  const has = (rel: string, what: string): Fact => (existsSync(join(path, rel)) ? { ok: true, detail: join(path, rel) } : { ok: false, detail: `${path} has no ${rel} (${what})` });
  // The tree itself must be the repository's top (a tree inside someone else's checkout is not a git tree).
  const git = spawnSync("git", ["-C", path, "rev-parse", "--show-toplevel"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const top = git.status === 0 && realpathOr(git.stdout.trim()) === realpathOr(path);
  return {
    path,
    source,
    makefile: has("Makefile", "not a kernel source tree"),
    git: top ? { ok: true, detail: "a git repository (series adds a branch)" } : { ok: false, detail: git.error ? "git is not installed" : `${path} is not a git repository (series needs one)` },
    checkpatch: has("scripts/checkpatch.pl", "series cannot run checkpatch"),
    getMaintainer: has("scripts/get_maintainer.pl", "no Cc lines"),
  };
}

/** The tree doctor reports on: --tree, UFFDKIT_KSRC, or the project's own Debian tree in a checkout. */
function pickTree(tree: string | undefined, root: string): KernelTreeFacts | undefined {
  if (tree) return treeFacts(tree, "--tree");
  if (process.env.UFFDKIT_KSRC) return treeFacts(process.env.UFFDKIT_KSRC, "UFFDKIT_KSRC");
  const own = join(root, ".cache", "linux-source-6.12");
  return existsSync(join(own, "Makefile")) ? treeFacts(own, "project (Debian linux-source-6.12, for uffdkit's own tests and demo)") : undefined;
}

function userfaultfdFacts(): MachineFacts["userfaultfd"] {
  const devNode = devFact("/dev/userfaultfd");
  const v = readText("/proc/sys/vm/unprivileged_userfaultfd")?.trim();
  const unprivileged: Fact = v === undefined ? { ok: "not-checked", detail: "/proc/sys/vm/unprivileged_userfaultfd is not readable here" } : { ok: v === "1", detail: `vm.unprivileged_userfaultfd = ${v}` };
  const root = typeof process.geteuid === "function" && process.geteuid() === 0;
  const usable: Fact =
    platform() !== "linux"
      ? { ok: false, detail: "userfaultfd is Linux-only" }
      : root || devNode.ok === true || unprivileged.ok === true
        ? { ok: true, detail: root ? "running as root (the userfaultfd syscall is allowed)" : devNode.ok === true ? "through /dev/userfaultfd" : "vm.unprivileged_userfaultfd = 1" }
        : { ok: false, detail: "not root, /dev/userfaultfd not usable, vm.unprivileged_userfaultfd = 0" };
  return { devNode, unprivileged, root, usable };
}

function hugepageFacts(): MachineFacts["hugepages"] {
  const meminfo = readText("/proc/meminfo");
  if (meminfo === undefined) return { ok: "not-checked", detail: "/proc/meminfo is not readable here", free: 0, total: 0 };
  const total = Number(/HugePages_Total:\s+(\d+)/.exec(meminfo)?.[1] ?? 0);
  const free = freeHugePages();
  return { ok: free > 0, detail: `HugePages_Free ${free} of HugePages_Total ${total}`, free, total };
}

/** The KVM probe program: KVM_CHECK_EXTENSION for each capability number on its command line. */
const KVM_PROBE_C = `/* uffdkit doctor: KVM_CHECK_EXTENSION for each capability given as an argument. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define UK_KVMIO 0xAE
#define UK_KVM_CHECK_EXTENSION _IO(UK_KVMIO, 0x03)

int main(int argc, char **argv)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int i;

	if (fd < 0) {
		printf("open %d\\n", errno);
		return 0;
	}
	for (i = 1; i < argc; i++)
		printf("%s %d\\n", argv[i], ioctl(fd, UK_KVM_CHECK_EXTENSION, atol(argv[i])));
	close(fd);
	return 0;
}
`;

/** Where the KVM probe is cached: named by the content of its source, so a changed probe is rebuilt. */
export function kvmProbePath(cacheDir: string): string {
  return join(cacheDir, `kvm-probe-${createHash("sha256").update(KVM_PROBE_C).digest("hex").slice(0, 16)}`);
}

/**
 * Build (once, cached by content) and run the KVM probe; the capabilities' values, or why not.
 * Everything here is the machine's, not the user's: a read-only or noexec cache
 * directory, a probe that crashes or prints nonsense is a fact ("cannot probe
 * KVM: ..."), never an exception out of doctor or conform.
 */
export function kvmCaps(cacheDir: string): { caps: Map<number, number> } | { reason: string } {
  const bin = kvmProbePath(cacheDir);
  if (!existsSync(bin)) {
    const built = buildKvmProbe(cacheDir, bin);
    if (built) return { reason: built };
  }
  const wanted = [KVM_CAP.guest_memfd, KVM_CAP.guest_memfd_flags];
  let out: string;
  try {
    out = execFileSync(bin, wanted.map(String), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const x = e as NodeJS.ErrnoException & { signal?: string | null; status?: number | null };
    const how = x.signal ? `it was killed by ${x.signal}` : typeof x.status === "number" ? `it exited ${x.status}` : (x.code ?? x.message);
    return { reason: `cannot probe KVM: running ${bin} failed (${how}); remove it to rebuild, or check the cache directory is not mounted noexec` };
  }
  if (out.startsWith("open ")) return { reason: `open(/dev/kvm) failed (errno ${out.slice(5).trim()})` };
  const lines = out.trim().split("\n").map((l) => l.split(" ").map(Number));
  if (lines.length !== wanted.length || lines.some((l) => l.length !== 2 || l.some((n) => !Number.isInteger(n)))) return { reason: `cannot probe KVM: ${bin} printed ${JSON.stringify(out.slice(0, 80))}, not one capability per line; remove it to rebuild` };
  return { caps: new Map(lines as [number, number][]) };
}

/** Build the probe into bin; why not, or undefined when built. */
function buildKvmProbe(cacheDir: string, bin: string): string | undefined {
  const cc = onPath("cc") ?? onPath("gcc") ?? onPath("clang");
  if (!cc) return "no C compiler (cc, gcc or clang) to build the ioctl probe";
  const src = `${bin}.${process.pid}.c`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(src, KVM_PROBE_C);
  } catch (e) {
    return `cannot probe KVM: cannot write the probe to ${cacheDir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); make it writable (outside a checkout of uffdkit, XDG_CACHE_HOME moves it)`;
  }
  try {
    execFileSync(cc, ["-O1", "-o", `${bin}.${process.pid}`, src], { stdio: ["ignore", "pipe", "pipe"] });
    renameSync(`${bin}.${process.pid}`, bin);
    return undefined;
  } catch (e) {
    return `the ioctl probe did not build with ${cc}: ${String((e as { stderr?: Buffer }).stderr ?? e).trim().split("\n")[0]}`;
  } finally {
    rmSync(src, { force: true });
  }
}

function kvmFacts(cacheDir: string): MachineFacts["kvm"] {
  const dev = devFact("/dev/kvm");
  const notChecked = (why: string): Fact => ({ ok: "not-checked", detail: why });
  if (dev.ok !== true) return { dev, guestMemfd: notChecked("no usable /dev/kvm"), mmap: notChecked("no usable /dev/kvm"), initShared: notChecked("no usable /dev/kvm") };
  const r = kvmCaps(cacheDir);
  if ("reason" in r) return { dev, guestMemfd: notChecked(r.reason), mmap: notChecked(r.reason), initShared: notChecked(r.reason) };
  const gm = r.caps.get(KVM_CAP.guest_memfd) ?? -1;
  const flags = r.caps.get(KVM_CAP.guest_memfd_flags) ?? -1;
  const flag = (name: keyof typeof GUEST_MEMFD_FLAGS): Fact =>
    flags < 0 ? { ok: false, detail: `KVM_CAP_GUEST_MEMFD_FLAGS (${KVM_CAP.guest_memfd_flags}) is not known to this kernel` } : { ok: (flags & GUEST_MEMFD_FLAGS[name]) !== 0, detail: `KVM_CAP_GUEST_MEMFD_FLAGS = ${flags}` };
  return { dev, guestMemfd: { ok: gm > 0, detail: `KVM_CHECK_EXTENSION(KVM_CAP_GUEST_MEMFD = ${KVM_CAP.guest_memfd}) = ${gm}` }, mmap: flag("mmap"), initShared: flag("init_shared") };
}

export function probeMachine(opts: { tree?: string; root: string }): MachineFacts {
  const tc = probeToolchain();
  return {
    platform: `${platform()} ${process.arch}`,
    kernelRelease: readText("/proc/sys/kernel/osrelease")?.trim() ?? "unknown",
    toolchain: { kind: tc.toolchain?.kind ?? "none", detail: tc.toolchain ? describeToolchain(tc.toolchain) : "none usable", tried: tc.tried },
    ...(() => {
      const t = pickTree(opts.tree, opts.root);
      return t ? { tree: t } : {};
    })(),
    tools: toolFacts(),
    userfaultfd: userfaultfdFacts(),
    hugepages: hugepageFacts(),
    kvm: kvmFacts(cacheDir("probe", opts.root)),
    vm: vmToolFacts(),
  };
}
