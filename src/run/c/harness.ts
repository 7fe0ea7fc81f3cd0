/**
 * The C around an emitted file when the simulator runs it: a prelude that
 * declares what the generation's tree would (struct vm_uffd_ops and its
 * members, from src/kernel/generations.ts, the one table of them) and the
 * functions the spec says the type defines elsewhere in its file (guards,
 * helpers), and a trailer that exports one entry point per ops member, so the
 * simulated core calls the callbacks through the ops struct the way core mm
 * does.
 */
import { GENERATIONS, type ApiGenerationId, type CallbackRole } from "../../kernel/generations.js";
import type { DeclaredC } from "../../ir/scenario.js";
import { ioctlMacro, UFFDIO_NR } from "../../kernel/uapi.js";
import { VM_UFFD_MINOR, VM_UFFD_MISSING, VM_UFFD_WP } from "../sim/state.js";

/** The emitted file's names the harness needs (from the lowered form). */
export interface HarnessNames {
  readonly api: ApiGenerationId;
  readonly ops: string;
  /** The fault glue function, when the file has one. */
  readonly faultGlue?: string;
  /** Functions the type defines outside the emitted code: name, prototype with NAME, what it is. */
  readonly typeFunctions: readonly DeclaredC["typeFunctions"][number][];
  /** Fields of the type's inode info the C reads (struct uk_info stands for it). */
  readonly infoFields?: readonly string[];
}

/** The harness names of a scenario's setup.declared.c: one mapping, used wherever C is compiled. */
export function harnessNamesOf(api: ApiGenerationId, c: DeclaredC): HarnessNames {
  return {
    api,
    ops: c.ops,
    ...(c.faultGlue ? { faultGlue: c.faultGlue } : {}),
    typeFunctions: c.typeFunctions,
    ...(c.infoFields ? { infoFields: c.infoFields } : {}),
  };
}

/** Exported entry points, by role; the host looks them up by these names. */
export const ENTRY: Record<CallbackRole | "fault" | "features" | "ioctls", string> = {
  canUserfault: "uk_call_can_userfault",
  getFolio: "uk_call_get_folio",
  allocFolio: "uk_call_alloc_folio",
  filemapAdd: "uk_call_filemap_add",
  filemapRemove: "uk_call_filemap_remove",
  copy: "uk_call_copy",
  fault: "uk_call_fault",
  features: "uk_ops_features",
  ioctls: "uk_ops_ioctls",
};

/** Which callback roles are present in the ops struct: uk_has_<role>() answers at run time. */
export const hasEntry = (role: CallbackRole): string => `uk_has_${role}`;

/**
 * The type's inode info accessor (SHMEM_I(), GMEM_I()), when the type's own C
 * defines it: then the type C also defines the info struct itself (struct
 * gmem_inode, with the inode inside it), and the prelude declares neither.
 */
export function infoDefinedByType(n: HarnessNames, defined: readonly string[]): boolean {
  return n.typeFunctions.some((t) => t.role === "info" && defined.includes(t.name));
}

export function prelude(n: HarnessNames, defined: readonly string[] = []): string {
  const gen = GENERATIONS[n.api];
  const lines = [
    "/* Written by uffdkit (src/run/c/harness.ts) for the simulator. */",
    `#define VM_SHARED 0x${VM_SHARED_C.toString(16)}UL`,
    `#define VM_UFFD_MISSING 0x${VM_UFFD_MISSING_C.toString(16)}UL`,
    `#define VM_UFFD_WP 0x${VM_UFFD_WP_C.toString(16)}UL`,
    `#define VM_UFFD_MINOR 0x${VM_UFFD_MINOR_C.toString(16)}UL`,
    "#define __VM_UFFD_FLAGS (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)",
    ...Object.entries(UFFDIO_NR).map(([k, v]) => `#define ${ioctlMacro(k as keyof typeof UFFDIO_NR)} 0x${v.toString(16)}`),
  ];
  if (gen.filemapAllocMpol) lines.push("#define UK_FILEMAP_ALLOC_MPOL 1");
  lines.push("#include <uffdkit/kmodel.h>", "");
  const members: string[] = [];
  if (gen.featuresMember) members.push(`\tunsigned long ${gen.featuresMember};`);
  if (gen.ioctlsMember) members.push(`\tunsigned long ${gen.ioctlsMember};`);
  for (const cb of gen.callbacks) members.push(`\t${cb.prototype.replace("NAME", `(*${cb.member})`)};`);
  const tag = gen.opsType.startsWith("struct ") ? gen.opsType : `struct ${gen.opsType}`;
  lines.push(`${tag} {`, ...members, "};");
  if (!gen.opsType.startsWith("struct ")) lines.push(`typedef ${tag} ${gen.opsType};`);
  // The type's inode info (SHMEM_I(), GMEM_I()): only the fields the C takes the address of,
  // unless the type's C defines the accessor, and so its own info struct.
  const ownInfo = infoDefinedByType(n, defined);
  const fields = (n.infoFields ?? []).map((f) => `struct shared_policy ${f};`).join(" ");
  lines.push(ownInfo ? "struct uk_info;" : `struct uk_info { ${fields || "int uk_unused;"} };`);
  for (const t of n.typeFunctions) {
    if (ownInfo && t.role === "info") continue;
    lines.push(`${t.proto.replace("NAME", t.name)};`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The type's functions no C defines (stand-ins), each call of them wrapped so
 * the model knows the caller's function and line (UK_NOTE_CALL()) and a
 * finding about what the stand-in did points at that call. A function-like
 * macro does not expand its own name again, so the call inside reaches the
 * import. Put after the type's own C (which may declare them) and before the
 * callbacks.
 */
export function standInCallNotes(n: HarnessNames, defined: readonly string[]): string {
  const standIns = n.typeFunctions.map((t) => t.name).filter((name) => !defined.includes(name));
  return standIns.map((name) => `#define ${name}(...) (UK_NOTE_CALL(), ${name}(__VA_ARGS__))`).join("\n");
}

/** The entry point the contract model calls where the kernel calls a_ops->free_folio. */
export const FREE_FOLIO_ENTRY = "uk_call_free_folio";

export function trailer(n: HarnessNames, defined: readonly string[] = []): string {
  const gen = GENERATIONS[n.api];
  const out = ["", "/* uffdkit harness: entry points through the ops struct. */", "#define UK_EXPORT __attribute__((visibility(\"default\")))"];
  // filemap_remove_folio() calls the mapping's free_folio (mm/filemap.c filemap_free_folio()): the type's C, when it has it.
  const free = n.typeFunctions.find((t) => t.role === "free-folio" && defined.includes(t.name));
  if (free) out.push(`UK_EXPORT void ${FREE_FOLIO_ENTRY}(struct folio *folio) { ${free.name}(folio); }`);
  for (const cb of gen.callbacks) {
    const params = paramsOf(cb.prototype);
    const ret = cb.prototype.slice(0, cb.prototype.indexOf("NAME")).trim();
    const args = params.map((p) => p.name).join(", ");
    const decl = params.map((p) => p.decl).join(", ");
    out.push(`UK_EXPORT int ${hasEntry(cb.role)}(void) { return ${n.ops}.${cb.member} != NULL; }`);
    out.push(`UK_EXPORT ${ret} ${ENTRY[cb.role]}(${decl}) { ${ret === "void" ? "" : "return "}${n.ops}.${cb.member}(${args}); }`);
  }
  out.push(`UK_EXPORT unsigned long ${ENTRY.features}(void) { return ${gen.featuresMember ? `${n.ops}.${gen.featuresMember}` : "0"}; }`);
  out.push(`UK_EXPORT unsigned long ${ENTRY.ioctls}(void) { return ${gen.ioctlsMember ? `${n.ops}.${gen.ioctlsMember}` : "0"}; }`);
  out.push(`UK_EXPORT vm_fault_t ${ENTRY.fault}(struct vm_fault *vmf) { return ${n.faultGlue ? `${n.faultGlue}(vmf)` : "0"}; }`);
  out.push(...OBJECTS);
  // The stand-in info accessor hands out infos the host makes; a type C with its own has none.
  if (!infoDefinedByType(n, defined)) out.push("UK_EXPORT struct uk_info *uk_new_info(void) { return uk_alloc(sizeof(struct uk_info)); }");
  return out.join("\n") + "\n";
}

/**
 * The objects the host hands to callbacks live in the module's memory; the
 * host makes them through these constructors so the layout stays C's.
 */
const OBJECTS = [
  // A bump allocator over the module's own heap, growing the memory as needed (objects are never freed:
  // the host reuses a folio's struct when the simulator reuses its id).
  "extern unsigned char __heap_base;",
  "static unsigned long uk_brk = (unsigned long)&__heap_base;",
  "static void *uk_alloc(unsigned long n) { unsigned long p = (uk_brk + 15) & ~15UL; unsigned long end = p + n; unsigned long have = __builtin_wasm_memory_size(0) * 65536UL; if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (unsigned long)-1) return NULL; uk_brk = end; return (void *)p; }",
  "UK_EXPORT struct folio *uk_new_folio_block(int first, int n) { struct folio *f = uk_alloc(sizeof(*f) * n); int k; if (f) for (k = 0; k < n; k++) { f[k].uk_id = first + k; f[k].mapping = NULL; } return f; }",
  "UK_EXPORT int uk_sizeof_folio(void) { return sizeof(struct folio); }",
  "UK_EXPORT void uk_folio_set_mapping(struct folio *f, struct address_space *m, pgoff_t index) { f->mapping = m; f->index = index; }",
  // Each inode sits in UK_INODE_ROOM bytes of zeroed memory on either side, as a filesystem's inode sits
  // inside its own info (struct gmem_inode, struct shmem_inode_info): a type C's container_of() of it is memory.
  "#define UK_INODE_ROOM 512",
  "UK_EXPORT int uk_inode_room(void) { return UK_INODE_ROOM; }",
  "UK_EXPORT int uk_sizeof_inode(void) { return sizeof(struct inode); }",
  "UK_EXPORT struct file *uk_new_file(int id, long long size) { struct file *f = uk_alloc(sizeof(*f)); char *room = uk_alloc(2 * UK_INODE_ROOM + sizeof(struct inode)); struct inode *i = room ? (struct inode *)(room + UK_INODE_ROOM) : NULL; if (!f || !i) return NULL; i->uk_id = id; i->i_size = size; i->i_mapping = &i->i_data; i->i_data.host = i; i->i_data.uk_id = id; i->i_data.gfp_mask = GFP_HIGHUSER_MOVABLE; f->f_inode = i; f->f_mapping = i->i_mapping; return f; }",
  "UK_EXPORT struct inode *uk_file_inode(struct file *f) { return f->f_inode; }",
  "UK_EXPORT struct address_space *uk_file_mapping(struct file *f) { return f->f_mapping; }",
  "static struct mm_struct uk_mm;",
  "UK_EXPORT struct vm_area_struct *uk_new_vma(void) { struct vm_area_struct *v = uk_alloc(sizeof(*v)); if (v) v->vm_mm = &uk_mm; return v; }",
  "UK_EXPORT void uk_set_vma(struct vm_area_struct *v, int id, unsigned long start, unsigned long end, pgoff_t pgoff, vm_flags_t flags, struct file *file) { v->uk_id = id; v->vm_start = start; v->vm_end = end; v->vm_pgoff = pgoff; v->vm_flags = flags; v->vm_file = file; }",
  "UK_EXPORT struct vm_fault *uk_new_vmf(void) { return uk_alloc(sizeof(struct vm_fault)); }",
  "UK_EXPORT void uk_set_vmf(struct vm_fault *vmf, struct vm_area_struct *v, pgoff_t pgoff, unsigned long address, unsigned int flags) { vmf->vma = v; vmf->pgoff = pgoff; vmf->address = address; vmf->flags = flags; }",
  "UK_EXPORT void *uk_new_slot(void) { return uk_alloc(sizeof(void *) * 2); }",
  "UK_EXPORT int uk_offsetof_folio_id(void) { return __builtin_offsetof(struct folio, uk_id); }",
  "UK_EXPORT int uk_offsetof_folio_mapping(void) { return __builtin_offsetof(struct folio, mapping); }",
  "UK_EXPORT int uk_offsetof_folio_page(void) { return __builtin_offsetof(struct folio, page); }",
  "UK_EXPORT int uk_offsetof_inode_id(void) { return __builtin_offsetof(struct inode, uk_id); }",
  "UK_EXPORT int uk_offsetof_mapping_id(void) { return __builtin_offsetof(struct address_space, uk_id); }",
  "UK_EXPORT int uk_offsetof_vma_id(void) { return __builtin_offsetof(struct vm_area_struct, uk_id); }",
];

/** The VM_UFFD_* bits as the C model spells them (the simulator's own values, shifted into vm_flags). */
export const VM_SHARED_C = 0x8;
export const VM_UFFD_MISSING_C = 0x200;
export const VM_UFFD_WP_C = 0x1000;
export const VM_UFFD_MINOR_C = 0x400000;

/** Simulator mode bits (UFFDIO_REGISTER_MODE_*) → the C model's vm_flags bits. */
export function vmFlagsToC(bits: number): number {
  let f = 0;
  if (bits & VM_UFFD_MISSING) f |= VM_UFFD_MISSING_C;
  if (bits & VM_UFFD_WP) f |= VM_UFFD_WP_C;
  if (bits & VM_UFFD_MINOR) f |= VM_UFFD_MINOR_C;
  return f;
}

export function vmFlagsFromC(f: number): number {
  let bits = 0;
  if (f & VM_UFFD_MISSING_C) bits |= VM_UFFD_MISSING;
  if (f & VM_UFFD_WP_C) bits |= VM_UFFD_WP;
  if (f & VM_UFFD_MINOR_C) bits |= VM_UFFD_MINOR;
  return bits;
}

function paramsOf(proto: string): { name: string; decl: string }[] {
  const inner = proto.slice(proto.indexOf("(") + 1, proto.lastIndexOf(")"));
  return inner.split(",").map((d) => {
    const decl = d.trim();
    const name = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(decl)![1]!;
    return { name, decl };
  });
}
