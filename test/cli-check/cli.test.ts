import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "./built-cli.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "uffdkit.js");

function uffdkit(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function checkJson(file: string, extra: string[] = []) {
  const r = uffdkit(["check", file, "--json", ...extra]);
  return { code: r.code, json: JSON.parse(r.stdout) as { file: string; api: string | null; diagnostics: { id: string; severity: string; span?: { line: number } }[] } };
}
const idsOf = (ds: { id: string; severity: string }[]) => ds.map((d) => `${d.id}:${d.severity}`).sort();

// The CLI tests run dist/: built once, under a lock, only when a source is newer.
beforeAll(() => ensureBuiltCli(ROOT));

describe("uffdkit check: the examples", () => {
  const cases: [string, number, string[]][] = [
    ["gmem.uffd.ts", 0, []],
    ["shmem.uffd.ts", 0, ["R48:warning"]],
    ["hugetlbfs.uffd.ts", 0, []],
    ["gmem-write-continue.uffd.ts", 0, []],
    ["gmem-minor.uffd.ts", 1, ["R35:error", "R36:warning", "R42:error"]],
    ["gmem-missing-minor.uffd.ts", 1, ["R35:error", "R40:error", "R43:error", "R45:warning", "R46:error", "R46:error", "R48:warning"]],
    ["gmem-v4-posted.uffd.ts", 1, ["R39:error", "R47:warning", "R50:info"]],
    ["kvm-userfault-v3.uffd.ts", 1, ["R59:error"]],
    ["kvm-userfault-acquire.uffd.ts", 0, []],
  ];
  for (const [file, code, ids] of cases) {
    it(`${file}: exit ${code}, ${ids.join(" ") || "no findings"}`, () => {
      const r = checkJson(`examples/${file}`);
      expect(r.code).toBe(code);
      expect(idsOf(r.json.diagnostics)).toEqual(ids);
    });
  }
});

describe("uffdkit check: output and exit codes", () => {
  it("--json prints only { file, api, diagnostics } on stdout", () => {
    const r = uffdkit(["check", "examples/gmem-v4-posted.uffd.ts", "--json"]);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(["file", "api", "diagnostics"]);
    expect(json.api).toBe("linux-7.1+gmem");
    const r39 = json.diagnostics.find((d: { id: string }) => d.id === "R39");
    expect(r39).toMatchObject({ severity: "error", path: "guard.at", span: { file: "examples/gmem-v4-posted.uffd.ts" } });
    expect(r39.hint).toBeTruthy();
    expect(r39.predicts).toMatch(/TOCTOU/);
  });

  it("human output: compiler-style line, frame, hint, kernel, summary last; no colour off a TTY", () => {
    const r = uffdkit(["check", "test/fixtures/specs/anon-minor.uffd.ts"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^test\/fixtures\/specs\/anon-minor\.uffd\.ts:10:27: error R12: MINOR on anonymous memory/);
    expect(lines[1]).toBe('  10 |   features: ["missing",   "minor"],');
    expect(lines[2]).toBe("     |                           ^^^^^^^");
    expect(lines[3]).toMatch(/^  hint: /);
    expect(lines[4]).toMatch(/^  kernel: UFFDIO_REGISTER fails with -EINVAL/);
    expect(lines.at(-1)).toBe("test/fixtures/specs/anon-minor.uffd.ts: 1 error, 0 warnings (checked against linux-7.1)");
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it("--api overrides the generation", () => {
    // gmem on linux-7.1: core does not raise the events (R55).
    const r = checkJson("examples/gmem.uffd.ts", ["--api", "linux-7.1"]);
    expect(r.code).toBe(1);
    expect(r.json.api).toBe("linux-7.1");
    expect(idsOf(r.json.diagnostics)).toContain("R55:error");
  });

  it("exits 2 on an unknown --api, with did-you-mean", () => {
    const r = uffdkit(["check", "examples/gmem.uffd.ts", "--api", "linux-7.2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown API generation "linux-7\.2"; did you mean "linux-7\.1"\?/);
  });

  it("exits 2 on load errors: missing file, syntax error, no default export, wrong type", () => {
    for (const f of ["nope.uffd.ts", "syntax-error.uffd.ts.txt", "no-default-export.uffd.ts", "wrong-type.uffd.ts"]) {
      const r = uffdkit(["check", `test/fixtures/specs/${f}`]);
      expect(r.code, f).toBe(2);
      expect(r.stderr + r.stdout, f).not.toMatch(/at .*\.js:\d+/); // no stack trace
    }
    const missing = uffdkit(["check", "test/fixtures/specs/nope.uffd.ts"]);
    expect(missing.stdout).toMatch(/error LOAD: cannot read test\/fixtures\/specs\/nope\.uffd\.ts: no such file/);
  });

  it("exits 1 on spec findings: unknown field, unknown value, bad C identifier", () => {
    expect(checkJson("test/fixtures/specs/unknown-field.uffd.ts").code).toBe(1);
    const values = checkJson("test/fixtures/specs/unknown-value.uffd.ts");
    expect(values.code).toBe(1);
    expect(idsOf(values.json.diagnostics)).toEqual(["S02:error", "S02:error"]);
    expect(idsOf(checkJson("test/fixtures/specs/bad-ident.uffd.ts").json.diagnostics)).toEqual(["S03:error", "S03:error"]);
  });

  it("keeps stdout pure JSON when a computed spec logs while it runs (--allow-exec)", () => {
    const r = uffdkit(["check", "test/fixtures/specs/computed-logs.uffd.ts", "--json", "--allow-exec"]);
    expect(r.code).toBe(0);
    const diags = JSON.parse(r.stdout).diagnostics as { id: string; message: string }[];
    expect(diags.map((d) => d.id)).toEqual(["LOAD"]);
    // The child's output is reported inside the note, never on our stdout.
    expect(diags[0]!.message).toContain("computing the spec");
  });

  it("checks a computed spec by executing it through the built package, only with --allow-exec", () => {
    const r = checkJson("test/fixtures/specs/computed.uffd.ts", ["--allow-exec"]);
    expect(r.code).toBe(1);
    expect(idsOf(r.json.diagnostics)).toEqual(["LOAD:info", "R12:error"]);
  });

  it("does not execute a computed spec by default: S07 at the construct, exit 2", () => {
    const r = checkJson("test/fixtures/specs/computed.uffd.ts");
    expect(r.code).toBe(2);
    expect(idsOf(r.json.diagnostics)).toEqual(["S07:error"]);
    expect(r.json.diagnostics[0]!.span?.line).toBe(18);
  });

  it("with --allow-exec, a spec's process.exit(0) is a finding (exit 2), not a silent success", () => {
    const r = uffdkit(["check", "test/fixtures/specs/process-exit.uffd.ts", "--json", "--allow-exec"]);
    expect(r.code).toBe(2);
    const diags = JSON.parse(r.stdout).diagnostics as { id: string; message: string }[];
    expect(diags.map((d) => d.id)).toEqual(["LOAD"]);
    expect(diags[0]!.message).toMatch(/exited \(code 0\) while it was loaded/);
  });

  it("exits 2 with a finding on a spec that calls process.exit(0) at the top level, running nothing", () => {
    const r = checkJson("test/fixtures/specs/process-exit.uffd.ts");
    expect(r.code).toBe(2);
    expect(idsOf(r.json.diagnostics)).toEqual(["S07:error"]);
    expect(r.json.diagnostics[0]!.span?.line).toBe(4);
  });
});

describe("uffdkit explain", () => {
  it("prints a rule's entry", () => {
    const r = uffdkit(["explain", "R12"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^R12  MINOR is refused on anonymous memory/);
    for (const label of ["severity:", "applies to:", "condition:", "kernel:", "check:", "fix:", "source:"]) expect(r.stdout).toContain(label);
    expect(r.stdout).toMatch(/anon_can_userfault\(\) \(7\.1\) \[C\]/);
  });

  it("prints non-judgeable rules too, and says so", () => {
    const r = uffdkit(["explain", "r24"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not judgeable from a declaration/);
  });

  it("exits 2 on an unknown rule, with did-you-mean", () => {
    const r = uffdkit(["explain", "R012"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown rule "R012"; did you mean R12\?/);
  });

  it("--json prints the entry with resolved citations", () => {
    const r = uffdkit(["explain", "R39", "--json"]);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ id: "R39", severity: "error", kind: "kernel", judgeable: true, checklist: [1] });
    expect(json.sources[0]).toMatchObject({ key: "seanV4", confidence: "C" });
  });
});

describe("uffdkit init", () => {
  it("writes a starter spec that passes check", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-init-"));
    const r = uffdkit(["init", "my_mem"], dir);
    expect(r.code).toBe(0);
    const file = join(dir, "my_mem.uffd.ts");
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/import \{ defineMemoryType \} from "uffdkit";/);
    expect(text).toMatch(/name: "my_mem"/);
    const c = uffdkit(["check", file, "--json"]);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).diagnostics).toEqual([]);
  });

  it("refuses to overwrite without --force, and overwrites with it", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-init-"));
    const file = join(dir, "mine.uffd.ts");
    writeFileSync(file, "// my work\n");
    const r = uffdkit(["init", "mine"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists; pass --force/);
    expect(readFileSync(file, "utf8")).toBe("// my work\n");
    expect(uffdkit(["init", "mine", "--force"], dir).code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/defineMemoryType/);
  });

  it("refuses a NAME that is not a C identifier", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-init-"));
    const r = uffdkit(["init", "my-mem"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a C identifier/);
    expect(existsSync(join(dir, "my-mem.uffd.ts"))).toBe(false);
  });
});
