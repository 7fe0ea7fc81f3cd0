/**
 * Which C the evidence rests on: the files compiled (path and content hash),
 * which of the spec's type functions ran as C and which were stand-ins, and
 * what compiling found (a callee the contract model lacks, R66).
 */
import { createHash } from "node:crypto";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { CSource } from "../../ir/c-source.js";
import type { CRunEvidence } from "../../ir/result.js";
import type { CompiledType, UnknownCallee } from "./compile.js";

/** The C compiled for the simulator, or why not (and the callees it lacks). */
export type CompiledOrError = CompiledType | { readonly error: string; readonly unknown?: readonly UnknownCallee[] };

/** sha256 of a text, first 16 hex digits: enough to tell two versions of a file apart. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** Which C the evidence rests on, and which type functions ran as C or as stand-ins. */
export function cProvenanceOf(
  typeFunctions: readonly { readonly name: string; readonly role: string }[],
  compiled: CompiledOrError,
  callbacks: CSource,
  typeC: CSource | undefined,
): Pick<CRunEvidence, "typeFunctions" | "sources"> {
  const defines = "wasm" in compiled ? (compiled.typeC?.defines ?? []) : [];
  // A type C that did not compile was given but could not run: its stand-ins name it, so no report says "not given".
  const notCompiled = "error" in compiled && typeC ? { file: typeC.path } : {};
  const fns = typeFunctions.map((t) =>
    defines.includes(t.name) && typeC ? { name: t.name, role: t.role, ran: "c" as const, file: typeC.path } : { name: t.name, role: t.role, ran: "stand-in" as const, ...notCompiled },
  );
  const sources: NonNullable<CRunEvidence["sources"]>[number][] = [{ path: callbacks.path, sha256: contentHash(callbacks.text), what: "callbacks" }];
  if (typeC) sources.push({ path: typeC.path, sha256: contentHash(typeC.text), what: "type" });
  return { typeFunctions: fns, sources };
}

/** One line per type function: C or stand-in (sim.tap, gen's summary, verify). */
export function typeFunctionLines(e: Pick<CRunEvidence, "typeFunctions">): string[] {
  return (e.typeFunctions ?? []).map((t) => {
    const what = `type function ${t.name}() (${t.role})`;
    if (t.ran === "c") return `${what}: its C ran (${t.file})`;
    if (t.file) return `${what}: the type C (${t.file}) did not compile, so a stand-in answered from the scenario ran instead; not verified`;
    return `${what}: a stand-in answered from the scenario; its C was not given, so it is not verified`;
  });
}

/**
 * What compiling found that the spec's rules cannot: a callee the contract
 * model lacks (R66), positioned at the call; anything else the compiler
 * refused (CC), at its first error.
 */
export function cDiagnosticsOf(compiled: CompiledOrError): Diagnostic[] {
  if (!("error" in compiled)) return [];
  const unknown = compiled.unknown ?? [];
  if (unknown.length === 0) {
    const first = /^(.+?):(\d+):(\d+): error: (.*)$/m.exec(compiled.error);
    return [
      {
        id: "CC",
        severity: "error",
        message: `the C does not compile against uffdkit's contract model (kmodel/include): ${first ? first[4] : compiled.error.split("\n")[0]}`,
        ...(first ? { span: { file: first[1]!, line: Number(first[2]), column: Number(first[3]), endLine: Number(first[2]), endColumn: Number(first[3]) + 1 } } : {}),
        hint: "nothing of this C ran in the simulator; fix the C, or give the type's functions as C the model can compile (a file beside the spec)",
      },
    ];
  }
  return unknown.map((u) => ({
    id: "R66",
    severity: "error" as const,
    message: `${u.name}() is called but uffdkit's contract model has no ${u.name}(): nothing on this path can run in the simulator`,
    ...(u.file && u.line ? { span: { file: u.file, line: u.line, column: u.column ?? 1, endLine: u.line, endColumn: (u.column ?? 1) + u.name.length } } : {}),
    hint: `declare ${u.name} in the spec as one of the type's functions, give its C in the type's own file, or call a helper kmodel/include declares`,
  }));
}
