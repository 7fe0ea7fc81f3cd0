/**
 * Kernels uffdkit builds for its guests: scripts/vm/build-kernel.sh (tinyconfig
 * plus scripts/vm/base.config: serial console, initramfs, userfaultfd,
 * hugetlb, KVM built in with KVM_SW_PROTECTED_VM) in an O= directory,
 * through ccache, at -j2. Build directories are kept, so a second run makes
 * only what changed.
 *
 * built-6.12 builds linux-source-6.12. The shared extracted tree is never
 * built in: uffdkit makes a hard-linked copy of it (cheap; kbuild writes only
 * to O=) with no build outputs in it, since an srctree with a stale
 * include/generated would shadow the O= directory's own headers.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../emit/kernel/templates.js";
import { kselftestIncludes } from "../kernel/build.js";
import { vmCache, versionFor, type Say, type VmKernel } from "./kernels.js";
import { isKernelVersion } from "../../kernel/versions.js";

export function vmScript(name: string): string {
  return join(packageRoot(), "scripts", "vm", name);
}

/** The debug variant's fragment: DEBUG_VM and PROVE_LOCKING. */
export const DEBUG_FRAGMENT = "debug.config";

export interface KernelBuild {
  readonly ok: boolean;
  readonly image: string;
  readonly release: string;
  readonly ms: number;
  /** make's last lines when it failed. */
  readonly log: string;
}

/** Build `src` into `out` with base.config plus `fragments` (absolute paths). */
export function buildKernelImage(src: string, out: string, fragments: readonly string[], say: Say): Promise<KernelBuild> {
  const t0 = Date.now();
  say(`vm: building a kernel from ${src} in ${out} (-j2, ccache; the first build takes several minutes, later ones only what changed)`);
  return new Promise((resolve) => {
    const child = execFile("bash", [vmScript("build-kernel.sh"), src, out, ...fragments], { maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const image = join(out, "arch/x86/boot/bzImage");
      const relFile = join(out, "include/config/kernel.release");
      const release = existsSync(relFile) ? readFileSync(relFile, "utf8").trim() : "";
      const ms = Date.now() - t0;
      if (err) resolve({ ok: false, image, release, ms, log: `${stdout}${stderr}`.trim().split("\n").slice(-15).join("\n") });
      else resolve({ ok: true, image, release, ms, log: "" });
    });
    child.stderr?.on("data", (d: Buffer) => {
      for (const l of d.toString().split("\n")) if (l.startsWith("build-kernel:")) say(`vm: ${l.slice("build-kernel: ".length)}`);
    });
  });
}

/** A hard-linked copy of the shared tree without build outputs, made once. */
export function cleanSourceCopy(shared: string, dest: string, say: Say): string {
  if (existsSync(join(dest, ".uffdkit-clean-copy"))) return dest;
  say(`vm: copying ${shared} to ${dest} (hard links; once)`);
  rmSync(dest, { recursive: true, force: true });
  const tmp = `${dest}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  execFileSync("cp", ["-al", shared, tmp]);
  // Everything newer than the extraction is somebody's build output; headers kbuild generates in an srctree shadow O='s.
  const marker = join(tmp, ".uffdkit-extracted");
  if (existsSync(marker)) execFileSync("find", [tmp, "-newer", marker, "(", "-type", "f", "-o", "-type", "l", ")", "-delete"]);
  for (const d of ["include/generated", "include/config", "arch/x86/include/generated", ".config"]) rmSync(join(tmp, d), { recursive: true, force: true });
  writeFileSync(join(tmp, ".uffdkit-clean-copy"), "");
  renameSync(tmp, dest);
  return dest;
}

/** built-<series>[-debug]: linux-source-<series> built for a guest. */
export async function buildVmKernel(series: string, debug: boolean, say: Say): Promise<VmKernel | string> {
  const spec = `built-${series}${debug ? "-debug" : ""}`;
  if (series !== "6.12") return `${spec}: uffdkit builds linux-source-6.12 only (the tree the project uses)`;
  const inc = kselftestIncludes();
  if (!inc.ok) return `${spec}: ${inc.reason}`;
  const base = join(vmCache(), "linux-6.12-vm");
  mkdirSync(base, { recursive: true });
  const src = cleanSourceCopy(inc.ksrc, join(base, "src"), say);
  const out = join(base, debug ? "o-debug" : "o");
  const b = await buildKernelImage(src, out, debug ? [vmScript(DEBUG_FRAGMENT)] : [], say);
  if (!b.ok) return `${spec}: the kernel build failed:\n${b.log}`;
  say(`vm: ${spec}: bzImage ready (${(b.ms / 1000).toFixed(0)} s)`);
  const version = versionFor(b.release);
  if (!isKernelVersion(version)) return `${spec}: ${version}`;
  return { spec, label: `${version} (built ${b.release}${debug ? ", DEBUG_VM+PROVE_LOCKING" : ""})`, version, release: b.release, image: b.image, built: { debug, buildDir: out } };
}
