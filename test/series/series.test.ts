import { lower } from "../../src/lower/index.js";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildSeries, type SeriesOptions } from "../../src/series/index.js";
import { runCheckpatch } from "../../src/series/checkpatch.js";
import { FAKE_SELFTEST, fakeKernel, gmemModel, makeFixtureTree, sh } from "./fixture.js";

const cleanup: string[] = [];
afterEach(() => {
  for (const d of cleanup.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tree(extra?: Record<string, string>): string {
  const t = makeFixtureTree(extra);
  cleanup.push(t);
  return t;
}
function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), "uffdkit-out-"));
  cleanup.push(d);
  return join(d, "series");
}
function state(t: string): string {
  return [sh(t, "git", ["status", "--porcelain"]), sh(t, "git", ["rev-parse", "HEAD"]), sh(t, "git", ["symbolic-ref", "HEAD"]), sh(t, "git", ["branch", "--list"])].join("|");
}
function opts(t: string, over: Partial<SeriesOptions> = {}): SeriesOptions {
  const model = gmemModel();
  return { tree: t, out: outDir(), kernel: fakeKernel(model), selftests: [FAKE_SELFTEST], scenarioTitles: ["MINOR fault on a cached page is resolved by CONTINUE"], ...over };
}

describe("series: bad trees are left as they were", () => {
  it("not a git repository", async () => {
    const d = mkdtempSync(join(tmpdir(), "uffdkit-nogit-"));
    cleanup.push(d);
    const r = await buildSeries(lower(gmemModel()), opts(d));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("not-git");
    expect(readdirSync(d)).toEqual([]);
  });

  const cases: [string, (t: string) => void, Partial<SeriesOptions>, Parameters<typeof gmemModel>[0], string][] = [
    ["dirty work tree", (t) => execFileSync("sh", ["-c", "echo x >> mm/shmem.c"], { cwd: t }), {}, {}, "dirty"],
    ["no such base", () => {}, { base: "v9.99" }, {}, "no-base"],
    ["spec file missing", () => {}, {}, { file: "virt/kvm/nope.c" }, "file-not-found"],
    ["vm_operations_struct missing", () => {}, {}, { vmOps: "kvm_gmem_other_ops" }, "not-found"],
  ];
  for (const [name, mess, o, spec, code] of cases) {
    it(name, async () => {
      const t = tree();
      mess(t);
      const before = state(t);
      const model = gmemModel(spec);
      const r = await buildSeries(lower(model), { ...opts(t, o), kernel: fakeKernel(model) });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(code);
        expect(r.error.message.length).toBeGreaterThan(10);
        expect(r.error.hint.length).toBeGreaterThan(10);
      }
      expect(state(t)).toBe(before);
    });
  }

  it("no identity git will accept", async () => {
    const t = tree();
    sh(t, "git", ["config", "--unset", "user.name"]);
    sh(t, "git", ["config", "--unset", "user.email"]);
    // user.useConfigOnly: git itself refuses to guess an identity, so git var fails too.
    sh(t, "git", ["config", "user.useConfigOnly", "true"]);
    const before = state(t);
    // Hide the machine's global and system git config so only the tree's counts.
    const saved = { g: process.env.GIT_CONFIG_GLOBAL, s: process.env.GIT_CONFIG_NOSYSTEM };
    process.env.GIT_CONFIG_GLOBAL = "/dev/null";
    process.env.GIT_CONFIG_NOSYSTEM = "1";
    try {
      const r = await buildSeries(lower(gmemModel()), opts(t));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe("no-identity");
        expect(r.error.hint).toContain("git config");
      }
    } finally {
      if (saved.g === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = saved.g;
      if (saved.s === undefined) delete process.env.GIT_CONFIG_NOSYSTEM;
      else process.env.GIT_CONFIG_NOSYSTEM = saved.s;
    }
    expect(state(t)).toBe(before);
  });
});

describe("series: identity as git resolves it", () => {
  it("GIT_AUTHOR_NAME/EMAIL in the environment win over the config, so From: and Signed-off-by: match", async () => {
    const t = tree();
    const saved = { n: process.env.GIT_AUTHOR_NAME, e: process.env.GIT_AUTHOR_EMAIL };
    process.env.GIT_AUTHOR_NAME = "Env Author";
    process.env.GIT_AUTHOR_EMAIL = "env.author@example.org";
    try {
      const r = await buildSeries(lower(gmemModel()), opts(t, { getMaintainer: false }));
      if (!r.ok) throw new Error(r.error.message);
      for (const p of r.result.patches.slice(1)) {
        const text = readFileSync(p, "utf8");
        expect(text).toMatch(/^From: Env Author <env\.author@example\.org>$/m);
        expect(text).toMatch(/^Signed-off-by: Env Author <env\.author@example\.org>$/m);
        expect(text).not.toContain("Signed-off-by: Jane");
      }
    } finally {
      for (const [k, v] of [["GIT_AUTHOR_NAME", saved.n], ["GIT_AUTHOR_EMAIL", saved.e]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe("series: a good tree", () => {
  it("makes one commit per logical change on a new branch and leaves the checkout alone", async () => {
    const t = tree();
    const before = state(t);
    const r = await buildSeries(lower(gmemModel()), opts(t));
    if (!r.ok) throw new Error(r.error.message);
    const res = r.result;
    expect(res.branch).toBe("uffdkit/kvm_gmem-v3");
    expect(sh(t, "git", ["symbolic-ref", "HEAD"]).trim()).toBe("refs/heads/master");
    expect(sh(t, "git", ["status", "--porcelain"])).toBe("");
    expect(state(t).split("|").slice(0, 3)).toEqual(before.split("|").slice(0, 3));

    const subjects = sh(t, "git", ["log", "--reverse", "--format=%s", "base..uffdkit/kvm_gmem-v3"]).trim().split("\n");
    expect(subjects).toEqual([
      "mm/filemap: export filemap_remove_folio() to KVM",
      "KVM: guest_memfd: implement userfaultfd operations",
      "KVM: selftests: add userfaultfd tests for guest_memfd",
    ]);
    for (const s of subjects) expect(s.length).toBeLessThanOrEqual(75);

    // Files really changed where they should.
    const gm = sh(t, "git", ["show", "uffdkit/kvm_gmem-v3:virt/kvm/guest_memfd.c"]);
    expect(gm).toContain("#include <linux/userfaultfd_k.h>");
    expect(gm.indexOf("kvm_gmem_uffd_ops = {")).toBeLessThan(gm.indexOf("struct vm_operations_struct kvm_gmem_vm_ops"));
    expect(gm).toMatch(/\.fault = kvm_gmem_fault_user_mapping,\n\t\.uffd_ops = &kvm_gmem_uffd_ops,\n\};/);
    const fm = sh(t, "git", ["show", "uffdkit/kvm_gmem-v3:mm/filemap.c"]);
    expect(fm).toContain("}\nEXPORT_SYMBOL_FOR_KVM(filemap_remove_folio);\n");
    expect(fm).toContain("#include <linux/kvm_types.h>");
    const mk = sh(t, "git", ["show", "uffdkit/kvm_gmem-v3:tools/testing/selftests/kvm/Makefile"]);
    expect(mk).toContain("TEST_GEN_PROGS_x86_64 += guest_memfd_test\nTEST_GEN_PROGS_x86_64 += kvm_gmem_uffd_test\n");
    expect(sh(t, "git", ["show", "--stat", "--format=", "uffdkit/kvm_gmem-v3"])).toContain("tools/testing/selftests/kvm/kvm_gmem_uffd_test.c");

    // Every line of every commit message body is at most 75 columns.
    const bodies = sh(t, "git", ["log", "--format=%B", "base..uffdkit/kvm_gmem-v3"]);
    for (const l of bodies.split("\n")) expect(l.length).toBeLessThanOrEqual(75);
  });

  it("orders trailers: Co-developed-by then its Signed-off-by, submitter last", async () => {
    const t = tree();
    const r = await buildSeries(lower(gmemModel()), opts(t));
    if (!r.ok) throw new Error(r.error.message);
    for (const c of r.result.commits) {
      const trailers = sh(t, "git", ["log", "-1", "--format=%(trailers:only,unfold)", c.sha]).trim().split("\n");
      expect(trailers).toEqual([
        "Co-developed-by: Co Author <co@example.org>",
        "Signed-off-by: Co Author <co@example.org>",
        "Signed-off-by: Jane Developer <jane@example.org>",
      ]);
      expect(sh(t, "git", ["log", "-1", "--format=%an <%ae>", c.sha]).trim()).toBe("Jane Developer <jane@example.org>");
    }
  });

  it("writes a filled cover letter with base-commit, changelog and links", async () => {
    const t = tree();
    const r = await buildSeries(lower(gmemModel()), opts(t, { testing: { kernelNote: "this kernel has no guest_memfd userfaultfd support" } }));
    if (!r.ok) throw new Error(r.error.message);
    const names = r.result.patches.map((p) => p.slice(p.lastIndexOf("/") + 1));
    expect(names[0]).toBe("v3-0000-cover-letter.patch");
    expect(names).toHaveLength(4);
    const cover = readFileSync(r.result.coverLetter, "utf8");
    expect(cover).not.toContain("***");
    expect(cover).toContain("Subject: [PATCH v3 0/3] KVM: guest_memfd: support userfaultfd");
    expect(cover).toContain(`base-commit: ${r.result.baseSha}`);
    expect(cover).toContain("Changes in v3:\n- treat a folio that is not up to date as missing\n- Link to v2: https://lore.kernel.org/r/v2@example.org");
    expect(cover).toContain("Changes in v2:\n- check shared-ness at fault time\n- Link to v1: https://lore.kernel.org/r/v1@example.org");
    // Version 1's changelog is kept, and each link appears once.
    expect(cover).toContain("Changes in v1:\n- first posting");
    expect(cover.match(/v1@example\.org/g)).toHaveLength(1);
    expect(cover.match(/v2@example\.org/g)).toHaveLength(1);
    expect(cover.replace(/\n\s+/g, " ")).toContain("Not run on a real kernel: this kernel has no guest_memfd userfaultfd support");
    expect(cover).toContain("linux-7.1+gmem");
    expect(r.result.notes.join("\n")).toContain("get_maintainer.pl");
  });

  it("the series applies with git am --empty=drop on a fresh clone at the base", async () => {
    const t = tree();
    const r = await buildSeries(lower(gmemModel()), opts(t, { rfc: true }));
    if (!r.ok) throw new Error(r.error.message);
    expect(readFileSync(r.result.patches[1]!, "utf8")).toMatch(/Subject: \[RFC PATCH v3 1\/3\]/);
    const clone = mkdtempSync(join(tmpdir(), "uffdkit-clone-"));
    cleanup.push(clone);
    sh(clone, "git", ["clone", "-q", t, "c"]);
    const c = join(clone, "c");
    sh(c, "git", ["checkout", "-q", "base"]);
    sh(c, "git", ["-c", "user.name=A", "-c", "user.email=a@b", "am", "-q", "--empty=drop", ...r.result.patches]);
    expect(sh(c, "git", ["rev-parse", "HEAD^{tree}"]).trim()).toBe(sh(t, "git", ["rev-parse", "uffdkit/kvm_gmem-v3^{tree}"]).trim());
  });

  it("refuses to overwrite an existing branch or a foreign output directory", async () => {
    const t = tree();
    const o = opts(t);
    const first = await buildSeries(lower(gmemModel()), o);
    expect(first.ok).toBe(true);
    const again = await buildSeries(lower(gmemModel()), o);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe("branch-exists");
    const foreign = mkdtempSync(join(tmpdir(), "uffdkit-foreign-"));
    cleanup.push(foreign);
    execFileSync("sh", ["-c", "echo mine > notes.txt"], { cwd: foreign });
    const r = await buildSeries(lower(gmemModel()), { ...o, version: 4, out: foreign });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("out-not-empty");
    expect(readFileSync(join(foreign, "notes.txt"), "utf8")).toBe("mine\n");
  });

  it("puts an mm type's tests under selftests/mm with Makefile, .gitignore and run_vmtests.sh entries", async () => {
    const t = tree();
    const model = gmemModel({
      name: "shmem",
      subsystem: "mm/shmem",
      file: "mm/shmem.c",
      vmOps: "shmem_vm_ops",
      modular: false,
      copy: { alloc: { strategy: "shared-policy" } },
      guard: undefined,
      fault: { handler: "shmem_fault", raise: "core" },
      run: { kernelKind: "shmem" },
      series: { version: 1 },
    });
    const r = await buildSeries(lower(model), { ...opts(t), kernel: fakeKernel(model), selftests: [{ path: "shmem_uffd_test.c", contents: FAKE_SELFTEST.contents }] });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.result.commits.map((c) => c.subject)).toEqual(["mm/shmem: implement userfaultfd operations", "selftests/mm: add userfaultfd tests for shmem"]);
    const at = (p: string) => sh(t, "git", ["show", `uffdkit/shmem-v1:${p}`]);
    expect(at("tools/testing/selftests/mm/Makefile")).toContain("TEST_GEN_FILES += uffd-wp-mremap\nTEST_GEN_FILES += shmem_uffd_test\n");
    expect(at("tools/testing/selftests/mm/.gitignore")).toContain("uffd-unit-tests\nshmem_uffd_test\n");
    expect(at("tools/testing/selftests/mm/run_vmtests.sh")).toContain('CATEGORY="userfaultfd" run_test ./shmem_uffd_test');
    expect(r.result.patches[1]).toMatch(/0001-mm-shmem-implement-userfaultfd-operations\.patch$/);
  });

  const cp = runCheckpatch([]);
  const haveCheckpatch = cp.available;
  it.skipIf(!haveCheckpatch)(
    `checkpatch --strict: 0 errors, 0 warnings on every patch${haveCheckpatch ? "" : " (SKIPPED: linux-source-6.12 not installed)"}`,
    async () => {
      const t = tree();
      const r = await buildSeries(lower(gmemModel()), opts(t));
      if (!r.ok) throw new Error(r.error.message);
      const res = runCheckpatch(r.result.patches);
      if (!res.available) throw new Error(res.reason);
      expect(res.findings.filter((f) => f.type !== "FILE_PATH_CHANGES"), res.raw).toEqual([]);
      expect(res.errors + res.warnings + res.checks).toBe(0);
    },
  );
});

describe("series: a Debian source tree committed as it is", () => {
  it("says that Debian's .gitignore kept the sources out of git, and how to fix it", async () => {
    const d = mkdtempSync(join(tmpdir(), "uffdkit-debian-"));
    cleanup.push(d);
    // What `git init && git add -A` does in linux-source-6.12.
    execFileSync("sh", ["-c", "mkdir -p mm && echo x > mm/shmem.c && echo x > Makefile && printf '# Debian packaging\\n/*\\n!/debian/\\n' > .gitignore"], { cwd: d });
    sh(d, "git", ["init", "-q", "-b", "master"]);
    sh(d, "git", ["add", "-A"]);
    // Even .gitignore is ignored: nothing to commit.
    expect(sh(d, "git", ["ls-files"]).trim()).toBe("");
    const r = await buildSeries(lower(gmemModel()), opts(d));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("no-base");
      expect(r.error.message).toContain("Debian's \"/*\"");
      expect(r.error.hint).toContain("scripts/kernel-git-tree.sh");
    }
  });
});

describe("series: prerequisites in the tree", () => {
  it("--upstream below a prerequisite commit: base-commit is upstream, the prerequisite gets a prerequisite-patch-id", async () => {
    const t = tree();
    // A prerequisite commit on top of "base" (the upstream), the series on top of it.
    execFileSync("sh", ["-c", "echo '/* prerequisite */' >> include/linux/userfaultfd_k.h"], { cwd: t });
    sh(t, "git", ["commit", "-q", "-am", "mm: the prerequisite"]);
    const upstream = sh(t, "git", ["rev-parse", "base"]).trim();
    const r = await buildSeries(lower(gmemModel()), opts(t, { upstream: "base", getMaintainer: false }));
    if (!r.ok) throw new Error(r.error.message);
    const cover = readFileSync(r.result.coverLetter, "utf8");
    expect(cover).toContain(`base-commit: ${upstream}`);
    expect(cover).toMatch(/^prerequisite-patch-id: [0-9a-f]{40}$/m);
  });
});
