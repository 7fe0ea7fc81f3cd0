/**
 * R64: the lock order guard.recheck implies is checked
 * against the fault path's (mmap_lock → invalidate_lock → folio lock): a
 * positioned finding when a spec inverts it, or when the re-check has no
 * place; nothing on examples/gmem.uffd.ts.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { normalize } from "../../src/model/normalize.js";
import { checkModel } from "../../src/rules/index.js";
import type { MemoryTypeSpec } from "../../src/spec/types.js";
import { open } from "../../src/session/index.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";
import { lowerOf } from "../fixtures/lower.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const withRecheck = (order?: "lock-then-add" | "add-then-lock", over: Partial<MemoryTypeSpec["guard"]> = {}): MemoryTypeSpec => ({
  ...GMEM_SPEC,
  guard: { ...GMEM_SPEC.guard!, ...over, recheck: { at: "filemap_add", lock: "invalidate_lock", ...(order ? { order } : {}) } },
});
const r60 = (spec: MemoryTypeSpec) => checkModel(lowerOf(normalize(spec))).filter((d) => d.id === "R64");

describe("R64: the invalidate lock in the fault path's order", () => {
  it("is silent on the fault path's order (explicit or default) and without guard.recheck", () => {
    expect(r60(withRecheck("lock-then-add"))).toEqual([]);
    expect(r60(withRecheck())).toEqual([]);
    expect(r60(GMEM_SPEC)).toEqual([]);
  });

  it("fires on the inverted order, at guard.recheck.order, as an error", () => {
    const [d] = r60(withRecheck("add-then-lock"));
    expect(d).toMatchObject({ severity: "error", path: "guard.recheck.order" });
    expect(d!.message).toMatch(/after filemap_add_folio\(\) has locked the folio/);
  });

  it("fires when the re-check has no place (an inode-wide guard)", () => {
    const [d] = r60(withRecheck("lock-then-add", { granularity: "inode" }));
    expect(d).toMatchObject({ path: "guard.recheck" });
    expect(d!.message).toMatch(/no place/);
  });

  it("points at the spec's line and column (the inverted fixture), and gmem.uffd.ts has no findings", async () => {
    const bad = (await open(join(ROOT, "test/fixtures/specs/gmem-recheck-inverted.uffd.ts"))).generation();
    const d = bad.findings.find((x) => x.id === "R64");
    expect(d?.span).toMatchObject({ line: 40, column: 67 });
    const good = (await open(join(ROOT, "examples/gmem.uffd.ts"))).generation();
    expect(good.findings).toEqual([]);
  });

  it("uffdkit check prints it file:line:col and exits 1", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin/uffdkit.js"), "check", "test/fixtures/specs/gmem-recheck-inverted.uffd.ts"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/gmem-recheck-inverted\.uffd\.ts:\d+:\d+: error R64:/);
  });
});
