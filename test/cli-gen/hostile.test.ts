/**
 * End to end: `gen` on hostile specs and a hostile output folder. Attacks
 * that reach the CLI are replayed with the CLI.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "../cli-check/built-cli.js";

const root = join(import.meta.dirname, "../..");
/**
 * A hostile spec or output folder used to hang `gen`: this bounds such a hang,
 * not speed (a busy machine is far inside it).
 */
const HANG_BOUND_MS = 10 * 60_000;
function uffdkit(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: HANG_BOUND_MS });
}
const tmp = () => mkdtempSync(join(tmpdir(), "uffdkit-gen-hostile-"));
const gmem = readFileSync(join(root, "examples/gmem.uffd.ts"), "utf8");

/** Every file under a folder, recursively, with its text. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(p, readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

beforeAll(() => ensureBuiltCli(root));

describe("gen: hostile specs", () => {
  it("refuses a `file` that would inject an #include, writes nothing, and the finding is positioned", () => {
    const dir = tmp();
    const spec = join(dir, "evil.uffd.ts");
    writeFileSync(spec, gmem.replace(/file: "[^"]*"/, `file: ${JSON.stringify('virt/kvm/x.c */\n#include "evil.h"\n/* ')}`));
    const r = uffdkit(dir, "gen", spec, "--json");
    expect(r.status).not.toBe(0);
    const json = JSON.parse(r.stdout) as { diagnostics: { id: string; span?: { line: number } }[] };
    expect(json.diagnostics.map((d) => d.id)).toContain("S06");
    expect(json.diagnostics.find((d) => d.id === "S06")!.span!.line).toBeGreaterThan(1);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("gives `...uffd.ts` a clear refusal, not out/.. as its output folder", () => {
    const dir = tmp();
    writeFileSync(join(dir, "...uffd.ts"), gmem);
    const r = uffdkit(dir, "gen", "...uffd.ts");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no default output folder/);
    expect(readdirSync(dir)).toEqual(["...uffd.ts"]);
  });

  it("check on a top-level process.exit(0) spec exits 2 with a finding; gen writes nothing", () => {
    const dir = tmp();
    writeFileSync(join(dir, "quiet.uffd.ts"), gmem.replace("export default", "process.exit(0);\nexport default"));
    const check = uffdkit(dir, "check", "quiet.uffd.ts");
    expect(check.status).toBe(2);
    expect(check.stdout).toMatch(/S07: the spec is not static: a top-level call to `process\.exit`/);
    const gen = uffdkit(dir, "gen", "quiet.uffd.ts");
    expect(gen.status).toBe(2);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});

describe("gen: hostile output folders", () => {
  it("refuses a symlinked output subfolder, names it, and writes nothing outside", () => {
    const dir = tmp();
    const victim = tmp();
    mkdirSync(join(dir, "o"));
    symlinkSync(victim, join(dir, "o", "kernel"));
    const r = uffdkit(root, "gen", "examples/gmem.uffd.ts", "-o", join(dir, "o"));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/kernel is a symbolic link/);
    expect(readdirSync(victim)).toEqual([]);
  });

  it("says clearly that -o names an existing file (no raw EEXIST)", () => {
    const dir = tmp();
    writeFileSync(join(dir, "f"), "mine\n");
    const r = uffdkit(root, "gen", "examples/gmem.uffd.ts", "-o", join(dir, "f"));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/exists and is not a folder/);
    expect(r.stderr).not.toMatch(/EEXIST/);
  });

  it("a full run leaves the generated files, the manifest, and nothing else of its own", () => {
    const out = tmp();
    expect(uffdkit(root, "gen", "examples/shmem.uffd.ts", "-o", out).status).toBe(0);
    const names = [...tree(out).keys()].map((p) => p.slice(out.length + 1));
    expect(names.filter((n) => /uffdkit-(tmp|pending|lock)/.test(n))).toEqual([]);
    expect(names).toContain(".uffdkit-manifest.json");
  });
});
