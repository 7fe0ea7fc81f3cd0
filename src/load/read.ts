/**
 * Reading a spec (or a constants file it imports) without trusting the path:
 * only a regular file under MAX_SPEC_BYTES is read. The file is opened
 * non-blocking so a FIFO cannot stall the open, and judged by fstat of the open
 * descriptor, so /dev/zero, a socket or a directory is refused before any read.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { MAX_SPEC_BYTES } from "./limits.js";

export type ReadResult = { ok: true; text: string } | { ok: false; why: string; hint: string };

export function readSourceFile(path: string, limit = MAX_SPEC_BYTES): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, why: "no such file", hint: "check the path, or create a starter spec with `uffdkit init NAME`" };
    if (code === "EACCES") return { ok: false, why: "permission denied", hint: "" };
    if (code === "EISDIR") return { ok: false, why: "it is a directory, not a spec file", hint: "pass a <type>.uffd.ts file" };
    return { ok: false, why: code ?? "unreadable", hint: "" };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { ok: false, why: "it is a directory, not a spec file", hint: "pass a <type>.uffd.ts file" };
    if (!st.isFile()) return { ok: false, why: "it is not a regular file (a device, FIFO or socket)", hint: "pass a <type>.uffd.ts file" };
    if (st.size > limit) return { ok: false, why: `it is ${st.size} bytes, more than the ${limit}-byte limit for a spec`, hint: "a spec is a few KiB; split out nothing, shorten the text fields" };
    // Read at most limit + 1 bytes: a file that grows while being read is refused, not followed.
    const buf = Buffer.alloc(Math.min(st.size, limit) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === buf.length) break;
    }
    if (got > limit) return { ok: false, why: `it is more than the ${limit}-byte limit for a spec`, hint: "" };
    return { ok: true, text: buf.subarray(0, got).toString("utf8") };
  } catch (e) {
    return { ok: false, why: (e as NodeJS.ErrnoException).code ?? "unreadable", hint: "" };
  } finally {
    closeSync(fd);
  }
}
