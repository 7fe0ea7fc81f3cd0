/**
 * `uffdkit doctor [--tree DIR] [--json]`: per command, what this machine
 * offers it and how to get what is missing, with the package to install on
 * Debian/Ubuntu, Fedora, Arch and Homebrew. Exit 0 when the main job (gen with
 * the simulator, which needs a C toolchain) can run, 1 when it cannot.
 */
import { resolve } from "node:path";
import { packageRoot } from "../../emit/template-store.js";
import { TOOLS, VM_PACKAGES, probeMachine, type Distro, type Fact, type MachineFacts } from "../../run/machine.js";
import { chooseAccel } from "../../run/vm/qemu.js";
import { EXIT, type CliIO } from "../io.js";

/** Packages per distribution for each missing piece (the distributions' own package names). */
const PACKAGES: Record<string, Record<Distro, string>> = {
  toolchain: { "Debian/Ubuntu": "apt install clang lld", Fedora: "dnf install clang lld", Arch: "pacman -S clang lld", Homebrew: "brew install llvm lld" },
  git: { "Debian/Ubuntu": "apt install git", Fedora: "dnf install git", Arch: "pacman -S git", Homebrew: "brew install git" },
  perl: { "Debian/Ubuntu": "apt install perl", Fedora: "dnf install perl", Arch: "pacman -S perl", Homebrew: "brew install perl" },
  kbuild: {
    "Debian/Ubuntu": "apt install build-essential flex bison bc libelf-dev libssl-dev",
    Fedora: "dnf install gcc make flex bison bc elfutils-libelf-devel openssl-devel",
    Arch: "pacman -S base-devel bc libelf openssl",
    Homebrew: "(kernel builds need Linux: run them in a Linux VM or container)",
  },
  ccache: { "Debian/Ubuntu": "apt install ccache", Fedora: "dnf install ccache", Arch: "pacman -S ccache", Homebrew: "brew install ccache" },
  cc: { "Debian/Ubuntu": "apt install gcc", Fedora: "dnf install gcc", Arch: "pacman -S gcc", Homebrew: "xcode-select --install" },
  ...VM_PACKAGES,
};

const NPM_WASM = "or, with no system toolchain, npm i @yowasp/clang (uffdkit's optional dependency: clang in WebAssembly)";

interface Missing {
  readonly what: string;
  readonly how: string;
}

interface CommandReport {
  readonly commands: string;
  /** true: runs fully; "partly": runs, some tests skip with a reason; false: cannot run. */
  readonly ready: boolean | "partly";
  readonly uses: string;
  readonly missing: readonly Missing[];
}

function pkg(key: string): string {
  return Object.entries(PACKAGES[key]!)
    .map(([d, c]) => `${d}: ${c}`)
    .join("; ");
}

const missingIf = (cond: boolean, what: string, how: string): Missing[] => (cond ? [{ what, how }] : []);

function toolMissing(f: MachineFacts, tools: readonly (typeof TOOLS)[number][], key: string): Missing[] {
  const lacking = tools.filter((t) => f.tools[t]?.ok !== true);
  return missingIf(lacking.length > 0, lacking.join(", "), pkg(key));
}

function commandReports(f: MachineFacts): CommandReport[] {
  const tc = f.toolchain.kind !== "none";
  const tree = f.tree;
  const treeHow = "pass your kernel git tree with --tree DIR (e.g. git clone https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git)";
  const seriesMissing = [
    ...missingIf(!tree || tree.makefile.ok !== true || tree.git.ok !== true, "a kernel git tree", tree ? `${tree.path}: ${tree.git.ok === true ? tree.makefile.detail : tree.git.detail}; ${treeHow}` : treeHow),
    ...toolMissing(f, ["git"], "git"),
    ...missingIf(!!tree && tree.checkpatch.ok !== true, "the tree's scripts/checkpatch.pl", "use a full kernel tree (checkpatch is part of it)"),
    ...toolMissing(f, ["perl"], "perl"),
  ];
  const buildMissing = [...seriesMissing, ...toolMissing(f, ["make", "gcc", "flex", "bison", "bc"], "kbuild")];
  const uffd = f.userfaultfd.usable.ok === true;
  const kernelMissing = [
    ...missingIf(!uffd, "userfaultfd access", "run as root, or sysctl vm.unprivileged_userfaultfd=1, or give this user /dev/userfaultfd (it is root-only by default)"),
    ...toolMissing(f, ["gcc"], "cc"),
    ...missingIf(!tree, "a kernel tree for kselftest_harness.h", treeHow),
  ];
  const partial = [
    ...missingIf(f.hugepages.ok !== true, "free huge pages (hugetlbfs tests skip)", "sysctl vm.nr_hugepages=64"),
    ...missingIf(f.kvm.dev.ok !== true, "/dev/kvm (guest_memfd tests skip)", "load kvm_intel or kvm_amd and add yourself to the kvm group"),
    ...missingIf(f.kvm.dev.ok === true && f.kvm.guestMemfd.ok !== true, "KVM_CAP_GUEST_MEMFD (guest_memfd tests skip)", "a kernel with CONFIG_KVM_GUEST_MEMFD (6.8 or later; x86 with KVM_SW_PROTECTED_VM)"),
    ...missingIf(f.kvm.guestMemfd.ok === true && f.kvm.mmap.ok !== true, "GUEST_MEMFD_FLAG_MMAP (host-mapped guest_memfd tests skip)", "a kernel with guest_memfd mmap() (6.18 or later)"),
  ];
  return [
    { commands: "check, explain, init", ready: true, uses: "Node only", missing: [] },
    {
      commands: "gen, test --sim, sim, explore, checklist",
      ready: tc,
      uses: `the C toolchain: ${f.toolchain.detail}`,
      missing: missingIf(!tc, "a C toolchain with the wasm32 target", `${pkg("toolchain")}; ${NPM_WASM}`),
    },
    { commands: "series", ready: seriesMissing.length === 0, uses: tree ? `kernel tree ${tree.path} (${tree.source})` : "a kernel tree (--tree)", missing: seriesMissing },
    {
      commands: "series --build",
      ready: buildMissing.length === 0,
      uses: `kbuild in the tree${f.tools.ccache?.ok === true ? ", through ccache" : ""}`,
      missing: [...buildMissing, ...missingIf(f.tools.ccache?.ok !== true, "ccache (optional: faster rebuilds)", pkg("ccache"))],
    },
    {
      commands: "test --kernel, conform",
      ready: kernelMissing.length > 0 ? false : partial.length > 0 ? "partly" : true,
      uses: `this kernel (${f.kernelRelease})`,
      missing: [...kernelMissing, ...partial],
    },
    vmReport(f),
  ];
}

/** `conform --vm`: QEMU boots each kernel, a static busybox is the guest's init (src/run/vm). */
function vmReport(f: MachineFacts): CommandReport {
  const missing = [...missingIf(f.vm.qemu.ok !== true, "qemu-system-x86_64", pkg("qemu")), ...missingIf(f.vm.busybox.ok !== true, `a static busybox (${f.vm.busybox.detail})`, pkg("busybox"))];
  const accel = chooseAccel();
  return { commands: "conform --vm", ready: missing.length === 0, uses: `QEMU (${f.vm.qemu.detail}) under ${accel.accel.toUpperCase()} (${accel.why}), busybox ${f.vm.busybox.detail}`, missing };
}

function mark(x: boolean | "partly" | "not-checked"): string {
  return x === true ? "ok  " : x === "partly" ? "part" : x === "not-checked" ? "??  " : "no  ";
}

function factLine(name: string, fact: Fact): string {
  return `  ${mark(fact.ok)} ${name}: ${fact.detail}`;
}

function printHuman(io: CliIO, f: MachineFacts, reports: readonly CommandReport[]): void {
  io.out(`uffdkit doctor: ${f.platform}, kernel ${f.kernelRelease}`);
  io.out("");
  io.out("Commands:");
  for (const r of reports) {
    io.out(`  ${mark(r.ready)} ${r.commands}: ${r.uses}`);
    for (const m of r.missing) io.out(`         missing ${m.what}: ${m.how}`);
  }
  io.out("");
  io.out("This machine:");
  io.out(`  ${mark(f.toolchain.kind !== "none")} C toolchain: ${f.toolchain.detail}`);
  for (const t of f.toolchain.tried) io.out(`         tried ${t}`);
  if (f.tree) {
    io.out(`  ${mark(f.tree.makefile.ok)} kernel tree: ${f.tree.path} (${f.tree.source})`);
    for (const [n, x] of [["git", f.tree.git], ["checkpatch.pl", f.tree.checkpatch], ["get_maintainer.pl", f.tree.getMaintainer]] as const) io.out(`  ${factLine(n, x)}`);
  } else {
    io.out("  no   kernel tree: none given (--tree DIR)");
  }
  for (const [n, x] of Object.entries(f.tools)) io.out(factLine(n, x));
  io.out(factLine("/dev/userfaultfd", f.userfaultfd.devNode));
  io.out(factLine("vm.unprivileged_userfaultfd", f.userfaultfd.unprivileged));
  io.out(factLine("userfaultfd for this user", f.userfaultfd.usable));
  io.out(factLine("huge pages", f.hugepages));
  io.out(factLine("/dev/kvm", f.kvm.dev));
  io.out(factLine("KVM_CAP_GUEST_MEMFD", f.kvm.guestMemfd));
  io.out(factLine("GUEST_MEMFD_FLAG_MMAP", f.kvm.mmap));
  io.out(factLine("GUEST_MEMFD_FLAG_INIT_SHARED", f.kvm.initShared));
  io.out(factLine("qemu-system-x86_64", f.vm.qemu));
  io.out(factLine("busybox (static)", f.vm.busybox));
}

export async function run(io: CliIO, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const tree = typeof opts.tree === "string" ? resolve(opts.tree) : undefined;
  const facts = probeMachine({ ...(tree ? { tree } : {}), root: packageRoot() });
  const reports = commandReports(facts);
  const ok = facts.toolchain.kind !== "none";
  if (io.json) io.emitJson({ ok, ...facts, commands: reports });
  else {
    printHuman(io, facts, reports);
    io.out("");
    io.out(ok ? "The main job (gen with the simulator) can run here." : "The main job (gen with the simulator) cannot run here: install a C toolchain (see above).");
  }
  return ok ? EXIT.ok : EXIT.findings;
}
