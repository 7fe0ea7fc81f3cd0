/**
 * CI's build check of the examples: the series of every example
 * whose file exists in linux-source-6.12 is written into a git tree made from
 * it, then built after every patch with W=1, built in, as a module with
 * modpost where the type is modular, and with CONFIG_USERFAULTFD=n. Each must
 * build with 0 errors and 0 warnings. xram, uffdkit's own page-cache driver,
 * is added to the tree first, as a developer would bring a new type.
 *
 * The guest_memfd examples are not here: 6.12 has no kvm_gmem_vm_ops, and
 * real-tree.test.ts checks that series stops for them with "base lacks the
 * prerequisite", never building anything.
 *
 * Each test prints what it built and how long it took (the note in the report).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT } from "../build-timeout.js";
import { loadModel } from "../../src/load/index.js";
import { lower } from "../../src/lower/index.js";
import { describeFailures } from "../../src/series/build/index.js";
import { openValue } from "../../src/session/index.js";
import { buildSeries } from "../../src/series/index.js";
import { sh } from "./fixture.js";
import { kernelGitTree, ROOT, withXramDriver } from "./ktree.js";

const out = mkdtempSync(join(tmpdir(), "uffdkit-build-examples-"));
let REPO = "";
const made: string[] = [];
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  for (const b of made) if (REPO) sh(REPO, "git", ["branch", "-q", "-D", b]);
});

/** Examples whose file is in 6.12, and the base each is built on. */
const EXAMPLES: { example: string; base: () => string }[] = [
  { example: "shmem.uffd.ts", base: () => "master" },
  { example: "hugetlbfs.uffd.ts", base: () => "master" },
  { example: "xram.uffd.ts", base: () => withXramDriver(REPO) },
  // What upstream merged, spliced into 6.12's own files (anon has no vm_operations_struct to
  // splice into, and guest_memfd's base lacks host mmap: series refuses both, tested elsewhere).
  { example: "upstream/shmem-7.1.uffd.ts", base: () => "master" },
  { example: "upstream/hugetlb-7.1.uffd.ts", base: () => "master" },
  { example: "upstream/shmem-peterx-v1.uffd.ts", base: () => "master" },
];

describe("every example's series builds after each patch in linux-source-6.12 (W=1)", () => {
  beforeAll(() => {
    REPO = kernelGitTree();
  }, BUILD_TIMEOUT);

  it.each(EXAMPLES)("$example", async ({ example, base }) => {
    const t0 = Date.now();
    expect(existsSync(join(ROOT, "examples", example))).toBe(true);
    const model = (await loadModel(join(ROOT, "examples", example))).model!;
    const e = { emitted: openValue(model).generation() };
    // A fresh version number per run, so an earlier run's branch never collides.
    const version = 100 + Math.floor(Math.random() * 800);
    const r = await buildSeries(lower(model), {
      tree: REPO,
      base: base(),
      version,
      out: join(out, example),
      kernel: e.emitted.kernel,
      selftests: e.emitted.selftests,
      getMaintainer: false,
      build: true,
    });
    if (!r.ok) throw new Error(`series stopped: ${r.error.code}: ${r.error.message} (fix: ${r.error.hint})`);
    made.push(r.result.branch);
    const b = r.result.build!;
    const what = [...new Set(b.steps.map((s) => `${s.config}: ${s.targets.join(" ")}`))].join("; ");
    console.log(`${example}: ${b.steps.length} builds after ${r.result.commits.length} patches (${what}) in ${(b.ms / 1000).toFixed(0)} s; ${((Date.now() - t0) / 1000).toFixed(0)} s with the series`);
    expect(b.unavailable).toBeUndefined();
    // Every patch that touches a kernel object was built in every configuration.
    expect(b.steps.length).toBeGreaterThan(0);
    expect(describeFailures(b)).toEqual([]);
    expect(b.ok).toBe(true);
  }, BUILD_TIMEOUT);
});
