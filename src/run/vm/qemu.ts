/**
 * Launch QEMU for one guest run and wait for it, bounded by QEMU itself (the
 * guest's init reboots, and -no-reboot turns that into an exit; a panic
 * reboots too, panic=-1) and by a generous outer timeout that only a real
 * hang reaches.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import type { Say } from "./kernels.js";

export type Accel = "kvm" | "tcg";

export interface QemuConfig {
  readonly image: string;
  readonly initrd: string;
  readonly accel: Accel;
  readonly memMiB: number;
  readonly cpus: number;
  /** ttyS0: kernel console. */
  readonly consoleLog: string;
  /** ttyS1: uffdkit results. */
  readonly resultsLog: string;
  readonly extraAppend?: string;
}

/**
 * KVM when /dev/kvm is usable and the host CPU can nest (svm or vmx in its
 * flags), so that the guest can run KVM itself; TCG otherwise, whose
 * `-cpu max` offers the guest SVM with NPT. UFFDKIT_VM_ACCEL overrides.
 */
export function chooseAccel(env: NodeJS.ProcessEnv = process.env, cpuinfo = (): string => readFileSync("/proc/cpuinfo", "utf8")): { accel: Accel; why: string } {
  const forced = env.UFFDKIT_VM_ACCEL;
  if (forced === "kvm" || forced === "tcg") return { accel: forced, why: `UFFDKIT_VM_ACCEL=${forced}` };
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return { accel: "tcg", why: "no usable /dev/kvm on the host" };
  }
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo())?.[1]?.split(/\s+/) ?? [];
  if (!flags.includes("svm") && !flags.includes("vmx")) return { accel: "tcg", why: "/dev/kvm is there but the host CPU shows no svm/vmx, so a KVM guest could not run KVM itself" };
  return { accel: "kvm", why: "/dev/kvm with nested virtualization" };
}

/**
 * no_timer_check: a TCG guest on a busy host can fail the kernel's IO-APIC
 * timer check and panic ("IO-APIC + timer doesn't work!"), seen here under load.
 *
 * thread=single: with multi-threaded TCG, a Debian 6.12 guest under load died
 * at boot with "Oops: int3" in __schedule() at a static-branch NOP (CI run of
 * this tree: the int3 of an already finished text_poke_bp() patch executed from
 * a stale translation on the other vCPU, and the kernel's int3 handler no
 * longer knew the site). One TCG thread for both vCPUs keeps the guest's
 * self-modifying code coherent; it costs speed, not coverage.
 */
export function qemuArgs(c: QemuConfig): string[] {
  const cpu = c.accel === "kvm" ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg,thread=single", "-cpu", "max"];
  return [
    ...cpu,
    "-smp",
    String(c.cpus),
    "-m",
    String(c.memMiB),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-no-reboot",
    "-kernel",
    c.image,
    "-initrd",
    c.initrd,
    "-append",
    `console=ttyS0 loglevel=6 panic=-1 oops=panic no_timer_check rdinit=/init${c.extraAppend ? ` ${c.extraAppend}` : ""}`,
    "-serial",
    `file:${c.consoleLog}`,
    "-serial",
    `file:${c.resultsLog}`,
  ];
}

export interface QemuRun {
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly ms: number;
  readonly stderr: string;
}

/** Run QEMU; every few seconds `progress` gets the results file's text so far. */
export function runQemu(c: QemuConfig, opts: { timeoutMs: number; progress?: (resultsSoFar: string) => void; binary?: string }): Promise<QemuRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(opts.binary ?? "qemu-system-x86_64", qemuArgs(c), { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let timedOut = false;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => {
      if (opts.progress && existsSync(c.resultsLog) && statSync(c.resultsLog).size > 0) opts.progress(readFileSync(c.resultsLog, "latin1"));
    }, 3000);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    const end = (code: number | null) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, timedOut, ms: Date.now() - t0, stderr });
    };
    child.on("error", (e) => {
      stderr += String(e);
      end(null);
    });
    child.on("close", (code) => end(code));
  });
}

/** Progress for people: how many tests the guest has finished. */
export function progressReporter(label: string, total: number, say: Say): (text: string) => void {
  let last = -1;
  return (text) => {
    const ran = text.split("\n").filter((l) => l.includes("@@uffdkit ran ")).length;
    if (ran !== last && (ran - last >= Math.max(1, Math.floor(total / 10)) || ran === total)) {
      say(`vm: ${label}: ${ran}/${total} tests done`);
      last = ran;
    }
  };
}
