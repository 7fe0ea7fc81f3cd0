/**
 * `uffdkit init NAME [--force]`: write a commented starter spec NAME.uffd.ts in
 * the current directory. It passes `uffdkit check` as written; an existing file
 * is never overwritten without --force.
 */
import { randomBytes } from "node:crypto";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { MAX_NAME_LENGTH } from "../../load/shape.js";
import { join } from "node:path";
import { isCIdentifier } from "../../kernel/cident.js";
import { EXIT, type CliIO } from "../io.js";

export async function run(io: CliIO, args: string[], opts: Record<string, unknown>): Promise<number> {
  const name = args[0] ?? "";
  const fail = (msg: string) => {
    if (io.json) io.emitJson({ error: msg });
    io.err(`uffdkit init: ${msg}`);
    return EXIT.usage;
  };
  if (!isCIdentifier(name) || name.length > MAX_NAME_LENGTH) {
    return fail(`${JSON.stringify(name)} is not a C identifier; NAME becomes the C prefix of every generated symbol (letters, digits and _, not a C keyword, at most ${MAX_NAME_LENGTH} characters, e.g. my_mem)`);
  }
  const file = `${name}.uffd.ts`;
  const path = join(process.cwd(), file);
  if (existsSync(path) && !opts.force) return fail(`${file} already exists; pass --force to overwrite it`);

  // Write beside the target and rename, so an interrupted init never leaves half a spec. The temp
  // name is random and created exclusively (wx), so a link planted at a guessable name is never followed.
  const tmp = `${path}.${randomBytes(8).toString("hex")}.tmp`;
  writeFileSync(tmp, starterSpec(name), { flag: "wx" });
  renameSync(tmp, path);
  if (io.json) io.emitJson({ file, written: true });
  io.out(`wrote ${file}; next: uffdkit check ${file}`);
  return EXIT.ok;
}

export function starterSpec(name: string): string {
  return `/**
 * ${name}: userfaultfd support for a RAM-backed file type.
 *
 * A starter written by \`uffdkit init\`. Edit the declarations, then run
 *   uffdkit check ${name}.uffd.ts     (rules, with file:line:col)
 *   uffdkit explain R39              (why a rule exists, and its source)
 *   uffdkit gen ${name}.uffd.ts       (kernel C, selftests, series, checklist)
 */
import { defineMemoryType } from "uffdkit";

export default defineMemoryType({
  name: "${name}", // C prefix: ${name}_uffd_ops, ${name}_uffd_get_folio, ...
  subsystem: "mm/${name}", // commit subject prefix
  file: "mm/${name}.c", // where the ops go, relative to the kernel tree
  vmOps: "${name}_vm_ops", // the vm_operations_struct that gets .uffd_ops
  backing: "pagecache",

  // linux-7.1+gmem: struct vm_uffd_ops as merged in 7.1, plus the pending
  // __do_userfault() that raises MISSING/MINOR from core. Use "linux-7.1" for
  // mainline as merged (then the type must raise fault events itself).
  api: "linux-7.1+gmem",

  // MISSING traps the first touch of a page; MINOR traps access to a page the
  // cache already holds. Post-copy needs both (a MINOR-only type cannot see
  // first touch, R36).
  features: ["missing", "minor"],
  // COPY/ZEROPAGE resolve MISSING; CONTINUE resolves MINOR.
  ioctls: ["copy", "zeropage", "continue"],

  // get_folio_noalloc: find a folio in the page cache, never allocate (R42);
  // a folio that is not up to date is cleared and marked up to date, so it is
  // never mapped stale and every fault on it stays resolvable (R40).
  getFolio: { strategy: "lookup", lookup: "filemap_lock_folio", notUptodate: "zero-fill" },

  // alloc_folio + filemap_add/filemap_remove for COPY and ZEROPAGE.
  copy: {
    alloc: { strategy: "mapping-gfp", eofCheck: true },
    filemapAdd: "filemap_add_folio",
    filemapRemove: "filemap_remove_folio",
  },

  // Which pages may userfault is decided per page, when the page is served
  // (->fault, alloc_folio, get_folio), not once at UFFDIO_REGISTER (R39).
  // The predicate is yours: bool ${name}_is_shared(struct inode *, pgoff_t).
  guard: { shared: "${name}_is_shared", granularity: "page", at: "fault" },

  // Core raises MISSING/MINOR through __do_userfault() before ->fault runs.
  fault: { handler: "${name}_fault", raise: "core" },

  run: { pages: 8 },
});
`;
}
