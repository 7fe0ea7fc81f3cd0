/**
 * The series as a list of logical changes (pure): which files each commit
 * writes, its subject and its explanation. Order follows bisectability: the mm
 * export the type needs comes first, then the type's userfaultfd support, then
 * the selftests that exercise it (KVM wants the tests in the same series,
 * Documentation/process/maintainer-kvm-x86.rst).
 */
import type { KernelArtifacts } from "../emit/kernel/artifacts.js";
import type { EmittedFile } from "../emit/kernel/artifacts.js";
import type { Model } from "../model/model.js";
import type { Ioctl, Mode } from "../spec/types.js";
import { prefixForFile, subject, type CommitMessage } from "./message.js";
import type { Lowered } from "../lower/index.js";
import type { TestObject } from "../ir/scenario.js";

import { placeSelftests, selftestDir, selftestSubjectPrefix, type ReadBase } from "./selftests.js";
import type { CParser } from "./c-syntax.js";
import { spliceExport, spliceIncludes, spliceTypeFile, type SpliceError } from "./splice.js";

/** How the commit message names the object a test creates. */
function objectText(o: TestObject, kind: string): string {
  switch (o.kind) {
    case "chardev":
      return `a ${kind} object by opening and mapping ${o.path}`;
    case "guest_memfd":
      return "a guest_memfd with KVM_CREATE_GUEST_MEMFD (vm_create_barebones() and __vm_create_guest_memfd() from kvm_util)";
    case "memfd":
      return "a memfd";
    case "memfd-hugetlb":
      return "a hugetlb memfd (MFD_HUGETLB)";
    case "anon":
      return "anonymous memory";
    case "syscall":
      return `a ${kind} object with the ${o.name}() system call`;
    case "file":
      return `a file of ${kind} in ${o.dir}${o.magic !== undefined ? ` (checked to be on the type's filesystem, f_type 0x${o.magic.toString(16)})` : ""}`;
  }
}

export interface PlannedCommit extends CommitMessage {
  /** What the commit is, for people and JSON: export | type | selftests. */
  readonly role: "export" | "type" | "selftests";
  /** Path → new contents. */
  readonly files: ReadonlyMap<string, string>;
}

export type PlanError = { readonly code: string; readonly message: string; readonly hint: string };
export type PlanResult = { ok: true; commits: PlannedCommit[]; notes: string[] } | { ok: false; error: PlanError };

export interface PlanInput {
  /** The type with every default decided (src/lower): the commit messages read only this. */
  readonly lowered: Lowered;
  readonly kernel: KernelArtifacts;
  readonly selftests: readonly EmittedFile[];
  /** One line per scenario, for the selftest commit's body. */
  readonly scenarioTitles?: readonly string[];
  readonly readBase: ReadBase;
  /** The C parser the splicer places fragments with. */
  readonly parser: CParser;
}

const IOCTL_NAME: Record<Ioctl, string> = {
  copy: "UFFDIO_COPY",
  zeropage: "UFFDIO_ZEROPAGE",
  continue: "UFFDIO_CONTINUE",
  writeprotect: "UFFDIO_WRITEPROTECT",
  poison: "UFFDIO_POISON",
  move: "UFFDIO_MOVE",
};
const MODE_NAME: Record<Mode, string> = { missing: "MISSING", minor: "MINOR", wp: "WP" };

function list(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** The members the emitted ops struct sets, read from the emitted code's syntax tree. */
export function opsMembers(parser: CParser, ops: string, opsName: string): string[] {
  const root = parser.parse(ops).rootNode;
  for (const init of root.descendantsOfType("init_declarator")) {
    const value = init?.childForFieldName("value");
    if (init?.childForFieldName("declarator")?.text !== opsName || value?.type !== "initializer_list") continue;
    return value.descendantsOfType("field_designator").flatMap((d) => d?.descendantsOfType("field_identifier").map((f) => f!.text) ?? []);
  }
  return [];
}

export function planCommits(input: PlanInput): PlanResult {
  const { lowered, kernel, readBase, parser } = input;
  const model = lowered.model;
  const commits: PlannedCommit[] = [];
  const notes: string[] = [];
  const fr = kernel.fragments;

  // 1. mm exports, one commit per file.
  const byFile = new Map<string, typeof fr.exports[number][]>();
  for (const e of fr.exports) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, exports] of byFile) {
    let text = readBase(file);
    if (text === undefined) return { ok: false, error: missingFile(file, `the spec needs ${exports.map((e) => e.symbol).join(", ")} exported from it`) };
    const done: string[] = [];
    for (const e of exports) {
      const r = spliceExport(parser, file, text, e.symbol, e.line);
      if (!r.ok) {
        if (r.error.kind === "already-present") {
          notes.push(`${e.symbol} is already exported in ${file} at the base; no export patch for it`);
          continue;
        }
        return { ok: false, error: fromSplice(r.error) };
      }
      // The export macro's header, as the emitter names it (e.g. <linux/kvm_types.h> for EXPORT_SYMBOL_FOR_KVM).
      text = e.include ? spliceIncludes(parser, r.text, [e.include]) : r.text;
      done.push(e.symbol);
    }
    if (done.length === 0) continue;
    const to = exportAudience(exports[0]!.line);
    const fns = done.map((s) => `${s}()`);
    commits.push({
      role: "export",
      subject: subject(prefixForFile(file), `export ${list(fns)} ${to.subject}`),
      paragraphs: [
        `${model.subsystem} can be built as a module and its userfaultfd support needs ${list(fns)}, which ${file} does not export.`,
        `Export ${done.length > 1 ? "them" : "it"} ${to.why}, rather than to every module.`,
      ],
      files: new Map([[file, text]]),
    });
  }

  // 2. The type's userfaultfd support in its own file.
  const typeText = readBase(model.targetFile);
  if (typeText === undefined) return { ok: false, error: missingFile(model.targetFile, "the spec's file must exist in the base tree") };
  if (new RegExp(`\\b${model.cnames.ops}\\b`).test(typeText)) {
    return {
      ok: false,
      error: {
        code: "already-applied",
        message: `${model.targetFile} already mentions ${model.cnames.ops}: the base already has this type's userfaultfd support`,
        hint: "pass --base with a revision before that support was added",
      },
    };
  }
  // Anonymous memory has no vm_operations_struct (core keeps anon_uffd_ops): index.ts stops before this.
  const spliced = spliceTypeFile(parser, model.targetFile, typeText, model.vmOps ?? "", fr);
  if (!spliced.ok) return { ok: false, error: fromSplice(spliced.error) };
  commits.push({
    role: "type",
    subject: subject(`${model.subsystem}:`, "implement userfaultfd operations"),
    paragraphs: typeParagraphs(lowered, kernel, parser),
    files: new Map([[model.targetFile, spliced.text]]),
  });

  // 3. Selftests and their build wiring.
  if (input.selftests.length > 0) {
    const dir = selftestDir(model);
    const placed = placeSelftests(input.selftests, dir, readBase);
    if (!placed.ok) return { ok: false, error: { code: "selftests", message: placed.message, hint: placed.hint } };
    const kind = dir === "kvm" ? "guest_memfd" : model.name;
    const titles = input.scenarioTitles ?? [];
    const standIn = lowered.standIn?.kind;
    const paragraphs = [
      `Add ${placed.placement.programs.join(", ")} to check the userfaultfd support of ${kind}: registration in the declared modes, the events its faults raise and how the declared ioctls resolve them.`,
      `Each test creates ${objectText(lowered.testObject, kind)} and is skipped where it cannot, naming the call that failed and its errno.`,
      ...(standIn ? [`Where the same test holds on ${standIn}, it runs there too, as a variant standing in for ${kind}: those runs are not tests of ${kind}.`] : []),
      ...(titles.length ? [`The tests cover:\n${titles.map((t) => `- ${t}`).join("\n")}`] : []),
      `Each test prints one "# uffdkit: step" line per step so a run can be compared with the reference simulator step by step.`,
    ];
    commits.push({
      role: "selftests",
      subject: subject(selftestSubjectPrefix(dir), `add userfaultfd tests for ${kind}`),
      paragraphs,
      files: placed.placement.files,
    });
  }
  return { ok: true, commits, notes };
}

function typeParagraphs(lowered: Lowered, kernel: KernelArtifacts, parser: CParser): string[] {
  const model = lowered.model;
  const modes = [...model.modes].map((m) => MODE_NAME[m]);
  const ioctls = [...model.ioctls].map((i) => IOCTL_NAME[i]);
  const gen = model.gen;
  const members = opsMembers(parser, kernel.fragments.ops, model.cnames.ops);
  const p: string[] = [];
  p.push(
    `Let userspace register ${model.vmOps} mappings with userfaultfd in ${list(modes)} mode${modes.length > 1 ? "s" : ""}` +
      (ioctls.length ? ` and resolve the faults with ${list(ioctls)}.` : "."),
  );
  p.push(
    `Provide ${model.cnames.ops} for the ${gen.title} API` +
      (members.length ? `, setting ${list(members.map((m) => `->${m}`))},` : "") +
      ` and hook it into ${model.vmOps} through ->${gen.hookMember}.`,
  );
  const g = lowered.getFolio;
  if (g) {
    p.push(
      g.strategy === "lookup"
        ? `The folio lookup for MINOR faults and UFFDIO_CONTINUE only looks in the page cache and never allocates; it returns the folio locked and referenced${g.notUptodate === "missing" ? ", and treats a folio that is not up to date as absent so a stale page is never mapped" : ""}.`
        : `The folio lookup for MINOR faults and UFFDIO_CONTINUE uses ${g.helper ?? "the type's get-or-create helper"}.`,
    );
  }
  const c = lowered.copy;
  if (c) {
    const from: Record<typeof c.alloc.strategy, string> = {
      "mapping-gfp": "the mapping's gfp mask",
      "shared-policy": "the inode's shared memory policy",
      vma: "the VMA, as anonymous memory does",
      helper: c.alloc.helper ? `${c.alloc.helper}()` : "the type's own allocator",
    };
    p.push(
      `For UFFDIO_COPY and UFFDIO_ZEROPAGE, new folios come from ${from[c.alloc.strategy]}` +
        (c.alloc.eofCheck ? " and none is allocated beyond the end of the file" : "") +
        (c.filemapAdd !== "none" && c.filemapRemove !== "none" ? "; removing a folio from the page cache exactly undoes adding it" : "") +
        (c.prepare ? `; ${c.prepare}() prepares each filled folio before it enters the page cache` : "") +
        ".",
    );
  }
  if (lowered.guard) {
    const at = [...lowered.guard.at];
    const faultTime = at.some((a) => a !== "register");
    p.push(
      `Whether a ${lowered.guard.granularity === "page" ? "page" : "file"} may be userfaulted is decided by ${lowered.guard.shared}()` +
        (faultTime
          ? " at fault time, in the callbacks that look up and allocate folios, not only when the range is registered: a check made once at registration goes stale when the memory is converted later."
          : " when the range is registered."),
    );
  }
  if (model.fault && lowered.raise !== "none") {
    p.push(
      lowered.raise === "core"
        ? `MISSING and MINOR events are raised by core mm from __do_fault(); ${model.fault.handler}() needs no userfaultfd code.`
        : `${model.fault.handler}() raises MISSING and MINOR events itself.`,
    );
  }
  if (lowered.populateByWrite) {
    p.push("A MISSING fault can also be resolved by writing the page with write() and then mapping it with UFFDIO_CONTINUE.");
  }
  return p;
}

/**
 * Who an export line exports to, read from the line the emitter wrote (the
 * emitter decides the macro from the spec's module; this only describes it).
 */
export function exportAudience(line: string): { subject: string; why: string } {
  if (/^EXPORT_SYMBOL_FOR_KVM\b/.test(line)) {
    return { subject: "to KVM", why: "to KVM only, with EXPORT_SYMBOL_FOR_KVM(), which also covers the KVM vendor modules and emits nothing when KVM is built in" };
  }
  const mods = /^EXPORT_SYMBOL(?:_GPL)?_FOR_MODULES\(\s*\w+\s*,\s*"([^"]+)"/.exec(line)?.[1];
  if (mods) return { subject: `to ${mods}`, why: `to ${mods} only, with EXPORT_SYMBOL_FOR_MODULES()` };
  return { subject: "to modules", why: `with ${/^(\w+)/.exec(line)?.[1] ?? "EXPORT_SYMBOL_GPL"}()` };
}

function missingFile(file: string, why: string): PlanError {
  return { code: "file-not-found", message: `${file} is not in the base tree (${why})`, hint: "check the spec's file and the --base revision" };
}

function fromSplice(e: SpliceError): PlanError {
  const code = e.kind === "no-vm-ops" ? "base-lacks-prerequisite" : e.kind;
  return { code, message: e.message, hint: e.hint };
}
