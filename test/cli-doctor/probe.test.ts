/**
 * Machine problems are facts in `uffdkit doctor` (and `conform --vm`), never
 * crashes: an unwritable cache directory or a probe that crashes is "cannot
 * probe KVM: ...", and what `conform --vm` needs (QEMU, a static busybox) is
 * looked at and named with its package.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kvmCaps, kvmProbePath, vmToolFacts } from "../../src/run/machine.js";

const work = mkdtempSync(join(tmpdir(), "uffdkit-probe-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the KVM probe: machine problems are reported facts", () => {
  it("a cache directory that cannot be made (a file in the way) is 'cannot probe KVM', naming it", () => {
    const blocker = join(work, "not-a-dir");
    writeFileSync(blocker, "");
    const cache = join(blocker, "probe");
    const r = kvmCaps(cache);
    expect(r).toEqual({ reason: expect.stringMatching(/^cannot probe KVM: cannot write the probe to .*not-a-dir\/probe \(ENOTDIR\); make it writable/) });
  });

  it("a probe that crashes is 'cannot probe KVM', with the signal", () => {
    const cache = join(work, "crash");
    mkdirSync(cache);
    const bin = kvmProbePath(cache);
    writeFileSync(bin, "#!/bin/sh\nkill -SEGV $$\n");
    chmodSync(bin, 0o755);
    expect(kvmCaps(cache)).toEqual({ reason: expect.stringMatching(/^cannot probe KVM: running .* failed \(it was killed by SIGSEGV\); remove it to rebuild/) });
  });

  it("a probe that cannot be executed (a directory in its place, as on a noexec mount) is 'cannot probe KVM'", () => {
    const cache = join(work, "noexec");
    mkdirSync(kvmProbePath(cache), { recursive: true });
    expect(kvmCaps(cache)).toEqual({ reason: expect.stringMatching(/^cannot probe KVM: running .* failed \(EACCES\)/) });
  });

  it("a probe that prints nonsense is 'cannot probe KVM', not NaN capabilities", () => {
    const cache = join(work, "garbage");
    mkdirSync(cache);
    const bin = kvmProbePath(cache);
    writeFileSync(bin, "#!/bin/sh\necho hello\n");
    chmodSync(bin, 0o755);
    expect(kvmCaps(cache)).toEqual({ reason: expect.stringMatching(/^cannot probe KVM: .* printed "hello\\n", not one capability per line/) });
  });
});

describe("what conform --vm needs on the host", () => {
  it("a busybox that is missing, a directory, not ELF or dynamically linked is not ok, and says which", () => {
    expect(vmToolFacts(join(work, "none")).busybox).toEqual({ ok: false, detail: `${join(work, "none")} does not exist` });
    expect(vmToolFacts(work).busybox).toEqual({ ok: false, detail: `${work} is not a regular file` });
    const text = join(work, "busybox.sh");
    writeFileSync(text, "#!/bin/sh\n");
    expect(vmToolFacts(text).busybox.detail).toMatch(/not an ELF executable/);
    // node itself is a dynamically linked ELF executable.
    expect(vmToolFacts(process.execPath).busybox).toEqual({ ok: false, detail: `${process.execPath} is linked dynamically; the guest needs a static busybox` });
  });

  it("QEMU is looked for on PATH", () => {
    const saved = process.env.PATH;
    process.env.PATH = join(work, "empty-path");
    try {
      expect(vmToolFacts().qemu).toEqual({ ok: false, detail: "qemu-system-x86_64 is not on PATH" });
    } finally {
      process.env.PATH = saved;
    }
  });
});
