import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuiltCli } from "./built-cli.js";

const root = join(import.meta.dirname, "../..");
const check = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin/uffdkit.js"), "check", ...args], { cwd: root, encoding: "utf8" });

beforeAll(() => ensureBuiltCli(root));

describe("uffdkit check --type-check", () => {
  it("reports the compiler's error at the field, with a TS id, and exits 1", () => {
    const r = check("test/fixtures/specs/type-error.uffd.ts", "--type-check", "--json");
    expect(r.status).toBe(1);
    const ts = JSON.parse(r.stdout).diagnostics.filter((d: { id: string }) => d.id.startsWith("TS"));
    expect(ts).toHaveLength(1);
    expect(ts[0].id).toBe("TS2322");
    expect(ts[0].message).toMatch(/"minro"/);
    expect(ts[0].span).toMatchObject({ line: 10, column: 3 });
  });

  it("finds nothing in a correct example, and is not run without the flag", () => {
    const ok = check("examples/gmem.uffd.ts", "--type-check", "--json");
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).diagnostics).toEqual([]);
    const plain = check("test/fixtures/specs/type-error.uffd.ts", "--json");
    expect(JSON.parse(plain.stdout).diagnostics.some((d: { id: string }) => d.id.startsWith("TS"))).toBe(false);
  });
});
