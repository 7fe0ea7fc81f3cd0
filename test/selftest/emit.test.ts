import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";
import { kernelCitations } from "../../src/emit/selftest/index.js";
import { emitSelftests, ScenarioEmitError } from "../../src/emit/selftest/index.js";
import { UnsafeIdentifierError } from "../../src/kernel/cident.js";
import { compatDefines } from "../../src/emit/selftest/compat.js";
import { referenceSuites } from "../../src/plan/reference/index.js";
import type { Suite } from "../../src/ir/scenario.js";
import { gccArgs, kselftestIncludes } from "../../src/run/kernel/build.js";
import { UFFD_FEATURES } from "../../src/kernel/uapi.js";
import { wordy } from "./fixtures.js";

const inc = kselftestIncludes();
const smoke: Suite = {
  name: "smoke",
  title: "smoke",
  scenarios: [
    {
      name: "missing_copy",
      title: "a missing fault resolved by COPY",
      source: ["closes */ a comment"],
      setup: { kind: "anon", pages: 2, map: "private" },
      steps: [
        { op: "api", features: ["thread_id", "event_remove", "wp_unpopulated", "poison", "move", "sigbus"] },
        { op: "register", page: 0, pages: 2, modes: ["missing", "wp"], expect: { ioctls: ["wake", "copy", "zeropage", "move", "writeprotect", "poison"] } },
        { op: "touch", thread: "t1", page: 0, access: "read", expect: { outcome: "blocked" } },
        { op: "event", expect: { event: "pagefault", page: 0, flags: [], thread: "t1" } },
        { op: "copy", page: 0, src: { byte: 0x5a }, expect: { copy: 4096 } },
        { op: "wait", thread: "t1", expect: { outcome: "done", value: 0x5a } },
      ],
    },
  ],
};

/** Display columns of a line, tabs to the next multiple of 8. */
function columns(line: string): number {
  let col = 0;
  for (const ch of line) col = ch === "\t" ? (Math.floor(col / 8) + 1) * 8 : col + 1;
  return col;
}

describe("emitSelftests", () => {
  it("emits the C file, the shared runtime header, compat header, Makefile, config and .gitignore", () => {
    const files = emitSelftests(smoke, { name: "smoke" });
    expect(files.map((f) => f.path).sort()).toEqual([".gitignore", "Makefile", "config", "smoke_uffd_common.h", "smoke_uffd_test.c", "uffdkit_compat.h", "uffdkit_runtime.h"]);
    const c = files.find((f) => f.path === "smoke_uffd_test.c")!.contents;
    expect(c.startsWith("// SPDX-License-Identifier: GPL-2.0\n")).toBe(true);
    expect(c).toContain("TEST(missing_copy)");
    expect(c).toContain("TEST_HARNESS_MAIN");
    // the observation is printed before the expectation is checked
    expect(c.indexOf('uk_obs_field(4, "copy"')).toBeLessThan(c.indexOf("EXPECT_EQ(4096, field);"));
    // a source line that would close the comment is defused
    expect(c).not.toMatch(/closes \*\/ a comment/);
    const mk = files.find((f) => f.path === "Makefile")!.contents;
    expect(mk).toMatch(/TEST_GEN_PROGS := smoke_uffd_test/);
    expect(mk).toMatch(/KHDR_INCLUDES/);
    expect(mk).toMatch(/-lpthread/);
    expect(files.find((f) => f.path === "config")!.contents).toContain("CONFIG_USERFAULTFD=y");
  });

  it("generates the compat constants from the uapi table, each behind #ifndef", () => {
    const h = emitSelftests(smoke, { name: "smoke" }).find((f) => f.path === "uffdkit_compat.h")!.contents;
    for (const [f, v] of Object.entries(UFFD_FEATURES)) {
      const name = `UFFD_FEATURE_${f.toUpperCase()}`;
      expect(h).toContain(`#ifndef ${name}\n#define ${name} _BITULL(${Math.log2(v)})\n#endif`);
    }
    expect(compatDefines().find((d) => d.name === "_UFFDIO_MOVE")?.value).toBe("0x05");
    expect(h).toMatch(/#ifndef KVM_CREATE_GUEST_MEMFD[\s\S]*0xd4/);
  });

  it("keeps kernel style: tabs, no trailing whitespace, C lines under 80 columns", () => {
    for (const suite of [wordy, ...referenceSuites()]) {
      for (const f of emitSelftests(suite, { name: suite.name.replace(/-/g, "_") })) {
        const lines = f.contents.split("\n");
        expect(lines.filter((l) => /[ \t]$/.test(l)), `${suite.name}/${f.path} trailing whitespace`).toEqual([]);
        if (!/\.[ch]$/.test(f.path)) continue;
        // a word longer than a line (the URL in wordy's sources) keeps a comment line of its own
        const long = lines.filter((l) => columns(l) >= 80 && !/^\s*\* +\S+$/.test(l));
        expect(long, `${suite.name}/${f.path}`).toEqual([]);
      }
    }
  });

  it("wraps long titles, sources and notes without losing a word, and aligns wrapped calls", () => {
    const c = emitSelftests(wordy, { name: "wordy" }).find((f) => f.path === "wordy_uffd_test.c")!.contents;
    const words = (s: string) => s.split(/\s+/).filter(Boolean);
    const block = c.slice(c.indexOf("/*\n * wordy_case:"), c.indexOf("TEST(wordy_case)"));
    const text = block.split("\n").map((l) => l.replace(/^\s*\/?\*+\/?/, "")).join(" ");
    // Sources are what a kernel reader can look up (citations of source keys); uffdkit's own documents are left out.
    const cites = kernelCitations(wordy.scenarios[0]!.source!);
    expect(words(text)).toEqual(words(`wordy_case: ${wordy.scenarios[0]!.title}${cites.map((x) => ` Source: ${x}`).join("")}`));
    expect(text).not.toMatch(/\.md\b/);
    // a note too long for one line becomes a block comment in the TEST body
    expect(c).toMatch(/\t\/\*\n\t \* the madvise runs in a worker thread/);
    // a call too wide for one line continues under its parenthesis
    const call = /\to = uk_side_call\((.*)\n(\t*) *(.*)\n/.exec(c);
    expect(call, "uk_side_call is wrapped").not.toBeNull();
    expect(columns(call![0].split("\n")[1]!) - call![3]!.length).toBe(columns("\to = uk_side_call("));
  });

  it("refuses names that are not C identifiers and waits on unknown threads", () => {
    const bad = { ...smoke, scenarios: [{ ...smoke.scenarios[0]!, name: "a;b" }] };
    expect(() => emitSelftests(bad, { name: "smoke" })).toThrow(ScenarioEmitError);
    expect(() => emitSelftests(smoke, { name: "x y" })).toThrow(UnsafeIdentifierError);
    const dup = { ...smoke, scenarios: [smoke.scenarios[0]!, smoke.scenarios[0]!] };
    expect(() => emitSelftests(dup, { name: "smoke" })).toThrow(/twice/);
    const orphan = { ...smoke, scenarios: [{ ...smoke.scenarios[0]!, steps: [{ op: "wait" as const, thread: "ghost", expect: { outcome: "done" as const } }] }] };
    expect(() => emitSelftests(orphan, { name: "smoke" })).toThrow(/ghost/);
  });

  it("every reference suite compiles with -Wall -Werror against the 6.12 kselftest harness", () => {
    // The harness comes with the set-up (scripts/setup.sh); its absence is a failure, never a skip.
    expect(inc.ok, inc.ok ? "" : inc.reason).toBe(true);
    if (!inc.ok) return;
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-selftest-"));
    for (const suite of [smoke, wordy, ...referenceSuites()]) {
      const name = suite.name.replace(/-/g, "_");
      for (const f of emitSelftests(suite, { name })) writeFileSync(join(dir, f.path), f.contents);
      const out = join(dir, `${name}.bin`);
      execFileSync("gcc", gccArgs(inc.dir, join(dir, `${name}_uffd_test.c`), out), { stdio: "pipe" });
      // the harness lists its tests with -l (and exits non-zero after listing)
      const listing = spawnSync(out, ["-l"], { encoding: "utf8" });
      const list = listing.stdout + listing.stderr;
      for (const sc of suite.scenarios) expect(list).toContain(sc.name);
    }
  }, BUILD_TIMEOUT);

  it("a broken template result fails the same compile (the check can fail)", () => {
    expect(inc.ok, inc.ok ? "" : inc.reason).toBe(true);
    if (!inc.ok) return;
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-selftest-"));
    for (const f of emitSelftests(smoke, { name: "smoke" })) writeFileSync(join(dir, f.path), f.path.endsWith(".c") ? f.contents.replace("TEST_HARNESS_MAIN", "static int unused_var;\nTEST_HARNESS_MAIN") : f.contents);
    expect(() => execFileSync("gcc", gccArgs(inc.dir, join(dir, "smoke_uffd_test.c"), join(dir, "x")), { stdio: "pipe" })).toThrow();
  }, BUILD_TIMEOUT);
});

describe("the steps beyond fault and fill (raw api, event reads, poll, ...), in C", () => {
  const suite: Suite = {
    name: "abi",
    title: "abi",
    scenarios: [
      {
        name: "all_new_ops",
        title: "every new step once",
        setup: { kind: "anon", pages: 2, map: "private", next: { kind: "shmem", pages: 2, gapPages: 1, prot: "read" } },
        steps: [
          { op: "api", rawFeatures: "0x20000", expect: { result: "EINVAL", features: "0x0", ioctls: "0x0" } },
          { op: "event", bufBytes: 16, expect: { event: "error", result: "EINVAL" } },
          { op: "poll", timeoutMs: 5, expect: { revents: ["err"] } },
          { op: "open", via: "dev", rawFlags: 16, expect: { result: "EINVAL" } },
          { op: "register", page: 0, pages: 2, modes: ["missing"], rawMode: 8, expect: { result: "EINVAL" } },
          { op: "copy", page: 0, src: { page: 1, offsetBytes: 8 }, thread: "c", expect: { outcome: "blocked" } },
          { op: "zeropage", page: 0, rawMode: 2, expect: { result: "EINVAL", zeropage: "untouched" } },
          { op: "syscall", thread: "k", call: "write", page: 0, expect: { outcome: "done", result: "ok" } },
          { op: "munmap", page: 1 },
          { op: "fork", childReads: 0 },
          { op: "child_wait", expect: { outcome: "done", value: 0 } },
          { op: "touch", thread: "r", page: 3, access: "read", offsetBytes: 12, expect: { outcome: "sigsegv" } },
        ],
      },
    ],
  };
  const c = emitSelftests(suite, { name: "abi" })[0]!.contents;
  it("emits each through its runtime helper, with the raw bits and sentinels", () => {
    for (const want of [
      "feat = 0x20000ULL;",
      "uk_obs_api(0, ret, e.api_features, e.api_ioctls);",
      "uk_read_event(&e, 0, &ev, 16);",
      "EXPECT_EQ(EINVAL, ev.err);",
      "o = uk_poll(&e, 0, 5);",
      "ret = uk_open(1, mode);",
      "mode = UFFDIO_REGISTER_MODE_MISSING | 0x8ULL;",
      "buf = e.area + 1 * e.psize + 8;",
      'o = uk_start_copy(&e, 0, "c", 0, a, l, buf, mode);',
      "EXPECT_EQ(UK_UNTOUCHED, field);",
      "UK_SYS_WRITE",
      "UK_MUNMAP",
      'o = uk_fork(&e, ',
      "o = uk_child_wait(&e, &ret);",
      "a = e.area + 3 * e.psize + 12;",
      ".next_pages = 2,",
      ".next_prot = PROT_READ,",
      "EXPECT_EQ(UK_SIGSEGV, o);",
    ]) expect(c, want).toContain(want);
  });
  it("compiles with -Wall -Werror against the 6.12 kselftest harness", () => {
    // scripts/setup.sh installs the harness; without it this test fails rather than skips.
    expect(inc.ok, inc.ok ? "" : inc.reason).toBe(true);
    if (!inc.ok) return;
    const dir = mkdtempSync(join(tmpdir(), "uffdkit-selftest-"));
    for (const f of emitSelftests(suite, { name: "abi" })) writeFileSync(join(dir, f.path), f.contents);
    execFileSync("gcc", gccArgs(inc.dir, join(dir, "abi_uffd_test.c"), join(dir, "abi.bin")), { stdio: "pipe" });
  }, BUILD_TIMEOUT);
});
