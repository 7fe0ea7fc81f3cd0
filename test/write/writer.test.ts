import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSafeRelativePath } from "../../src/write/plan-writes.js";
import { writeOutput } from "../../src/write/writer.js";
import { MANIFEST_NAME } from "../../src/write/manifest.js";

const fresh = () => mkdtempSync(join(tmpdir(), "uffdkit-write-"));

describe("writeOutput", () => {
  it("creates files and a manifest, then reports them unchanged", () => {
    const dir = fresh();
    const files = [{ path: "a.c", contents: "int a;\n" }, { path: "sub/b.md", contents: "# b\n" }];
    const first = writeOutput(dir, files, { check: false, force: false });
    expect([...first.stale].sort()).toEqual(["a.c", "sub/b.md"]);
    expect(readFileSync(join(dir, "sub/b.md"), "utf8")).toBe("# b\n");
    expect(existsSync(join(dir, MANIFEST_NAME))).toBe(true);
    const second = writeOutput(dir, files, { check: false, force: false });
    expect(second.stale).toEqual([]);
    expect(second.actions.every((a) => a.kind === "unchanged")).toBe(true);
  });

  it("check mode reports stale files and writes nothing", () => {
    const dir = fresh();
    writeOutput(dir, [{ path: "a.c", contents: "old\n" }], { check: false, force: false });
    const r = writeOutput(dir, [{ path: "a.c", contents: "new\n" }, { path: "n.c", contents: "x\n" }], { check: true, force: false });
    expect([...r.stale].sort()).toEqual(["a.c", "n.c"]);
    expect(readFileSync(join(dir, "a.c"), "utf8")).toBe("old\n");
    expect(existsSync(join(dir, "n.c"))).toBe(false);
  });

  it("refuses to overwrite a hand-edited file unless forced, and names it", () => {
    const dir = fresh();
    writeOutput(dir, [{ path: "a.c", contents: "gen1\n" }, { path: "b.c", contents: "b\n" }], { check: false, force: false });
    writeFileSync(join(dir, "a.c"), "my edit\n");
    const r = writeOutput(dir, [{ path: "a.c", contents: "gen2\n" }, { path: "b.c", contents: "b2\n" }], { check: false, force: false });
    expect(r.refused).toEqual([{ path: "a.c", why: "it was changed after uffdkit wrote it" }]);
    // Nothing is written when anything is refused: the user's edit and the rest stay as they were.
    expect(readFileSync(join(dir, "a.c"), "utf8")).toBe("my edit\n");
    expect(readFileSync(join(dir, "b.c"), "utf8")).toBe("b\n");
    const forced = writeOutput(dir, [{ path: "a.c", contents: "gen2\n" }], { check: false, force: true });
    expect(forced.refused).toEqual([]);
    expect(readFileSync(join(dir, "a.c"), "utf8")).toBe("gen2\n");
  });

  it("does not overwrite a file it never wrote", () => {
    const dir = fresh();
    writeFileSync(join(dir, "notes.md"), "mine\n");
    const r = writeOutput(dir, [{ path: "notes.md", contents: "generated\n" }], { check: false, force: false });
    expect(r.refused[0]?.path).toBe("notes.md");
    expect(readFileSync(join(dir, "notes.md"), "utf8")).toBe("mine\n");
  });

  it("removes files it generated before and no longer generates, but keeps edited ones", () => {
    const dir = fresh();
    writeOutput(dir, [{ path: "old.c", contents: "o\n" }, { path: "kept.c", contents: "k\n" }], { check: false, force: false });
    writeFileSync(join(dir, "kept.c"), "edited\n");
    writeOutput(dir, [{ path: "new.c", contents: "n\n" }], { check: false, force: false });
    expect(existsSync(join(dir, "old.c"))).toBe(false);
    expect(readFileSync(join(dir, "kept.c"), "utf8")).toBe("edited\n");
  });

  it("never writes outside the output directory and leaves no temp files", () => {
    const dir = fresh();
    expect(() => writeOutput(dir, [{ path: "../escape.c", contents: "x" }], { check: false, force: false })).toThrow(/outside/);
    expect(() => writeOutput(dir, [{ path: "/etc/passwd", contents: "x" }], { check: false, force: false })).toThrow(/outside/);
    writeOutput(dir, [{ path: "a/b/c.c", contents: "x\n" }], { check: false, force: false });
    expect(readdirSync(join(dir, "a/b")).filter((f) => f.includes("uffdkit-tmp"))).toEqual([]);
  });

  it("classifies paths", () => {
    expect(isSafeRelativePath("kernel/linux-7.1/x.c")).toBe(true);
    expect(isSafeRelativePath("a/../../b")).toBe(false);
    expect(isSafeRelativePath("")).toBe(false);
  });
});

describe("defaultOutDir", () => {
  it("is out/<spec file stem>, so specs of the same type do not collide", async () => {
    const { defaultOutDir } = await import("../../src/write/out-dir.js");
    expect(defaultOutDir("examples/gmem.uffd.ts")).toBe("out/gmem");
    expect(defaultOutDir("/abs/path/gmem-v4-posted.uffd.ts")).toBe("out/gmem-v4-posted");
    expect(defaultOutDir("my.ts")).toBe("out/my");
  });
});
