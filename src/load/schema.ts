/**
 * The shape of MemoryTypeSpec as data: the one place the loader learns which
 * fields exist, which values an enum takes and which strings become C
 * identifiers. Shape validation walks it; did-you-mean candidates come from it.
 *
 * The `satisfies` clauses below tie each enum to the spec's TypeScript types, so
 * a value added to src/spec/types.ts without being added here fails the build.
 */
import { API_GENERATIONS } from "../kernel/generations.js";
import type { Backing, GuardPoint, Ioctl, MemoryTypeSpec, Mode } from "../spec/types.js";
import type { TextKind } from "./text.js";

export type Schema =
  /** `text`: how a free string is validated (src/load/text.ts); enum and identifier strings need none. */
  | { readonly kind: "string"; readonly cident?: boolean; readonly values?: readonly string[]; readonly text?: TextKind }
  | { readonly kind: "number"; readonly integer?: boolean; readonly min?: number; readonly max?: number }
  | { readonly kind: "boolean" }
  | { readonly kind: "array"; readonly of: Schema }
  /** A single value or an array of them (guard.at). */
  | { readonly kind: "one-or-many"; readonly of: Schema }
  | { readonly kind: "object"; readonly fields: Readonly<Record<string, Field>> };

export interface Field {
  readonly schema: Schema;
  readonly required?: boolean;
  /** One line for error messages: what the field is for. */
  readonly doc?: string;
}

/** Exhaustive lists of the spec's enums; the type assertions fail to compile when one falls behind. */
export const MODES = ["missing", "minor", "wp"] as const satisfies readonly Mode[];
export const IOCTLS = ["copy", "zeropage", "continue", "writeprotect", "poison", "move"] as const satisfies readonly Ioctl[];
export const BACKINGS = ["anon", "pagecache", "hugetlb"] as const satisfies readonly Backing[];
export const GUARD_POINTS = ["register", "fault", "alloc_folio", "get_folio"] as const satisfies readonly GuardPoint[];
type Exhaustive<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : never;
const modesComplete: Exhaustive<Mode, (typeof MODES)[number]> = true;
const ioctlsComplete: Exhaustive<Ioctl, (typeof IOCTLS)[number]> = true;
const backingsComplete: Exhaustive<Backing, (typeof BACKINGS)[number]> = true;
const guardPointsComplete: Exhaustive<GuardPoint, (typeof GUARD_POINTS)[number]> = true;
void [modesComplete, ioctlsComplete, backingsComplete, guardPointsComplete];

/** An enum string, or free text of one line by default. */
const str = (values?: readonly string[], text: TextKind = "line"): Schema => (values ? { kind: "string", values } : { kind: "string", text });
const int = (min: number, max: number): Schema => ({ kind: "number", integer: true, min, max });

/**
 * Most pages a spec's kernel test maps. The selftests fault a handful of pages
 * per scenario; 512 is a 2 MiB huge page of 4 KiB pages, the largest unit a
 * userfaultfd test of THP/hugetlb needs. More only slows gen and the simulator.
 */
export const MAX_RUN_PAGES = 512;
/** Highest series version (v1, v2, ...) and changelog entry. */
export const MAX_SERIES_VERSION = 999;
/** Longest list in a spec (co-developers, changelog entries, changes per entry). */
export const MAX_LIST_LENGTH = 64;
const cident: Schema = { kind: "string", cident: true };
const bool: Schema = { kind: "boolean" };
const req = (schema: Schema, doc?: string): Field => ({ schema, required: true, ...(doc ? { doc } : {}) });
const opt = (schema: Schema, doc?: string): Field => ({ schema, ...(doc ? { doc } : {}) });
const obj = (fields: Record<string, Field>): Schema => ({ kind: "object", fields });

const PERSON = obj({ name: req(str(undefined, "person")), email: req(str(undefined, "email")) });

export const SPEC_SCHEMA = obj({
  name: req(cident, "C prefix of every generated symbol"),
  subsystem: req(str(), "commit subject prefix"),
  file: req(str(undefined, "c-file"), "kernel source file the ops go into"),
  vmOps: opt(cident, "the vm_operations_struct to hook (not for anon)"),
  backing: req(str(BACKINGS)),
  modular: opt(bool),
  module: opt(cident, "the module the type lives in (for exports)"),
  kconfig: opt(
    obj({ symbol: req(cident, "the Kconfig symbol, without CONFIG_"), type: req(str(["bool", "tristate"]), "the option's Kconfig type") }),
    "the Kconfig option that builds the type's file",
  ),
  api: req(str(API_GENERATIONS), "target API generation"),
  features: req({ kind: "array", of: str(MODES) }, "registration modes"),
  ioctls: req({ kind: "array", of: str(IOCTLS) }, "range ioctls"),
  getFolio: opt(
    obj({
      strategy: req(str(["lookup", "lookup-or-create"])),
      lookup: opt(str(["filemap_lock_folio", "filemap_get_entry", "shmem_get_folio"])),
      helper: opt(cident),
      locked: opt(bool),
      referenced: opt(bool),
      notUptodate: req(str(["missing", "present", "zero-fill"])),
      absent: opt(str(["enoent", "null"])),
      putOnEarlyReturn: opt(bool),
    }),
  ),
  copy: opt(
    obj({
      alloc: req(
        obj({
          strategy: req(str(["mapping-gfp", "shared-policy", "vma", "helper"])),
          helper: opt(cident),
          info: opt(cident),
          policy: opt(obj({ info: req(cident), field: req(cident) })),
          eofCheck: opt(bool),
          chargeMemcg: opt(bool),
        }),
      ),
      prepare: opt(cident),
      unprepare: opt(cident),
      freeFolio: opt(cident),
      filemapAdd: opt(str(["filemap_add_folio", "type", "none"])),
      typeAdd: opt(obj({ add: req(cident), swapbacked: opt(bool), accountBlocks: opt(cident), recalc: opt(cident) })),
      filemapRemove: opt(str(["filemap_remove_folio", "none"])),
      unaccount: opt(cident),
      export: opt(str(["EXPORT_SYMBOL_FOR_KVM", "EXPORT_SYMBOL_FOR_MODULES", "none"])),
    }),
  ),
  guard: opt(
    obj({
      shared: req(cident),
      granularity: opt(str(["inode", "page"])),
      at: req({ kind: "one-or-many", of: str(GUARD_POINTS) }),
      recheck: opt(
        obj({
          at: req(str(["filemap_add"])),
          lock: req(str(["invalidate_lock"])),
          order: opt(str(["lock-then-add", "add-then-lock"])),
        }),
        "re-check the guard in filemap_add under the invalidate lock (closes the alloc_folio → filemap_add window)",
      ),
    }),
  ),
  fault: opt(obj({ handler: req(cident), raise: req(str(["core", "handle_userfault", "none"])), eofFirst: opt(bool) })),
  wpMarkers: opt(bool),
  populateByWrite: opt(bool),
  kvmUserfault: opt(
    obj({
      bitmapLoad: req(str(["plain", "acquire"]), "how kvm_do_userfault() reads the bitmap word"),
      userspaceStore: opt(str(["plain", "release"]), "how the VMM clears a bit after filling the page"),
    }),
    "KVM Userfault (KVM_MEM_USERFAULT) memory ordering, Oliver Upton on KVM Userfault v3 04/15",
  ),
  run: opt(
    obj({
      kernelKind: opt(str(["anon", "shmem", "hugetlb", "guest_memfd"])),
      gmemFlags: opt({ kind: "array", of: str(["mmap", "init_shared"]) }),
      pages: opt(int(1, MAX_RUN_PAGES)),
      object: opt(
        obj({
          kind: req(str(["memfd", "memfd-hugetlb", "guest_memfd", "chardev", "syscall", "file"]), "how a selftest creates an object of the type"),
          path: opt(str(undefined, "dev-path"), "the device node a chardev object is opened at"),
          syscall: opt(cident, "the system call that makes a syscall object"),
          nr: opt(int(0, 4095), "the system call's number where <sys/syscall.h> lacks it"),
          args: opt({ kind: "array", of: int(-2147483648, 2147483647) }, "the system call's integer arguments"),
          dir: opt(str(undefined, "dir-path"), "a directory on the type's filesystem, for a file object"),
          magic: opt(int(0, 0xffffffff), "the filesystem's statfs f_type"),
        }),
      ),
      ops: opt({ kind: "array", of: str(["fallocate", "punch-hole", "madv-remove", "write", "read"]) }, "operations the type's object supports"),
    }),
  ),
  series: opt(
    obj({
      title: opt(str()),
      blurb: opt(str()),
      version: opt(int(1, MAX_SERIES_VERSION)),
      rfc: opt(bool),
      base: opt(str(undefined, "git-rev")),
      coDevelopedBy: opt({ kind: "array", of: PERSON }),
      changelog: opt({
        kind: "array",
        of: obj({
          version: req(int(1, MAX_SERIES_VERSION)),
          changes: req({ kind: "array", of: str() }),
          link: opt(str()),
        }),
      }),
    }),
  ),
});

/** Every top-level key the schema knows must be a key of MemoryTypeSpec, and vice versa. */
type SchemaKeys = "name" | "subsystem" | "file" | "vmOps" | "backing" | "modular" | "module" | "kconfig" | "api" | "features" | "ioctls"
  | "getFolio" | "copy" | "guard" | "fault" | "wpMarkers" | "populateByWrite" | "kvmUserfault" | "run" | "series";
const specKeysComplete: Exhaustive<keyof MemoryTypeSpec, SchemaKeys> = true;
const schemaKeysKnown: Exhaustive<SchemaKeys, keyof MemoryTypeSpec> = true;
void [specKeysComplete, schemaKeysKnown];
