/**
 * `uffdkit sim` end to end (needs a build: npx tsc -p tsconfig.build.json).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "../cli-check/built-cli.js";

const root = new URL("../../", import.meta.url).pathname;
const bin = join(root, "bin/uffdkit.js");
const dir = mkdtempSync(join(tmpdir(), "uffdkit-sim-"));

function sim(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, "sim", ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function file(name: string, data: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof data === "string" ? data : JSON.stringify(data));
  return p;
}

const example = () => JSON.parse(/```json\n([\s\S]*?)```/.exec(readFileSync(join(root, "docs/scenario-format.md"), "utf8"))![1]!);

beforeAll(() => ensureBuiltCli(root));

describe("uffdkit sim", () => {
  it("runs a suite file (what gen writes as scenarios.json): one TAP line per scenario", () => {
    const one = example();
    const two = { ...example(), name: "second_copy" };
    const r = sim(file("suite.json", { name: "mine", title: "two scenarios", scenarios: [one, two] }));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^1\.\.2$/m);
    expect(r.out).toContain(`ok 1 ${one.name}`);
    expect(r.out).toContain("ok 2 second_copy");
  });
  it("a suite with one bad scenario names its index and runs nothing", () => {
    const bad = { ...example(), steps: [{ op: "teleport" }] };
    const r = sim(file("badsuite.json", { name: "mine", title: "t", scenarios: [example(), bad] }));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\$\.scenarios\[1\]\.steps\[0\]/);
    expect(r.out).toBe("");
  });
  it("runs the committed out/gmem/scenarios.json on the 7.1+gmem model: every scenario passes", () => {
    const r = sim(join(root, "out/gmem/scenarios.json"), "--kernel-version", "7.1+gmem");
    expect(r.code, r.out.split("\n").filter((l) => l.startsWith("not ok")).join("\n")).toBe(0);
    expect(r.out).not.toMatch(/^not ok/m);
    // The scenario file has the callbacks' C, not the type's: its guard ran as a stand-in, and sim says so.
    expect(r.err).toMatch(/stand-ins answered from the scenario, not C: .*kvm_gmem_is_shared_mem\(\)/);
  });
  it("runs the documented example: TAP, exit 0", () => {
    expect(existsSync(join(root, "dist/cli/commands/sim.js"))).toBe(true);
    const r = sim(file("ok.json", example()));
    expect(r.code).toBe(0);
    expect(r.out).toContain("# step 3 event: pagefault page=1 flags=0 thread=worker");
    expect(r.out).toContain("ok 1 shmem_missing_copy");
  });
  it("a failing expectation exits 1 and says what was expected", () => {
    const s = example();
    s.steps[5].expect.value = 1;
    const r = sim(file("fail.json", s));
    expect(r.code).toBe(1);
    expect(r.out).toContain("# step 5 wait: done value=0x5a (expected done value=0x01)");
    expect(r.out).toMatch(/^not ok 1 shmem_missing_copy/m);
  });
  it("--json prints only JSON with per-step results", () => {
    const r = sim(file("ok2.json", example()), "--json");
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(true);
    expect(j.result.steps).toHaveLength(8);
    expect(j.result.steps[4].observed).toBe("ok copy=4096");
  });
  it("--kernel-version selects the modelled kernel", () => {
    const s = { name: "g", title: "t", setup: { kind: "guest_memfd", pages: 1, map: "shared", gmemFlags: ["mmap", "init_shared"] }, steps: [{ op: "api" }, { op: "register", page: 0, modes: ["missing"] }] };
    const p = file("gmem.json", s);
    expect(sim(p).code).toBe(1);
    expect(sim(p, "--kernel-version", "7.1+gmem").code).toBe(0);
    expect(sim(p, "--kernel-version", "5.0").code).toBe(2);
  });
  it("bad files exit 2 with the JSON path, never a stack trace", () => {
    for (const [name, content, want] of [
      ["notjson.json", "{", /not valid JSON/],
      ["schema.json", { name: "x", title: "t", setup: { kind: "anon", pages: 1, map: "private" }, steps: [{ op: "copy", page: 0, src: { byte: 1 }, expect: { result: "EEXISTS" } }] }, /\$\.steps\[0\]\.expect\.result: .*did you mean "EEXIST"/],
      ["setup.json", { name: "x", title: "t", setup: { kind: "anon", pages: 1, map: "private", alias: true }, steps: [] }, /setup\.alias needs shared file-backed memory/],
    ] as const) {
      const r = sim(file(name, content));
      expect(r.code, name).toBe(2);
      expect(r.err).toMatch(want);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect(sim(join(dir, "missing.json")).err).toMatch(/no such file/);
  });
});
