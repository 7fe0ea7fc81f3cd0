/**
 * `uffdkit init NAME` without --kind asks, on a terminal, what kind of type it is.
 * These tests drive the real CLI under a pseudo-terminal (util-linux `script`),
 * answering each prompt when it appears, so stdin is a TTY exactly as for a person:
 * each answer writes its starter (which passes `check`), a wrong answer asks again,
 * and giving up, Ctrl+C or Ctrl+D end with one line, never a stack trace.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { INIT_KINDS, starterSpec } from "../../src/cli/commands/init-starters.js";
import { ensureBuiltCli } from "./built-cli.js";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/uffdkit.js");
const PROMPT = "kind [1]: ";
/** A kill bound for the child only (a hung prompt must not hang the suite); no assertion is on time. */
const KILL_AFTER_MS = 180_000;

beforeAll(() => ensureBuiltCli(ROOT));

const sh = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

interface PtyRun {
  status: number | null;
  /** What the terminal showed (prompts, echo, stdout and stderr of init). */
  screen: string;
  prompts: number;
}

/**
 * Run `uffdkit init my_mem` under a pty in `dir`. Each time a new prompt appears, the
 * next answer is typed (all of them at once when `typeAhead`). An answer is raw
 * terminal input: "2\n", "\u0003" (Ctrl+C), "\u0004" (Ctrl+D).
 */
function initUnderPty(dir: string, answers: readonly string[], typeAhead = false): Promise<PtyRun> {
  const cmd = `${sh(process.execPath)} ${sh(BIN)} init my_mem`;
  // The typescript file goes to the test's own directory, never to a device node.
  const child = spawn("script", ["-qfec", cmd, join(dir, "typescript.log")], { cwd: dir, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, TERM: "dumb" } });
  let screen = "";
  let typed = 0;
  if (typeAhead) {
    child.stdin.write(answers.join(""));
    typed = answers.length;
  }
  const onOutput = (d: Buffer) => {
    screen += d.toString("utf8");
    const prompts = screen.split(PROMPT).length - 1;
    if (prompts > typed && typed < answers.length) child.stdin.write(answers[typed++]);
  };
  child.stdout.on("data", onOutput);
  child.stderr.on("data", onOutput);
  const kill = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
  return new Promise((resolve) => {
    child.on("close", (status) => {
      clearTimeout(kill);
      resolve({ status, screen, prompts: screen.split(PROMPT).length - 1 });
    });
  });
}

const fresh = () => mkdtempSync(join(tmpdir(), "uffdkit-init-tty-"));
const noCrash = (screen: string) => {
  expect(screen).not.toMatch(/internal error/);
  expect(screen).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
};

describe("uffdkit init on a terminal", () => {
  it.each(INIT_KINDS.map((k, i) => [k, i + 1] as const))("answer %s (%i) writes that starter, which passes check", async (kind, n) => {
    const dir = fresh();
    const r = await initUnderPty(dir, [`${n}\n`]);
    expect(r.status, r.screen).toBe(0);
    // It asked (stdin was a terminal), once, and listed every kind.
    expect(r.screen).toContain("What kind of memory type is it?");
    expect(r.screen).not.toContain("no --kind given");
    expect(r.prompts).toBe(1);
    for (const k of INIT_KINDS) expect(r.screen).toContain(`) ${k}: `);
    expect(r.screen).toContain(`wrote my_mem.uffd.ts (${kind}: `);
    expect(readFileSync(join(dir, "my_mem.uffd.ts"), "utf8")).toBe(starterSpec("my_mem", kind));
    const check = spawnSync(process.execPath, [BIN, "check", "my_mem.uffd.ts", "--json"], { cwd: dir, encoding: "utf8" });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(JSON.parse(check.stdout).diagnostics).toEqual([]);
  });

  it("takes the kind's name in any case, and Enter alone for the first kind", async () => {
    const named = fresh();
    const byName = await initUnderPty(named, ["Guest_MemFD\n"]);
    expect(byName.status, byName.screen).toBe(0);
    expect(readFileSync(join(named, "my_mem.uffd.ts"), "utf8")).toBe(starterSpec("my_mem", "guest_memfd"));
    const enter = fresh();
    const byEnter = await initUnderPty(enter, ["\n"]);
    expect(byEnter.status, byEnter.screen).toBe(0);
    expect(readFileSync(join(enter, "my_mem.uffd.ts"), "utf8")).toBe(starterSpec("my_mem", "chardev"));
  });

  it("a wrong answer says what is accepted and asks again", async () => {
    const dir = fresh();
    const r = await initUnderPty(dir, ["block\n", "5\n", "2\n"]);
    expect(r.status, r.screen).toBe(0);
    expect(r.prompts).toBe(3);
    expect(r.screen).toContain(`"block" is not a kind: answer 1-4, or one of chardev, syscall, filesystem, guest_memfd`);
    expect(r.screen).toContain(`"5" is not a kind`);
    noCrash(r.screen);
    expect(readFileSync(join(dir, "my_mem.uffd.ts"), "utf8")).toBe(starterSpec("my_mem", "syscall"));
  });

  it("answers typed ahead of the prompt are not lost", async () => {
    const dir = fresh();
    const r = await initUnderPty(dir, ["bad\n", "3\n"], true);
    expect(r.status, r.screen).toBe(0);
    expect(r.screen).toContain(`"bad" is not a kind`);
    expect(readFileSync(join(dir, "my_mem.uffd.ts"), "utf8")).toBe(starterSpec("my_mem", "filesystem"));
  });

  it("three wrong answers end with one clear line, exit 2, and nothing written", async () => {
    const dir = fresh();
    const r = await initUnderPty(dir, ["a\n", "b\n", "c\n", "1\n"]);
    expect(r.status, r.screen).toBe(2);
    expect(r.prompts).toBe(3);
    expect(r.screen).toMatch(/uffdkit init: no kind chosen after 3 answers; nothing written \(answer 1-4, or pass --kind chardev\|syscall\|filesystem\|guest_memfd\)/);
    noCrash(r.screen);
    expect(existsSync(join(dir, "my_mem.uffd.ts"))).toBe(false);
  });

  it.each([
    ["Ctrl+C", "\u0003", "interrupted (Ctrl+C)"],
    ["Ctrl+D", "\u0004", "end of input (Ctrl+D)"],
  ])("%s at the prompt: one clear line, exit 2, nothing written", async (_name, key, said) => {
    const dir = fresh();
    const r = await initUnderPty(dir, [key]);
    expect(r.status, r.screen).toBe(2);
    expect(r.screen).toContain(`uffdkit init: no kind chosen: ${said}; nothing written`);
    noCrash(r.screen);
    expect(existsSync(join(dir, "my_mem.uffd.ts"))).toBe(false);
  });
});
