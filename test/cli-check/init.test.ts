/**
 * `init` writes a starter shaped like the kind of type
 * (--kind, or a question on a terminal), and each starter passes `check`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { INIT_KINDS, starterSpec } from "../../src/cli/commands/init-starters.js";
import { parseKindAnswer } from "../../src/cli/commands/init.js";
import { ensureBuiltCli } from "./built-cli.js";

const ROOT = join(import.meta.dirname, "../..");
const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [join(ROOT, "bin/uffdkit.js"), ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

beforeAll(() => ensureBuiltCli(ROOT));

describe("uffdkit init --kind", () => {
  it.each(INIT_KINDS)("%s: a starter that fits its kind and passes check", (kind) => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-init-kind-"));
    const r = cli(["init", "my_mem", "--kind", kind], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`(${kind}: `);
    const c = cli(["check", "my_mem.uffd.ts", "--json"], dir);
    expect(c.status, c.stdout).toBe(0);
    expect(JSON.parse(c.stdout).diagnostics).toEqual([]);
  });

  it("each starter is shaped like its kind, not like guest_memfd", () => {
    const text = Object.fromEntries(INIT_KINDS.map((k) => [k, starterSpec("my_mem", k)]));
    expect(text.chardev).toMatch(/object: \{ kind: "chardev", path: "\/dev\/my_mem" \}/);
    expect(text.syscall).toMatch(/object: \{ kind: "syscall", syscall: "my_mem_create"/);
    expect(text.filesystem).toMatch(/object: \{ kind: "file", dir: "\/mnt\/my_mem" \}/);
    expect(text.guest_memfd).toMatch(/kernelKind: "guest_memfd"/);
    // Only guest_memfd has per-page shared state to guard.
    for (const k of ["chardev", "syscall", "filesystem"] as const) expect(text[k]).not.toMatch(/guard:|kvm_gmem/);
    expect(text.guest_memfd).toMatch(/guard: \{ shared: "kvm_gmem_is_shared_mem"/);
    // The build: a driver or filesystem module exports to itself; an mm/ type is built in, with a bool option.
    expect(text.chardev).toMatch(/kconfig: \{ symbol: "MY_MEM", type: "tristate" \}/);
    expect(text.syscall).toMatch(/kconfig: \{ symbol: "MY_MEM", type: "bool" \}/);
    expect(text.syscall).not.toMatch(/modular|export:/);
  });

  it("without --kind and without a terminal: the chardev starter, saying so; an unknown kind is a usage error", () => {
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-init-kind-"));
    const r = cli(["init", "my_mem"], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/no --kind given; writing the chardev starter \(kinds: chardev, syscall, filesystem, guest_memfd\)/);
    expect(readFileSync(join(dir, "my_mem.uffd.ts"), "utf8")).toMatch(/kind: "chardev"/);
    const bad = cli(["init", "other", "--kind", "block"], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--kind must be one of chardev, syscall, filesystem, guest_memfd \(got "block"\)/);
  });

  it("an answer at the prompt: 1-4, a kind's name in any case, or Enter for chardev; anything else is no answer", () => {
    expect(INIT_KINDS.map((_, i) => parseKindAnswer(String(i + 1)))).toEqual([...INIT_KINDS]);
    expect(parseKindAnswer("")).toBe("chardev");
    expect(parseKindAnswer("  ")).toBe("chardev");
    expect(parseKindAnswer(" Syscall ")).toBe("syscall");
    for (const bad of ["0", "5", "1.5", "-1", "01x", "block", "guest memfd", "chardev,syscall"]) expect(parseKindAnswer(bad), bad).toBeUndefined();
  });
});
