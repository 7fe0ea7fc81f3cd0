/**
 * What a group of scenarios runs against: the declared type itself (kind
 * "declared", needs "declared-type": no running kernel has it), or the real kind
 * it builds on (model.run.kernelKind), so the same checks also run on this
 * machine's kernel. Functional modules take a Target and do not care which.
 */
import { KIND_SUPPORT, type MemKind } from "../../kernel/kinds.js";
import type { RegisterMode } from "../../kernel/uapi.js";
import type { Model } from "../../model/model.js";
import type { Ioctl } from "../../spec/types.js";
import type { KernelNeed, Scenario, ScenarioSetup, Step } from "../../ir/scenario.js";
import { declaredTypeOf } from "./declared.js";
import type { Lowered } from "../../lower/index.js";
import { isAnon, isGuestMemfd, isHugetlb } from "./kernel-rules.js";

export interface Target {
  /** "declared" or the real kind's name. */
  readonly key: MemKind;
  /** Prefix of scenario names: "" for the declared type, "<kind>_" for a real kind. */
  readonly prefix: string;
  readonly model: Model;
  /** The lowered form: every default decided (src/lower). */
  readonly lowered: Lowered;
  readonly pageSize: number;
  readonly hugetlb: boolean;
  readonly fileBacked: boolean;
  readonly gmem: boolean;
  /** Modes that register on this target and are exercised. */
  readonly modes: readonly RegisterMode[];
  /** Range ioctls that work on this target and are exercised. */
  readonly ioctls: ReadonlySet<Ioctl>;
  /** How to put a page in the cache without faulting through the registered range. */
  readonly populate?: "alias" | "pwrite";
  /** Sources every scenario of this target shares. */
  readonly origin: readonly string[];
  setup(over?: Partial<ScenarioSetup>): ScenarioSetup;
}

const MODE_ORDER: readonly RegisterMode[] = ["missing", "minor", "wp"];


function pageSizeOf(hugetlb: boolean): number {
  return hugetlb ? KIND_SUPPORT.hugetlb.pageSize : KIND_SUPPORT.anon.pageSize;
}

export function declaredTarget(model: Model, lowered: Lowered): Target {
  const hugetlb = isHugetlb(model);
  const anon = isAnon(model);
  const gmem = isGuestMemfd(model);
  const fileBacked = !anon;
  const needs: KernelNeed[] = ["declared-type"];
  if (gmem) needs.push("kvm");
  if (hugetlb) needs.push("hugetlb-pages");
  const declared = declaredTypeOf(model, lowered);
  const populate = lowered.populateByWrite ? "pwrite" : fileBacked ? "alias" : undefined;
  return {
    key: "declared",
    prefix: "",
    model,
    lowered,
    pageSize: pageSizeOf(hugetlb),
    hugetlb,
    fileBacked,
    gmem,
    modes: MODE_ORDER.filter((m) => model.modes.has(m)),
    ioctls: model.ioctls,
    ...(populate ? { populate } : {}),
    origin: [`spec ${model.name} (${model.gen.id})`],
    setup(over = {}) {
      return {
        kind: "declared",
        pages: lowered.pages,
        map: anon ? "private" : "shared",
        ...(gmem ? { gmemFlags: [...lowered.gmemFlags] } : {}),
        ...(populate === "alias" ? { alias: true } : {}),
        declared,
        needs: [...needs],
        ...over,
      };
    },
  };
}

/**
 * The real kind under the declared type, when the running kernel can exercise
 * it. guest_memfd's userfaultfd support comes with the generation whose series
 * adds it, and those scenarios need "gmem-uffd", which 6.18 lacks; with other
 * generations the target exercises no uffd mode.
 */
export function realKindTarget(model: Model, lowered: Lowered): Target | undefined {
  const kind = model.run.kernelKind;
  if (!kind) return undefined;
  // guest_memfd gains userfaultfd only with the pending series; before it, its
  // real-kind scenarios are the flag behaviour alone (gmem.ts).
  const gmemUffd = kind === "guest_memfd" && model.gen.coreDoUserfault;
  const support = kind === "guest_memfd" ? (gmemUffd ? GMEM_SERIES_SUPPORT : NO_UFFD) : KIND_SUPPORT[kind];
  const hugetlb = kind === "hugetlb";
  const fileBacked = kind !== "anon";
  const needs: KernelNeed[] = [];
  if (kind === "guest_memfd") needs.push("kvm");
  if (gmemUffd) needs.push("gmem-uffd");
  if (hugetlb) needs.push("hugetlb-pages");
  const ioctls = new Set([...model.ioctls].filter((i) => (support.ioctls as readonly string[]).includes(i)));
  return {
    key: kind,
    prefix: `${kind}_`,
    model,
    lowered,
    pageSize: pageSizeOf(hugetlb),
    hugetlb,
    fileBacked,
    gmem: kind === "guest_memfd",
    modes: MODE_ORDER.filter((m) => model.modes.has(m) && support.modes.includes(m)),
    ioctls,
    ...(fileBacked ? { populate: "alias" as const } : {}),
    origin: [`kind ${kind}`, ...(kind === "guest_memfd" ? ["rppt1313"] : ["abi618"])],
    setup(over = {}) {
      return {
        kind,
        pages: lowered.pages,
        map: kind === "anon" ? "private" : "shared",
        ...(kind === "guest_memfd" ? { gmemFlags: [...lowered.gmemFlags] } : {}),
        ...(fileBacked ? { alias: true } : {}),
        ...(needs.length ? { needs: [...needs] } : {}),
        ...over,
      };
    },
  };
}

/**
 * guest_memfd with the pending series ([PATCH v2 13/15] KVM: guest_memfd: implement userfaultfd operations): MISSING and
 * MINOR, resolved by COPY, ZEROPAGE and CONTINUE.
 */
const GMEM_SERIES_SUPPORT: { modes: readonly RegisterMode[]; ioctls: readonly string[] } = {
  modes: ["missing", "minor"],
  ioctls: ["copy", "zeropage", "continue"],
};

const NO_UFFD: { modes: readonly RegisterMode[]; ioctls: readonly string[] } = { modes: [], ioctls: [] };

/** Assemble a scenario with the target's prefix and shared sources. */
export function scenario(t: Target, name: string, title: string, source: readonly string[], setup: ScenarioSetup, steps: Step[]): Scenario {
  const simOnly = simulatorOnlyReason(setup);
  const standIn = t.key !== "declared" ? t.lowered.standIn : undefined;
  return {
    name: `${t.prefix}${name}`,
    title,
    source: [...source, ...t.origin],
    setup,
    steps,
    ...(simOnly ? { simulatorOnly: simOnly } : {}),
    ...(standIn ? { standIn: { ...standIn } } : {}),
  };
}

/**
 * Why a scenario cannot be a kernel test: the simulator makes the type's
 * helpers fail (fault injection), or the scenario needs a page state that no
 * released kernel lets a test make.
 */
function simulatorOnlyReason(setup: ScenarioSetup): string | undefined {
  const inject = setup.declared?.inject ?? [];
  if (inject.length) {
    const sites = [...new Set(inject.map((i) => i.site))].join(", ");
    return `fault injection (${sites}): a kernel test cannot make the type's helpers fail`;
  }
  if (setup.declared?.privatePages?.length) {
    return "private pages of a host-mapped guest_memfd need in-place conversion (KVM_SET_MEMORY_ATTRIBUTES on a guest_memfd with mmap), which no released kernel has";
  }
  return undefined;
}

/** The first declared mode a range can be registered with, for scenarios about something else. */
export function anyMode(t: Target): RegisterMode | undefined {
  return t.modes[0];
}
