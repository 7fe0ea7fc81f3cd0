/**
 * What this machine offers a scenario beyond userfaultfd itself. A need that
 * is missing makes the scenario's verdict "lacks", with the evidence.
 */
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { NEED_POLICY, type KernelNeed, type Scenario } from "../../ir/scenario.js";

export interface NeedStatus {
  readonly present: boolean;
  /** Why it is absent (or how it was found). */
  readonly evidence: string;
}

export type Probe = Record<KernelNeed, NeedStatus>;

export function kernelRelease(): string {
  try {
    return readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    return "unknown";
  }
}

function devUsable(path: string): NeedStatus {
  if (!existsSync(path)) return { present: false, evidence: `${path} does not exist` };
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return { present: true, evidence: `${path} is accessible` };
  } catch (e) {
    return { present: false, evidence: `${path}: ${(e as Error).message}` };
  }
}

/** Free huge pages right now (HugePages_Free in /proc/meminfo). */
export function freeHugePages(): number {
  try {
    const m = /HugePages_Free:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function probeKernel(opts: { hugePagesFree?: number } = {}): Probe {
  const rel = kernelRelease();
  const free = opts.hugePagesFree ?? freeHugePages();
  return {
    "hugetlb-pages": free > 0 ? { present: true, evidence: `${free} free huge pages` } : { present: false, evidence: "no free huge pages (HugePages_Free 0; reserving vm.nr_hugepages failed or was not possible)" },
    kvm: devUsable("/dev/kvm"),
    "gmem-uffd": { present: false, evidence: `userfaultfd on guest_memfd is a pending series, not in ${rel}` },
    // Only KVM_CREATE_VM can tell (a build option, not a version): each test tries it and skips with the errno.
    "kvm-sw-protected-vm": { present: true, evidence: "not probed here: each test tries KVM_CREATE_VM(KVM_X86_SW_PROTECTED_VM) and skips with the errno it gets" },
    "kvm-userfault": { present: false, evidence: `KVM_MEM_USERFAULT is not merged (running ${rel})` },
    "declared-type": { present: false, evidence: `the declared type's userfaultfd support is the series', not in ${rel}; each test makes the type's own object and skips where ${rel} lacks it` },
  };
}

/** The first need the machine cannot meet and that makes running pointless. */
export function blockingNeed(sc: Scenario, probe: Probe): { need: KernelNeed; evidence: string } | undefined {
  for (const need of sc.setup.needs ?? []) {
    const st = probe[need];
    if (!st.present && NEED_POLICY[need] === "skip") return { need, evidence: st.evidence };
  }
  return undefined;
}

/** Needs that are absent but for which the scenario runs anyway. */
export function softMissingNeeds(sc: Scenario, probe: Probe): KernelNeed[] {
  return (sc.setup.needs ?? []).filter((n) => !probe[n].present && NEED_POLICY[n] === "try");
}
