/**
 * Scenario suite → kselftest-harness C. Pure: returns file contents.
 *
 *   <name>_uffd_test.c   one TEST per scenario, TEST_HARNESS_MAIN (TAP 13)
 *   uffdkit_compat.h     uapi bits newer than the host headers, from src/kernel/uapi.ts
 *   Makefile, config, .gitignore   kselftest conventions (ecosystem.md §3.2)
 */
import { ERRNO_NAMES, HPAGE_PMD_SIZE, KVM_IOCTL_NR, RANGE_IOCTLS, UFFD_PAGEFAULT_FLAG, ioctlMacro } from "../../kernel/uapi.js";
import type { Scenario, ScenarioSetup, Suite } from "../../ir/scenario.js";
import { SOURCES, type SourceKey } from "../../kernel/sources.js";
import { cIdent, isCIdentifier } from "../cident.js";
import type { EmittedFile } from "../kernel/artifacts.js";
import { createTemplateEnvironment, type TemplateEnvironment } from "../template-store.js";
import { compatDefines } from "./compat.js";
import { ScenarioEmitError, ThreadSlots, blockCommentLines, commentSafe, stepLines, wrapJoin } from "./steps.js";

export { ScenarioEmitError } from "./steps.js";

export interface SelftestOptions {
  /** File prefix: <name>_uffd_test.c; a C identifier. */
  name: string;
  /** How long a touch may run before it counts as blocked (ms). */
  blockMs?: number;
  /** Bound of a `wait` step (ms). */
  waitMs?: number;
  /** poll() timeout of an `event` step (ms). */
  eventMs?: number;
}

export const DEFAULT_TIMING = { blockMs: 200, waitMs: 2000, eventMs: 100 } as const;

let env: TemplateEnvironment | undefined;
/** templates/selftest/<file>.hbs, precompiled at build time; runtime.c is the shared partial. */
function render(file: string, data: object): string {
  env ??= createTemplateEnvironment({ helpers: {}, partials: { runtime: "selftest/runtime.c" } });
  return env.render(`selftest/${file.replace(/\.hbs$/, "")}`, data);
}

/** The kernel memory a scenario maps: a declared type runs on the real kind it builds on. */
export function runKind(setup: ScenarioSetup): "anon" | "shmem" | "shmem-anon" | "hugetlb" | "guest_memfd" {
  if (setup.kind !== "declared") return setup.kind;
  const d = setup.declared;
  if (d?.kernelKind) return d.kernelKind;
  return d?.backing === "hugetlb" ? "hugetlb" : d?.backing === "anon" ? "anon" : "shmem";
}

const KIND_ENUM = { anon: "UK_ANON", shmem: "UK_SHMEM", "shmem-anon": "UK_SHMEM_ANON", hugetlb: "UK_HUGETLB", guest_memfd: "UK_GMEM" } as const;

function setupLines(sc: Scenario): string[] {
  const s = sc.setup;
  const fields = [`.kind = ${KIND_ENUM[runKind(s)]},`, `.pages = ${s.pages},`, `.shared = ${s.map === "shared" ? 1 : 0},`];
  if (s.readonly) fields.push(".readonly = 1,");
  if (s.alias) fields.push(".alias = 1,");
  if (s.srcPages) fields.push(`.src_pages = ${s.srcPages},`);
  if (s.contexts) fields.push(`.contexts = ${s.contexts},`);
  if (s.userModeOnly) fields.push(".user_mode_only = 1,");
  if (s.next) {
    const k = runKind(s);
    if (k !== "anon" && k !== "shmem" && k !== "shmem-anon") throw new ScenarioEmitError(sc.name, "setup.next needs a base-page primary mapping (anon, shmem, shmem-anon)");
    const prot = { rw: "PROT_READ | PROT_WRITE", read: "PROT_READ", none: "PROT_NONE" }[s.next.prot ?? "rw"];
    fields.push(`.next_pages = ${s.next.pages},`, `.next_gap = ${s.next.gapPages ?? 0},`, `.next_shmem = ${s.next.kind === "shmem" ? 1 : 0},`, `.next_prot = ${prot},`);
    if (s.next.droppable) fields.push(".next_droppable = 1,");
  }
  const lines = ["static const struct uk_setup s = {", ...fields.map((f) => `\t${f}`)];
  if (s.gmemFlags?.length || s.gmemRawFlags) {
    const flags = (s.gmemFlags ?? []).map((f) => `GUEST_MEMFD_FLAG_${f.toUpperCase()}`);
    if (s.gmemRawFlags) flags.push(`0x${s.gmemRawFlags.toString(16)}ULL`);
    lines.push(...wrapJoin("\t.gmem_flags =", flags, "|", ","));
  }
  lines.push("};");
  return lines;
}

const DECLS = ["struct uk_env e;", "struct uk_event ev;", "unsigned long long feat, mode, ioctls;", "long long field;", "char *a, *buf;", "size_t l;", "int ret, o;"];

const KVM_USERFAULT_OPS: ReadonlySet<string> = new Set(["kvm_enable_userfault", "kvm_bitmap", "kvm_vcpu_access"]);

/** Does the scenario need KVM Userfault, which has no C form? */
export function hasKvmUserfault(sc: Scenario): boolean {
  return sc.steps.some((s) => KVM_USERFAULT_OPS.has(s.op));
}

export const KVM_USERFAULT_SKIP = "KVM Userfault (KVM_MEM_USERFAULT) is not in any released kernel";

interface TestView {
  name: string;
  /** The ` * ` lines of the comment above the TEST: name, title, sources. */
  comment: string[];
  decls: string[];
  body: string[];
  threads: number;
}

/**
 * What a kernel reader can look up: a source key becomes its citation (a commit,
 * a lore Message-ID, a kernel file); uffdkit's own documents and rule ids are
 * not in the kernel, so they are left out of the emitted test.
 */
const KERNEL_REF = /^(https?:\/\/|(mm|fs|include|tools|Documentation|virt|kernel|arch|drivers)\/)/;

export function kernelCitations(sources: readonly string[]): string[] {
  const out: string[] = [];
  for (const src of sources) {
    const key = src.split(" ")[0]!;
    // A kernel path or a link is kept as written; a source key becomes its citation.
    const cite = key in SOURCES ? SOURCES[key as SourceKey].cite : KERNEL_REF.test(src) ? src : undefined;
    if (cite && !/\.md\b/.test(cite) && !out.includes(cite)) out.push(cite);
  }
  return out;
}

function testView(sc: Scenario): TestView {
  const name = cIdent(sc.name, `scenario name`);
  const comment = [...blockCommentLines(`${name}: ${sc.title}`), ...kernelCitations(sc.source ?? []).flatMap((src) => blockCommentLines(`Source: ${src}`, 2))];
  const view = { name, comment, decls: [] as string[], body: [] as string[], threads: 0 };
  if (hasKvmUserfault(sc)) {
    view.body.push(`SKIP(return, "${KVM_USERFAULT_SKIP}");`);
    return view;
  }
  const threads = new ThreadSlots(sc.name);
  view.decls = [...setupLines(sc), ...DECLS];
  const body = view.body;
  body.push("", "ret = uk_setup(&e, &s);", "uk_obs_setup(&e, ret);");
  const setupErrno = sc.setup.createExpect ?? sc.setup.mmapExpect;
  if (setupErrno) {
    body.push(`EXPECT_EQ(-${setupErrno}, ret);`, "if (ret && ret != -" + setupErrno + ")", "\treturn;");
  } else body.push("ASSERT_EQ(0, ret);");
  // setup.populate: bulk writes before any step (and so before any registration).
  for (const f of sc.setup.populate ?? []) body.push(`memset(e.area + ${f.page} * e.psize, 0x${(f.value & 0xff).toString(16).padStart(2, "0")}, ${f.pages} * e.psize);`);
  sc.steps.forEach((step, n) => {
    body.push("", ...stepLines(sc, n, step, threads));
  });
  body.push("", "uk_teardown(&e);");
  // Silence unused-variable warnings for scenarios that do not need every local.
  body.splice(1, 0, "(void)ev; (void)feat; (void)mode; (void)ioctls; (void)field;", "(void)a; (void)buf; (void)l; (void)o;", "");
  view.threads = threads.count;
  return view;
}

export function testFileName(name: string): string {
  return `${cIdent(name, "selftest name")}_uffd_test.c`;
}

export function emitSelftests(suite: Suite, opts: SelftestOptions): EmittedFile[] {
  const name = cIdent(opts.name, "selftest name");
  const seen = new Set<string>();
  for (const sc of suite.scenarios) {
    if (!isCIdentifier(sc.name)) throw new ScenarioEmitError(sc.name, "the name is not a C identifier");
    if (seen.has(sc.name)) throw new ScenarioEmitError(sc.name, `the name appears twice in suite ${suite.name}`);
    seen.add(sc.name);
  }
  const tests = suite.scenarios.map(testView);
  const flagNames = (Object.keys(UFFD_PAGEFAULT_FLAG) as (keyof typeof UFFD_PAGEFAULT_FLAG)[]).sort();
  const file = `${name}_uffd_test.c`;
  const c = render("test.c.hbs", {
    file,
    header: [
      ...blockCommentLines(`${file} - ${suite.title}`),
      " *",
      ...blockCommentLines(
        `Generated by uffdkit from the scenario suite "${suite.name}". Each TEST is one scenario: it performs the scenario's steps in order and prints, before checking it, one line per step:`,
      ),
    ],
    tests,
    blockMs: opts.blockMs ?? DEFAULT_TIMING.blockMs,
    waitMs: opts.waitMs ?? DEFAULT_TIMING.waitMs,
    eventMs: opts.eventMs ?? DEFAULT_TIMING.eventMs,
    maxThreads: Math.max(8, ...tests.map((t) => t.threads)),
    hpageSize: HPAGE_PMD_SIZE,
    errnos: ERRNO_NAMES,
    rangeIoctls: RANGE_IOCTLS.map((i) => ({ name: i, macro: ioctlMacro(i) })),
    faultFlags: flagNames.map((f) => ({ name: f, macro: `UFFD_PAGEFAULT_FLAG_${f.toUpperCase()}` })),
  });
  const prog = `${name}_uffd_test`;
  return [
    { path: file, contents: c },
    { path: "uffdkit_compat.h", contents: render("compat.h.hbs", { defines: compatDefines(), gmemIoctlNr: `0x${KVM_IOCTL_NR.create_guest_memfd.toString(16)}` }) },
    { path: "Makefile", contents: render("Makefile.hbs", { suite: commentSafe(suite.name), prog }) },
    { path: "config", contents: render("config.hbs", { options: configOptions(suite) }) },
    { path: ".gitignore", contents: render("gitignore.hbs", { prog }) },
  ];
}

/** CONFIG_ options the suite's kinds need (the kselftest `config` file). */
export function configOptions(suite: Suite): string[] {
  const opts = new Set(["CONFIG_USERFAULTFD=y", "CONFIG_HAVE_ARCH_USERFAULTFD_WP=y", "CONFIG_HAVE_ARCH_USERFAULTFD_MINOR=y", "CONFIG_PTE_MARKER_UFFD_WP=y"]);
  for (const sc of suite.scenarios) {
    const k = runKind(sc.setup);
    if (k === "shmem" || k === "shmem-anon") opts.add("CONFIG_SHMEM=y");
    if (k === "hugetlb") opts.add("CONFIG_HUGETLBFS=y");
    if (k === "guest_memfd") {
      opts.add("CONFIG_KVM=y");
      opts.add("CONFIG_KVM_GUEST_MEMFD=y");
    }
  }
  return [...opts];
}
