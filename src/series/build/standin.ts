/**
 * The stand-in for the prerequisite series, for building a series on a base
 * that lacks its API generation (Linux 6.12 lacks all of them).
 *
 * Decision: the build adds it, the series never does. The series is what goes
 * to the list and must apply to a tree that has the prerequisite; the build
 * check, on a base without it, builds every patch of the series on top of
 * these edits instead:
 *
 * - include/linux/mm.h: the generation's hook member in struct
 *   vm_operations_struct (under CONFIG_USERFAULTFD, as upstream has it);
 * - include/linux/uffdkit_api.h: struct vm_uffd_ops of the generation, included
 *   at the end of <linux/userfaultfd_k.h>, which the emitted code includes;
 * - include/linux/export.h: the export macros of later kernels;
 * - include/linux/uffdkit_api_helpers.h: the helper prototypes that differ from
 *   the base, force-included into the type's own object only (a CFLAGS_ line in
 *   its directory's Makefile), so the rest of the base keeps its own.
 *
 * Pure: file contents in, file contents out.
 */
import { apiExportsCompat, apiHeader, apiHelpersHeader } from "../../emit/kernel/shim.js";
import { GENERATIONS, type ApiGenerationId } from "../../kernel/generations.js";
import { changedHelpers } from "../../kernel/helpers.js";
import type { CParser, Node } from "../c-syntax.js";

export const API_HEADER = "include/linux/uffdkit_api.h";
export const API_HELPERS_HEADER = "include/linux/uffdkit_api_helpers.h";

export type ReadFile = (path: string) => string | undefined;

export type StandIn = { ok: true; needed: false } | { ok: true; needed: true; files: Map<string, string> } | { ok: false; message: string };

/** struct vm_operations_struct's member list in <linux/mm.h>. */
function vmOpsStructBody(parser: CParser, mmh: string): Node | undefined {
  const structs = parser.parse(mmh).rootNode.descendantsOfType("struct_specifier");
  return structs.find((s) => s?.childForFieldName("name")?.text === "vm_operations_struct" && s.childForFieldName("body"))?.childForFieldName("body") ?? undefined;
}

/** Does the base already have the generation's hook in vm_operations_struct? */
export function baseHasApi(parser: CParser, api: ApiGenerationId, read: ReadFile): boolean {
  const mmh = read("include/linux/mm.h");
  const body = mmh ? vmOpsStructBody(parser, mmh) : undefined;
  const hook = GENERATIONS[api].hookMember;
  return !!body?.descendantsOfType("field_identifier").some((f) => f?.text === hook);
}

/** Text before the last #endif of a header (its include guard's). */
function beforeLastEndif(text: string, insert: string): string | undefined {
  const at = text.lastIndexOf("\n#endif");
  return at < 0 ? undefined : `${text.slice(0, at + 1)}${insert}\n${text.slice(at + 1)}`;
}

export function standInFiles(parser: CParser, api: ApiGenerationId, typeFile: string, read: ReadFile): StandIn {
  if (baseHasApi(parser, api, read)) return { ok: true, needed: false };
  const gen = GENERATIONS[api];
  const files = new Map<string, string>();

  const mmh = read("include/linux/mm.h");
  const body = mmh ? vmOpsStructBody(parser, mmh) : undefined;
  if (!mmh || !body) return { ok: false, message: "include/linux/mm.h has no struct vm_operations_struct to add the hook member to" };
  const close = body.endIndex - 1;
  const structStart = mmh.lastIndexOf("\n", body.parent!.startIndex) + 1;
  const member = `#ifdef CONFIG_USERFAULTFD\n\t/* uffdkit stand-in for the ${api} prerequisite */\n\tconst struct vm_uffd_ops *${gen.hookMember};\n#endif\n`;
  files.set("include/linux/mm.h", `${mmh.slice(0, structStart)}struct vm_uffd_ops;\n\n${mmh.slice(structStart, close)}${member}${mmh.slice(close)}`);

  const uffdk = read("include/linux/userfaultfd_k.h");
  const withApi = uffdk && beforeLastEndif(uffdk, "#include <linux/uffdkit_api.h>\n");
  if (!withApi) return { ok: false, message: "include/linux/userfaultfd_k.h has no include guard to add the API header in" };
  files.set("include/linux/userfaultfd_k.h", withApi);
  files.set(API_HEADER, apiHeader(api));

  const exporth = read("include/linux/export.h");
  const withExports = exporth && beforeLastEndif(exporth, apiExportsCompat());
  if (!withExports) return { ok: false, message: "include/linux/export.h has no include guard to add the export macros in" };
  files.set("include/linux/export.h", withExports);

  if (changedHelpers(api).length > 0) {
    files.set(API_HELPERS_HEADER, apiHelpersHeader(api));
    const dir = typeFile.slice(0, typeFile.lastIndexOf("/"));
    const stem = typeFile.slice(typeFile.lastIndexOf("/") + 1).replace(/\.c$/, "");
    const makefile = read(`${dir}/Makefile`);
    if (makefile === undefined) return { ok: false, message: `${dir}/Makefile is missing` };
    files.set(`${dir}/Makefile`, `${makefile.replace(/\n*$/, "\n")}CFLAGS_${stem}.o += -include $(srctree)/${API_HELPERS_HEADER}\n`);
  }
  return { ok: true, needed: true, files };
}
