/**
 * Where the generated selftests go in a kernel tree and how they are wired into
 * the kselftest build (Documentation/dev-tools/kselftest.rst, "Contributing new tests"): KVM tests join the list that holds
 * guest_memfd_test (per-arch in 6.12, common in mainline); mm tests join
 * TEST_GEN_FILES next to uffd-unit-tests, are run from run_vmtests.sh in the
 * userfaultfd category, and are listed in mm/.gitignore.
 */
import { posix } from "node:path";
import type { EmittedFile } from "../emit/kernel/artifacts.js";
import type { Model } from "../model/model.js";

export type SelftestDir = "kvm" | "mm";

export function selftestDir(model: Model): SelftestDir {
  if (model.run.kernelKind === "guest_memfd" || /^KVM\b/.test(model.subsystem)) return "kvm";
  return "mm";
}

export function selftestSubjectPrefix(dir: SelftestDir): string {
  return dir === "kvm" ? "KVM: selftests:" : "selftests/mm:";
}

/** Reads a file of the base tree; undefined when absent. */
export type ReadBase = (path: string) => string | undefined;

export interface SelftestPlacement {
  /** Every file to write (new tests plus edited Makefile/.gitignore/run script). */
  readonly files: Map<string, string>;
  /** The test programs added (names without .c). */
  readonly programs: readonly string[];
  readonly dir: string;
}

export type PlacementResult = { ok: true; placement: SelftestPlacement } | { ok: false; message: string; hint: string };

/** Map an emitted file to its path in the tree: keep a tools/testing path, else put it in the suite's dir. */
export function treePathOf(file: EmittedFile, dir: SelftestDir): string {
  const p = file.path.replace(/^\.\//, "");
  if (p.startsWith("tools/testing/selftests/")) return p;
  return `tools/testing/selftests/${dir}/${posix.basename(p)}`;
}

export function placeSelftests(emitted: readonly EmittedFile[], dir: SelftestDir, readBase: ReadBase): PlacementResult {
  const base = `tools/testing/selftests/${dir}`;
  const files = new Map<string, string>();
  const programs: string[] = [];
  const extraConfig: string[] = [];
  for (const f of emitted) {
    const leaf = posix.basename(f.path);
    // The emitter's standalone build files: in a kernel tree the tests join the
    // directory's own Makefile and .gitignore instead (below).
    if (leaf === "Makefile" || leaf === ".gitignore") continue;
    if (leaf === "config") {
      extraConfig.push(...f.contents.split("\n").filter((l) => /^CONFIG_\w+=/.test(l)));
      continue;
    }
    const path = treePathOf(f, dir);
    if (readBase(path) !== undefined) {
      return {
        ok: false,
        message: `${path} already exists in the base tree`,
        hint: "rename the memory type (spec name) or remove the old test from the base first",
      };
    }
    files.set(path, f.contents);
    if (path.endsWith(".c") && posix.dirname(path) === base && /\bmain\s*\(|TEST(_F)?\s*\(|TEST_HARNESS_MAIN/.test(f.contents)) {
      programs.push(posix.basename(path, ".c"));
    }
  }
  if (programs.length === 0) {
    // A suite emitted as helpers only still builds nothing; say so rather than guess.
    for (const f of emitted) if (f.path.endsWith(".c")) programs.push(posix.basename(f.path, ".c"));
  }

  if (extraConfig.length > 0) {
    // The directory's kselftest `config` lists what the tests need; add what it lacks.
    const cfgPath = `${base}/config`;
    const cfg = readBase(cfgPath) ?? "";
    const have = new Set(cfg.split("\n").map((l) => l.trim().split("=")[0]));
    const add = [...new Set(extraConfig)].filter((l) => !have.has(l.split("=")[0]));
    if (add.length > 0) files.set(cfgPath, appendLines(cfg, add));
  }
  const makefile = dir === "kvm" ? kvmMakefile(readBase, programs) : mmMakefile(readBase, programs);
  if (!makefile.ok) return makefile;
  for (const [p, c] of makefile.files) files.set(p, c);
  return { ok: true, placement: { files, programs, dir: base } };
}

type Edits = { ok: true; files: Map<string, string> } | { ok: false; message: string; hint: string };

function insertAfterLast(text: string, match: RegExp, lines: readonly string[]): string | undefined {
  const all = text.split("\n");
  let at = -1;
  for (let i = 0; i < all.length; i++) if (match.test(all[i] ?? "")) at = i;
  if (at < 0) return undefined;
  all.splice(at + 1, 0, ...lines);
  return all.join("\n");
}

function appendLines(text: string, lines: readonly string[]): string {
  return (text.endsWith("\n") || text === "" ? text : text + "\n") + lines.join("\n") + "\n";
}

/**
 * KVM: mainline keeps its lists in Makefile.kvm, 6.12 in Makefile. Join the list
 * variable that already holds guest_memfd_test; without one, the common list.
 */
function kvmMakefile(readBase: ReadBase, programs: readonly string[]): Edits {
  const files = new Map<string, string>();
  const candidates = ["tools/testing/selftests/kvm/Makefile.kvm", "tools/testing/selftests/kvm/Makefile"];
  const present = candidates.filter((p) => readBase(p) !== undefined);
  if (present.length === 0) {
    return {
      ok: false,
      message: "tools/testing/selftests/kvm/Makefile is not in the base tree",
      hint: "use a kernel tree that has the KVM selftests, or set run.kernelKind so the tests go to selftests/mm",
    };
  }
  for (const path of present) {
    const text = readBase(path) ?? "";
    const m = /^(TEST_GEN_PROGS\w*)\s*\+?=\s*guest_memfd_test\s*$/m.exec(text);
    if (!m) continue;
    const variable = m[1] ?? "TEST_GEN_PROGS";
    const out = insertAfterLast(text, new RegExp(`^${variable}\\s*\\+?=\\s*guest_memfd_test\\s*$`), programs.map((p) => `${variable} += ${p}`));
    if (out !== undefined) files.set(path, out);
    return { ok: true, files };
  }
  const path = present[0] ?? candidates[1]!;
  const text = readBase(path) ?? "";
  const list = /^TEST_GEN_PROGS_COMMON\b/m.test(text) ? "TEST_GEN_PROGS_COMMON" : "TEST_GEN_PROGS";
  const out = insertAfterLast(text, new RegExp(`^${list}\\s*\\+?=`), programs.map((p) => `${list} += ${p}`)) ?? appendLines(text, programs.map((p) => `${list} += ${p}`));
  files.set(path, out);
  return { ok: true, files };
}

function mmMakefile(readBase: ReadBase, programs: readonly string[]): Edits {
  const files = new Map<string, string>();
  const mk = "tools/testing/selftests/mm/Makefile";
  const text = readBase(mk);
  if (text === undefined) {
    return { ok: false, message: `${mk} is not in the base tree`, hint: "use a kernel tree that has the mm selftests" };
  }
  const entries = programs.map((p) => `TEST_GEN_FILES += ${p}`);
  const out =
    insertAfterLast(text, /^TEST_GEN_FILES\s*\+?=\s*uffd-/, entries) ??
    insertAfterLast(text, /^TEST_GEN_FILES\s*\+?=/, entries) ??
    appendLines(text, entries);
  files.set(mk, out);

  const ignore = "tools/testing/selftests/mm/.gitignore";
  const ign = readBase(ignore);
  if (ign !== undefined) {
    files.set(ignore, insertAfterLast(ign, /^uffd-/, [...programs]) ?? appendLines(ign, programs));
  }
  const runner = "tools/testing/selftests/mm/run_vmtests.sh";
  const run = readBase(runner);
  if (run !== undefined) {
    const lines = programs.map((p) => `CATEGORY="userfaultfd" run_test ./${p}`);
    const edited = insertAfterLast(run, /run_test \.\/uffd-unit-tests/, lines);
    if (edited !== undefined) files.set(runner, edited);
  }
  return { ok: true, files };
}
