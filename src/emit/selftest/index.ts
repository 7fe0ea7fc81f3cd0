/**
 * Scenario suite → kselftest-harness C. Pure: returns file contents.
 *
 *   <name>_uffd_test.c     the tests, TEST_HARNESS_MAIN (TAP 13): a declared
 *                          type's scenarios are TEST_F of a fixture whose
 *                          variants are the objects they run on (the type's
 *                          own object, and the kind standing in for it when
 *                          the same test holds there); real-kind scenarios
 *                          without such a twin are plain TESTs
 *   <name>_uffd_common.h   the suite's values (bounds, thread count, the
 *                          names an observation prints), then includes
 *   uffdkit_runtime.h      the runtime (as mm's uffd-common.c is for the uffd
 *                          tests): a plain header, the same for every suite
 *   uffdkit_compat.h       uapi bits newer than the host headers, from src/kernel/uapi.ts
 *   Makefile, config, .gitignore   kselftest conventions
 *
 * Simulator-only scenarios (Scenario.simulatorOnly) are left out and listed
 * with their reason in the test file's header.
 */
import { ERRNO_NAMES, HPAGE_PMD_SIZE, KVM_IOCTL_NR, RANGE_IOCTLS, UFFD_PAGEFAULT_FLAG, ioctlMacro } from "../../kernel/uapi.js";
import { standInText, type Scenario, type ScenarioSetup, type Suite, type TestObject } from "../../ir/scenario.js";
import { SOURCES, type SourceKey } from "../../kernel/sources.js";
import { cIdent, isCIdentifier } from "../../kernel/cident.js";
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
/** templates/selftest/<file>.hbs, precompiled at build time; uffdkit_runtime.h has no expressions: the same file for every suite. */
function render(file: string, data: object): string {
  env ??= createTemplateEnvironment({ helpers: {} });
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
const OBJECT_ENUM = { anon: "UK_ANON", memfd: "UK_SHMEM", "memfd-hugetlb": "UK_HUGETLB", guest_memfd: "UK_GMEM", chardev: "UK_CHARDEV", syscall: "UK_SYSCALL", file: "UK_FILE" } as const;
const OBJECT_TEXT = { anon: "anonymous memory", memfd: "a memfd", "memfd-hugetlb": "a hugetlb memfd", guest_memfd: "a guest_memfd", chardev: "the device node", syscall: "the object a system call returns", file: "a file on the type's filesystem" } as const;
const REGISTER_MACRO = { missing: "UFFDIO_REGISTER_MODE_MISSING", minor: "UFFDIO_REGISTER_MODE_MINOR", wp: "UFFDIO_REGISTER_MODE_WP" } as const;

/** How a test of the body `sc` gets its object: from the fixture variant, or its own kind. */
type KindSource = { variant: true; probeModes: string[]; objectFields?: boolean } | { variant: false };

function setupLines(sc: Scenario, from: KindSource): string[] {
  const s = sc.setup;
  const head = from.variant
    ? [
        ".kind = variant->kind,",
        ".path = variant->path,",
        ".what = variant->what,",
        ...(from.objectFields ? [".sys_name = variant->sys_name,", ".sys_nr = variant->sys_nr,", ".sys_args = variant->sys_args,", ".fs_magic = variant->fs_magic,"] : []),
      ]
    : [`.kind = ${KIND_ENUM[runKind(s)]},`];
  const fields = [...head, `.pages = ${s.pages},`, `.shared = ${s.map === "shared" ? 1 : 0},`];
  const expectsFailure = Boolean(s.createExpect ?? s.mmapExpect);
  if (from.variant && from.probeModes.length && !expectsFailure) fields.push(...wrapJoin(".probe_modes =", from.probeModes, "|", ","));
  if ((s.gmemFlags ?? []).includes("mmap") && !expectsFailure) fields.push(".probe_mmap = 1,");
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
  const lines = [`${from.variant ? "" : "static const "}struct uk_setup s = {`, ...fields.map((f) => `\t${f}`)];
  if (s.gmemFlags?.length || s.gmemRawFlags) {
    const flags = (s.gmemFlags ?? []).map((f) => `GUEST_MEMFD_FLAG_${f.toUpperCase()}`);
    if (s.gmemRawFlags) flags.push(`0x${s.gmemRawFlags.toString(16)}ULL`);
    lines.push(...wrapJoin("\t.gmem_flags =", flags, "|", ","));
  }
  if (s.gmemVmType === "sw_protected") lines.push("\t.gmem_vm_type = KVM_X86_SW_PROTECTED_VM,");
  lines.push("};");
  return lines;
}

const DECLS = ["struct uk_env e;", "struct uk_event ev;", "unsigned long long feat, mode, ioctls;", "long long field;", "char *a, *buf;", "const char *lacks;", "char why[256];", "size_t l;", "int ret, o;"];

const KVM_USERFAULT_OPS: ReadonlySet<string> = new Set(["kvm_enable_userfault", "kvm_bitmap", "kvm_vcpu_access"]);

/** Does the scenario need KVM Userfault, which has no C form? */
export function hasKvmUserfault(sc: Scenario): boolean {
  return sc.steps.some((s) => KVM_USERFAULT_OPS.has(s.op));
}

export const KVM_USERFAULT_SKIP = "KVM Userfault (KVM_MEM_USERFAULT) is not in any released kernel";

interface TestView {
  name: string;
  /** TEST(name), or TEST_F(fixture, name). */
  macro: string;
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

/**
 * A test body that only skips with a fixed message. checkpatch --strict warns
 * (LONG_LINE_STRING) on a string that pushes its line past 100 columns, unless
 * the string stands on a line of its own: so a long one goes to the next line,
 * aligned with the open parenthesis.
 */
export function skipWith(message: string): string[] {
  const literal = JSON.stringify(message);
  const oneLine = `SKIP(return, ${literal});`;
  // The body sits one tab (8 columns) in.
  return 8 + oneLine.length <= 100 ? [oneLine] : ["SKIP(return,", `     ${literal});`];
}

/** The statements of a test: setup, skip by feature, population, steps, teardown. */
function bodyOf(sc: Scenario, from: KindSource): { decls: string[]; body: string[]; threads: number } {
  if (hasKvmUserfault(sc)) return { decls: [], body: skipWith(KVM_USERFAULT_SKIP), threads: 0 };
  // Never a vacuous pass: the type lacks an operation the scenario needs.
  if (sc.notApplicable) return { decls: [], body: skipWith(`not applicable: ${sc.notApplicable}`), threads: 0 };
  const threads = new ThreadSlots(sc.name);
  const decls = [...setupLines(sc, from), ...DECLS];
  const body: string[] = [];
  // Skip by feature (uffd-unit-tests style): the kind, the object, the registration the test needs.
  body.push("", "lacks = uk_lacks(&s, why, sizeof(why));", "if (lacks)", '\tSKIP(return, "%s", lacks);');
  body.push("", "ret = uk_setup(&e, &s);", "uk_obs_setup(&e, ret);");
  const setupErrno = sc.setup.createExpect ?? sc.setup.mmapExpect;
  if (setupErrno) {
    body.push(`EXPECT_EQ(-${setupErrno}, ret);`, "if (ret && ret != -" + setupErrno + ")", "\treturn;");
  } else body.push("ASSERT_EQ(0, ret);");
  // setup.fallocated: pages allocated in the file (cached, not up to date) before any step.
  for (const page of sc.setup.fallocated ?? []) {
    body.push(`ret = uk_fallocate(&e, 0, ${page}, 0, 1, -1);`, "if (ret == -EOPNOTSUPP || ret == -ENODEV)", '\tSKIP(return, "no fallocate() on %s", s.what);', "ASSERT_EQ(0, ret);");
  }
  // setup.populate: bulk writes before any step (and so before any registration).
  for (const f of sc.setup.populate ?? []) body.push(`memset(e.area + ${f.page} * e.psize, 0x${(f.value & 0xff).toString(16).padStart(2, "0")}, ${f.pages} * e.psize);`);
  sc.steps.forEach((step, n) => {
    body.push("", ...stepLines(sc, n, step, threads));
  });
  body.push("", "uk_teardown(&e);");
  // Silence unused-variable warnings for scenarios that do not need every local.
  body.splice(0, 0, "(void)ev; (void)feat; (void)mode; (void)ioctls; (void)field;", "(void)a; (void)buf; (void)l; (void)o;");
  return { decls, body, threads: threads.count };
}

function testView(sc: Scenario, macro: string, from: KindSource, ranOn: readonly string[]): TestView {
  const name = cIdent(sc.name, `scenario name`);
  const comment = [
    ...blockCommentLines(`${name}: ${sc.title}`),
    ...ranOn.flatMap((r) => blockCommentLines(r)),
    ...kernelCitations(sc.source ?? []).flatMap((src) => blockCommentLines(`Source: ${src}`, 2)),
  ];
  return { name, macro, comment, ...bodyOf(sc, from) };
}

export function testFileName(name: string): string {
  return `${cIdent(name, "selftest name")}_uffd_test.c`;
}

/** The runtime every suite shares unchanged; the suite's common header passes its values in. */
export const RUNTIME_FILE = "uffdkit_runtime.h";

export function commonFileName(name: string): string {
  return `${cIdent(name, "selftest name")}_uffd_common.h`;
}

/** Where a scenario is in the emitted C, and how the harness names its run. */
export interface SelftestRun {
  readonly scenario: string;
  /** The harness's FIXTURE.VARIANT.TEST name (`-r` argument and TAP line). */
  readonly tapName: string;
  /** The run is on another kind standing in for the type: "shmem, standing in for xram". */
  readonly ranOn?: string;
}

/** A scenario the C leaves out, with the reason. */
export interface OmittedScenario {
  readonly scenario: string;
  readonly reason: string;
}

interface Variant {
  name: string;
  kind: string;
  path?: string;
  what: string;
  comment: string;
  /** A syscall object: the call, its __NR_ macro, the number to define when libc lacks it, the arguments. */
  sys?: { name: string; macro: string; nr: number; args: string };
  /** A file object: the statfs f_type its directory must have. */
  magic?: string;
}

export interface SelftestLayout {
  readonly fixtures: { name: string; variants: Variant[] }[];
  readonly tests: { sc: Scenario; macro: string; from: KindSource; ranOn: string[] }[];
  readonly runs: ReadonlyMap<string, SelftestRun>;
  readonly omitted: readonly OmittedScenario[];
}

function objectVariant(type: string, o: TestObject): Variant {
  const path = o.kind === "chardev" ? o.path : o.kind === "file" ? o.dir : undefined;
  const kindName = { anon: "anonymous memory", memfd: "shmem", "memfd-hugetlb": "hugetlbfs", guest_memfd: "guest_memfd", chardev: type, syscall: type, file: type } as const;
  if (o.kind === "syscall") {
    const name = cIdent(o.name, "run.object.syscall");
    const sys = { name, macro: `__NR_${name}`, nr: o.nr, args: o.args.length ? o.args.join(", ") : "0" };
    return { name: type, kind: OBJECT_ENUM.syscall, what: `${type} (${name}())`, sys, comment: `The type itself: the object ${name}() returns.` };
  }
  const what = path ? `${type} (${path})` : kindName[o.kind];
  const magic = o.kind === "file" && o.magic !== undefined ? `0x${o.magic.toString(16)}UL` : undefined;
  return { name: type, kind: OBJECT_ENUM[o.kind], ...(path ? { path } : {}), ...(magic ? { magic } : {}), what, comment: `The type itself: ${o.kind === "file" ? `a file it creates in ${o.dir}` : (path ?? OBJECT_TEXT[o.kind])}.` };
}


/**
 * Decide the shape of the C: which scenarios become which tests. A declared
 * scenario and the real-kind scenario of the same name whose C body is the
 * same (a twin) are one TEST_F run on both variants; the twin is not emitted.
 */
export function selftestLayout(suite: Suite, name: string): SelftestLayout {
  const runs = new Map<string, SelftestRun>();
  const omitted: OmittedScenario[] = [];
  const tests: SelftestLayout["tests"] = [];
  const emitted = suite.scenarios.filter((sc) => {
    if (sc.simulatorOnly) omitted.push({ scenario: sc.name, reason: sc.simulatorOnly });
    return !sc.simulatorOnly;
  });
  const declared = emitted.find((sc) => sc.setup.kind === "declared")?.setup.declared;
  const fixture = cIdent(name, "selftest name");
  const fixtures: SelftestLayout["fixtures"] = [];
  const byName = new Map(emitted.map((sc) => [sc.name, sc]));
  const twinOf = new Map<string, Scenario>();
  let standIn: { kind: string; type: string } | undefined;
  const own = declared?.object ? objectVariant(fixture, declared.object) : undefined;
  if (declared && own) {
    const kk = declared.kernelKind;
    standIn = emitted.find((sc) => sc.standIn)?.standIn;
    const modes = declared.modes.filter((m): m is keyof typeof REGISTER_MACRO => m in REGISTER_MACRO).map((m) => REGISTER_MACRO[m]);
    const viaVariant: KindSource = { variant: true, probeModes: modes, objectFields: Boolean(own.sys || own.magic) };
    const sameBody = (a: Scenario, b: Scenario) => JSON.stringify(bodyOf({ ...a, name: "x" }, viaVariant)) === JSON.stringify(bodyOf({ ...b, name: "x" }, viaVariant));
    for (const sc of emitted) {
      if (sc.setup.kind !== "declared") continue;
      const twin = kk ? byName.get(`${kk}_${sc.name}`) : undefined;
      if (twin && twin.setup.kind === kk && sameBody(sc, twin)) twinOf.set(sc.name, twin);
    }
    const standInVariant: Variant | undefined = standIn && kk
      ? { name: cIdent(kk, "kind"), kind: KIND_ENUM[kk], what: standInText(standIn), comment: `${KIND_SUPPORT_TEXT[kk]}, standing in for ${standIn.type}: not a test of ${standIn.type}.` }
      : undefined;
    const both = standInVariant && twinOf.size ? [own, standInVariant] : [own];
    fixtures.push({ name: fixture, variants: both });
    const ownOnly = `${fixture}_only`;
    let needOwnOnly = false;
    for (const sc of emitted) {
      if (sc.setup.kind !== "declared") continue;
      const twin = twinOf.get(sc.name);
      // Without a stand-in, the twin is the same object as the type's: one test, one run.
      const onBoth = Boolean(twin && standInVariant);
      const fx = onBoth || !standInVariant ? fixture : ownOnly;
      if (fx === ownOnly) needOwnOnly = true;
      runs.set(sc.name, { scenario: sc.name, tapName: `${fx}.${own.name}.${sc.name}` });
      if (twin) {
        const v = onBoth ? standInVariant! : own;
        runs.set(twin.name, { scenario: twin.name, tapName: `${fx}.${v.name}.${sc.name}`, ...(twin.standIn ? { ranOn: standInText(twin.standIn) } : {}) });
      }
      const ranOn = onBoth ? [`Runs on ${own.what} and on ${standInVariant!.what}.`] : [];
      tests.push({ sc, macro: `TEST_F(${fx}, ${cIdent(sc.name, "scenario name")})`, from: viaVariant, ranOn });
    }
    if (needOwnOnly) fixtures.push({ name: ownOnly, variants: [own] });
  }
  const dropped = new Set([...twinOf.values()].map((t) => t.name));
  for (const sc of emitted) {
    if (sc.setup.kind === "declared" || dropped.has(sc.name)) continue;
    const ranOn = sc.standIn ? standInText(sc.standIn) : undefined;
    runs.set(sc.name, { scenario: sc.name, tapName: `global.${sc.name}`, ...(ranOn ? { ranOn } : {}) });
    tests.push({ sc, macro: `TEST(${cIdent(sc.name, "scenario name")})`, from: { variant: false }, ranOn: ranOn ? [`Runs on ${ranOn}: not a test of ${sc.standIn!.type}.`] : [] });
  }
  return { fixtures, tests, runs, omitted };
}

const KIND_SUPPORT_TEXT = { anon: "Anonymous memory", shmem: "shmem (a memfd)", hugetlb: "hugetlbfs (a hugetlb memfd)", guest_memfd: "guest_memfd" } as const;

export function emitSelftests(suite: Suite, opts: SelftestOptions): EmittedFile[] {
  const name = cIdent(opts.name, "selftest name");
  const seen = new Set<string>();
  for (const sc of suite.scenarios) {
    if (!isCIdentifier(sc.name)) throw new ScenarioEmitError(sc.name, "the name is not a C identifier");
    if (seen.has(sc.name)) throw new ScenarioEmitError(sc.name, `the name appears twice in suite ${suite.name}`);
    seen.add(sc.name);
  }
  const layout = selftestLayout(suite, name);
  const tests = layout.tests.map((t) => testView(t.sc, t.macro, t.from, t.ranOn));
  const flagNames = (Object.keys(UFFD_PAGEFAULT_FLAG) as (keyof typeof UFFD_PAGEFAULT_FLAG)[]).sort();
  const file = `${name}_uffd_test.c`;
  const common = commonFileName(name);
  const gmem = suite.scenarios.some((sc) => runKind(sc.setup) === "guest_memfd" || sc.setup.declared?.object?.kind === "guest_memfd");
  const sysDefines = layout.fixtures.flatMap((f) => f.variants.flatMap((v) => (v.sys ? [{ macro: v.sys.macro, nr: v.sys.nr }] : []))).filter((d, i, all) => all.findIndex((x) => x.macro === d.macro) === i);
  const fixtures = layout.fixtures.map((f) => ({
    name: f.name,
    objectFields: f.variants.some((v) => v.sys || v.magic),
    variants: f.variants.map((v) => ({ ...v, comment: blockCommentLines(v.comment), what: JSON.stringify(v.what), ...(v.path ? { path: JSON.stringify(v.path) } : {}) })),
  }));
  const omitted = layout.omitted.flatMap((o) => blockCommentLines(`- ${o.scenario}: ${o.reason}`, 2));
  const c = render("test.c.hbs", {
    file,
    common,
    header: [
      ...blockCommentLines(`${file} - ${suite.title}`),
      " *",
      ...blockCommentLines(
        `Generated by uffdkit from the scenario suite "${suite.name}". Each test is one scenario: it performs the scenario's steps in order and prints, before checking it, one line per step:`,
      ),
    ],
    omitted: omitted.length ? [...blockCommentLines("Scenarios that run on uffdkit's simulator only, and are not in this file:"), ...omitted] : [],
    sysDefines,
    fixtures,
    tests,
  });
  const runtime = render("common.h.hbs", {
    file: common,
    guard: `${name.toUpperCase()}_UFFD_COMMON_H`,
    header: blockCommentLines(`${common} - the runtime of the ${suite.title}`),
    gmem,
    blockMs: opts.blockMs ?? DEFAULT_TIMING.blockMs,
    waitMs: opts.waitMs ?? DEFAULT_TIMING.waitMs,
    eventMs: opts.eventMs ?? DEFAULT_TIMING.eventMs,
    maxThreads: Math.max(8, ...tests.map((t) => t.threads)),
    hpageSize: HPAGE_PMD_SIZE,
    lists: [
      { name: "uk_errnames", entries: ERRNO_NAMES.map((e) => ({ value: e, name: e })) },
      { name: "uk_ioctl_names", entries: RANGE_IOCTLS.map((i) => ({ value: ioctlMacro(i), name: i })) },
      { name: "uk_flag_names", entries: flagNames.map((f) => ({ value: `UFFD_PAGEFAULT_FLAG_${f.toUpperCase()}`, name: f })) },
    ],
  });
  const prog = `${name}_uffd_test`;
  return [
    { path: file, contents: c },
    { path: common, contents: runtime },
    { path: RUNTIME_FILE, contents: render("uffdkit_runtime.h.hbs", {}) },
    { path: "uffdkit_compat.h", contents: render("compat.h.hbs", { defines: compatDefines(), gmemIoctlNr: `0x${KVM_IOCTL_NR.create_guest_memfd.toString(16)}`, memslot2IoctlNr: `0x${KVM_IOCTL_NR.set_user_memory_region2.toString(16)}` }) },
    { path: "Makefile", contents: render("Makefile.hbs", { suite: commentSafe(suite.name), title: commentSafe(suite.title), prog, common }) },
    { path: "config", contents: render("config.hbs", { title: commentSafe(suite.title), options: configOptions(suite) }) },
    { path: ".gitignore", contents: render("gitignore.hbs", { title: commentSafe(suite.title), prog }) },
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
  // The type's own option (lowered.kconfig): what builds the code under test; it replaces a kind's line for the same symbol.
  const own = suite.scenarios.find((sc) => sc.setup.declared?.kconfig)?.setup.declared?.kconfig ?? [];
  for (const line of own) {
    const symbol = line.slice(0, line.indexOf("=") + 1);
    for (const o of opts) if (o.startsWith(symbol)) opts.delete(o);
    opts.add(line);
  }
  return [...opts];
}
