/**
 * The simulator's C toolchain is found by probing, not by
 * Debian's names: fake clang and wasm-ld programs in a folder on PATH show the
 * order (UFFDKIT_CLANG, clang, clang-NN newest first), which candidates are
 * refused and why (no wasm32 target, no wasm-ld), and the fall-back to
 * @yowasp/clang; the real ones compile the same C to modules that behave
 * the same.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clangCandidates, findToolchain, runToolSteps, type CToolchain } from "../../src/run/c/toolchain.js";
import { BUILD_TIMEOUT } from "../build-timeout.js";

const work = mkdtempSync(join(tmpdir(), "uffdkit-toolchain-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fake clang: prints a version, and lists wasm32 among its targets when asked to. */
function fakeClang(dir: string, name: string, opts: { wasm32: boolean }): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\ncase "$1" in\n--version) echo "fake ${name} version 99";;\n--print-targets) echo "  x86-64 - 64-bit X86"; ${opts.wasm32 ? 'echo "  wasm32 - WebAssembly 32-bit"' : ":"};;\nesac\nexit 0\n`);
  chmodSync(p, 0o755);
  return p;
}

function fakeWasmLd(dir: string, name: string): string {
  const p = join(dir, name);
  writeFileSync(p, '#!/bin/sh\necho "LLD 99"\n');
  chmodSync(p, 0o755);
  return p;
}

describe("finding the C toolchain", () => {
  it("candidates: clang first, then clang-NN newest first, each version once", () => {
    const a = join(work, "a");
    const b = join(work, "b");
    fakeClang(a, "clang-14", { wasm32: true });
    fakeClang(a, "clang-18", { wasm32: true });
    fakeClang(b, "clang", { wasm32: true });
    fakeClang(b, "clang-18", { wasm32: true });
    fakeClang(b, "clang-9", { wasm32: true });
    expect(clangCandidates([a, b])).toEqual([join(b, "clang"), join(a, "clang-18"), join(a, "clang-14"), join(b, "clang-9")]);
  });

  it("takes the first clang with the wasm32 target and a wasm-ld; says why the others were refused", () => {
    const d = join(work, "c");
    fakeClang(d, "clang", { wasm32: false }); // like Apple's clang
    fakeClang(d, "clang-19", { wasm32: true }); // no wasm-ld-19 nor wasm-ld
    const p1 = findToolchain({ PATH: d, UFFDKIT_NO_WASM_CLANG: "1" });
    expect(p1.toolchain).toBeUndefined();
    expect(p1.tried).toEqual([expect.stringMatching(/clang \(fake clang version 99\): no wasm32 target$/), expect.stringMatching(/clang-19 \(fake clang-19 version 99\): no wasm-ld beside it/), "@yowasp/clang: turned off (UFFDKIT_NO_WASM_CLANG)"]);
    fakeWasmLd(d, "wasm-ld-19");
    const p2 = findToolchain({ PATH: d });
    expect(p2.toolchain).toEqual({ kind: "system", clang: join(d, "clang-19"), wasmLd: join(d, "wasm-ld-19"), version: "fake clang-19 version 99" });
  });

  it("UFFDKIT_CLANG and UFFDKIT_WASM_LD are taken as given", () => {
    const d = join(work, "e");
    const clang = fakeClang(d, "my-clang", { wasm32: true });
    const ld = fakeWasmLd(d, "my-ld");
    expect(findToolchain({ PATH: "", UFFDKIT_CLANG: clang, UFFDKIT_WASM_LD: ld }).toolchain).toMatchObject({ kind: "system", clang, wasmLd: ld });
  });

  it("no usable clang: @yowasp/clang (installed as the optional dependency)", () => {
    const p = findToolchain({ PATH: join(work, "empty") });
    expect(p.toolchain?.kind).toBe("wasm");
    expect(p.tried[0]).toBe("no clang on PATH");
  });

  it(
    "the system clang and @yowasp/clang compile the same C to modules that compute the same",
    async () => {
      const system = findToolchain(process.env).toolchain;
      const wasm = findToolchain({ ...process.env, UFFDKIT_TOOLCHAIN: "wasm" }).toolchain;
      expect(system?.kind).toBe("system");
      expect(wasm?.kind).toBe("wasm");
      const results: number[] = [];
      for (const t of [system, wasm] as CToolchain[]) {
        const dir = join(work, `build-${t.kind}`);
        mkdirSync(dir);
        writeFileSync(join(dir, "f.c"), '__attribute__((visibility("default"))) int f(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * i; return s; }\n');
        runToolSteps(
          t,
          [
            { tool: "clang", args: ["--target=wasm32", "-O1", "-nostdlib", "-c", join(dir, "f.c"), "-o", join(dir, "f.o")] },
            { tool: "wasm-ld", args: ["--no-entry", "--export-dynamic", "-o", join(dir, "f.wasm"), join(dir, "f.o")] },
          ],
          dir,
          [],
        );
        const { readFileSync } = await import("node:fs");
        const inst = await WebAssembly.instantiate(readFileSync(join(dir, "f.wasm")));
        results.push((inst.instance.exports.f as (x: number) => number)(10));
      }
      expect(results).toEqual([285, 285]);
    },
    BUILD_TIMEOUT,
  );

  it("a compile error from @yowasp/clang names the real file, not the in-memory one", () => {
    const wasm = findToolchain({ ...process.env, UFFDKIT_TOOLCHAIN: "wasm" }).toolchain!;
    const dir = join(work, "bad");
    mkdirSync(dir);
    writeFileSync(join(dir, "bad.c"), "int f(void) { return undeclared; }\n");
    expect(() => runToolSteps(wasm, [{ tool: "clang", args: ["--target=wasm32", "-c", join(dir, "bad.c"), "-o", join(dir, "bad.o")] }], dir, [])).toThrow(
      expect.objectContaining({ tool: "clang", output: expect.stringContaining(`${join(dir, "bad.c")}:1:22: error: use of undeclared identifier 'undeclared'`) }),
    );
  }, BUILD_TIMEOUT);
});
