/**
 * Filling git's cover letter (git format-patch --cover-letter, and b4's conventions): git writes
 * `*** SUBJECT HERE ***` and `*** BLURB HERE ***`; we replace them with the
 * series title and a blurb that says what and why, the API generation and base,
 * the testing done, the b4-style `Changes in vN:` history and links to earlier
 * versions. The shortlog, diffstat and base-commit git wrote stay as they are.
 */
import type { Model } from "../model/model.js";
import type { CRunEvidence, SuiteResult, Verdict } from "../ir/result.js";
import { SOURCES } from "../kernel/sources.js";
import { wrapBody } from "./message.js";
import type { SeriesLowered, WindowClose } from "../lower/index.js";

export interface TestingEvidence {
  readonly sim?: SuiteResult;
  readonly kernel?: SuiteResult;
  /** Why there is no kernel result, when there is none. */
  readonly kernelNote?: string;
  /** Why there is no simulator result, when there is none. */
  readonly simNote?: string;
  /** checkpatch summary line, when it ran on the patches. */
  readonly checkpatch?: string;
  /** What the per-patch build did, when it ran. */
  readonly build?: string;
  /** The kernel runs were on another kind standing in for the type: never cited as tests of the type. */
  readonly kernelStandIn?: { readonly kind: string; readonly type: string };
  /** The C the simulator executed: its files (path, content hash) and which type functions were stand-ins. */
  readonly c?: Pick<CRunEvidence, "sources" | "typeFunctions">;
}

/** The C the simulator's results rest on, and what of the type it did not run. */
export function cProvenanceLines(c: Pick<CRunEvidence, "sources" | "typeFunctions">): string[] {
  const out: string[] = [];
  if (c.sources?.length) out.push(`- The simulator executed this C: ${c.sources.map((s) => `${s.path} (sha256 ${s.sha256})`).join(", ")}.`);
  const standIns = (c.typeFunctions ?? []).filter((t) => t.ran === "stand-in").map((t) => `${t.name}()`);
  if (standIns.length) out.push(`- Not verified: ${andList(standIns)} ran as stand-ins answered by the simulator (their C was not given).`);
  return out;
}

export interface CoverInfo {
  readonly model: Model;
  /** Lowered.series: title, blurb and changelog as written, version and the lists defaulted. */
  readonly series: SeriesLowered;
  readonly version: number;
  readonly baseSha: string;
  readonly baseName: string;
  readonly testing: TestingEvidence;
  readonly commitSubjects: readonly string[];
  /** The base lacks the API generation: name the prerequisite series. */
  readonly baseLacksApi?: boolean;
  /** guard.recheck as lowered (Lowered.window): the cover letter explains it. */
  readonly window?: WindowClose;
  /** Lowered.allocFolioRefuses: the type fills no page but defines a refusing alloc_folio; the letter says why. */
  readonly allocFolioRefuses?: boolean;
}

export function seriesTitle(model: Model, series: SeriesLowered): string {
  return series.title ?? `${model.subsystem}: add userfaultfd support`;
}

export function countVerdicts(r: SuiteResult): Record<Verdict, number> {
  const c: Record<Verdict, number> = { pass: 0, fail: 0, lacks: 0, error: 0, "not-applicable": 0 };
  for (const s of r.results) c[s.verdict]++;
  return c;
}

/** The counts of the runs of the type itself; runs on a stand-in kind are named apart, never counted as tests of it. */
function verdictLine(r: SuiteResult): string {
  const own = { ...r, results: r.results.filter((x) => !x.ranOn) };
  const c = countVerdicts(own);
  const parts = [`${c.pass} passed`, `${c.fail} failed`];
  if (c.lacks) parts.push(`${c.lacks} not runnable here`);
  if (c.error) parts.push(`${c.error} harness errors`);
  if (c["not-applicable"]) parts.push(`${c["not-applicable"]} not applicable (the type lacks the operation they need)`);
  const standIn = r.results.filter((x) => x.ranOn);
  const on = [...new Set(standIn.map((x) => x.ranOn))].join("; ");
  return `${own.results.length} tests (${parts.join(", ")})${standIn.length ? `, and ${standIn.length} runs on ${on}, which are not tests of the type` : ""}`;
}

function andList(words: readonly string[]): string {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

function generatedSummary(model: Model): string {
  const modes = andList([...model.modes].map((m) => m.toUpperCase()));
  const ioctls = andList([...model.ioctls].map((i) => `UFFDIO_${i.toUpperCase()}`));
  return (
    `This series adds userfaultfd support to ${model.vmOps} mappings (${model.targetFile}): ` +
    `registration in ${modes || "no"} mode${model.modes.size === 1 ? "" : "s"}` +
    (ioctls ? `, with ${ioctls} to resolve faults.` : ".") +
    ` It implements struct vm_uffd_ops for the type and adds selftests that exercise it.`
  );
}

/**
 * The design paragraph for guard.recheck (Lowered.window), which a reviewer of
 * the shared-ness check will ask about: what it closes, why this lock and this
 * order, the errno, and what __do_userfault() must do (docs/explore.md).
 */
export function windowParagraph(model: Model, w: WindowClose | undefined): string | undefined {
  if (!w) return undefined;
  return (
    `${w.shared}() is checked again in ${model.cnames.filemapAdd}(), under the mapping's invalidate lock taken shared: ` +
    "core calls ->alloc_folio(), copies from user space and only then ->filemap_add(), holding no lock of the type's, so a conversion " +
    "to private in between would get a private page filled and mapped. Conversion takes the invalidate lock for write; the lock is " +
    "taken before filemap_add_folio() locks the folio, the order kvm_gmem_fault_user_mapping() uses (mmap_lock, invalidate_lock, " +
    "folio lock). Once the folio is in the cache, the reference COPY holds until the PTE is installed makes a conversion fail " +
    `with -EAGAIN. A COPY or ZEROPAGE refused there returns -${w.errno}, the errno guest_memfd's fault path uses for a private page, ` +
    "so a monitor can tell it from -ENOMEM; ->alloc_folio() no longer checks shared-ness, because its NULL can only mean -ENOMEM. " +
    (w.lookupLocked
      ? `${model.cnames.getFolio}() checks it and takes the folio under the same lock, as kvm_gmem_fault_user_mapping() does: checked outside it, ` +
        "a conversion could complete between the check and the reference, and UFFDIO_CONTINUE would map a private page. "
      : "") +
    "__do_userfault() raises MISSING only for an absent folio (NULL or -ENOENT) and lets ->fault refuse a page ->get_folio_noalloc() " +
    "refuses; raising MISSING for it would give the monitor an event no ioctl can resolve. Holding the lock from ->alloc_folio() " +
    "across the fill was rejected: core's copy retry faults with its own locks dropped, and its error paths call no callback " +
    "that could release the lock."
  );
}

export function coverBlurb(info: CoverInfo): string {
  const { model, testing } = info;
  const paras: string[] = [];
  paras.push(info.series.blurb ?? generatedSummary(model));
  const window = windowParagraph(model, info.window);
  if (window) paras.push(window);
  paras.push(
    `The code targets the ${model.gen.id} generation of struct vm_uffd_ops (${model.gen.title})` +
      `${model.gen.merged ? "" : "; that API is not in mainline yet"}. ` +
      `The series is based on ${info.baseName === info.baseSha ? info.baseSha.slice(0, 12) : `${info.baseName} (${info.baseSha.slice(0, 12)})`}.`,
  );

  if (info.baseLacksApi) {
    paras.push(
      `This series depends on ${model.gen.title}, which ${info.baseName === info.baseSha ? "its base" : info.baseName} does not have: ` +
        `${model.gen.sources.map((k) => SOURCES[k].cite).join("; ")}. Apply that series first.`,
    );
  }

  if (info.allocFolioRefuses) paras.push(refusingAllocFolioNote());

  const tested: string[] = [];
  if (testing.sim) tested.push(`- uffdkit reference simulator: ${verdictLine(testing.sim)}.`);
  else tested.push(`- Not run on the uffdkit reference simulator${testing.simNote ? `: ${testing.simNote}` : "."}`);
  const standIn = testing.kernelStandIn;
  if (standIn) tested.push(`- Not run on a real kernel with ${standIn.type}: the selftests ran on ${standIn.kind}, standing in for ${standIn.type}, which is not a test of ${standIn.type}.`);
  else if (testing.kernel) tested.push(`- Real kernel: ${verdictLine(testing.kernel)}${testing.kernelNote ? `; ${testing.kernelNote}` : ""}.`);
  else tested.push(`- Not run on a real kernel${testing.kernelNote ? `: ${testing.kernelNote}` : "."}`);
  if (testing.c) tested.push(...cProvenanceLines(testing.c));
  if (testing.build) tested.push(`- Kernel build: ${testing.build}.`);
  if (testing.checkpatch) tested.push(`- checkpatch.pl --strict: ${testing.checkpatch}.`);
  paras.push(`Testing:\n${tested.join("\n")}`);

  const history = [...info.series.changelog].filter((e) => e.version <= info.version);
  // The version being posted always gets its b4-style section (with the link to
  // the previous posting), even when the spec lists no changes for it yet.
  if (info.version > 1 && !history.some((e) => e.version === info.version)) history.push({ version: info.version, changes: [] });
  history.sort((a, b) => b.version - a.version);
  const linkOf = (v: number) => info.series.changelog.find((e) => e.version === v)?.link;
  const linked = new Set<number>();
  const changes: string[] = [];
  for (const e of history) {
    const items = e.changes.map((c) => `- ${c}`);
    const prev = e.version > 1 ? linkOf(e.version - 1) : undefined;
    if (prev) {
      items.push(`- Link to v${e.version - 1}: ${prev}`);
      linked.add(e.version - 1);
    }
    if (items.length === 0) continue;
    changes.push(`Changes in v${e.version}:\n${items.join("\n")}`);
  }
  // Each earlier posting is linked once: in the changelog when it has a section there, else here.
  const earlier = info.series.changelog
    .filter((e) => e.version < info.version && e.link && !linked.has(e.version))
    .sort((a, b) => a.version - b.version)
    .map((e) => `- v${e.version}: ${e.link}`);

  let out = wrapBody(paras);
  if (changes.length || earlier.length) {
    // No "---" line here: git am would take what follows for a patch and stop.
    out += "\n\n";
    if (changes.length) out += wrapBody(changes);
    if (earlier.length) out += (changes.length ? "\n\n" : "") + `Earlier versions:\n${earlier.join("\n")}`;
  }
  return out;
}

/**
 * Why a type that fills no page still defines ->alloc_folio() (R20): 7.1's
 * __mfill_atomic_pte() calls it unchecked; the hotfix df3ee3b3bbc3 refuses only
 * a VMA with no vm_uffd_ops. A reviewer would otherwise ask why it is there.
 */
function refusingAllocFolioNote(): string {
  return (
    "The type fills no page (it does not support UFFDIO_COPY or UFFDIO_ZEROPAGE), yet its vm_uffd_ops has an " +
    "alloc_folio() that returns NULL. __mfill_atomic_pte() calls ->alloc_folio() without checking that it is set " +
    "(commit df3ee3b3bbc3 refuses only a VMA with no vm_uffd_ops), and neither ioctl needs MISSING registration, " +
    "so without it a UFFDIO_COPY into a MINOR-registered range would call a NULL pointer. With it, both ioctls " +
    "fail with -ENOMEM. A NULL check in core would make it unnecessary."
  );
}

export type CoverResult = { ok: true; text: string } | { ok: false; message: string };

/** Replace git's placeholders; refuse if git's template changed shape (no silent half-filled letter). */
export function fillCoverLetter(gitCover: string, info: CoverInfo): CoverResult {
  if (!gitCover.includes("*** SUBJECT HERE ***") || !gitCover.includes("*** BLURB HERE ***")) {
    return { ok: false, message: "git's cover letter has no *** SUBJECT HERE *** / *** BLURB HERE *** placeholders" };
  }
  const title = seriesTitle(info.model, info.series);
  const text = gitCover.replace("*** SUBJECT HERE ***", title).replace("*** BLURB HERE ***", coverBlurb(info));
  return { ok: true, text };
}
