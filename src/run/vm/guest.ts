/**
 * What runs inside the guest: the /init script, the run lists it reads, and
 * the initramfs layout that carries them (busybox, the static selftest
 * binaries, the KVM modules a prebuilt kernel needs). Pure: no file system,
 * no QEMU, so tests check the layout without booting.
 *
 * The guest writes to two serial ports: the kernel console on ttyS0 (where
 * lockdep and VM_BUG_ON splats land) and uffdkit's results on ttyS1, as
 * `@@uffdkit` lines (./results.ts reads them back).
 */
import type { CpioEntry } from "./cpio.js";

/** The marker that starts every results line the guest writes. */
export const MARK = "@@uffdkit";

export interface GuestTest {
  /** The binary's file name under /t. */
  readonly binary: string;
  /** The harness's FIXTURE.VARIANT.TEST name. */
  readonly tapName: string;
  /** hugetlb tests run in a second phase, fewer at once (they share the reserved pool). */
  readonly hugetlb: boolean;
}

export interface GuestModules {
  /** Load order for an AMD (SVM) guest CPU and for an Intel (VMX) one: dependencies first. */
  readonly amd: readonly string[];
  readonly intel: readonly string[];
  /** Module file contents (uncompressed .ko), by module name. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export interface GuestPlan {
  readonly busybox: Uint8Array;
  /** Static selftest binaries by file name. */
  readonly binaries: ReadonlyMap<string, Uint8Array>;
  readonly tests: readonly GuestTest[];
  /** KVM modules to insmod (a prebuilt distribution kernel); none when KVM is built in. */
  readonly modules?: GuestModules;
  /** vm.nr_hugepages to write before the run. */
  readonly hugePages: number;
  /** Tests run at once (non-hugetlb phase); the hugetlb phase runs at most 4. */
  readonly shards: number;
  /** Bound on one test process, in seconds (busybox timeout -s KILL); a killed test is rc 137. */
  readonly testTimeoutS: number;
}

/** Split tests round-robin into n lists (one background loop each). */
export function shard<T>(items: readonly T[], n: number): T[][] {
  const k = Math.max(1, Math.min(n, items.length));
  const out: T[][] = Array.from({ length: k }, () => []);
  items.forEach((t, i) => out[i % k]!.push(t));
  return items.length ? out : [];
}

/** The /init script (busybox ash). */
export function initScript(plan: Pick<GuestPlan, "hugePages" | "testTimeoutS">): string {
  return `#!/bin/busybox sh
# uffdkit guest init: mount, reserve huge pages, load KVM, run the selftests,
# report on ttyS1, power off (QEMU runs with -no-reboot, so a reboot ends it).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
R=/dev/ttyS1
say() { echo "${MARK} $*" >$R; }
say facts release=$(uname -r)
say facts cpus=$(grep -c ^processor /proc/cpuinfo)
if grep -qw svm /proc/cpuinfo; then vendor=amd; elif grep -qw vmx /proc/cpuinfo; then vendor=intel; else vendor=none; fi
say facts virt=$vendor
if [ -f /modules/$vendor.order ]; then
	for m in $(cat /modules/$vendor.order); do
		insmod /modules/$m.ko 2>/tmp/insmod.err || say facts insmod-failed=$m:$(head -c 200 /tmp/insmod.err | tr '\\n' ' ')
	done
fi
if [ -c /dev/kvm ]; then say facts kvm=present; else say facts kvm=absent; fi
# THP as on the machines the reference suites were written on (6.18, THP madvise): distribution kernels default to always.
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
echo madvise >/sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null
echo never >/sys/kernel/mm/transparent_hugepage/shmem_enabled 2>/dev/null
say facts thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null | tr ' ' ,)
echo ${plan.hugePages} >/proc/sys/vm/nr_hugepages 2>/dev/null
say facts hugepages_free=$(grep HugePages_Free /proc/meminfo | tr -s ' ' | cut -d' ' -f2)
mkdir -p /tmp/out
run_list() {
	i=0
	while read -r bin name; do
		i=$((i + 1))
		o=/tmp/out/$(basename $1).$i
		echo "$bin $name" >$o.id
		timeout -s KILL ${plan.testTimeoutS} /t/$bin -r $name >$o.log 2>&1 </dev/null
		echo $? >$o.rc
		say ran $bin $name
	done <$1
}
for phase in plain huge; do
	for l in /run/$phase.*; do [ -f "$l" ] && run_list $l & done
	wait
done
for id in /tmp/out/*.id; do
	[ -f "$id" ] || continue
	o=\${id%.id}
	say begin $(cat $id)
	cat $o.log >$R
	say end rc=$(cat $o.rc)
done
say done
sync
reboot -f
`;
}

const enc = (s: string) => new TextEncoder().encode(s);

/** Every file of the initramfs, parents first. */
export function initramfsEntries(plan: GuestPlan): CpioEntry[] {
  const entries: CpioEntry[] = [];
  for (const d of ["bin", "dev", "proc", "sys", "tmp", "run", "t"]) entries.push({ kind: "dir", path: d });
  // The kernel opens /dev/console for init's stdio before devtmpfs is mounted.
  entries.push({ kind: "char", path: "dev/console", major: 5, minor: 1 });
  entries.push({ kind: "file", path: "bin/busybox", data: plan.busybox, mode: 0o755 });
  entries.push({ kind: "file", path: "init", data: enc(initScript(plan)), mode: 0o755 });
  for (const [name, data] of [...plan.binaries].sort(([a], [b]) => a.localeCompare(b))) entries.push({ kind: "file", path: `t/${name}`, data, mode: 0o755 });
  const phases = { plain: plan.tests.filter((t) => !t.hugetlb), huge: plan.tests.filter((t) => t.hugetlb) };
  for (const [phase, tests] of Object.entries(phases)) {
    shard(tests, phase === "huge" ? Math.min(4, plan.shards) : plan.shards).forEach((list, i) => {
      entries.push({ kind: "file", path: `run/${phase}.${i}`, data: enc(list.map((t) => `${t.binary} ${t.tapName}\n`).join("")) });
    });
  }
  if (plan.modules) {
    entries.push({ kind: "dir", path: "modules" });
    entries.push({ kind: "file", path: "modules/amd.order", data: enc(plan.modules.amd.join("\n") + "\n") });
    entries.push({ kind: "file", path: "modules/intel.order", data: enc(plan.modules.intel.join("\n") + "\n") });
    for (const [name, data] of plan.modules.files) entries.push({ kind: "file", path: `modules/${name}.ko`, data });
  }
  return entries;
}
