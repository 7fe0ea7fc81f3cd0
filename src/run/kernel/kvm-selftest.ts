/**
 * Build an emitted guest_memfd selftest the way tools/testing/selftests/kvm
 * builds its own tests: that directory's Makefile, its CFLAGS and its kvm_util
 * library (LIBKVM), against the uapi headers of the same tree (`make headers`).
 * The source tree is only read: headers, LIBKVM objects and the test go to a
 * cache folder (OUTPUT=, O=); the test's own files stay where they were
 * emitted, reached through the Makefile's -I$(<D).
 *
 * One make at a time per cache folder (flock on <cache>/.lock): the headers,
 * LIBKVM's objects and the output folder are shared by every build, so two
 * test files (or a slow build and the next case) never run make in them at
 * once. The headers are made once, marked done by a stamp written last.
 * Compiles go through ccache where it is installed (UFFDKIT_CCACHE=0: not).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { delimiter } from "node:path";
import { join } from "node:path";
import { promisify } from "node:util";
import type { EmittedFile } from "../../emit/kernel/artifacts.js";
import { cacheDir } from "../cache-dir.js";
import { REPO_ROOT, kselftestIncludes } from "./build.js";

const run = promisify(execFile);

export const KVM_CACHE = cacheDir("kvm-selftest", REPO_ROOT);

/**
 * Appended to the directory's Makefile (make -f Makefile -f this): one more
 * program, from UK_DIR, built and linked like the directory's own tests.
 */
const EXTRA_MK = `# uffdkit: one test from UK_DIR, built like the directory's own tests.
$(OUTPUT)/$(UK_PROG).o: $(UK_DIR)/$(UK_PROG).c $(GEN_HDRS)
\t$(CC) $(CFLAGS) $(CPPFLAGS) $(TARGET_ARCH) -c $< -o $@
$(OUTPUT)/$(UK_PROG): $(OUTPUT)/$(UK_PROG).o $(LIBKVM_OBJS)
\t$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(TARGET_ARCH) $< $(LIBKVM_OBJS) $(LDLIBS) -o $@
`;

export interface KvmBuild {
  readonly ok: boolean;
  readonly binary: string;
  /** make's output, or why the build could not run. */
  readonly log: string;
  readonly ms: number;
}

/** make, holding the cache folder's lock (flock(1) waits; the kernel drops the lock if we die). */
function lockedMake(cache: string, args: readonly string[]) {
  return run("flock", [join(cache, ".lock"), "make", ...ccacheArgs(), ...args], { maxBuffer: 16 << 20 });
}

/** CC through ccache where it is on PATH (the user's tool; never required). */
function ccacheArgs(): string[] {
  if (process.env.UFFDKIT_CCACHE === "0") return [];
  const found = (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, "ccache")));
  return found ? ["CC=ccache gcc"] : [];
}

/** `make headers` of the tree into the cache, once (a stamp marks it complete). */
async function treeHeaders(ksrc: string, cache: string): Promise<string> {
  const obj = join(cache, "obj");
  const inc = join(obj, "usr", "include");
  const stamp = join(obj, ".uffdkit-headers-done");
  if (!existsSync(stamp)) {
    mkdirSync(obj, { recursive: true });
    // Under the lock, a second builder finds the stamp and makes nothing.
    await run("flock", [join(cache, ".lock"), "sh", "-c", 'test -f "$1" || { make -s -C "$2" O="$3" headers && touch "$1"; }', "sh", stamp, ksrc, obj], { maxBuffer: 16 << 20 });
  }
  return inc;
}

/**
 * Write `files` to `dir` and build `<prog>` (its .c among them) in the tree's
 * tools/testing/selftests/kvm. `dir` must be absolute.
 */
export async function buildInKvmSelftests(files: readonly EmittedFile[], prog: string, dir: string, cache = KVM_CACHE): Promise<KvmBuild> {
  const t0 = Date.now();
  const inc = kselftestIncludes();
  const binary = join(cache, "kvm", prog);
  if (!inc.ok) return { ok: false, binary, log: inc.reason, ms: 0 };
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.path), f.contents);
  mkdirSync(cache, { recursive: true });
  const mk = join(cache, "uffdkit.mk");
  // Replaced whole (rename), never truncated under a make that is reading it.
  writeFileSync(`${mk}.${process.pid}`, EXTRA_MK);
  renameSync(`${mk}.${process.pid}`, mk);
  try {
    const hdr = await treeHeaders(inc.ksrc, cache);
    const args = [
      "-s",
      "-j2",
      "-C",
      join(inc.ksrc, "tools", "testing", "selftests", "kvm"),
      "-f",
      "Makefile",
      "-f",
      mk,
      `OUTPUT=${join(cache, "kvm")}`,
      `INSTALL_HDR_PATH=${join(hdr, "..")}`,
      `KHDR_INCLUDES=-isystem ${hdr}`,
      `UK_DIR=${dir}`,
      `UK_PROG=${prog}`,
      binary,
    ];
    const r = await lockedMake(cache, args);
    return { ok: true, binary, log: r.stdout + r.stderr, ms: Date.now() - t0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, binary, log: `${err.stdout ?? ""}${err.stderr ?? err.message}`, ms: Date.now() - t0 };
  }
}
