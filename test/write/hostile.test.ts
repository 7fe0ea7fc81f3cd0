/**
 * The writer against a hostile output folder: out/ and its manifest are often
 * committed, so a checkout can plant symbolic links, a forged manifest, stray
 * temp files or a lock. Each test plants one attack and shows the
 * writer refuses it or cleans it up, and that nothing outside changes.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultOutDir, defaultOutDirProblem } from "../../src/write/out-dir.js";
import { formatManifest, LOCK_NAME, MANIFEST_NAME, PENDING_NAME, sha256 } from "../../src/write/manifest.js";
import { writeOutput, WriteRefused } from "../../src/write/writer.js";

const fresh = (tag = "out") => mkdtempSync(join(tmpdir(), `uffdkit-hostile-${tag}-`));
const write = (dir: string, files: { path: string; contents: string }[], force = false) => writeOutput(dir, files, { check: false, force });

/** A folder outside the output folder with one file whose contents must survive. */
function victim(): { dir: string; file: string } {
  const dir = fresh("victim");
  const file = join(dir, "victim.c");
  writeFileSync(file, "precious\n");
  return { dir, file };
}

describe("writer: symbolic links it did not create", () => {
  it("is not fooled by a link planted at the old predictable temp name", () => {
    const out = fresh();
    const v = victim();
    symlinkSync(v.file, join(out, `a.c.uffdkit-tmp-${process.pid}`));
    write(out, [{ path: "a.c", contents: "generated\n" }]);
    expect(readFileSync(v.file, "utf8")).toBe("precious\n");
    expect(readFileSync(join(out, "a.c"), "utf8")).toBe("generated\n");
    // The planted link matches the temp pattern and is swept away (the link, not its target).
    expect(existsSync(join(out, `a.c.uffdkit-tmp-${process.pid}`))).toBe(false);
    expect(existsSync(v.file)).toBe(true);
  });

  it("refuses a symlinked output subfolder and names it", () => {
    const out = fresh();
    const v = victim();
    symlinkSync(v.dir, join(out, "kernel"));
    expect(() => write(out, [{ path: "kernel/x.c", contents: "generated\n" }])).toThrow(WriteRefused);
    expect(() => write(out, [{ path: "kernel/x.c", contents: "generated\n" }])).toThrow(/kernel is a symbolic link/);
    expect(readdirSync(v.dir)).toEqual(["victim.c"]);
    expect(existsSync(join(out, MANIFEST_NAME))).toBe(false);
  });

  it("refuses a symlinked output file and names it, also in --check mode", () => {
    const out = fresh();
    const v = victim();
    symlinkSync(v.file, join(out, "a.c"));
    expect(() => write(out, [{ path: "a.c", contents: "generated\n" }], true)).toThrow(/a\.c is a symbolic link/);
    expect(() => writeOutput(out, [{ path: "a.c", contents: "generated\n" }], { check: true, force: false })).toThrow(/symbolic link/);
    expect(readFileSync(v.file, "utf8")).toBe("precious\n");
  });

  it("refuses an output folder that is itself a link", () => {
    const v = victim();
    const parent = fresh();
    symlinkSync(v.dir, join(parent, "gmem"));
    expect(() => write(join(parent, "gmem"), [{ path: "a.c", contents: "x\n" }])).toThrow(/is a symbolic link/);
    expect(readdirSync(v.dir)).toEqual(["victim.c"]);
  });

  it("refuses a link between the base folder and the output folder (a committed out -> elsewhere)", () => {
    const cwd = fresh();
    const v = victim();
    symlinkSync(v.dir, join(cwd, "out"));
    expect(() => writeOutput(join(cwd, "out", "gmem"), [{ path: "a.c", contents: "x\n" }], { check: false, force: false, base: cwd })).toThrow(/out is a symbolic link/);
    expect(readdirSync(v.dir)).toEqual(["victim.c"]);
  });

  it("never deletes through a manifest entry under a symlinked folder", () => {
    const out = fresh();
    const v = victim();
    symlinkSync(v.dir, join(out, "sub"));
    // A forged manifest: "sub/victim.c" with the victim's own hash, so it looks generated and stale.
    writeFileSync(join(out, MANIFEST_NAME), formatManifest({ "sub/victim.c": sha256("precious\n") }));
    write(out, [{ path: "a.c", contents: "generated\n" }]);
    expect(readFileSync(v.file, "utf8")).toBe("precious\n");
  });

  it("ignores manifest entries named like prototype members or with malformed hashes", () => {
    const out = fresh();
    writeFileSync(join(out, MANIFEST_NAME), JSON.stringify({ generator: "uffdkit", files: { constructor: "x", "__proto__": "y", "../up.c": sha256("z") } }));
    writeFileSync(join(out, "constructor"), "hand\n");
    const r = write(out, [{ path: "constructor", contents: "generated\n" }]);
    expect(r.refused).toEqual([{ path: "constructor", why: "it exists but uffdkit did not write it" }]);
  });
});

describe("writer: a run as a whole", () => {
  it("removes temp files an interrupted run left, and completes it without calling its files hand edits", () => {
    const out = fresh();
    write(out, [{ path: "a.c", contents: "v1\n" }, { path: "k/b.c", contents: "b1\n" }]);
    // Simulate a run of v2 killed after writing a.c: its journal, a.c new, b.c old, stray temp files.
    writeFileSync(join(out, PENDING_NAME), formatManifest({ "a.c": sha256("v2\n"), "k/b.c": sha256("b2\n") }));
    writeFileSync(join(out, "a.c"), "v2\n");
    writeFileSync(join(out, "k", ".b.c.uffdkit-tmp-0123456789abcdef"), "half");
    writeFileSync(join(out, "a.c.uffdkit-tmp-4242"), "half");
    const r = write(out, [{ path: "a.c", contents: "v2\n" }, { path: "k/b.c", contents: "b2\n" }]);
    expect(r.refused).toEqual([]);
    expect(readFileSync(join(out, "k/b.c"), "utf8")).toBe("b2\n");
    expect(existsSync(join(out, PENDING_NAME))).toBe(false);
    const everywhere = [...readdirSync(out), ...readdirSync(join(out, "k"))];
    expect(everywhere.filter((f) => f.includes("uffdkit-tmp"))).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, MANIFEST_NAME), "utf8")).files["k/b.c"]).toBe(sha256("b2\n"));
  });

  it("commits the manifest last: after a run, no journal and no lock remain", () => {
    const out = fresh();
    write(out, [{ path: "a.c", contents: "x\n" }]);
    expect(readdirSync(out).sort()).toEqual([MANIFEST_NAME, "a.c"].sort());
  });
});

describe("writer: concurrency and clear refusals", () => {
  it("refuses while another live process holds the lock, and says who", async () => {
    const out = fresh();
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"], { stdio: "ignore" });
    try {
      writeFileSync(join(out, LOCK_NAME), `${holder.pid}\n`);
      expect(() => write(out, [{ path: "a.c", contents: "x\n" }])).toThrow(new RegExp(`another uffdkit gen \\(pid ${holder.pid}\\)`));
      expect(existsSync(join(out, "a.c"))).toBe(false);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("takes over a stale lock whose process is gone", () => {
    const out = fresh();
    writeFileSync(join(out, LOCK_NAME), "2147483646\n");
    write(out, [{ path: "a.c", contents: "x\n" }]);
    expect(readFileSync(join(out, "a.c"), "utf8")).toBe("x\n");
    expect(existsSync(join(out, LOCK_NAME))).toBe(false);
  });

  it("says clearly that -o names an existing file", () => {
    const parent = fresh();
    const file = join(parent, "notadir");
    writeFileSync(file, "mine\n");
    expect(() => write(file, [{ path: "a.c", contents: "x\n" }])).toThrow(/exists and is not a folder/);
    expect(() => write(join(file, "below"), [{ path: "a.c", contents: "x\n" }])).toThrow(/a file is in the way/);
    expect(readFileSync(file, "utf8")).toBe("mine\n");
  });

  it("refuses a file where a generated folder should be", () => {
    const out = fresh();
    writeFileSync(join(out, "kernel"), "a file\n");
    expect(() => write(out, [{ path: "kernel/x.c", contents: "x\n" }])).toThrow(WriteRefused);
    expect(() => write(out, [{ path: "kernel/x.c", contents: "x\n" }])).toThrow(/kernel.* is not a regular file|kernel is in the way/);
    expect(readFileSync(join(out, "kernel"), "utf8")).toBe("a file\n");
  });
});

describe("defaultOutDir: always a real subfolder of out/", () => {
  it("refuses stems that are not plain folder names, and never yields out/..", () => {
    for (const name of ["...uffd.ts", "..uffd.ts", ".uffd.ts", "x/.uffd.ts", "a b.uffd.ts", ".hidden.uffd.ts", "a\nb.uffd.ts"]) {
      expect(defaultOutDirProblem(name), name).toBeDefined();
      const dir = defaultOutDir(name);
      expect(dir.split("/").slice(1).every((seg) => seg !== ".." && seg !== "." && seg !== "")).toBe(true);
    }
    expect(defaultOutDirProblem("examples/gmem-v4-posted.uffd.ts")).toBeUndefined();
    expect(defaultOutDir("examples/gmem-v4-posted.uffd.ts")).toBe("out/gmem-v4-posted");
  });
});
