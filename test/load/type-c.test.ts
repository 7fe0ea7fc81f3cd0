/**
 * The type C beside a spec (`<spec>.c`) is read for every command, so whatever
 * sits at that path must end as a positioned load finding (file, what, how to
 * fix), never an exception or a hang: a directory, a FIFO, an unreadable or an
 * oversized file.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { typeCBeside } from "../../src/load/type-c.js";
import { open } from "../../src/session/index.js";

const root = mkdtempSync(join(tmpdir(), "uffdkit-typec-"));
let n = 0;

/** A fresh directory holding a copy of a valid example spec; returns the spec path. */
function specDir(): string {
  const dir = join(root, `case${n++}`);
  mkdirSync(dir);
  const spec = join(dir, "gmem.uffd.ts");
  copyFileSync("examples/gmem.uffd.ts", spec);
  return spec;
}

async function expectFinding(spec: string, why: RegExp): Promise<void> {
  const s = await open(spec);
  expect(s.loadFailed).toBe(true);
  expect(s.loadFatal).toBe(true);
  const f = s.loadFindings.find((d) => d.id === "LOAD" && d.severity === "error");
  expect(f?.message).toMatch(/cannot read the type C .*gmem\.uffd\.c/);
  expect(f?.message).toMatch(why);
  expect(f?.span?.file).toBe(spec.replace(/\.ts$/, ".c"));
  expect(f?.span?.line).toBe(1);
  expect(f?.hint).toBeTruthy();
}

describe("the type C beside the spec is read like a spec, never raw", () => {
  it("reads a regular file as the type C", async () => {
    const spec = specDir();
    writeFileSync(spec.replace(/\.ts$/, ".c"), "int x;\n");
    const s = await open(spec);
    expect(s.loadFailed).toBe(false);
    expect(s.options.typeC?.text).toBe("int x;\n");
  });

  it("opens normally when there is none", async () => {
    const s = await open(specDir());
    expect(s.loadFailed).toBe(false);
    expect(s.options.typeC).toBeUndefined();
  });

  it("a directory at <spec>.c is a load finding, not EISDIR", async () => {
    const spec = specDir();
    mkdirSync(spec.replace(/\.ts$/, ".c"));
    await expectFinding(spec, /directory/);
  });

  it("a FIFO at <spec>.c is a load finding, not a hang", async () => {
    const spec = specDir();
    execFileSync("mkfifo", [spec.replace(/\.ts$/, ".c")]);
    await expectFinding(spec, /not a regular file/);
  });

  it("a dangling symlink at <spec>.c is a load finding", async () => {
    const spec = specDir();
    symlinkSync(join(root, "nowhere.c"), spec.replace(/\.ts$/, ".c"));
    await expectFinding(spec, /link to nothing/);
  });

  it("an oversized file is refused with the limit named", () => {
    const spec = specDir();
    writeFileSync(spec.replace(/\.ts$/, ".c"), "/* x */\n".repeat(64));
    const r = typeCBeside(spec, 100);
    expect(r && "finding" in r ? r.finding.message : "").toMatch(/more than the 100-byte limit for a type C file/);
  });

});
