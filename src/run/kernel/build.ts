/**
 * Emit a suite's selftest C and compile it with gcc against the kselftest
 * harness of the 6.12 source tree, caching the binary by content hash.
 */
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { emitSelftests } from "../../emit/selftest/index.js";
import type { EmittedFile } from "../../emit/kernel/artifacts.js";
import type { Suite } from "../../ir/scenario.js";
import { cacheDir } from "../cache-dir.js";

const run = promisify(execFile);

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
export const DEFAULT_CACHE = cacheDir("selftest", REPO_ROOT);

/** The kselftest include directory, or the reason it is not available. */
export function kselftestIncludes(): { ok: true; dir: string; ksrc: string } | { ok: false; reason: string } {
  let ksrc: string;
  try {
    ksrc = execFileSync(join(REPO_ROOT, "scripts", "kernel-src.sh"), ["extract"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (e) {
    const msg = (e as { stderr?: Buffer | string }).stderr?.toString().trim() || String(e);
    return { ok: false, reason: `kernel source tree unavailable (scripts/kernel-src.sh extract: ${msg})` };
  }
  const dir = join(ksrc, "tools", "testing", "selftests");
  if (!existsSync(join(dir, "kselftest_harness.h"))) return { ok: false, reason: `${dir}/kselftest_harness.h not found` };
  return { ok: true, dir, ksrc };
}

export function gccArgs(includeDir: string, src: string, out: string): string[] {
  return ["-Wall", "-Werror", "-O2", "-I", includeDir, "-o", out, src, "-lpthread"];
}

export interface BuiltSuite {
  readonly ok: boolean;
  readonly dir: string;
  readonly binary: string;
  readonly files: readonly EmittedFile[];
  readonly cached: boolean;
  /** gcc's output, or why the build could not run. */
  readonly log: string;
  readonly command: string;
}

export function suiteFileName(suite: Suite): string {
  return suite.name.replace(/[^A-Za-z0-9_]/g, "_").replace(/^([0-9])/, "_$1") || "suite";
}

export async function buildSuite(suite: Suite, opts: { workdir?: string; blockMs?: number; waitMs?: number; eventMs?: number } = {}): Promise<BuiltSuite> {
  const name = suiteFileName(suite);
  const files = emitSelftests(suite, { name, ...(opts.blockMs ? { blockMs: opts.blockMs } : {}), ...(opts.waitMs ? { waitMs: opts.waitMs } : {}), ...(opts.eventMs ? { eventMs: opts.eventMs } : {}) });
  const inc = kselftestIncludes();
  const hash = createHash("sha256");
  for (const f of files) hash.update(f.path).update("\0").update(f.contents).update("\0");
  hash.update(inc.ok ? inc.dir : "");
  const dir = join(opts.workdir ?? DEFAULT_CACHE, `${name}-${hash.digest("hex").slice(0, 16)}`);
  const binary = join(dir, `${name}_uffd_test`);
  const src = join(dir, `${name}_uffd_test.c`);
  const command = inc.ok ? ["gcc", ...gccArgs(inc.dir, src, binary)].join(" ") : "";
  if (!inc.ok) return { ok: false, dir, binary, files, cached: false, log: inc.reason, command };
  if (existsSync(binary)) return { ok: true, dir, binary, files, cached: true, log: "", command };
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.path), f.contents);
  const tmp = `${binary}.tmp${process.pid}`;
  try {
    const r = await run("gcc", gccArgs(inc.dir, src, tmp), { cwd: dir });
    renameSync(tmp, binary);
    return { ok: true, dir, binary, files, cached: false, log: r.stderr, command };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { ok: false, dir, binary, files, cached: false, log: err.stderr || err.message, command };
  }
}
