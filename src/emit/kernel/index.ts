/**
 * Kernel C for one memory type and one API generation of struct vm_uffd_ops.
 * Pure: returns contents, writes nothing. Facts (members, contracts, core's use
 * of each callback) come from src/kernel (generations.ts, sources.ts), each
 * with its kernel file, commit or lore link.
 */
import type { ApiGenerationId } from "../../kernel/generations.js";
import { kernelFilePath, type Lowered } from "../../lower/index.js";
import type { KernelArtifacts, KernelFragments } from "./artifacts.js";
import { tidyC } from "./format.js";
import { render } from "./templates.js";
import { buildView, type KernelView } from "./view.js";

export { KernelEmitError } from "./view.js";
export { buildView } from "./view.js";

/** A filesystem-safe spelling of an API generation id ("linux-7.1+gmem" → "linux-7_1_gmem"). */
export function apiSlug(api: ApiGenerationId): string {
  return api.replace(/[^A-Za-z0-9-]/g, "_");
}

/** Wrap free text as a C block comment at 80 columns. */
export function commentBlock(text: string): string {
  const words = text.replace(/\*\//g, "* /").split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    if (cur && ` * ${cur} ${w}`.length > 78) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  if (lines.length === 1 && lines[0]!.length <= 70) return `/* ${lines[0]} */`;
  return ["/*", ...lines.map((l) => ` * ${l}`), " */"].join("\n");
}

function asCommentLines(code: string): string {
  return code
    .split("\n")
    .map((l) => (l === "" ? " *" : l.startsWith("\t") ? ` *${l}` : ` *\t${l}`))
    .join("\n");
}

function hookFor(v: KernelView): string {
  // Anonymous memory: core mm picks the ops for any anonymous VMA; there is no hook.
  if (!v.vmOps) return "";
  return ["#ifdef CONFIG_USERFAULTFD", `\t.${v.hookMember} = &${v.opsName},`, "#endif"].join("\n");
}

function glueCallFor(v: KernelView): string | undefined {
  if (!v.glue) return undefined;
  return [`\tvm_fault_t uffd_ret = ${v.glue.fn}(vmf);`, "", "\tif (uffd_ret)", "\t\treturn uffd_ret;"].join("\n");
}

/** The callbacks + ops struct fragment, as `uffdkit series` splices it. */
export function renderOps(v: KernelView): string {
  const notesBlock = v.notes.map((n) => commentBlock(`uffdkit: ${n}`)).join("\n");
  return tidyC(render(`kernel/${v.api}/ops.c`, { ...v, notesBlock }));
}

/** The kernel C for the lowering's generation (its model and api are the lowering's). */
export function emitKernel(lowered: Lowered): KernelArtifacts {
  const { model, api } = lowered;
  const v = buildView(lowered);
  const ops = renderOps(v);
  const hook = hookFor(v);
  const glueCode = glueCallFor(v);
  const fragments: KernelFragments = {
    includes: v.includes,
    ops,
    hook,
    ...(v.glue && glueCode ? { faultGlue: { handler: v.glue.handler, code: glueCode } } : {}),
    exports: v.exports,
  };
  const file = tidyC(
    render("kernel/file.c", {
      name: v.name,
      api: v.api,
      opsType: v.opsType,
      opsName: v.opsName,
      vmOps: v.vmOps,
      targetFile: model.targetFile,
      includes: v.includes,
      ops: ops.trimEnd(),
      hookComment: asCommentLines(hook),
      glue: v.glue ? { handler: v.glue.handler } : false,
      glueComment: glueCode ? asCommentLines(glueCode) : "",
      exports: v.exports,
    }),
  );
  return {
    api,
    files: [{ path: kernelFilePath(model.name, api), contents: file }],
    fragments,
  };
}

