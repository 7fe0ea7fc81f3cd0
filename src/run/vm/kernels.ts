/**
 * The kernels `conform --vm` boots, named on the command line:
 *
 *   debian-6.1, debian-6.12   Debian's prebuilt image for that series (apt-get
 *                             download + dpkg -x; the newest the host's apt knows)
 *   linux-image-<...>         a Debian image package by name
 *   built-6.12[-debug]        linux-source-6.12 built by uffdkit (./build.ts)
 *   <path>                    a kernel image file; an unpacked package's
 *                             lib/modules/<release> beside its boot/ is used
 *
 * Downloads and builds are cached under the VM cache (UFFDKIT_VM_CACHE,
 * default ~/.cache/uffdkit/vm) and reused.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { isKernelVersion, type KernelVersionId } from "../../kernel/versions.js";

export interface VmKernel {
  /** As the user named it. */
  readonly spec: string;
  /** Column header: "6.1 (debian 6.1.0-50-amd64)". */
  readonly label: string;
  /** The kernel version the simulator models for it. */
  readonly version: KernelVersionId;
  readonly release: string;
  readonly image: string;
  /** lib/modules/<release> of a modular kernel (KVM is loaded from there). */
  readonly modulesDir?: string;
  /** Built by uffdkit, with KVM built in and KVM_SW_PROTECTED_VM. */
  readonly built?: { readonly debug: boolean; readonly buildDir: string };
}

export type Say = (line: string) => void;

export function vmCache(): string {
  return process.env.UFFDKIT_VM_CACHE ?? join(homedir(), ".cache", "uffdkit", "vm");
}

/** "6.1.0-50-amd64" → "6.1"; "6.12.101+deb12-amd64" → "6.12". */
export function seriesOf(release: string): string | undefined {
  return /^(\d+\.\d+)/.exec(release)?.[1];
}

/** The simulator's model for a release, or why there is none. */
export function versionFor(release: string): KernelVersionId | string {
  const s = seriesOf(release);
  if (s && isKernelVersion(s)) return s;
  return `no simulator model for ${release} (series ${s ?? "?"})`;
}

function apt(args: string[]): string {
  return execFileSync("apt-cache", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The Debian package for debian-<series>: the newest image of that series the host's apt knows. */
export function debianPackage(series: string, aptCache: (args: string[]) => string = apt): string | undefined {
  const esc = series.replace(/\./g, "\\.");
  const names = aptCache(["search", "--names-only", `^linux-image-${esc}[.][0-9]+[-+][a-z0-9.+-]*amd64$`])
    .split("\n")
    .map((l) => l.split(" ")[0]!)
    .filter((n) => /^linux-image-[0-9.]+(-\d+|\+deb\d+)-amd64$/.test(n));
  return names.sort(compareVersions).at(-1);
}

function compareVersions(a: string, b: string): number {
  const nums = (s: string) => (s.match(/\d+/g) ?? []).map(Number);
  const x = nums(a);
  const y = nums(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? -1) !== (y[i] ?? -1)) return (x[i] ?? -1) - (y[i] ?? -1);
  return 0;
}

/** apt-get download + dpkg -x into the cache, once. Returns the unpacked root. */
function fetchPackage(pkg: string, say: Say): string {
  const root = join(vmCache(), "debian", pkg);
  if (existsSync(join(root, ".uffdkit-unpacked"))) return root;
  say(`vm: downloading ${pkg} (apt-get download; about 10 s)`);
  mkdirSync(dirname(root), { recursive: true });
  const tmp = mkdtempSync(join(dirname(root), `.${pkg}.`));
  try {
    execFileSync("apt-get", ["download", "-q", pkg], { cwd: tmp, stdio: ["ignore", "ignore", "pipe"] });
    const deb = readdirSync(tmp).find((f) => f.endsWith(".deb"));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
    say(`vm: unpacking ${deb}`);
    const x = join(tmp, "x");
    execFileSync("dpkg", ["-x", join(tmp, deb), x]);
    execFileSync("touch", [join(x, ".uffdkit-unpacked")]);
    rmSync(root, { recursive: true, force: true });
    renameSync(x, root);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return root;
}

/** An unpacked image package: boot/vmlinuz-<release> and lib/modules/<release>. */
function fromUnpacked(spec: string, root: string): VmKernel | string {
  const boot = join(root, "boot");
  const image = existsSync(boot) ? readdirSync(boot).find((f) => f.startsWith("vmlinuz-")) : undefined;
  if (!image) return `${spec}: no boot/vmlinuz-* in ${root}`;
  return fromImage(spec, join(boot, image), image.slice("vmlinuz-".length), "debian");
}

function fromImage(spec: string, image: string, release: string, origin: string): VmKernel | string {
  const version = versionFor(release);
  if (!isKernelVersion(version)) return `${spec}: ${version}`;
  const mods = resolve(dirname(image), "..", "lib", "modules", release);
  return { spec, label: `${version} (${origin} ${release})`, version, release, image, ...(existsSync(mods) ? { modulesDir: mods } : {}) };
}

/** A release string from a bzImage's header (the kernel_version field the setup header points at). */
export function imageRelease(bytes: Buffer): string | undefined {
  if (bytes.length < 0x210 || bytes.toString("latin1", 0x202, 0x206) !== "HdrS") return undefined;
  const off = bytes.readUInt16LE(0x20e) + 0x200;
  const s = bytes.toString("latin1", off, off + 128);
  return s.slice(0, s.indexOf(" ")) || undefined;
}

/**
 * A bzImage where kbuild left it (<O>/arch/x86/boot/bzImage beside <O>/.config)
 * is a built kernel: its column says so, and whether it is the debug variant.
 */
function builtIfKbuild(k: VmKernel | string): VmKernel | string {
  if (typeof k === "string") return k;
  const out = resolve(dirname(k.image), "..", "..", "..");
  const config = join(out, ".config");
  if (!existsSync(config)) return k;
  const text = readFileSync(config, "utf8");
  const debug = /^CONFIG_DEBUG_VM=y$/m.test(text) && /^CONFIG_PROVE_LOCKING=y$/m.test(text);
  return { ...k, label: `${k.version} (built ${k.release}${debug ? ", DEBUG_VM+PROVE_LOCKING" : ""})`, built: { debug, buildDir: out } };
}

export interface ResolveOptions {
  readonly say: Say;
  /** Builds built-* kernels (./build.ts); injected so that resolving stays light. */
  readonly build?: (series: string, debug: boolean, say: Say) => Promise<VmKernel | string>;
  readonly aptCache?: (args: string[]) => string;
}

export async function resolveKernel(spec: string, opts: ResolveOptions): Promise<VmKernel | string> {
  const deb = /^debian-(\d+\.\d+)$/.exec(spec);
  if (deb) {
    let pkg: string | undefined;
    try {
      pkg = debianPackage(deb[1]!, opts.aptCache);
    } catch (e) {
      return `${spec}: apt-cache failed: ${(e as Error).message}`;
    }
    if (!pkg) return `${spec}: apt knows no linux-image-${deb[1]}.*-amd64 package (apt-get update? see scripts/vm-setup.sh)`;
    return resolveKernel(pkg, opts).then((k) => (typeof k === "string" ? k : { ...k, spec }));
  }
  if (/^linux-image-[\w.+~-]+$/.test(spec)) {
    try {
      return fromUnpacked(spec, fetchPackage(spec, opts.say));
    } catch (e) {
      return `${spec}: ${(e as Error).message}`;
    }
  }
  const built = /^built-(\d+\.\d+)(-debug)?$/.exec(spec);
  if (built) return opts.build ? opts.build(built[1]!, Boolean(built[2]), opts.say) : `${spec}: building kernels is not available here`;
  if (existsSync(spec)) {
    const { statSync } = await import("node:fs");
    // A path is the user's: a directory or a FIFO is a clear refusal, not EISDIR or a hang.
    const st = statSync(spec);
    if (st.isDirectory()) return `${spec}: a directory, not a kernel image; give the bzImage file (e.g. ${join(spec, "arch/x86/boot/bzImage")}) or a vmlinuz-<release>`;
    if (!st.isFile()) return `${spec}: not a regular file; give a kernel image (a bzImage or vmlinuz-<release>)`;
    const name = basename(spec);
    if (name.startsWith("vmlinuz-")) return fromImage(spec, resolve(spec), name.slice("vmlinuz-".length), "image");
    let image: Buffer;
    try {
      image = readFileSync(spec);
    } catch (e) {
      return `${spec}: cannot read the kernel image (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    }
    const rel = imageRelease(image);
    return rel ? builtIfKbuild(fromImage(spec, resolve(spec), rel, "image")) : `${spec}: not a bzImage (no setup header with a version string)`;
  }
  return `${spec}: not a kernel uffdkit knows (debian-6.1, debian-6.12, linux-image-..., built-6.12, built-6.12-debug, or a path to an image)`;
}
