/**
 * `gen --api all` / `--api a,b`: every generation in one run, each apart, every
 * file naming its generation, one manifest for all; and a later one-generation
 * run leaves no file of the others behind (the folder never mixes them).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "../cli-check/built-cli.js";
import { API_GENERATIONS } from "../../src/kernel/generations.js";

const root = join(import.meta.dirname, "../..");
function uffdkit(...args: string[]) {
  return spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), ...args], { cwd: root, encoding: "utf8" });
}
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
}

beforeAll(() => ensureBuiltCli(root));

describe("uffdkit gen, every generation in one run", () => {
  it("--api all writes each generation apart, each file names its generation, the manifest covers them all", () => {
    const out = mkdtempSync(join(tmpdir(), "uffdkit-gen-all-"));
    const r = uffdkit("gen", "examples/xram.uffd.ts", "--api", "all", "-o", out);
    // Some generations have error findings for this spec (exit 1); each still gets its files.
    expect([0, 1], r.stderr).toContain(r.status);
    const files = walk(out).map((f) => relative(out, f));
    const manifest = JSON.parse(readFileSync(join(out, ".uffdkit-manifest.json"), "utf8")) as { files: Record<string, string> };
    expect(Object.keys(manifest.files).sort()).toEqual(files.filter((f) => f !== ".uffdkit-manifest.json").sort());
    // Nothing at the top level that belongs to no generation.
    expect(files.filter((f) => ["findings.txt", "sim.tap", "checklist.md", "scenarios.json"].includes(f))).toEqual([]);
    for (const api of API_GENERATIONS) {
      expect(readFileSync(join(out, `findings.${api}.txt`), "utf8")).toMatch(new RegExp(`^uffdkit check \\(${api.replace(/[.+]/g, "\\$&")}\\)`));
      const tap = readFileSync(join(out, `sim.${api}.tap`), "utf8");
      expect(tap).toContain(`# generation: ${api}\n`);
      expect(readFileSync(join(out, `checklist.${api}.md`), "utf8")).toContain(`# Review checklist: xram (${api})`);
      const scenarios = JSON.parse(readFileSync(join(out, `scenarios.${api}.json`), "utf8")) as { title: string; scenarios: { setup: { declared?: { api: string; c?: { file: string } } } }[] };
      expect(scenarios.title).toContain(`(${api}`);
      const declared = scenarios.scenarios.find((s) => s.setup.declared)!.setup.declared!;
      expect(declared.api).toBe(api);
      // The scenario file's C path resolves from where the scenario file is.
      expect(existsSync(join(out, declared.c!.file))).toBe(true);
      expect(existsSync(join(out, "kernel", api, "xram_uffd.c"))).toBe(true);
      const st = files.filter((f) => f.startsWith(`selftests/${api}/`));
      expect(st.map((f) => f.slice(`selftests/${api}/`.length)).sort()).toEqual([".gitignore", "Makefile", "config", "uffdkit_compat.h", "uffdkit_runtime.h", "xram_uffd_common.h", "xram_uffd_test.c"]);
      // uffdkit_compat.h and uffdkit_runtime.h are the same for every suite and generation.
      for (const f of st.filter((x) => !x.endsWith("uffdkit_compat.h") && !x.endsWith("uffdkit_runtime.h"))) expect(readFileSync(join(out, f), "utf8"), f).toContain(api);
    }
    expect(r.stdout).toContain("4 generations, each apart");

    // A later run for one generation takes the others' files away: no silent mix.
    const one = uffdkit("gen", "examples/xram.uffd.ts", "-o", out);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stderr).toMatch(/removed \(no longer generated\)/);
    const after = walk(out).map((f) => relative(out, f));
    expect(after.filter((f) => /peterx|linux-7\.1(?!\+gmem)/.test(f))).toEqual([]);
    expect(readFileSync(join(out, "selftests/xram_uffd_test.c"), "utf8")).toContain("linux-7.1+gmem");
  });

  it("--api a,b writes the two named; an unknown one is a usage error", () => {
    const out = mkdtempSync(join(tmpdir(), "uffdkit-gen-two-"));
    const r = uffdkit("gen", "examples/shmem.uffd.ts", "--api", "linux-7.1,peterx-v4", "-o", out);
    expect([0, 1], r.stderr).toContain(r.status);
    expect(existsSync(join(out, "selftests/linux-7.1/shmem_uffd_test.c"))).toBe(true);
    expect(existsSync(join(out, "selftests/peterx-v4/shmem_uffd_test.c"))).toBe(true);
    expect(existsSync(join(out, "sim.peterx-v1.tap"))).toBe(false);
    const bad = uffdkit("gen", "examples/shmem.uffd.ts", "--api", "linux-7.1,v9", "-o", out);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown API generation 'v9'");
  });
});
