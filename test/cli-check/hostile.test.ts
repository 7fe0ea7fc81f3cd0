/**
 * Hostile inputs through the CLI: inputs that used to hang, crash or run code, each
 * now a one-line refusal or a positioned finding with exit 2.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "./built-cli.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "uffdkit.js");
const dir = mkdtempSync(join(tmpdir(), "uffdkit-cli-hostile-"));

/**
 * The attacks here used to hang the CLI (a FIFO, a spec that never finishes
 * loading): this bounds such a hang, not speed (a busy machine is far inside it).
 */
const HANG_BOUND_MS = 10 * 60_000;

function uffdkit(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: HANG_BOUND_MS });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => ensureBuiltCli(ROOT));

describe("check: files that are not specs", () => {
  it("refuses a FIFO at once instead of hanging, with the file position", () => {
    const fifo = join(dir, "fifo.uffd.ts");
    execFileSync("mkfifo", [fifo]);
    const r = uffdkit(["check", fifo, "--json"]);
    expect(r.code).toBe(2);
    const d = JSON.parse(r.stdout).diagnostics[0];
    expect(d.message).toMatch(/not a regular file/);
    expect(d.span).toMatchObject({ file: fifo, line: 1, column: 1 });
  });

  it("refuses /dev/zero instead of reading until killed", () => {
    const r = uffdkit(["check", "/dev/zero"]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/not a regular file/);
  });

  it("prints a positioned S09, not an internal error, for 1,000 nested parentheses", () => {
    const spec = join(dir, "deep.uffd.ts");
    writeFileSync(spec, `export default defineMemoryType({ name: ${"(".repeat(1000)}"x"${")".repeat(1000)} });\n`);
    const r = uffdkit(["check", spec]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/deep\.uffd\.ts:1:\d+: error S09/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe("sim: scenario files", () => {
  it("refuses 200,000 nested brackets before JSON.parse, positioned", () => {
    const f = join(dir, "deep.json");
    writeFileSync(f, "[".repeat(200_000));
    const r = uffdkit(["sim", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deep\.json:1:65: brackets nest deeper than 64 levels/);
  });

  it("refuses a device instead of reading it", () => {
    const r = uffdkit(["sim", "/dev/zero"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a regular file/);
  });
});

describe("series: options that reach git", () => {
  it("refuses a --base that git would read as an option", () => {
    const r = uffdkit(["series", "examples/gmem.uffd.ts", "--tree", dir, "--base=--upload-pack=touch /tmp/pwned"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--base .*not a git revision/);
  });

  it("refuses a reroll count past the series maximum", () => {
    const r = uffdkit(["series", "examples/gmem.uffd.ts", "--tree", dir, "-v", "1e308"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/whole number from 1 to 999/);
  });
});
