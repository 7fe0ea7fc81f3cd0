/**
 * The package is the product: `npm pack` of the repository,
 * installed into a new project in a temporary folder outside the repository,
 * runs every user command on a spec written there by `init`. Twice: with the
 * system clang, and with no clang on PATH, where the simulator's C goes
 * through @yowasp/clang (LLVM in WebAssembly, the optional dependency).
 *
 * The project sees only the tarball and the npm registry (or npm's cache):
 * its own node_modules, its own cache folder (XDG_CACHE_HOME), a working
 * directory outside the repository.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";

const ROOT = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "uffdkit-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * What a user runs, in order, on the spec `init` wrote. Each: the arguments
 * after the spec's name, and the exit codes that mean the command did its job
 * (explore, checklist and verify may report the starter type's violations with
 * 1; that is a report, not a crash, which is exit 2 with "internal error").
 */
const COMMANDS: { args: (spec: string) => string[]; ok: number[] }[] = [
  { args: (s) => ["check", s], ok: [0] },
  { args: (s) => ["gen", s], ok: [0] },
  { args: (s) => ["test", s, "--sim"], ok: [0] },
  { args: (s) => ["explore", s], ok: [0, 1] },
  // The checklist exits 1 when an item failed verification (the starter type has such items).
  { args: (s) => ["checklist", s], ok: [0, 1] },
  // verify on the C gen just wrote: 1 when exploration or a scenario refutes it, never 2 (a usage or load error).
  { args: (s) => ["verify", s, "--c", "out/my_mem/kernel/linux-7.1+gmem/my_mem_uffd.c"], ok: [0, 1] },
];

let tarball = "";
let project = "";

beforeAll(() => {
  // dist/ is built by the test run's pretest; pack must not rebuild it under other test files.
  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], { cwd: ROOT, encoding: "utf8" }).trim().split("\n").pop()!;
  tarball = join(work, packed);
  project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-memory-type", version: "1.0.0", private: true }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball], { cwd: project, encoding: "utf8" });
}, BUILD_TIMEOUT);

/** A PATH with node and nothing else: no clang, no wasm-ld, no ccache. */
function pathWithoutClang(): string {
  const bin = join(work, "bin-node-only");
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
  }
  return bin;
}

function uffdkit(dir: string, env: NodeJS.ProcessEnv, args: string[]) {
  const bin = join(project, "node_modules", "uffdkit", "bin", "uffdkit.js");
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", env: { ...env, NO_COLOR: "1" } });
}

describe("npm pack, installed into an empty project", () => {
  it("ships the contract model's headers, the templates, the schema and the built CLI; not the tests", () => {
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    for (const f of ["package/kmodel/include/uffdkit/kmodel.h", "package/schema/scenario.schema.json", "package/templates/kernel/file.c.hbs", "package/dist/cli/main.js", "package/dist/run/c/wasm-clang.js", "package/bin/uffdkit.js", "package/scripts/kernel-series-build.sh"]) {
      expect(listing, f).toContain(f);
    }
    expect(listing.filter((f) => f.startsWith("package/test/") || f.startsWith("package/.cache/"))).toEqual([]);
  });

  it.each([
    { toolchain: "system", path: () => process.env.PATH ?? "" },
    { toolchain: "wasm", path: pathWithoutClang },
  ])("init, check, gen, test --sim, explore, checklist, verify with the $toolchain toolchain", ({ toolchain, path }) => {
    const dir = join(work, `user-${toolchain}`);
    mkdirSync(dir);
    const cache = join(work, `cache-${toolchain}`);
    const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: path(), XDG_CACHE_HOME: cache };
    const init = uffdkit(dir, env, ["init", "my_mem"]);
    expect(init.status, init.stderr).toBe(0);
    expect(existsSync(join(dir, "my_mem.uffd.ts"))).toBe(true);

    const doctor = uffdkit(dir, env, ["doctor", "--json"]);
    expect(doctor.status, doctor.stderr).toBe(0);
    expect((JSON.parse(doctor.stdout) as { toolchain: { kind: string } }).toolchain.kind).toBe(toolchain);

    for (const c of COMMANDS) {
      const args = c.args("my_mem.uffd.ts");
      const r = uffdkit(dir, env, args);
      expect(c.ok, `uffdkit ${args.join(" ")} exited ${r.status}:\n${r.stderr}\n${r.stdout.slice(-2000)}`).toContain(r.status);
      expect(r.stderr).not.toMatch(/internal error|ENOENT/);
      expect(r.stdout.trim().length, `uffdkit ${args.join(" ")} printed nothing`).toBeGreaterThan(0);
    }
    // gen wrote the kernel C and the simulator's verdicts, compiled by this toolchain into the user's cache.
    const tap = readFileSync(join(dir, "out", "my_mem", "sim.tap"), "utf8");
    expect(tap).toMatch(/^ok \d+ /m);
    expect(tap).not.toMatch(/^not ok /m);
    expect(readdirSync(join(cache, "uffdkit", "cwasm")).filter((f) => f.endsWith(".wasm")).length).toBeGreaterThan(0);
  }, BUILD_TIMEOUT);

  it("a file missing from the installed package is a clear error, not an internal one", () => {
    const dir = join(work, "user-broken");
    mkdirSync(dir);
    const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: process.env.PATH, XDG_CACHE_HOME: join(work, "cache-broken") };
    expect(uffdkit(dir, env, ["init", "my_mem"]).status).toBe(0);
    const header = join(project, "node_modules", "uffdkit", "kmodel", "include", "uffdkit", "kmodel.h");
    const saved = readFileSync(header);
    rmSync(header);
    try {
      const r = uffdkit(dir, env, ["gen", "my_mem.uffd.ts"]);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stderr + r.stdout).toMatch(/package is incomplete: .*kmodel\.h is missing/);
    } finally {
      writeFileSync(header, saved);
    }
  }, BUILD_TIMEOUT);
});
