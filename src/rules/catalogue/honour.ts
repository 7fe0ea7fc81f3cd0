/**
 * Rules for what a generation, or the type's own build, cannot honour: a
 * spec setting that the emitted C would silently drop or contradict.
 * Each is an error at the spec field, so `check` says it before `gen` writes C
 * that advertises what nothing implements, or `series --build` commits a bogus
 * export patch.
 */
import type { Model } from "../../model/model.js";
import { ALL_GENS, GENS_PENDING, listPath, type Finding, type Rule } from "../types.js";

function underMm(m: Model): boolean {
  return m.targetFile.replace(/^\.\//, "").startsWith("mm/");
}

/** Does the generation have a callback that fills a page for COPY/ZEROPAGE (v1 uffd_copy, 7.1 alloc_folio)? */
function hasFillCallback(m: Model): boolean {
  return m.gen.callbacks.some((c) => c.role === "allocFolio" || c.role === "copy");
}

export const HONOUR_RULES: readonly Rule[] = [
  {
    id: "R60",
    title: "COPY/ZEROPAGE on a generation with no fill callback, for a type in mm/",
    severity: "error",
    kind: "kernel",
    condition: "a page-cache type in mm/ declares COPY or ZEROPAGE on a generation with neither uffd_copy nor alloc_folio (peterx-v4)",
    predicts:
      "the emitted ops advertise COPY/ZEROPAGE in supported_ioctls, but core's mfill path knows only anonymous memory and shmem: UFFDIO_COPY on the type fails with -EINVAL, and every MISSING fault stays unresolved",
    applies: ALL_GENS,
    appliesNote: "peterx-v4",
    sources: ["peterxV3", "peterxV4"],
    judgeable: true,
    check: (m) => {
      // Outside mm/ is R53; anonymous memory and hugetlb keep core's own fill paths.
      if (hasFillCallback(m) || !underMm(m) || m.backing !== "pagecache") return [];
      const which = m.ioctls.has("copy") ? "copy" : m.ioctls.has("zeropage") ? "zeropage" : undefined;
      if (!which) return [];
      return [
        {
          path: listPath(m, "ioctls", which),
          message: `${m.gen.id} has no callback that fills a page: a type in mm/ resolves COPY/ZEROPAGE only through its own branch in mm/userfaultfd.c (as shmem_mfill_atomic_pte()), which uffdkit does not write; the emitted ops would advertise ${which.toUpperCase()} with nothing behind it`,
        },
      ];
    },
    fix: "target linux-7.1 or linux-7.1+gmem (alloc_folio, filemap_add, filemap_remove), or drop \"copy\"/\"zeropage\" (resolve MISSING with write() + CONTINUE: `populateByWrite`)",
  },
  {
    id: "R61",
    title: "fault.raise that the generation's glue cannot honour",
    severity: "error",
    kind: "kernel",
    condition: "`fault.raise: \"handle_userfault\"` on a generation whose core raises MISSING/MINOR itself (__do_userfault() in __do_fault(), linux-7.1+gmem)",
    predicts:
      "the emitted C carries no handle_userfault() glue (core is to raise the events), so the spec's request is dropped; a type that raises them anyway would raise each event twice",
    applies: GENS_PENDING,
    appliesNote: "linux-7.1+gmem",
    sources: ["rppt1212", "davidDoUserfault"],
    judgeable: true,
    check: (m, low) => {
      if (m.fault?.raise !== "handle_userfault") return [];
      if (low.glue === "raise" || !(m.modes.has("missing") || m.modes.has("minor"))) return [];
      return [
        {
          path: "fault.raise",
          message: `${m.gen.id} raises MISSING/MINOR in core (__do_userfault()); the emitted ${m.fault.handler}() glue does not call handle_userfault(), so \`raise: "handle_userfault"\` is not honoured`,
        },
      ];
    },
    fix: "set `fault.raise: \"core\"` on linux-7.1+gmem, or target a generation without __do_userfault() (linux-7.1) for a built-in type that calls handle_userfault() itself",
  },
  {
    id: "R62",
    title: "an export the type's build cannot use",
    severity: "error",
    kind: "kernel",
    condition:
      "`copy.export` asks for an export of filemap_remove_folio() that the type's build does not need or cannot use: any export on a built-in type, or EXPORT_SYMBOL_FOR_KVM for a type outside KVM",
    predicts:
      "the series commits an export patch mm does not want; EXPORT_SYMBOL_FOR_KVM grants the symbol to KVM only, so a module that is not KVM still fails to link (modpost: undefined symbol)",
    applies: ALL_GENS,
    appliesNote: "all",
    sources: ["ackerleyExportKvm", "exportForModules"],
    judgeable: true,
    check: (m, low) => {
      // As declared (lowering fills "none" when the block leaves it out).
      const exp = low.declared.copy?.export;
      if (!exp || exp === "none") return [];
      const out: Finding[] = [];
      if (exp === "EXPORT_SYMBOL_FOR_KVM" && low.module !== "kvm")
        out.push({
          path: "copy.export",
          message: `EXPORT_SYMBOL_FOR_KVM exports filemap_remove_folio() to KVM, but ${m.name} is built into ${low.modular ? `the module "${low.module}"` : "the kernel"}, not KVM`,
          ...(low.modular ? { hint: `use \`copy.export: "EXPORT_SYMBOL_FOR_MODULES"\` (exports to "${low.module}")` } : {}),
        });
      else if (!low.modular)
        out.push({
          path: "copy.export",
          message: `${m.name} is built in (\`modular\` is not set): built-in code reaches filemap_remove_folio() without an export, and ${exp} would add an export patch nobody uses`,
        });
      return out;
    },
    fix: "drop `copy.export` for a built-in type; for a module, EXPORT_SYMBOL_FOR_KVM only when the module is KVM, else EXPORT_SYMBOL_FOR_MODULES",
  },
  {
    id: "R63",
    title: "modular type whose Kconfig option is bool",
    severity: "error",
    kind: "kernel",
    condition: "`modular: true` while the Kconfig option that builds the type's file (`kconfig`, or the known kind's) is a bool",
    predicts: "the type can never be a module: the exports the emitted C asks for are never needed, and the module build `series --build` tries cannot be configured",
    applies: ALL_GENS,
    appliesNote: "all",
    sources: ["kconfigTristate"],
    judgeable: true,
    check: (m, low) => {
      if (!low.modular) return [];
      const k = low.kconfig;
      if (!k || k.type !== "bool") return [];
      return [
        {
          path: "modular",
          message: `\`modular: true\`, but CONFIG_${k.symbol}${k.defaulted ? ` (the Kconfig option of ${m.targetFile})` : ""} is a bool: ${m.name} is always built in`,
        },
      ];
    },
    fix: "drop `modular` (the type is built in), or declare the tristate option that builds it in `kconfig`",
  },
  {
    id: "S12",
    title: "run.object does not say how to make the object",
    severity: "error",
    kind: "spec",
    condition: "run.object of kind \"syscall\" without `syscall` and `nr`, or of kind \"file\" without `dir`",
    predicts: "nothing can be emitted for the selftests' object: uffdkit never guesses how a type's object is made",
    applies: ALL_GENS,
    sources: [],
    judgeable: true,
    check: (m) => {
      const o = m.run.object;
      if (o?.kind === "syscall" && (!o.syscall || o.nr === undefined))
        return [{ path: "run.object", message: "a syscall object needs the call's name (`syscall`) and its number (`nr`, used where <sys/syscall.h> lacks __NR_<syscall>)" }];
      if (o?.kind === "syscall" && (o.args?.length ?? 0) > 6) return [{ path: "run.object.args", message: "a system call takes at most 6 arguments" }];
      if (o?.kind === "file" && !o.dir) return [{ path: "run.object", message: "a file object needs `dir`, a directory on the type's filesystem" }];
      return [];
    },
    fix: "for a syscall object set `syscall` and `nr` (and `args`); for a file object set `dir` (and `magic`)",
  },
];
