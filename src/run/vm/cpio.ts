/**
 * A newc ("070701") cpio archive, the format the kernel unpacks as an
 * initramfs (Documentation/driver-api/early-userspace/buffer-format.rst).
 * Written here rather than by cpio(1) so that device nodes need no root and
 * the layout is testable without a guest.
 */

export type CpioEntry =
  | { readonly kind: "dir"; readonly path: string; readonly mode?: number }
  | { readonly kind: "file"; readonly path: string; readonly data: Uint8Array; readonly mode?: number }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  | { readonly kind: "char"; readonly path: string; readonly major: number; readonly minor: number; readonly mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function modeOf(e: CpioEntry): number {
  switch (e.kind) {
    case "dir":
      return S_IFDIR | (e.mode ?? 0o755);
    case "file":
      return S_IFREG | (e.mode ?? 0o644);
    case "symlink":
      return S_IFLNK | 0o777;
    case "char":
      return S_IFCHR | (e.mode ?? 0o600);
  }
}

function dataOf(e: CpioEntry): Uint8Array {
  if (e.kind === "file") return e.data;
  if (e.kind === "symlink") return new TextEncoder().encode(e.target);
  return new Uint8Array(0);
}

function header(ino: number, e: { mode: number; size: number; name: string; rmaj?: number; rmin?: number; nlink?: number }): string {
  const fields = [ino, e.mode, 0, 0, e.nlink ?? 1, 0, e.size, 0, 0, e.rmaj ?? 0, e.rmin ?? 0, e.name.length + 1, 0];
  return "070701" + fields.map(hex8).join("");
}

/** The archive bytes; paths are relative ("bin/sh"), parents listed before children by the caller. */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const chunks: Buffer[] = [];
  const push = (head: string, name: string, data: Uint8Array) => {
    const h = Buffer.from(head + name + "\0", "latin1");
    chunks.push(h, Buffer.alloc(pad4(h.length)), Buffer.from(data), Buffer.alloc(pad4(data.length)));
  };
  entries.forEach((e, i) => {
    const data = dataOf(e);
    const dev = e.kind === "char" ? { rmaj: e.major, rmin: e.minor } : {};
    push(header(i + 1, { mode: modeOf(e), size: data.length, name: e.path, nlink: e.kind === "dir" ? 2 : 1, ...dev }), e.path, data);
  });
  push(header(0, { mode: 0, size: 0, name: "TRAILER!!!", nlink: 1 }), "TRAILER!!!", new Uint8Array(0));
  return Buffer.concat(chunks);
}

/** Read a newc archive back (tests, and `uffdkit` debugging): path, mode and data of each entry. */
export function readCpio(buf: Buffer): { path: string; mode: number; data: Buffer; rdev: [number, number] }[] {
  const out: { path: string; mode: number; data: Buffer; rdev: [number, number] }[] = [];
  let off = 0;
  for (;;) {
    const magic = buf.toString("latin1", off, off + 6);
    if (magic !== "070701") throw new Error(`bad cpio magic at ${off}: ${JSON.stringify(magic)}`);
    const field = (i: number) => parseInt(buf.toString("latin1", off + 6 + 8 * i, off + 14 + 8 * i), 16);
    const mode = field(1);
    const size = field(6);
    const rdev: [number, number] = [field(9), field(10)];
    const nameSize = field(11);
    const nameStart = off + 110;
    const path = buf.toString("latin1", nameStart, nameStart + nameSize - 1);
    const dataStart = nameStart + nameSize + pad4(110 + nameSize);
    if (path === "TRAILER!!!") return out;
    out.push({ path, mode, data: buf.subarray(dataStart, dataStart + size), rdev });
    off = dataStart + size + pad4(size);
  }
}
