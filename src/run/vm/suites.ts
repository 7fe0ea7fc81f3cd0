/**
 * The selftest binaries a guest runs: each suite's emitted C compiled like
 * the host runner's (src/run/kernel/build.ts) but linked -static, since the
 * initramfs has no libc. Cached by content hash.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { emitSelftests, type SelftestOptions } from "../../emit/selftest/index.js";
import type { Suite } from "../../ir/scenario.js";
import { REPO_ROOT, gccArgs, kselftestIncludes, suiteFileName } from "../kernel/build.js";

const run = promisify(execFile);

export const STATIC_CACHE = join(REPO_ROOT, ".cache", "selftest-static");

export type Timing = Required<Pick<SelftestOptions, "blockMs" | "waitMs" | "eventMs">>;

export interface StaticBuild {
  readonly ok: boolean;
  readonly name: string;
  readonly binary: string;
  readonly log: string;
}

export async function buildStatic(suite: Suite, name: string, timing: Timing, cache = STATIC_CACHE): Promise<StaticBuild> {
  const files = emitSelftests(suite, { name, ...timing });
  const inc = kselftestIncludes();
  const hash = createHash("sha256").update("static\0");
  for (const f of files) hash.update(f.path).update("\0").update(f.contents).update("\0");
  hash.update(inc.ok ? inc.dir : "");
  const dir = join(cache, `${name}-${hash.digest("hex").slice(0, 16)}`);
  const binary = join(dir, `${name}_uffd_test`);
  if (!inc.ok) return { ok: false, name, binary, log: inc.reason };
  if (existsSync(binary)) return { ok: true, name, binary, log: "" };
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.path), f.contents);
  const tmp = `${binary}.tmp${process.pid}`;
  try {
    const args = gccArgs(inc.dir, join(dir, `${name}_uffd_test.c`), tmp);
    const r = await run("gcc", ["-static", ...args], { cwd: dir, maxBuffer: 16 << 20 });
    renameSync(tmp, binary);
    return { ok: true, name, binary, log: r.stderr };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { ok: false, name, binary, log: err.stderr || err.message };
  }
}

/** Distinct file names for a list of suites (suffix _2, _3 on a repeat). */
export function binaryNames(suites: readonly Suite[]): string[] {
  const seen = new Map<string, number>();
  return suites.map((s) => {
    const base = suiteFileName(s);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  });
}
