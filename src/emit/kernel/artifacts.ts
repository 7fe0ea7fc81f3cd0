/**
 * What the kernel-C emitter returns for one spec and one API generation: whole
 * files for out/ and the compile check, and the pieces `uffdkit series` splices
 * into the developer's real kernel files.
 */
import type { ApiGenerationId } from "../../kernel/generations.js";

export interface EmittedFile {
  /** Path relative to the artifact root (out/<name>/ for gen, the kernel tree for series). */
  readonly path: string;
  readonly contents: string;
}

export interface KernelFragments {
  /** #include lines the target file needs (full lines, e.g. "#include <linux/userfaultfd_k.h>"). */
  readonly includes: readonly string[];
  /** The callbacks and the ops struct, ready to insert before the vm_operations_struct definition. */
  readonly ops: string;
  /** The designated initializer line(s) to add inside the named vm_operations_struct. */
  readonly hook: string;
  /** Code to put at the top of the type's ->fault handler, when the generation needs glue there. */
  readonly faultGlue?: { readonly handler: string; readonly code: string };
  /** Symbol exports the type needs from mm (e.g. filemap_remove_folio for a modular type). */
  readonly exports: readonly {
    readonly file: string;
    readonly symbol: string;
    readonly line: string;
    /** The #include line `file` needs for the macro (e.g. <linux/kvm_types.h> for EXPORT_SYMBOL_FOR_KVM). */
    readonly include?: string;
  }[];
}

export interface KernelArtifacts {
  readonly api: ApiGenerationId;
  /** e.g. kernel/linux-7.1/kvm_gmem_uffd.c: the fragments as one reviewable file. */
  readonly files: readonly EmittedFile[];
  readonly fragments: KernelFragments;
}
