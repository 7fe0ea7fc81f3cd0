/**
 * The upstream examples' emitted C, held to what upstream merged or posted:
 * per callback, the calls in order and the returns (src/kernel/upstream.ts,
 * each fact citing its source). Facts, not kernel text.
 */
import { describe, expect, it } from "vitest";
import { UPSTREAM } from "../../src/kernel/upstream.js";
import { SOURCES } from "../../src/kernel/sources.js";
import { open } from "../../src/session/index.js";

const NOT_CALLS = new Set(["if", "for", "while", "return", "sizeof", "unlikely", "likely", "IS_ERR", "IS_ERR_OR_NULL", "PTR_ERR", "ERR_PTR", "DIV_ROUND_UP", "BIT", "file_inode", "linear_page_index", "mapping_gfp_mask", "uffd_flags_mode_is", "userfaultfd_armed", "userfaultfd_missing", "userfaultfd_minor", "vma_pages", "xa_is_value", "folio_size"]);

/** Function bodies of the file, by name. */
function functions(c: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^[a-z][^\n;]*?\b([a-z_][a-z0-9_]*)\(([^)]*\)?[^{;]*)\n\{\n([\s\S]*?)\n\}$/gm;
  // The first definition: a !CONFIG_USERFAULTFD stub of the same name comes later.
  for (const m of c.matchAll(re)) if (!out.has(m[1]!)) out.set(m[1]!, m[3]!);
  return out;
}

/** The calls a function makes, in order, with the file's own static functions expanded in place. */
function callsOf(fns: Map<string, string>, name: string, depth = 0): string[] {
  const body = fns.get(name) ?? "";
  const out: string[] = [];
  for (const m of body.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    const callee = m[1]!;
    if (NOT_CALLS.has(callee)) continue;
    if (fns.has(callee) && depth < 2) out.push(...callsOf(fns, callee, depth + 1));
    else out.push(callee);
  }
  return out;
}

function isSubsequence(want: readonly string[], got: readonly string[]): boolean {
  let k = 0;
  for (const g of got) if (k < want.length && g === want[k]) k++;
  return k === want.length;
}

describe("upstream examples reproduce what upstream merged, callback by callback", () => {
  for (const type of UPSTREAM) {
    describe(type.example, async () => {
      const g = (await open(type.example)).generation(type.api);
      const model = g.model;
      const c = g.kernel.files[0]!.contents;
      const fns = functions(c);
      const ops = new Map([...c.matchAll(/^\t\.([a-z_]+)\s*= ([a-z_][a-z0-9_]*|[^,]+),$/gm)].map((m) => [m[1]!, m[2]!]));

      it("passes check (no error findings) and compiles against the contract model", () => {
        expect(g.findings.filter((d) => d.severity === "error")).toEqual([]);
        expect("wasm" in g.compiled).toBe(true);
      });
      it(`defines exactly upstream's members: ${type.members.join(", ")}`, () => {
        expect([...ops.keys()].sort()).toEqual([...type.members].sort());
      });
      it("runs on the simulator with every branch of the C executed and no contract broken", () => {
        expect(g.simulation.result.results.filter((r) => r.verdict !== "pass" && r.verdict !== "lacks").map((r) => `${r.scenario}: ${r.reason}`)).toEqual([]);
        expect(g.simulation.coverage!.missed).toEqual([]);
        expect(g.simulation.contractFindings).toEqual([]);
      });
      for (const cb of type.callbacks) {
        it(`${cb.member} (${cb.upstreamFn}): ${cb.calls.join(" → ") || "no calls"}${cb.differs ? " [deliberately different: see differs]" : ""}`, () => {
          expect(SOURCES[cb.source], `source ${cb.source}`).toBeDefined();
          let body: string;
          let calls: string[];
          if (cb.member === "export") {
            body = c;
            calls = [...c.matchAll(/(EXPORT_SYMBOL[A-Z_]*)\(/g)].map((m) => m[1]!);
          } else {
            const fn = cb.member === "fault" ? model.cnames.faultGlue : ops.get(cb.member);
            expect(fn, `${cb.member} is in the ops struct`).toBeDefined();
            body = fns.get(fn!) ?? "";
            expect(body, `${fn} is defined`).not.toBe("");
            calls = callsOf(fns, fn!);
          }
          expect(isSubsequence(cb.calls, calls), `${cb.member}: want ${cb.calls.join(", ")} in order; the C calls ${calls.join(", ")}`).toBe(true);
          for (const r of cb.returns ?? []) expect(body, `${cb.member} returns/uses ${r}`).toContain(r);
        });
      }
    });
  }
});
