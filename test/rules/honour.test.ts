/**
 * Every generation honours the spec, or `check` says why it
 * cannot. Each fixture is a spec that used to pass `check` silently while the
 * emitted C or the series did something else; each is now an error finding at
 * the spec field, with file:line:col.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../src/load/index.js";
import { lower } from "../../src/lower/index.js";
import { normalize } from "../../src/model/normalize.js";
import { checkModel } from "../../src/rules/index.js";
import { ensureBuiltCli } from "../cli-check/built-cli.js";
import { GMEM_SPEC } from "../fixtures/gmem-spec.js";
import { lowerOf } from "../fixtures/lower.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (n: string) => join(ROOT, "test/fixtures/specs", `honour-${n}.uffd.ts`);

async function findings(n: string) {
  const r = await loadModel(fixture(n));
  expect(r.fatal).toBe(false);
  return checkModel(lowerOf(r.model!));
}

describe("what a generation or the type's build cannot honour", () => {
  it("peterx-v4, a type inside mm/ with COPY: R60 at the copy entry (the ops would advertise COPY with no callback)", async () => {
    const d = (await findings("v4-mm")).filter((x) => x.id === "R60");
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ severity: "error", path: "ioctls.0", span: { line: 16, column: 12 } });
    expect(d[0]!.message).toMatch(/peterx-v4 has no callback/);
    // The same type on 7.1 has alloc_folio: nothing to say.
    const r = await loadModel(fixture("v4-mm"), { api: "linux-7.1" });
    expect(checkModel(lowerOf(r.model!)).filter((x) => x.id === "R60")).toEqual([]);
  });

  it("linux-7.1+gmem with raise handle_userfault: R61 at fault.raise (the glue was dropped silently)", async () => {
    const d = (await findings("gmem-handle-userfault")).find((x) => x.id === "R61");
    expect(d).toMatchObject({ severity: "error", path: "fault.raise", span: { line: 20 } });
    // What the rule reads: the lowered glue carries no raiser.
    const r = await loadModel(fixture("gmem-handle-userfault"));
    expect(lower(r.model!).glue).not.toBe("raise");
    // On linux-7.1 the type's own handle_userfault() glue is emitted: no finding.
    const v71 = await loadModel(fixture("gmem-handle-userfault"), { api: "linux-7.1" });
    expect(lower(v71.model!).glue).toBe("raise");
    expect(checkModel(lowerOf(v71.model!)).filter((x) => x.id === "R61")).toEqual([]);
  });

  it("EXPORT_SYMBOL_FOR_KVM on a built-in type outside KVM: R62 at copy.export", async () => {
    const d = (await findings("export-builtin")).find((x) => x.id === "R62");
    expect(d).toMatchObject({ severity: "error", path: "copy.export" });
    expect(d!.message).toMatch(/built into the kernel, not KVM/);
  });

  it("R62 also flags any export on a built-in type, and FOR_KVM in a module that is not KVM; guest_memfd's own is clean", () => {
    const r62 = (over: object) => checkModel(lowerOf(normalize({ ...GMEM_SPEC, ...over }))).filter((x) => x.id === "R62");
    expect(r62({})).toEqual([]);
    expect(r62({ modular: false })[0]!.message).toMatch(/built in/);
    expect(r62({ subsystem: "char: xmem", module: "xmem" })[0]!.hint).toMatch(/EXPORT_SYMBOL_FOR_MODULES/);
  });

  it("modular with a bool Kconfig option: R63 at modular; the known kinds' options are defaulted in lower", async () => {
    const d = (await findings("modular-bool")).find((x) => x.id === "R63");
    expect(d).toMatchObject({ severity: "error", path: "modular", span: { line: 13 } });
    expect(d!.message).toMatch(/CONFIG_XMEM is a bool/);
    const shmem = normalize({ ...GMEM_SPEC, file: "mm/shmem.c", subsystem: "mm/shmem", name: "shmem", copy: { alloc: { strategy: "mapping-gfp" } } });
    expect(lower(shmem).kconfig).toMatchObject({ symbol: "SHMEM", type: "bool", defaulted: true });
    expect(checkModel(lowerOf(shmem)).find((x) => x.id === "R63")?.message).toMatch(/CONFIG_SHMEM \(the Kconfig option of mm\/shmem.c\) is a bool/);
    expect(lower(normalize(GMEM_SPEC)).kconfig).toMatchObject({ symbol: "KVM", type: "tristate", also: ["KVM_GUEST_MEMFD"] });
    expect(checkModel(lowerOf(normalize(GMEM_SPEC))).filter((x) => x.id === "R63")).toEqual([]);
  });
});

describe("gen and a failing simulator", () => {
  beforeAll(() => ensureBuiltCli(ROOT));

  it("exits 1 and names the failing scenarios when the simulator fails one", () => {
    // examples/gmem-v4-posted.uffd.ts is the posted v4 13/15 as it was, with its known defect.
    const out = mkdtempSync(join(tmpdir(), "uffdkit-honour-"));
    const r = spawnSync(process.execPath, [join(ROOT, "bin/uffdkit.js"), "gen", join(ROOT, "examples/gmem-v4-posted.uffd.ts"), "-o", out], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/simulator: \d+ scenario\(s\) fail: .*; exit 1/);
  });
});
