/**
 * The session (src/session): one entry, one gate, stages computed once per API
 * generation, and the C it runs as an input.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { run as gen } from "../../src/cli/commands/gen.js";
import { generateArtifacts } from "../../src/generate/index.js";
import { loweringCount } from "../../src/lower/index.js";
import { buildSeries } from "../../src/series/index.js";
import { GATE, GateClosed, open, openValue } from "../../src/session/index.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";
import { FAKE_SELFTEST, makeFixtureTree } from "../series/fixture.js";

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

function quietIO(): CliIO & { lines: string[] } {
  const lines: string[] = [];
  return { json: true, color: false, lines, out: (t) => lines.push(t), err: (t) => lines.push(t), emitJson: (v) => lines.push(JSON.stringify(v)) };
}

/** How many times lower() runs while `f` does. */
async function lowerings(f: () => Promise<unknown> | unknown): Promise<number> {
  const before = loweringCount();
  await f();
  return loweringCount() - before;
}

describe("nothing lowers twice", () => {
  it("one `gen` run of an example lowers its spec once", async () => {
    // --check against the committed out/: the whole generate step, nothing written.
    const n = await lowerings(() => gen(quietIO(), ["examples/gmem.uffd.ts"], { check: true, out: "out/gmem" }));
    expect(n).toBe(1);
  });

  it("`gen --api` with two generations lowers once per generation", async () => {
    const out = mkdtempSync(join(tmpdir(), "uffdkit-session-"));
    cleanup.push(out);
    const n = await lowerings(() => gen(quietIO(), ["examples/shmem.uffd.ts"], { api: "linux-7.1,peterx-v1", check: true, out }));
    expect(n).toBe(2);
  });

  it("a series run (findings, C, suite, selftests, simulation, the series) lowers once", async () => {
    const tree = makeFixtureTree();
    const out = mkdtempSync(join(tmpdir(), "uffdkit-session-series-"));
    cleanup.push(tree, out);
    const n = await lowerings(async () => {
      const g = openValue(GMEM_SPEC).generation();
      expect(g.stops("series")).toEqual([]);
      void g.simulation;
      const r = await buildSeries(g.lowered, { tree, out, kernel: g.kernel, selftests: [FAKE_SELFTEST], scenarioTitles: g.suite.scenarios.map((s) => s.title), getMaintainer: false });
      if (!r.ok) throw new Error(r.error.message);
    });
    expect(n).toBe(1);
  });

  it("the checklist reuses the run it reports on", async () => {
    const n = await lowerings(() => {
      const g = openValue(GMEM_SPEC).generation();
      generateArtifacts(g);
      void g.checklist;
    });
    expect(n).toBe(1);
  });

  it("stages are kept: asking twice returns the same value", () => {
    const s = openValue(GMEM_SPEC);
    const g = s.generation();
    expect(s.generation()).toBe(g);
    expect(s.generation("linux-7.1+gmem")).toBe(g);
    expect(g.lowered).toBe(g.lowered);
    expect(g.suite).toBe(g.suite);
    expect(s.generation("linux-7.1")).not.toBe(g);
    expect(s.generation("linux-7.1").api).toBe("linux-7.1");
  });
});

describe("the gate", () => {
  it("names every stage once, with its level", () => {
    expect(GATE).toMatchObject({ lowered: "loaded", checklist: "loaded", kernel: "shape", simulation: "shape", exploration: "shape", testRun: "clean", series: "clean" });
  });

  it("a load error closes everything (loadFailed; generation() refuses)", async () => {
    const s = await open("test/fixtures/specs/no-default-export.uffd.ts");
    expect(s.loadFailed).toBe(true);
    expect(s.loadFindings.some((d) => d.severity === "error")).toBe(true);
    expect(() => s.generation()).toThrow(/could not be loaded/);
  });

  it("a spec-shape error (S-rule) stops emission and everything after it, not lowering or the checklist", async () => {
    const s = await open("test/fixtures/specs/bad-ident.uffd.ts");
    expect(s.loadFailed).toBe(false);
    const g = s.generation();
    const stoppers = g.stops("kernel");
    expect(stoppers.length).toBeGreaterThan(0);
    expect(stoppers.every((d) => /^S\d+$/.test(d.id) && d.severity === "error")).toBe(true);
    for (const stage of ["suite", "compiled", "simulation", "exploration", "series", "testRun"] as const) expect(g.stops(stage)).not.toEqual([]);
    expect(g.stops("lowered")).toEqual([]);
    expect(g.stops("checklist")).toEqual([]);
    expect(() => g.kernel).toThrow(GateClosed);
    expect(g.checklist.items.length).toBeGreaterThan(0);
    expect(g.simulationNote).toMatch(/gate/);
  });

  it("a kernel-rule error (R-rule) lets the C be emitted and run, and stops the test verdict and the series", async () => {
    const g = (await open("examples/gmem-v4-posted.uffd.ts")).generation();
    expect(g.findings.some((d) => d.severity === "error" && /^R\d+$/.test(d.id))).toBe(true);
    expect(g.stops("kernel")).toEqual([]);
    expect(g.stops("simulation")).toEqual([]);
    expect(g.stops("testRun").every((d) => d.severity === "error")).toBe(true);
    expect(g.stops("testRun").length).toBeGreaterThan(0);
    expect(g.stops("series")).toEqual(g.stops("testRun"));
    expect(g.simulation.result.results.length).toBeGreaterThan(0);
    expect(() => g.testRun).toThrow(GateClosed);
  });
});

describe("the C the session runs is an input", () => {
  it("by default the emitted C", () => {
    const g = openValue(GMEM_SPEC).generation();
    expect(g.cSource).toMatchObject({ origin: "emitted", path: g.kernel.files[0]!.path, text: g.kernel.files[0]!.contents });
    expect("wasm" in g.compiled).toBe(true);
  });

  it("a developer's file replaces it in the compile, the run and the evidence", () => {
    const emitted = openValue(GMEM_SPEC).generation().kernel.files[0]!.contents;
    const mine = openValue(GMEM_SPEC, { cSource: { kind: "file", path: "virt/kvm/guest_memfd_uffd.c", text: emitted } }).generation();
    expect(mine.cSource.origin).toBe("file");
    expect("wasm" in mine.compiled).toBe(true);
    expect(mine.simulation.evidence.file).toBe("virt/kvm/guest_memfd_uffd.c");

    const broken = openValue(GMEM_SPEC, { cSource: { kind: "file", path: "broken.c", text: "this is not C\n" } }).generation();
    expect("error" in broken.compiled).toBe(true);
    expect(broken.simulation.evidence).toMatchObject({ file: "broken.c", executed: false });
  });
});
